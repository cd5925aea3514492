package dev.jonnx.runtime.ops.quant;

import dev.jonnx.runtime.kernel.DynamicQuantize;
import dev.jonnx.runtime.kernel.Sgemm;
import dev.jonnx.runtime.kernel.VectorMath;
import dev.jonnx.runtime.ops.fused.FusedOps;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;
import java.util.Set;

/**
 * The fused operator {@code DynamicQuantizeMatMul} of the custom domain, which the optimizer
 * substitutes for the chain DynamicQuantizeLinear(A) -> MatMulInteger(A_q, B, A_zero_point,
 * B_zero_point) -> Cast(to float) -> Mul(Mul(A_scale, B_scale)) [-> Add(bias)] [-> Gelu]
 * [-> Add(residual)].
 *
 * <p>With one output, the inputs are A (float, rank 1 or more, last dimension K), B (constant
 * int8 or uint8, K x N), B_scale (constant float, one value or N values), optional B_zero_point
 * (constant, B's type, one value or N values), optional bias (constant float, one value or N
 * values) and an optional residual (float, added as by Add, with broadcasting). The attribute
 * {@code activation} is empty (none) or {@code Gelu} (the exact erf form, applied after the
 * bias and before the residual). The output is A's shape with the last dimension N.
 *
 * <p>With G outputs, where G is 2 or more, the node quantizes A once for G products: the inputs
 * are A and then, for each output in order, B, B_scale, B_zero_point and bias as above (empty
 * names for absent ones). Such a node has neither an activation nor a residual.
 *
 * <p>The result is bit for bit the chain's result. The quantization rounds half to even and
 * saturates as DynamicQuantizeLinear does. The integer product runs in the float SGEMM over B
 * packed once per session, in slices of the inner dimension short enough that every partial
 * sum is an integer below 2^24 and so exact in float, whatever order the SGEMM adds in. The
 * epilogue computes {@code (float) product * (A_scale * B_scale) + bias} with one rounding per
 * operation, as the separate Cast, Mul and Add nodes do, then the activation and the residual.
 */
final class DynamicQuantizeMatMul {
    /** Elements of A per task of the range pass. */
    private static final int CHUNK = 4096;
    /** The largest magnitude of A_q - A_zero_point, since both lie in [0, 255]. */
    private static final long MAX_SHIFTED_A = 255;
    /** The Add version whose kernel adds a residual that does not have the product's shape. */
    private static final int ADD_OPSET = 14;

    private DynamicQuantizeMatMul() {}

    /**
     * One constant weight matrix, K x N, with its dequantization constants: B minus its zero
     * points packed for the SGEMM in slices of at most {@code sliceDepth} rows, each starting
     * at a multiple of {@code sliceDepth}.
     */
    record Projection(int k, int n, Sgemm.PackedB[] slices, int sliceDepth, float[] scales, float[] biases) {}

    static KernelFactory factory() {
        return node -> {
            int outputs = node.outputCount();
            boolean gelu = switch (node.getString("activation", "")) {
                case "" -> false;
                case "Gelu" -> true;
                default -> throw node.unsupported("activation '" + node.getString("activation", "")
                        + "'; supported are Gelu and none");
            };
            boolean hasResidual = outputs == 1 && node.hasInput(5);
            if (outputs > 1 && (node.inputCount() != 1 + 4 * outputs || gelu)) {
                throw node.error("a node with " + outputs + " outputs expects " + (1 + 4 * outputs)
                        + " inputs (A, then B, B_scale, B_zero_point and bias per output) and no activation, got "
                        + node.inputCount() + " inputs");
            }
            Projection[] projections = new Projection[outputs];
            for (int g = 0; g < outputs; g++) {
                projections[g] = projection(node, outputs == 1 ? 1 : 1 + 4 * g);
            }
            Kernel add = hasResidual ? FusedOps.standard(node, "Add", ADD_OPSET, Set.of("activation")) : null;
            return (inputs, ctx) -> {
                Tensor residual = hasResidual ? (Tensor) inputs[5] : null;
                return run((Tensor) inputs[0], projections, gelu, residual, add, ctx);
            };
        };
    }

    /** Prepares the weights whose B is input {@code first}, followed by B_scale, B_zero_point and bias. */
    private static Projection projection(NodeContext node, int first) {
        Tensor b = node.constantInput(first);
        Tensor bScale = node.constantInput(first + 1);
        boolean hasZero = node.hasInput(first + 2);
        boolean hasBias = node.hasInput(first + 3);
        Tensor bZero = hasZero ? node.constantInput(first + 2) : null;
        Tensor bias = hasBias ? node.constantInput(first + 3) : null;
        if (b == null || bScale == null || (hasZero && bZero == null) || (hasBias && bias == null)) {
            throw node.unsupported("B, B_scale, B_zero_point and bias must be constant initializers");
        }
        ShiftedWeights weights = ShiftedWeights.ofConstant(b, bZero);
        if (weights == null) {
            throw node.unsupported("B must be a 2-D int8 or uint8 matrix and B_zero_point a scalar or "
                    + "one value per column of B's type, got B " + b.type() + " " + Arrays.toString(b.shape()));
        }
        int k = weights.k();
        int n = weights.n();
        float[] scales = columnValues(node, bScale, n, "B_scale");
        float[] biases = bias == null ? null : columnValues(node, bias, n, "bias");
        int depth = exactDepth(k, weights.maxAbs());
        int count = k == 0 ? 1 : (k + depth - 1) / depth;
        Sgemm.PackedB[] slices = new Sgemm.PackedB[count];
        for (int s = 0; s < count; s++) {
            int p0 = s * depth;
            int rows = Math.min(depth, k - p0);
            slices[s] = Sgemm.pack(rows, n, new Sgemm.Operand(weights.values(), p0 * n, n, false));
        }
        return new Projection(k, n, slices, depth, scales, biases);
    }

    /**
     * Returns the slice depth for B with shifted values of magnitude at most {@code maxAbsB}:
     * the fewest slices whose every partial sum stays below 2^24, with their depths as equal as
     * possible. At least 1, so that a slice count can be computed when K is 0.
     */
    static int exactDepth(int k, int maxAbsB) {
        long product = MAX_SHIFTED_A * maxAbsB;
        int safe = product == 0 ? Math.max(k, 1) : (int) Math.min(Math.max(k, 1), ((1L << 24) - 1) / product);
        int count = Math.max(1, (k + safe - 1) / safe);
        return Math.max(1, (k + count - 1) / count);
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

    static Value[] run(Tensor a, Projection[] projections, boolean gelu, Tensor residual, Kernel add,
            RunContext ctx) {
        int k = projections[0].k();
        if (a.type() != DataType.FLOAT || a.rank() == 0 || a.shape()[a.rank() - 1] != k) {
            throw new IllegalArgumentException("input A must be float with rank 1 or more and a last dimension of "
                    + k + " (the rows of B), got " + a.type() + " " + Arrays.toString(a.shape()));
        }
        int m = k == 0 ? Tensor.sizeOf(Arrays.copyOf(a.shape(), a.rank() - 1)) : a.size() / k;
        float[] x = a.floats();

        float[] range = range(x, ctx);
        float scale = (range[1] - range[0]) / 255f;
        int zeroPoint = 0;
        if (scale != 0f) {
            float intermediate = 0f - range[0] / scale;
            zeroPoint = (int) Math.rint(Math.clamp(intermediate, 0f, 255f));
        }
        float[] shifted = new float[m * k];
        int quantizedZero = zeroPoint;
        ctx.parallelFor(m, k, (from, to) -> {
            for (int i = from; i < to; i++) {
                DynamicQuantize.quantize(x, i * k, k, scale, quantizedZero, shifted, i * k);
            }
        });

        Value[] outputs = new Value[projections.length];
        for (int g = 0; g < projections.length; g++) {
            Projection p = projections[g];
            int[] outShape = a.shape().clone();
            outShape[outShape.length - 1] = p.n();
            boolean fuseResidual = residual != null && residual.type() == DataType.FLOAT
                    && Arrays.equals(residual.shape(), outShape);
            float[] out = multiply(m, shifted, scale, p, gelu, fuseResidual ? residual.floats() : null, ctx);
            Tensor y = Tensor.of(DataType.FLOAT, outShape, out);
            // A residual that broadcasts, or of another type, takes the standard Add.
            outputs[g] = residual == null || fuseResidual ? y : add.run(new Value[] {y, residual}, ctx)[0];
        }
        return outputs;
    }

    /**
     * Returns activation(dequantized A_q * B + bias) + residual (m x n) for the shifted quantized
     * A (m x k) and its scale.
     */
    private static float[] multiply(int m, float[] shifted, float scale, Projection p, boolean gelu,
            float[] residual, RunContext ctx) {
        int k = p.k();
        int n = p.n();
        float[] products = new float[n];
        for (int j = 0; j < n; j++) {
            products[j] = scale * p.scales()[j];
        }
        float[] out = ctx.newFloats(m * n);
        if (p.slices().length == 1) {
            Sgemm.multiply(m, new Sgemm.Operand(shifted, 0, k, false), p.slices()[0], out, 0, n, null,
                    Sgemm.Activation.NONE, ctx.pool(), ctx.threads());
            ctx.parallelFor(m, n, (from, to) -> {
                for (int i = from; i < to; i++) {
                    DynamicQuantize.dequantize(out, i * n, n, products, p.biases());
                    finishRow(out, i * n, n, gelu, residual);
                }
            });
            return out;
        }
        // Each slice is exact in float. The slices add up in int, as MatMulInteger's sum does.
        int[] sums = new int[m * n];
        for (int s = 0; s < p.slices().length; s++) {
            Sgemm.multiply(m, new Sgemm.Operand(shifted, s * p.sliceDepth(), k, false), p.slices()[s], out, 0, n,
                    null, Sgemm.Activation.NONE, ctx.pool(), ctx.threads());
            ctx.parallelFor(m, n, (from, to) -> {
                for (int i = from * n; i < to * n; i++) {
                    sums[i] += (int) out[i];
                }
            });
        }
        ctx.parallelFor(m, n, (from, to) -> {
            for (int i = from; i < to; i++) {
                DynamicQuantize.dequantize(sums, out, i * n, n, products, p.biases());
                finishRow(out, i * n, n, gelu, residual);
            }
        });
        return out;
    }

    /** Applies the activation and adds the residual row, which is laid out like the output. */
    private static void finishRow(float[] out, int at, int n, boolean gelu, float[] residual) {
        if (gelu) {
            VectorMath.gelu(out, at, out, at, n);
        }
        if (residual != null) {
            for (int j = at; j < at + n; j++) {
                out[j] += residual[j];
            }
        }
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
}
