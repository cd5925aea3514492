package dev.jonnx.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.jonnx.runtime.Result;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the benchmark models through Jonnx (default optimization, 1 and 2 threads) and ONNX
 * Runtime 1.24.2 (optimizations off) on the same random inputs and compares every output.
 * The models come from bench/fetch-models.sh; without models/ the tests are skipped.
 */
class RealModelParityTest {
    /** Allowed difference: absolute plus relative to the reference value. */
    private static final double TOLERANCE = 1e-4;

    private static Path modelsDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("models")) && Files.exists(p.resolve("bench"))) {
                return p.resolve("models");
            }
        }
        return null;
    }

    private static Tensor image(Random random, int... shape) {
        float[] values = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat() * 2 - 1;
        }
        return Tensor.of(DataType.FLOAT, shape, values);
    }

    /** Builds the feeds of each model, one map per run (VAD runs three chunks and passes its state on). */
    private static List<Map<String, Tensor>> feeds(String model) {
        Random random = new Random(42);
        return switch (model) {
            case "ocr-det.onnx" -> List.of(Map.of("x", image(random, 1, 3, 320, 480)));
            case "ocr-rec.onnx" -> List.of(Map.of("x", image(random, 1, 3, 48, 320)));
            case "ocr-cls.onnx" -> List.of(Map.of("x", image(random, 1, 3, 48, 192)));
            case "silero_vad_v5.onnx" -> List.of(
                    vadFeeds(image(random, 1, 512)), vadFeeds(image(random, 1, 512)),
                    vadFeeds(image(random, 1, 512)));
            case "all-minilm-l6-v2.onnx" -> {
                long[] ids = new long[2 * 16];
                long[] mask = new long[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = 1000 + random.nextInt(20000);
                    mask[i] = i % 16 < 12 || i < 16 ? 1 : 0;
                }
                yield List.of(Map.of("input_ids", Tensor.of(ids, 2, 16),
                        "attention_mask", Tensor.of(mask, 2, 16),
                        "token_type_ids", Tensor.of(new long[ids.length], 2, 16)));
            }
            default -> throw new IllegalArgumentException(model);
        };
    }

    private static Map<String, Tensor> vadFeeds(Tensor chunk) {
        Map<String, Tensor> feeds = new HashMap<>();
        feeds.put("input", chunk);
        feeds.put("sr", Tensor.scalar(16000L));
        return feeds;
    }

    private static OnnxTensor toOrt(OrtEnvironment env, Tensor t) throws OrtException {
        long[] shape = new long[t.rank()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.dim(i);
        }
        return switch (t.type()) {
            case FLOAT -> OnnxTensor.createTensor(env, FloatBuffer.wrap(t.floats()), shape);
            case INT64 -> OnnxTensor.createTensor(env, LongBuffer.wrap(t.longs()), shape);
            default -> throw new IllegalArgumentException("unexpected input type " + t.type());
        };
    }

    /** Runs every feed map through ONNX Runtime; VAD's state output feeds the next run. */
    private static List<Map<String, float[]>> runOrt(Path model, List<Map<String, Tensor>> runs)
            throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<Map<String, float[]>> results = new java.util.ArrayList<>();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model.toString(), options)) {
                Tensor state = Tensor.zeros(DataType.FLOAT, 2, 1, 128);
                for (Map<String, Tensor> run : runs) {
                    Map<String, Tensor> feeds = new HashMap<>(run);
                    if (session.getInputNames().contains("state")) {
                        feeds.put("state", state);
                    }
                    Map<String, OnnxTensor> ort = new HashMap<>();
                    try {
                        for (Map.Entry<String, Tensor> e : feeds.entrySet()) {
                            ort.put(e.getKey(), toOrt(env, e.getValue()));
                        }
                        try (OrtSession.Result r = session.run(ort)) {
                            Map<String, float[]> out = new LinkedHashMap<>();
                            for (Map.Entry<String, OnnxValue> e : r) {
                                FloatBuffer b = ((OnnxTensor) e.getValue()).getFloatBuffer();
                                float[] values = new float[b.remaining()];
                                b.get(values);
                                out.put(e.getKey(), values);
                            }
                            results.add(out);
                            if (out.containsKey("stateN")) {
                                state = Tensor.of(out.get("stateN"), 2, 1, 128);
                            }
                        }
                    } finally {
                        for (OnnxTensor t : ort.values()) {
                            t.close();
                        }
                    }
                }
            }
        }
        return results;
    }

    private static List<Map<String, float[]>> runJonnx(Path model, List<Map<String, Tensor>> runs,
            int threads) {
        List<Map<String, float[]>> results = new java.util.ArrayList<>();
        try (Session session = Session.open(model, SessionOptions.builder().threads(threads).build())) {
            boolean hasState = session.inputs().stream().anyMatch(i -> i.name().equals("state"));
            Tensor state = Tensor.zeros(DataType.FLOAT, 2, 1, 128);
            for (Map<String, Tensor> run : runs) {
                Map<String, Value> feeds = new HashMap<>(run);
                if (hasState) {
                    feeds.put("state", state);
                }
                Result r = session.run(feeds);
                Map<String, float[]> out = new LinkedHashMap<>();
                for (Map.Entry<String, Value> e : r) {
                    out.put(e.getKey(), ((Tensor) e.getValue()).toFloatArray().clone());
                }
                results.add(out);
                if (out.containsKey("stateN")) {
                    state = Tensor.of(out.get("stateN"), 2, 1, 128);
                }
            }
        }
        return results;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ocr-det.onnx", "ocr-rec.onnx", "ocr-cls.onnx", "silero_vad_v5.onnx",
            "all-minilm-l6-v2.onnx"})
    void modelMatchesOnnxRuntime(String name) throws OrtException {
        Path dir = modelsDir();
        assumeTrue(dir != null && Files.exists(dir.resolve(name)),
                "models/" + name + " is missing; run bench/fetch-models.sh");
        Path model = dir.resolve(name);
        List<Map<String, Tensor>> runs = feeds(name);
        List<Map<String, float[]>> expected = runOrt(model, runs);
        for (int threads : new int[] {1, 2}) {
            List<Map<String, float[]>> actual = runJonnx(model, runs, threads);
            assertThat(actual).hasSameSizeAs(expected);
            for (int run = 0; run < expected.size(); run++) {
                assertThat(actual.get(run).keySet()).isEqualTo(expected.get(run).keySet());
                for (String output : expected.get(run).keySet()) {
                    float[] want = expected.get(run).get(output);
                    float[] got = actual.get(run).get(output);
                    String where = name + " output '" + output + "', run " + run + ", " + threads
                            + " threads";
                    assertThat(got).as(where).hasSameSizeAs(want);
                    double worst = 0;
                    int worstAt = -1;
                    for (int i = 0; i < want.length; i++) {
                        double excess = Math.abs(got[i] - want[i]) - TOLERANCE * (1 + Math.abs(want[i]));
                        if (Double.isNaN(got[i]) != Double.isNaN(want[i]) || excess > worst) {
                            worst = Double.isNaN(excess) ? Double.POSITIVE_INFINITY : excess;
                            worstAt = i;
                        }
                    }
                    assertThat(worstAt)
                            .as("%s: element %d is %s, ONNX Runtime gives %s", where, worstAt,
                                    worstAt < 0 ? "" : got[worstAt], worstAt < 0 ? "" : want[worstAt])
                            .isEqualTo(-1);
                }
            }
        }
    }
}
