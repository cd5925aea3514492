package dev.jonnx.runtime.optimizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
import dev.jonnx.runtime.testing.RealModels;
import dev.jonnx.tensor.Tensor;
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
        Path path = RealModels.require(name);
        StringBuilder counts = new StringBuilder(name + ":");
        Map<OptimizationLevel, Result> results = new HashMap<>();
        for (OptimizationLevel level : OptimizationLevel.values()) {
            try (OnnxModel model = ModelIO.load(path)) {
                ModelProto optimized = GraphOptimizer.optimize(model, Operators.registry(), level);
                counts.append(' ').append(level).append(' ').append(optimized.getGraph().getNodeCount())
                        .append(" (").append(countNodes(optimized.getGraph())).append(" with subgraphs)");
            }
            SessionOptions options = SessionOptions.builder().optimizationLevel(level).build();
            try (Session session = Session.open(path, options)) {
                results.put(level, session.run(RealModels.feeds(name)));
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
