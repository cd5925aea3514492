package dev.jonnx.runtime.ops.norm;

import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;
import dev.jonnx.runtime.kernel.Mt19937;
import dev.jonnx.runtime.registry.KernelFactory;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Dropout. In inference the output is the input and the mask is all ones. Training applies a
 * random mask that keeps each element with probability 1 - ratio and scales kept elements by
 * 1 / (1 - ratio). Training is chosen by {@code is_test = 0} in opsets 1 and 6, never in opsets
 * 7 and 10, and by the {@code training_mode} input from opset 12, where ratio is an input too.
 * The mask has the data type before opset 10 and is bool from then on. Without a {@code seed}
 * attribute every run draws a new mask.
 */
final class Dropout {
    private Dropout() {}

    static KernelFactory factory() {
        return node -> {
            int opset = node.opset();
            boolean inputsControl = opset >= 12;
            boolean attributeTraining = opset < 7 && node.getInt("is_test", 0) == 0;
            float attributeRatio = node.getFloat("ratio", 0.5f);
            boolean boolMask = opset >= 10;
            Long seed = node.hasAttribute("seed") ? node.getInt("seed") : null;
            return (inputs, ctx) -> {
                Tensor data = (Tensor) inputs[0];
                double ratio = attributeRatio;
                boolean training = attributeTraining;
                if (inputsControl) {
                    ratio = 0.5;
                    if (inputs.length > 1 && inputs[1] != null) {
                        ratio = ((Tensor) inputs[1]).getDouble(0);
                    }
                    training = inputs.length > 2 && inputs[2] != null && ((Tensor) inputs[2]).getLong(0) != 0;
                }
                return dropout(data, ratio, training, boolMask, seed);
            };
        };
    }

    static Value[] dropout(Tensor data, double ratio, boolean training, boolean boolMask, Long seed) {
        int size = data.size();
        int[] shape = data.shape();
        if (!training || ratio == 0) {
            boolean[] keep = new boolean[size];
            Arrays.fill(keep, true);
            return new Value[] {data, mask(keep, shape, boolMask, data.type())};
        }
        if (ratio < 0 || ratio >= 1) {
            throw new IllegalArgumentException("input 'ratio' must lie in [0, 1), got " + ratio);
        }
        // A seeded run draws the same mask as NumPy's legacy generator seeded with that value.
        Mt19937 random = new Mt19937(seed == null ? ThreadLocalRandom.current().nextInt() : seed);
        double scale = 1 / (1 - ratio);
        double[] in = data.toDoubleArray();
        double[] out = new double[size];
        boolean[] keep = new boolean[size];
        for (int i = 0; i < size; i++) {
            keep[i] = random.nextDouble() >= ratio;
            out[i] = keep[i] ? in[i] * scale : 0;
        }
        return new Value[] {Tensor.fromDoubles(data.type(), shape, out), mask(keep, shape, boolMask, data.type())};
    }

    private static Tensor mask(boolean[] keep, int[] shape, boolean boolMask, DataType dataType) {
        if (boolMask) {
            return Tensor.of(DataType.BOOL, shape, keep);
        }
        double[] values = new double[keep.length];
        for (int i = 0; i < keep.length; i++) {
            values[i] = keep[i] ? 1 : 0;
        }
        return Tensor.fromDoubles(dataType, shape, values);
    }
}
