package dev.jonnx.runtime.ops.norm;

import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;

/**
 * Softmax, LogSoftmax and Hardmax. Before opset 13 the input is coerced to 2-D at {@code axis}
 * (default 1) and the operator runs over the whole second dimension. From opset 13 it runs over
 * the single axis {@code axis} (default -1).
 */
final class Softmax {
    private Softmax() {}

    enum Kind { SOFTMAX, LOG_SOFTMAX, HARDMAX }

    static KernelFactory factory(Kind kind) {
        return node -> {
            boolean singleAxis = node.opset() >= 13;
            long axis = node.getInt("axis", singleAxis ? -1 : 1);
            return (inputs, ctx) -> new Value[] {apply(kind, (Tensor) inputs[0], axis, singleAxis, ctx)};
        };
    }

    /** Applies the operator; float rows split over the context's threads when {@code ctx} is not null. */
    static Tensor apply(Kind kind, Tensor x, long axisAttribute, boolean singleAxis, RunContext ctx) {
        if (!x.type().isFloatingPoint()) {
            throw new IllegalArgumentException("input 'input' must be a floating-point tensor, got " + x.describe());
        }
        int rank = x.rank();
        int[] shape = x.shape();
        int axis = rank == 0 ? 0 : Shapes.axis(axisAttribute, rank);
        int outer = 1;
        for (int d = 0; d < axis && d < rank; d++) {
            outer *= shape[d];
        }
        int n;
        int inner;
        if (singleAxis) {
            n = rank == 0 ? 1 : shape[axis];
            inner = 1;
            for (int d = axis + 1; d < rank; d++) {
                inner *= shape[d];
            }
        } else {
            n = 1;
            for (int d = axis; d < rank; d++) {
                n *= shape[d];
            }
            inner = 1;
        }

        if (inner == 1 && x.type() == DataType.FLOAT && kind != Kind.HARDMAX) {
            // Contiguous rows of float32: the vector kernel (dev.jonnx.runtime.kernel.Softmax).
            float[] values = x.floats();
            float[] result = ctx == null ? new float[values.length] : ctx.newFloats(values.length);
            int length = n;
            RunContext.RangeTask rows = (from, to) -> {
                if (kind == Kind.SOFTMAX) {
                    dev.jonnx.runtime.kernel.Softmax.softmax(values, from * length, result, from * length, to - from,
                            length);
                } else {
                    dev.jonnx.runtime.kernel.Softmax.logSoftmax(values, from * length, result, from * length,
                            to - from, length);
                }
            };
            if (ctx == null) {
                rows.run(0, outer);
            } else {
                // About 20 operations per element: max, subtract, exp, sum and scale.
                ctx.parallelFor(outer, 20L * n, rows);
            }
            return Tensor.of(DataType.FLOAT, shape, result);
        }
        double[] in = x.toDoubleArray();
        double[] out = new double[in.length];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                apply(kind, in, out, base, n, inner);
            }
        }
        return Tensor.fromDoubles(x.type(), shape, out);
    }

    /** Applies the operator to the n values at {@code base}, {@code base + stride}, ... */
    private static void apply(Kind kind, double[] in, double[] out, int base, int n, int stride) {
        if (n == 0) {
            return;
        }
        double max = Double.NEGATIVE_INFINITY;
        int argMax = 0;
        for (int j = 0; j < n; j++) {
            double v = in[base + j * stride];
            if (v > max || Double.isNaN(v) && !Double.isNaN(max)) {
                max = v;
                argMax = j;
            }
        }
        if (kind == Kind.HARDMAX) {
            for (int j = 0; j < n; j++) {
                out[base + j * stride] = j == argMax ? 1 : 0;
            }
            return;
        }
        // Shifting by the max keeps exp from overflowing. An all -inf row has no finite shift.
        double shift = Double.isInfinite(max) ? 0 : max;
        double sum = 0;
        for (int j = 0; j < n; j++) {
            sum += Math.exp(in[base + j * stride] - shift);
        }
        if (kind == Kind.SOFTMAX) {
            for (int j = 0; j < n; j++) {
                out[base + j * stride] = Math.exp(in[base + j * stride] - shift) / sum;
            }
        } else {
            double logSum = Math.log(sum);
            for (int j = 0; j < n; j++) {
                out[base + j * stride] = in[base + j * stride] - shift - logSum;
            }
        }
    }
}
