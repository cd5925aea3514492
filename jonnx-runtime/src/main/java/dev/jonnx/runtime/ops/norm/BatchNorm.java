package dev.jonnx.runtime.ops.norm;

import dev.jonnx.runtime.kernel.FloatArithmetic;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;

/**
 * BatchNormalization in every version. Inference uses the given mean and variance. Training
 * computes the batch mean and population variance per channel and also returns the running
 * statistics {@code input * momentum + batch * (1 - momentum)}. Training is selected by
 * {@code is_test = 0} (opsets 1 and 6), by asking for more than one output (opsets 7 and 9) or
 * by {@code training_mode = 1} (opset 14 on). Before opset 9, {@code spatial = 0} gives every
 * element of a sample its own statistics, with scale, bias, mean and variance of shape
 * (C x D1 x ... x Dn).
 */
final class BatchNorm {
    private BatchNorm() {}

    static KernelFactory factory() {
        return node -> {
            float epsilon = node.getFloat("epsilon", 1e-5f);
            float momentum = node.getFloat("momentum", 0.9f);
            boolean training = training(node);
            boolean spatial = node.opset() >= 9 || node.getInt("spatial", 1) != 0;
            boolean legacyOutputs = node.opset() < 14;
            return (inputs, ctx) -> {
                Tensor x = (Tensor) inputs[0];
                Tensor scale = (Tensor) inputs[1];
                Tensor bias = (Tensor) inputs[2];
                Tensor mean = (Tensor) inputs[3];
                Tensor var = (Tensor) inputs[4];
                if (!training && spatial && x.type() == DataType.FLOAT && x.rank() >= 2) {
                    return new Value[] {inferFloat(x, scale, bias, mean, var, epsilon, ctx)};
                }
                return run(x, scale, bias, mean, var, epsilon, momentum, training, spatial, legacyOutputs);
            };
        };
    }

    private static boolean training(NodeContext node) {
        if (node.opset() < 7) {
            return node.getInt("is_test", 0) == 0;
        }
        if (node.opset() < 14) {
            return node.outputCount() > 1;
        }
        boolean training = node.getInt("training_mode", 0) != 0;
        if (!training && (node.hasOutput(1) || node.hasOutput(2))) {
            throw node.error("outputs 'running_mean' and 'running_var' are only valid with training_mode=1");
        }
        return training;
    }

    /**
     * Inference on float input: the per-channel factor and shift are computed in double as in
     * {@link #run}, rounded to float, and applied with one fma per element, spread over the
     * (sample, channel) planes on the context's threads.
     */
    static Tensor inferFloat(Tensor x, Tensor scale, Tensor bias, Tensor mean, Tensor var,
            float epsilon, RunContext ctx) {
        int[] shape = x.shape();
        int batch = shape[0];
        int channels = shape[1];
        int inner = 1;
        for (int d = 2; d < shape.length; d++) {
            inner *= shape[d];
        }
        checkSize("scale", scale, channels);
        checkSize("B", bias, channels);
        checkSize("input_mean", mean, channels);
        checkSize("input_var", var, channels);
        double[] s = scale.toDoubleArray();
        double[] b = bias.toDoubleArray();
        double[] m = mean.toDoubleArray();
        double[] v = var.toDoubleArray();
        float[] factors = new float[channels];
        float[] shifts = new float[channels];
        for (int c = 0; c < channels; c++) {
            double factor = s[c] / Math.sqrt(v[c] + epsilon);
            factors[c] = (float) factor;
            shifts[c] = (float) (b[c] - m[c] * factor);
        }
        float[] in = x.floats();
        float[] out = ctx.newFloats(in.length);
        int length = inner;
        ctx.parallelFor(batch * channels, 2L * inner, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int c = plane % channels;
                FloatArithmetic.fma(in, plane * length, factors[c], shifts[c], out,
                        plane * length, length);
            }
        });
        return Tensor.of(DataType.FLOAT, shape, out);
    }

    static Value[] run(Tensor x, Tensor scale, Tensor bias, Tensor mean, Tensor var, float epsilon,
            float momentum, boolean training, boolean spatial, boolean legacyOutputs) {
        int[] shape = x.shape();
        if (shape.length == 0) {
            throw new IllegalArgumentException("input 'X' must have rank 1 or more, got " + x.describe());
        }
        int batch = shape[0];
        int channels = shape.length > 1 ? shape[1] : 1;
        int spatialSize = 1;
        for (int d = 2; d < shape.length; d++) {
            spatialSize *= shape[d];
        }
        // Without spatial statistics every (channel, position) pair acts as its own channel.
        int groups = spatial ? channels : channels * spatialSize;
        int inner = spatial ? spatialSize : 1;
        checkSize("scale", scale, groups);
        checkSize("B", bias, groups);
        checkSize("input_mean", mean, groups);
        checkSize("input_var", var, groups);
        double[] in = x.toDoubleArray();
        double[] s = scale.toDoubleArray();
        double[] b = bias.toDoubleArray();
        double[] useMean = mean.toDoubleArray();
        double[] useVar = var.toDoubleArray();
        double[] batchMean = null;
        double[] batchVar = null;
        if (training) {
            batchMean = new double[groups];
            batchVar = new double[groups];
            long count = (long) batch * inner;
            for (int n = 0; n < batch; n++) {
                for (int g = 0; g < groups; g++) {
                    int base = (n * groups + g) * inner;
                    for (int i = 0; i < inner; i++) {
                        batchMean[g] += in[base + i];
                    }
                }
            }
            for (int g = 0; g < groups; g++) {
                batchMean[g] /= count;
            }
            for (int n = 0; n < batch; n++) {
                for (int g = 0; g < groups; g++) {
                    int base = (n * groups + g) * inner;
                    for (int i = 0; i < inner; i++) {
                        double d = in[base + i] - batchMean[g];
                        batchVar[g] += d * d;
                    }
                }
            }
            for (int g = 0; g < groups; g++) {
                batchVar[g] /= count;
            }
            useMean = batchMean;
            useVar = batchVar;
        }
        double[] out = new double[in.length];
        for (int n = 0; n < batch; n++) {
            for (int g = 0; g < groups; g++) {
                double factor = s[g] / Math.sqrt(useVar[g] + epsilon);
                double shift = b[g] - useMean[g] * factor;
                int base = (n * groups + g) * inner;
                for (int i = 0; i < inner; i++) {
                    out[base + i] = in[base + i] * factor + shift;
                }
            }
        }
        Tensor y = Tensor.fromDoubles(x.type(), shape, out);
        if (!training) {
            return new Value[] {y};
        }
        double[] runningMean = new double[groups];
        double[] runningVar = new double[groups];
        double[] inputMean = mean.toDoubleArray();
        double[] inputVar = var.toDoubleArray();
        for (int g = 0; g < groups; g++) {
            runningMean[g] = inputMean[g] * momentum + batchMean[g] * (1 - momentum);
            runningVar[g] = inputVar[g] * momentum + batchVar[g] * (1 - momentum);
        }
        DataType statsType = mean.type();
        int[] statsShape = mean.shape();
        Tensor runningMeanTensor = Tensor.fromDoubles(statsType, statsShape, runningMean);
        Tensor runningVarTensor = Tensor.fromDoubles(var.type(), var.shape(), runningVar);
        if (!legacyOutputs) {
            return new Value[] {y, runningMeanTensor, runningVarTensor};
        }
        return new Value[] {y, runningMeanTensor, runningVarTensor,
            Tensor.fromDoubles(statsType, statsShape, batchMean),
            Tensor.fromDoubles(statsType, statsShape, batchVar)};
    }

    private static void checkSize(String name, Tensor t, int expected) {
        if (t.size() != expected) {
            throw new IllegalArgumentException("input '" + name + "' must have " + expected
                    + " elements, one per channel, got " + t.describe());
        }
    }
}
