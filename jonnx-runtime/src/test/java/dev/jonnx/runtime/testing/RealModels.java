package dev.jonnx.runtime.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The benchmark models that bench/fetch-models.sh puts in models/, and inputs for them. A test
 * that requires a model that is not fetched is skipped, not failed.
 */
public final class RealModels {
    private RealModels() {}

    /** Returns the models/ folder of the checkout, found upward from the working directory. */
    private static Path modelsDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("models")) && Files.exists(p.resolve("bench"))) {
                return p.resolve("models");
            }
        }
        return null;
    }

    /** Returns the path of models/{@code name}, or skips the calling test when it is absent. */
    public static Path require(String name) {
        Path dir = modelsDir();
        assumeTrue(dir != null && Files.exists(dir.resolve(name)), "models/" + name + " not fetched");
        return dir.resolve(name);
    }

    /**
     * Returns inputs for a benchmark model: a 12-token sentence for MiniLM, a ramp image for
     * the OCR models and 512 ramp samples with a zero state for Silero VAD.
     */
    public static Map<String, Value> feeds(String model) {
        Map<String, Value> feeds = new HashMap<>();
        switch (model) {
            case "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-q.onnx" -> {
                long[] ids = {101, 7592, 1010, 2088, 999, 2023, 2003, 1037, 3231, 6251, 1012, 102};
                long[] mask = new long[ids.length];
                Arrays.fill(mask, 1);
                feeds.put("input_ids", Tensor.of(ids, 1, ids.length));
                feeds.put("attention_mask", Tensor.of(mask, 1, ids.length));
                feeds.put("token_type_ids", Tensor.of(new long[ids.length], 1, ids.length));
            }
            case "ocr-det.onnx" -> feeds.put("x", ramp(1, 3, 64, 96));
            case "ocr-rec.onnx", "ocr-cls.onnx" -> feeds.put("x", ramp(1, 3, 48, 64));
            case "silero_vad_v5.onnx" -> {
                feeds.put("input", ramp(1, 512));
                feeds.put("state", Tensor.zeros(DataType.FLOAT, 2, 1, 128));
                feeds.put("sr", Tensor.scalar(16000L));
            }
            default -> throw new IllegalArgumentException("no inputs known for model " + model);
        }
        return feeds;
    }

    /** Returns a float tensor whose elements rise from -1 to 1 in a saw-tooth of period 97. */
    public static Tensor ramp(int... shape) {
        float[] values = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i % 97) / 48f - 1;
        }
        return Tensor.of(values, shape);
    }
}
