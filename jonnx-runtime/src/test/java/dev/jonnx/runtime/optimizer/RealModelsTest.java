package dev.jonnx.runtime.optimizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jonnx.model.ModelIO;
import dev.jonnx.model.OnnxModel;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.runtime.Result;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.runtime.SessionOptions.OptimizationLevel;
import dev.jonnx.runtime.ops.Operators;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the benchmark models (fetched into models/ by bench/fetch-models.sh; skipped when
 * absent) at levels NONE, BASIC and ALL, checks that the outputs agree and prints how many
 * nodes each level leaves.
 */
class RealModelsTest {

    private static Path modelsDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("models")) && Files.exists(p.resolve("bench"))) {
                return p.resolve("models");
            }
        }
        return null;
    }

    private static Map<String, Value> feeds(String model) {
        Map<String, Value> feeds = new HashMap<>();
        switch (model) {
            case "all-minilm-l6-v2.onnx" -> {
                long[] ids = {101, 7592, 1010, 2088, 999, 2023, 2003, 1037, 3231, 6251, 1012, 102};
                feeds.put("input_ids", Tensor.of(ids, 1, ids.length));
                feeds.put("attention_mask", Tensor.of(new long[ids.length], 1, ids.length));
                java.util.Arrays.fill(((Tensor) feeds.get("attention_mask")).longs(), 1);
                feeds.put("token_type_ids", Tensor.of(new long[ids.length], 1, ids.length));
            }
            case "ocr-det.onnx" -> feeds.put("x", Graphs.ramp(1, 3, 64, 96));
            case "silero_vad_v5.onnx" -> {
                feeds.put("input", Graphs.ramp(1, 512));
                feeds.put("state", Tensor.zeros(dev.jonnx.tensor.DataType.FLOAT, 2, 1, 128));
                feeds.put("sr", Tensor.scalar(16000L));
            }
            default -> throw new IllegalArgumentException(model);
        }
        return feeds;
    }

    static int countNodes(GraphProto g) {
        int count = 0;
        for (NodeProto n : g.getNodeList()) {
            count++;
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    count += countNodes(a.getG());
                }
                for (GraphProto sub : a.getGraphsList()) {
                    count += countNodes(sub);
                }
            }
        }
        return count;
    }

    @ParameterizedTest
    @ValueSource(strings = {"all-minilm-l6-v2.onnx", "ocr-det.onnx", "silero_vad_v5.onnx"})
    void levelsAgreeOnModel(String name) {
        Path dir = modelsDir();
        assumeTrue(dir != null && Files.exists(dir.resolve(name)), "models/" + name + " not fetched");
        StringBuilder counts = new StringBuilder(name + ":");
        Map<OptimizationLevel, Result> results = new HashMap<>();
        for (OptimizationLevel level : OptimizationLevel.values()) {
            try (OnnxModel model = ModelIO.load(dir.resolve(name))) {
                ModelProto optimized = GraphOptimizer.optimize(model, Operators.registry(), level);
                counts.append(' ').append(level).append(' ').append(optimized.getGraph().getNodeCount())
                        .append(" (").append(countNodes(optimized.getGraph())).append(" with subgraphs)");
            }
            SessionOptions options = SessionOptions.builder().optimizationLevel(level).build();
            try (Session session = Session.open(dir.resolve(name), options)) {
                results.put(level, session.run(feeds(name)));
            }
        }
        System.out.println(counts);
        Result expected = results.get(OptimizationLevel.NONE);
        for (OptimizationLevel level : new OptimizationLevel[] {OptimizationLevel.BASIC, OptimizationLevel.ALL}) {
            Result actual = results.get(level);
            for (String out : expected.names()) {
                Tensor e = expected.tensor(out);
                Tensor a = actual.tensor(out);
                assertThat(a.shape()).as(level + " " + out).isEqualTo(e.shape());
                float[] ev = e.toFloatArray();
                float[] av = a.toFloatArray();
                for (int i = 0; i < ev.length; i++) {
                    assertThat(av[i]).as(level + " " + out + "[" + i + "]").isCloseTo(ev[i], within(1e-3f + 1e-3f * Math.abs(ev[i])));
                }
            }
        }
    }
}
