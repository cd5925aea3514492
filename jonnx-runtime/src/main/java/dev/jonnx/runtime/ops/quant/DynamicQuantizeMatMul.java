package dev.jonnx.runtime.ops.quant;

import dev.jonnx.runtime.kernel.DynamicQuantize;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * The fused operator {@code DynamicQuantizeMatMul} of the custom domain, which the optimizer
 * substitutes for the chain DynamicQuantizeLinear(A) -> MatMulInteger(A_q, B, A_zero_point,
 * B_zero_point) -> Cast(to float) -> Mul(Mul(A_scale, B_scale)) [-> Add(bias)].
 *
 * <p>Inputs: A (float, rank 1 or more, last dimension K), B (constant int8 or uint8, K x N),
 * B_scale (constant float, one value or N values), optional B_zero_point (constant, B's type,
 * one value or N values) and optional bias (constant float, one value or N values). The output
 * is A's shape with the last dimension N.
 *
 * <p>The result is bit for bit the chain's result: the quantization rounds half to even and
 * saturates as DynamicQuantizeLinear does, the integer product is exact (see
 * {@link IntegerMatMul#multiplyExactInFloat}), and the epilogue computes
 * {@code (float) product * (A_scale * B_scale) + bias} with one rounding per operation, as the
 * separate Cast, Mul and Add nodes do.
 */
final class DynamicQuantizeMatMul {
    /** Elements of A per task of the range pass. */
    private static final int CHUNK = 4096;

    private DynamicQuantizeMatMul() {}

    static KernelFactory factory() {
        return node -> {
            Tensor b = node.constantInput(1);
            Tensor bScale = node.constantInput(2);
            Tensor bZero = node.hasInput(3) ? node.constantInput(3) : null;
            Tensor bias = node.hasInput(4) ? node.constantInput(4) : null;
            if (b == null || bScale == null || (node.hasInput(3) && bZero == null)
                    || (node.hasInput(4) && bias == null)) {
                throw node.unsupported("B, B_scale, B_zero_point and bias must be constant initializers");
            }
            ShiftedWeights weights = ShiftedWeights.ofConstant(b, bZero);
            if (weights == null) {
                throw node.unsupported("B must be a 2-D int8 or uint8 matrix and B_zero_point a scalar or "
                        + "one value per column of B's type, got B " + b.type() + " " + Arrays.toString(b.shape()));
            }
            float[] scales = columnValues(node, bScale, weights.n(), "B_scale");
            float[] biases = bias == null ? null : columnValues(node, bias, weights.n(), "bias");
            return (inputs, ctx) -> new Value[] {run((Tensor) inputs[0], weights, scales, biases, ctx)};
        };
    }

    /** Expands a float constant of one value or N values (1-D) to N values. */
    private static float[] columnValues(NodeContext node, Tensor t, int n, String name) {
        if (t.type() != DataType.FLOAT) {
            throw node.unsupported(name + " must be float, got " + t.type());
        }
        float[] values = new float[n];
        if (t.size() == 1 && t.rank() <= 1) {
            Arrays.fill(values, t.floats()[0]);
        } else if (t.rank() == 1 && t.size() == n) {
            System.arraycopy(t.floats(), 0, values, 0, n);
        } else {
            throw node.unsupported(name + " must have one value or " + n + " values in 1-D, got shape "
                    + Arrays.toString(t.shape()));
        }
        return values;
    }

    static Tensor run(Tensor a, ShiftedWeights b, float[] bScales, float[] biases, RunContext ctx) {
        if (a.type() != DataType.FLOAT || a.rank() == 0 || a.shape()[a.rank() - 1] != b.k()) {
            throw new IllegalArgumentException("input A must be float with rank 1 or more and a last dimension of "
                    + b.k() + " (the rows of B), got " + a.type() + " " + Arrays.toString(a.shape()));
        }
        int k = b.k();
        int n = b.n();
        int[] outShape = a.shape().clone();
        outShape[outShape.length - 1] = n;
        int m = k == 0 ? Tensor.sizeOf(Arrays.copyOf(outShape, outShape.length - 1)) : a.size() / k;
        float[] x = a.floats();

        float[] range = range(x, ctx);
        float min = range[0];
        float max = range[1];
        float scale = (max - min) / 255f;
        int zeroPoint = 0;
        if (scale != 0f) {
            float intermediate = 0f - min / scale;
            zeroPoint = (int) Math.rint(Math.clamp(intermediate, 0f, 255f));
        }
        float[] shifted = new float[m * k];
        int[] rowSums = new int[m];
        int quantizedZero = zeroPoint;
        ctx.parallelFor(m, k, (from, to) -> {
            for (int i = from; i < to; i++) {
                rowSums[i] = DynamicQuantize.quantize(x, i * k, k, scale, quantizedZero, shifted, i * k);
            }
        });
        long largestRowSum = 0;
        for (int sum : rowSums) {
            largestRowSum = Math.max(largestRowSum, sum);
        }

        float[] products = new float[n];
        for (int j = 0; j < n; j++) {
            products[j] = scale * bScales[j];
        }
        float[] out = ctx.newFloats(m * n);
        // Every partial sum of row i is at most (sum of |A[i][p]|) * max |B| in magnitude. Below
        // 2^24 all of them are exact integers in float, whatever order the SGEMM adds in.
        if (largestRowSum * b.maxAbs() < (1L << 24)) {
            IntegerMatMul.multiplySlice(m, n, k, shifted, b.values(), 0, k, out, ctx);
            ctx.parallelFor(m, n, (from, to) -> scaleFloats(out, from, to, n, products, biases));
        } else {
            // Several slices, each exact in float, that add up in int as MatMulInteger does.
            int slice = IntegerMatMul.exactSliceDepth(k, 255L * b.maxAbs());
            int[] sums = new int[m * n];
            float[] partial = new float[m * n];
            for (int p0 = 0; p0 < k; p0 += slice) {
                IntegerMatMul.multiplySlice(m, n, k, shifted, b.values(), p0, Math.min(slice, k - p0), partial, ctx);
                for (int i = 0; i < m * n; i++) {
                    sums[i] += (int) partial[i];
                }
            }
            ctx.parallelFor(m, n, (from, to) -> scaleInts(sums, out, from, to, n, products, biases));
        }
        return Tensor.of(DataType.FLOAT, outShape, out);
    }

    /**
     * Returns {min, max} of x and 0 as DynamicQuantizeLinear defines its range: NaN is skipped
     * because it compares false.
     */
    static float[] range(float[] x, RunContext ctx) {
        int chunks = (x.length + CHUNK - 1) / CHUNK;
        float[][] ranges = new float[chunks][];
        ctx.parallelFor(chunks, CHUNK, (from, to) -> {
            for (int c = from; c < to; c++) {
                float[] range = new float[2];
                DynamicQuantize.range(x, c * CHUNK, Math.min(x.length, (c + 1) * CHUNK), range);
                ranges[c] = range;
            }
        });
        float[] range = new float[2];
        for (float[] part : ranges) {
            range[0] = part[0] < range[0] ? part[0] : range[0];
            range[1] = part[1] > range[1] ? part[1] : range[1];
        }
        return range;
    }

    /**
     * Rows [from, to) of the epilogue over exact float sums in place. Adding +0 first turns a
     * sum of -0 into +0, as the int32 product converted to float would be.
     */
    private static void scaleFloats(float[] out, int from, int to, int n, float[] products, float[] biases) {
        for (int i = from; i < to; i++) {
            int row = i * n;
            if (biases == null) {
                for (int j = 0; j < n; j++) {
                    out[row + j] = (out[row + j] + 0f) * products[j];
                }
            } else {
                for (int j = 0; j < n; j++) {
                    out[row + j] = (out[row + j] + 0f) * products[j] + biases[j];
                }
            }
        }
    }

    /** Rows [from, to) of the epilogue over int sums. */
    private static void scaleInts(int[] sums, float[] out, int from, int to, int n, float[] products,
            float[] biases) {
        for (int i = from; i < to; i++) {
            int row = i * n;
            for (int j = 0; j < n; j++) {
                float scaled = (float) sums[row + j] * products[j];
                out[row + j] = biases == null ? scaled : scaled + biases[j];
            }
        }
    }
}
