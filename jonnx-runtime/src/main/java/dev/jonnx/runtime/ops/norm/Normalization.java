package dev.jonnx.runtime.ops.norm;

import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.FloatFormats;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * Normalizations over contiguous blocks: InstanceNormalization, LayerNormalization,
 * GroupNormalization, RMSNormalization, LpNormalization and MeanVarianceNormalization. Every
 * one computes in double and rounds once when it stores the output.
 */
final class Normalization {
    private Normalization() {}

    static KernelFactory instanceNorm() {
        return node -> {
            float epsilon = node.getFloat("epsilon", 1e-5f);
            return (inputs, ctx) -> {
                Tensor x = (Tensor) inputs[0];
                Tensor scale = (Tensor) inputs[1];
                Tensor bias = (Tensor) inputs[2];
                if (x.rank() < 2) {
                    throw new IllegalArgumentException("input 'input' must have rank 2 or more, got " + x.describe());
                }
                int channels = x.dim(1);
                checkSize("scale", scale, channels);
                checkSize("B", bias, channels);
                return new Value[] {groupNorm(x, scale.toDoubleArray(), bias.toDoubleArray(), channels, true, epsilon)};
            };
        };
    }

    /**
     * Returns the GroupNormalization factory. Opset 18 takes scale and bias per group, opset 21 per
     * channel.
     */
    static KernelFactory groupNorm() {
        return node -> {
            float epsilon = node.getFloat("epsilon", 1e-5f);
            long groups = node.getInt("num_groups");
            boolean perChannel = node.opset() >= 21;
            return (inputs, ctx) -> {
                Tensor x = (Tensor) inputs[0];
                Tensor scale = (Tensor) inputs[1];
                Tensor bias = (Tensor) inputs[2];
                if (x.rank() < 2) {
                    throw new IllegalArgumentException("input 'X' must have rank 2 or more, got " + x.describe());
                }
                int channels = x.dim(1);
                if (groups <= 0 || channels % groups != 0) {
                    throw new IllegalArgumentException("attribute 'num_groups' " + groups
                            + " must be positive and divide the channel count " + channels);
                }
                int expected = perChannel ? channels : (int) groups;
                checkSize("scale", scale, expected);
                checkSize("bias", bias, expected);
                return new Value[] {groupNorm(x, scale.toDoubleArray(), bias.toDoubleArray(), (int) groups, perChannel,
                        epsilon)};
            };
        };
    }

    /**
     * Normalizes each (sample, group) block of {@code x} to zero mean and unit variance, then
     * applies scale and bias given per channel or per group.
     */
    static Tensor groupNorm(Tensor x, double[] scale, double[] bias, int groups, boolean perChannel, float epsilon) {
        int[] shape = x.shape();
        int batch = shape[0];
        int channels = shape[1];
        int spatial = channels == 0 ? 0 : x.size() / Math.max(1, batch) / channels;
        int channelsPerGroup = channels / groups;
        int block = channelsPerGroup * spatial;
        double[] in = x.toDoubleArray();
        double[] out = new double[in.length];
        for (int n = 0; n < batch; n++) {
            for (int g = 0; g < groups; g++) {
                int base = (n * groups + g) * block;
                double mean = 0;
                for (int i = 0; i < block; i++) {
                    mean += in[base + i];
                }
                mean /= block;
                double var = 0;
                for (int i = 0; i < block; i++) {
                    double d = in[base + i] - mean;
                    var += d * d;
                }
                var /= block;
                double invStd = 1 / Math.sqrt(var + epsilon);
                for (int c = 0; c < channelsPerGroup; c++) {
                    int param = perChannel ? g * channelsPerGroup + c : g;
                    int start = base + c * spatial;
                    for (int i = 0; i < spatial; i++) {
                        out[start + i] = (in[start + i] - mean) * invStd * scale[param] + bias[param];
                    }
                }
            }
        }
        return Tensor.fromDoubles(x.type(), shape, out);
    }

    /** LayerNormalization (with bias and Mean/InvStdDev outputs) or RMSNormalization. */
    static KernelFactory layerNorm(boolean rms) {
        return node -> {
            long axisAttribute = node.getInt("axis", -1);
            float epsilon = node.getFloat("epsilon", 1e-5f);
            DataType stashType = DataType.fromCode((int) node.getInt("stash_type", 1));
            if (!stashType.isFloatingPoint()) {
                throw node.error("attribute 'stash_type' must name a floating-point type, got " + stashType);
            }
            return (inputs, ctx) -> {
                Tensor x = (Tensor) inputs[0];
                Tensor scale = (Tensor) inputs[1];
                Tensor bias = rms || inputs.length < 3 ? null : (Tensor) inputs[2];
                return layerNorm(x, scale, bias, axisAttribute, epsilon, stashType, rms, ctx);
            };
        };
    }

    static Value[] layerNorm(Tensor x, Tensor scale, Tensor bias, long axisAttribute, float epsilon,
            DataType stashType, boolean rms, RunContext ctx) {
        int rank = x.rank();
        int axis = Shapes.axis(axisAttribute, rank);
        int[] shape = x.shape();
        int block = 1;
        for (int d = axis; d < rank; d++) {
            block *= shape[d];
        }
        int outer = block == 0 ? 0 : x.size() / block;
        checkBroadcast("scale", scale, shape);
        if (bias != null) {
            checkBroadcast("B", bias, shape);
        }
        if (x.type() == DataType.FLOAT && stashType == DataType.FLOAT && scale.type() == DataType.FLOAT
                && coversBlock(scale, shape, axis) && (bias == null || (!rms && bias.type() == DataType.FLOAT
                && coversBlock(bias, shape, axis)))) {
            return layerNormFloat(x, scale, bias, axis, block, outer, epsilon, rms, ctx);
        }
        int[] scaleIndex = Shapes.broadcastIndex(scale.shape(), shape);
        int[] biasIndex = bias == null ? null : Shapes.broadcastIndex(bias.shape(), shape);
        double[] in = x.toDoubleArray();
        double[] s = scale.toDoubleArray();
        double[] b = bias == null ? null : bias.toDoubleArray();
        double[] out = new double[in.length];
        double[] means = new double[outer];
        double[] invStds = new double[outer];
        DataType type = x.type();
        for (int o = 0; o < outer; o++) {
            int base = o * block;
            double mean = 0;
            if (!rms) {
                for (int i = 0; i < block; i++) {
                    mean += in[base + i];
                }
                mean /= block;
            }
            double var = 0;
            for (int i = 0; i < block; i++) {
                double d = in[base + i] - mean;
                var += d * d;
            }
            var /= block;
            double invStd = 1 / Math.sqrt(var + epsilon);
            means[o] = mean;
            invStds[o] = invStd;
            for (int i = 0; i < block; i++) {
                int index = base + i;
                // Stage one ends by casting the normalized value back to the type of X.
                double normalized = roundTo(type, (in[index] - mean) * invStd);
                double y = normalized * s[scaleIndex[index]];
                if (b != null) {
                    y += b[biasIndex[index]];
                }
                out[index] = y;
            }
        }
        Tensor y = Tensor.fromDoubles(type, shape, out);
        if (rms) {
            return new Value[] {y};
        }
        int[] statsShape = shape.clone();
        Arrays.fill(statsShape, axis, rank, 1);
        return new Value[] {y, Tensor.fromDoubles(stashType, statsShape, means),
            Tensor.fromDoubles(stashType, statsShape, invStds)};
    }

    /**
     * The float32 path, when scale and bias cover exactly the normalized block: the vector
     * kernels of {@link dev.jonnx.runtime.kernel.Normalization}.
     */
    private static Value[] layerNormFloat(Tensor x, Tensor scale, Tensor bias, int axis, int block,
            int outer, float epsilon, boolean rms, RunContext ctx) {
        int[] shape = x.shape();
        float[] in = x.floats();
        float[] out = ctx == null ? new float[x.size()] : ctx.newFloats(x.size());
        float[] s = scale.floats();
        float[] b = bias == null ? null : bias.floats();
        float[] means = rms ? null : newFloats(ctx, outer);
        float[] invStds = rms ? null : newFloats(ctx, outer);
        RunContext.RangeTask rows = (from, to) -> {
            int offset = from * block;
            if (rms) {
                dev.jonnx.runtime.kernel.Normalization.rmsNorm(in, offset, out, offset, to - from, block, s, 0,
                        epsilon, null);
                return;
            }
            // The kernel stores statistics from index 0, so each range fills its own arrays first.
            float[] rangeMeans = from == 0 ? means : newFloats(ctx, to - from);
            float[] rangeInvStds = from == 0 ? invStds : newFloats(ctx, to - from);
            dev.jonnx.runtime.kernel.Normalization.layerNorm(in, offset, out, offset, to - from, block, s, 0, b, 0,
                    epsilon, rangeMeans, rangeInvStds);
            if (from != 0) {
                System.arraycopy(rangeMeans, 0, means, from, to - from);
                System.arraycopy(rangeInvStds, 0, invStds, from, to - from);
            }
        };
        if (ctx == null) {
            rows.run(0, outer);
        } else {
            // About 8 operations per element: sum, squared deviation, normalize, scale and shift.
            ctx.parallelFor(outer, 8L * block, rows);
        }
        if (rms) {
            return new Value[] {Tensor.of(DataType.FLOAT, shape, out)};
        }
        int[] statsShape = shape.clone();
        Arrays.fill(statsShape, axis, shape.length, 1);
        return new Value[] {Tensor.of(DataType.FLOAT, shape, out), Tensor.of(DataType.FLOAT, statsShape, means),
            Tensor.of(DataType.FLOAT, statsShape, invStds)};
    }

    /** Takes an array from the run's arena, or a new one without a context. */
    private static float[] newFloats(RunContext ctx, int size) {
        return ctx == null ? new float[size] : ctx.newFloats(size);
    }

    private static double roundTo(DataType type, double v) {
        return switch (type) {
            case DOUBLE -> v;
            case FLOAT -> (float) v;
            default -> FloatFormats.toFloat(type, FloatFormats.fromFloat(type, (float) v, true));
        };
    }

    /** LpNormalization along one axis with p = 1 or 2; an all-zero slice stays zero. */
    static KernelFactory lpNorm() {
        return node -> {
            long axisAttribute = node.getInt("axis", -1);
            long p = node.getInt("p", 2);
            if (p != 1 && p != 2) {
                throw node.error("attribute 'p' must be 1 or 2, got " + p);
            }
            return (inputs, ctx) -> {
                Tensor x = (Tensor) inputs[0];
                int rank = x.rank();
                int axis = Shapes.axis(axisAttribute, rank);
                int[] shape = x.shape();
                int n = rank == 0 ? 1 : shape[axis];
                int inner = 1;
                for (int d = axis + 1; d < rank; d++) {
                    inner *= shape[d];
                }
                int outer = n * inner == 0 ? 0 : x.size() / (n * inner);
                double[] in = x.toDoubleArray();
                double[] out = new double[in.length];
                for (int o = 0; o < outer; o++) {
                    for (int i = 0; i < inner; i++) {
                        int base = o * n * inner + i;
                        double norm = 0;
                        for (int j = 0; j < n; j++) {
                            double v = in[base + j * inner];
                            norm += p == 1 ? Math.abs(v) : v * v;
                        }
                        if (p == 2) {
                            norm = Math.sqrt(norm);
                        }
                        for (int j = 0; j < n; j++) {
                            out[base + j * inner] = norm == 0 ? 0 : in[base + j * inner] / norm;
                        }
                    }
                }
                return new Value[] {Tensor.fromDoubles(x.type(), shape, out)};
            };
        };
    }

    /**
     * MeanVarianceNormalization: (X - mean) / (sqrt(variance) + 1e-9), with mean and
     * population variance over {@code axes}. The 1e-9 term is the one the operator's function
     * definition uses.
     */
    static KernelFactory meanVarianceNorm() {
        return node -> {
            long[] axes = node.getInts("axes", new long[] {0, 2, 3});
            return (inputs, ctx) -> {
                Tensor x = (Tensor) inputs[0];
                int rank = x.rank();
                int[] shape = x.shape();
                int[] kept = shape.clone();
                for (long a : axes) {
                    kept[Shapes.axis(a, rank)] = 1;
                }
                int[] target = Shapes.broadcastIndex(kept, shape);
                int groups = Shapes.size(kept);
                double count = groups == 0 ? 0 : (double) x.size() / groups;
                double[] in = x.toDoubleArray();
                double[] mean = new double[groups];
                double[] var = new double[groups];
                for (int i = 0; i < in.length; i++) {
                    mean[target[i]] += in[i];
                }
                for (int g = 0; g < groups; g++) {
                    mean[g] /= count;
                }
                for (int i = 0; i < in.length; i++) {
                    double d = in[i] - mean[target[i]];
                    var[target[i]] += d * d;
                }
                double[] out = new double[in.length];
                for (int i = 0; i < in.length; i++) {
                    int g = target[i];
                    out[i] = (in[i] - mean[g]) / (Math.sqrt(var[g] / count) + 1e-9);
                }
                return new Value[] {Tensor.fromDoubles(x.type(), shape, out)};
            };
        };
    }

    private static void checkBroadcast(String name, Tensor t, int[] shape) {
        int[] own = t.shape();
        if (own.length > shape.length || !Arrays.equals(Shapes.broadcast(own, shape), shape)) {
            throw new IllegalArgumentException("input '" + name + "' of shape " + Arrays.toString(own)
                    + " does not broadcast to " + Arrays.toString(shape));
        }
    }

    /**
     * True if {@code t}, which broadcasts to {@code shape}, has one element per position of the
     * normalized axes [axis, rank) and is constant along the others, so that the float kernel may
     * read it as one row.
     */
    private static boolean coversBlock(Tensor t, int[] shape, int axis) {
        int[] own = t.shape();
        int offset = shape.length - own.length;
        int block = 1;
        for (int d = axis; d < shape.length; d++) {
            block *= shape[d];
        }
        if (t.size() != block) {
            return false;
        }
        for (int d = 0; d < own.length; d++) {
            int expected = d + offset >= axis ? shape[d + offset] : 1;
            if (own[d] != expected) {
                return false;
            }
        }
        return true;
    }

    private static void checkSize(String name, Tensor t, int expected) {
        if (t.size() != expected) {
            throw new IllegalArgumentException("input '" + name + "' must have " + expected + " elements, got "
                    + t.describe());
        }
    }
}
