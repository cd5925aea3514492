package dev.jonnx.runtime.ops.quant;

import dev.jonnx.runtime.kernel.DynamicQuantize;
import dev.jonnx.runtime.kernel.FloatArithmetic;
import dev.jonnx.runtime.kernel.Igemm;
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
 * names for absent ones). Such a node has neither an activation nor a residual. The G weight
 * matrices are packed side by side, so one product computes all outputs.
 *
 * <p>The result is bit for bit the chain's result. The quantization rounds half to even and
 * saturates as DynamicQuantizeLinear does. The integer product runs in the float SGEMM over B
 * minus its zero points, packed once per session (as bytes when the shifted values fit, see
 * {@link Sgemm#packSmallIntegers}), when every partial sum is sure to be an
 * integer below 2^24 and so exact in float, whatever order the SGEMM adds in; otherwise it runs
 * in int with {@link Igemm}. The epilogue computes
 * {@code (float) product * (A_scale * B_scale) + bias} with one rounding per operation, as the
 * separate Cast, Mul and Add nodes do, then the activation and the residual.
 */
final class DynamicQuantizeMatMul {
    /** Elements of A per task of the range pass. */
    private static final int CHUNK = 4096;
    /** The Add version whose kernel adds a residual that does not have the product's shape. */
    private static final int ADD_OPSET = 14;
    /**
     * Estimated operations per element of the quantization (a division, clamps and rounding),
     * of the epilogue without an activation and of the epilogue with GELU (erf and exp), which
     * size the parallel splits. They are estimates, not measurements.
     */
    private static final long QUANTIZE_COST = 4;
    private static final long EPILOGUE_COST = 2;
    private static final long GELU_COST = 40;
    /** Partial sums of integers below this magnitude are exact in float. */
    private static final long EXACT_LIMIT = 1L << 24;

    /**
     * Scratch arrays per thread. They are never shared by two runs: a thread that waits in a
     * parallel split runs only chunks of that split, and the chunks do not call this kernel.
     */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private DynamicQuantizeMatMul() {}

    /**
     * The weights of one output: B (K x n) with its signedness and one zero point per column,
     * and its first column in the packed product. Scales and biases have one value per column,
     * and biases is null when the chain has no bias.
     */
    record Part(byte[] b, boolean signed, int[] zeros, int n, int column, float[] scales, float[] biases) {}

    /**
     * All weights of a node: the parts side by side, K x {@code n} in all, packed minus their
     * zero points, whose shifted values are at most {@code maxAbs} in magnitude.
     */
    record Projection(int k, int n, Sgemm.PackedB packed, int maxAbs, Part[] parts) {}

    static KernelFactory factory() {
        return node -> {
            int outputs = node.outputCount();
            String activation = node.getString("activation", "");
            boolean gelu = switch (activation) {
                case "" -> false;
                case "Gelu" -> true;
                default -> throw node.unsupported("activation '" + activation + "'; supported are Gelu and none");
            };
            boolean hasResidual = outputs == 1 && node.hasInput(5);
            if (outputs > 1 && (node.inputCount() != 1 + 4 * outputs || gelu)) {
                throw node.error("a node with " + outputs + " outputs expects " + (1 + 4 * outputs)
                        + " inputs (A, then B, B_scale, B_zero_point and bias per output) and no activation, got "
                        + node.inputCount() + " inputs");
            }
            Projection projection = projection(node, outputs);
            Kernel add = hasResidual ? FusedOps.standard(node, "Add", ADD_OPSET, Set.of("activation")) : null;
            return (inputs, ctx) -> {
                Tensor residual = hasResidual ? (Tensor) inputs[5] : null;
                return run((Tensor) inputs[0], projection, gelu, residual, add, ctx);
            };
        };
    }

    /** Prepares the weights of every output and packs them side by side. */
    private static Projection projection(NodeContext node, int outputs) {
        Part[] parts = new Part[outputs];
        ShiftedWeights[] shifted = new ShiftedWeights[outputs];
        int column = 0;
        int maxAbs = 0;
        for (int g = 0; g < outputs; g++) {
            int first = outputs == 1 ? 1 : 1 + 4 * g;
            Tensor b = node.constantInput(first);
            Tensor bScale = node.constantInput(first + 1);
            boolean hasZero = node.hasInput(first + 2);
            boolean hasBias = node.hasInput(first + 3);
            Tensor bZero = hasZero ? node.constantInput(first + 2) : null;
            Tensor bias = hasBias ? node.constantInput(first + 3) : null;
            if (b == null || bScale == null || (hasZero && bZero == null) || (hasBias && bias == null)) {
                throw node.unsupported("B, B_scale, B_zero_point and bias must be constant initializers");
            }
            shifted[g] = ShiftedWeights.ofConstant(b, bZero);
            if (shifted[g] == null) {
                throw node.unsupported("B must be a 2-D int8 or uint8 matrix and B_zero_point a scalar or "
                        + "one value per column of B's type, got B " + b.type() + " " + Arrays.toString(b.shape()));
            }
            if (shifted[g].k() != shifted[0].k()) {
                throw node.error("every B must have the same number of rows, got " + shifted[0].k() + " and "
                        + shifted[g].k());
            }
            int n = shifted[g].n();
            float[] scales = columnValues(node, bScale, n, "B_scale");
            float[] biases = bias == null ? null : columnValues(node, bias, n, "bias");
            int[] zeros = ShiftedWeights.columnZeroPoints(bZero, b.type(), n);
            parts[g] = new Part(b.bytes(), b.type() == DataType.INT8, zeros, n, column, scales, biases);
            column += n;
            maxAbs = Math.max(maxAbs, shifted[g].maxAbs());
        }
        int k = shifted[0].k();
        float[] values = shifted[0].values();
        if (outputs > 1) {
            values = new float[k * column];
            for (int g = 0; g < outputs; g++) {
                for (int p = 0; p < k; p++) {
                    System.arraycopy(shifted[g].values(), p * parts[g].n(), values, p * column + parts[g].column(),
                            parts[g].n());
                }
            }
        }
        // B minus its zero points fits in bytes for int8 weights with zero points in range, which
        // keeps a quarter of the float copy in memory.
        Sgemm.PackedB packed = Sgemm.packSmallIntegers(k, column, new Sgemm.Operand(values, 0, column, false));
        return new Projection(k, column, packed, maxAbs, parts);
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

    static Value[] run(Tensor a, Projection projection, boolean gelu, Tensor residual, Kernel add,
            RunContext ctx) {
        int k = projection.k();
        if (a.type() != DataType.FLOAT || a.rank() == 0 || a.shape()[a.rank() - 1] != k) {
            throw new IllegalArgumentException("input A must be float with rank 1 or more and a last dimension of "
                    + k + " (the rows of B), got " + a.type() + " " + Arrays.toString(a.shape()));
        }
        int m = k == 0 ? Tensor.sizeOf(Arrays.copyOf(a.shape(), a.rank() - 1)) : a.size() / k;
        Scratch scratch = SCRATCH.get();
        Quantized q = quantize(a.floats(), m, k, scratch, ctx);

        Part[] parts = projection.parts();
        float[][] outs = new float[parts.length][];
        for (int g = 0; g < parts.length; g++) {
            outs[g] = ctx.newFloats(m * parts[g].n());
        }
        int n = projection.n();
        float[] fusedResidual = null;
        if (residual != null && residual.type() == DataType.FLOAT && residual.size() == m * n
                && Arrays.equals(residual.shape(), outputShape(a, n))) {
            fusedResidual = residual.floats();
        }
        // Every partial sum of row i is at most (sum of |A[i][p]|) * max |B| in magnitude. Below
        // 2^24 all of them are exact integers in float, whatever order the SGEMM adds in. Row
        // sums of at most 255 * 2^23 fit the int that quantize returns.
        float[] floatSums = null;
        int[] intSums = null;
        if (k <= (1 << 23) && q.largestRowSum() * projection.maxAbs() < EXACT_LIMIT) {
            floatSums = parts.length == 1 ? outs[0] : scratch.sums(m * n);
            Sgemm.multiply(m, new Sgemm.Operand(q.shifted(), 0, k, false), projection.packed(), floatSums, 0, n,
                    null, Sgemm.Activation.NONE, ctx.pool(), ctx.threads());
        } else {
            intSums = multiplyInInt(m, k, q.shifted(), q.zeroPoint(), projection);
        }
        finish(m, n, q.scale(), floatSums, intSums, parts, outs, gelu, fusedResidual, ctx);

        Value[] outputs = new Value[parts.length];
        for (int g = 0; g < parts.length; g++) {
            Tensor y = Tensor.of(DataType.FLOAT, outputShape(a, parts[g].n()), outs[g]);
            // A residual that broadcasts, or of another type, takes the standard Add.
            outputs[g] = residual == null || fusedResidual != null ? y : add.run(new Value[] {y, residual}, ctx)[0];
        }
        return outputs;
    }

    /**
     * Runs the epilogue on the exact products (floatSums, or intSums when the product ran in
     * int), row by row in parallel: the scale, the bias, the activation and the residual, which
     * is laid out like the output. Without an activation the residual joins the dequantizing
     * pass. With one, the residual is added right after the activation, while the row is still
     * in the L1 cache.
     */
    private static void finish(int m, int n, float scale, float[] floatSums, int[] intSums, Part[] parts,
            float[][] outs, boolean gelu, float[] residual, RunContext ctx) {
        long costPerRow = (long) n * (gelu ? GELU_COST : EPILOGUE_COST);
        ctx.parallelFor(m, costPerRow, (from, to) -> {
            for (int i = from; i < to; i++) {
                for (int g = 0; g < parts.length; g++) {
                    Part part = parts[g];
                    int at = i * part.n();
                    float[] joined = gelu ? null : residual;
                    if (intSums == null) {
                        DynamicQuantize.dequantize(floatSums, i * n + part.column(), outs[g], at, part.n(), scale,
                                part.scales(), part.biases(), joined, at);
                    } else {
                        DynamicQuantize.dequantize(intSums, i * n + part.column(), outs[g], at, part.n(), scale,
                                part.scales(), part.biases(), joined, at);
                    }
                    if (gelu) {
                        VectorMath.gelu(outs[g], at, outs[g], at, part.n());
                        if (residual != null) {
                            FloatArithmetic.addInPlace(outs[g], at, residual, at, part.n());
                        }
                    }
                }
            }
        });
    }

    /**
     * A quantized m x k matrix: its values minus the zero point (in float), the scale and zero
     * point, and the largest sum of magnitudes of the stored values over a row.
     */
    private record Quantized(float[] shifted, float scale, int zeroPoint, long largestRowSum) {}

    /**
     * Quantizes x (m x k) as DynamicQuantizeLinear does, storing values minus the zero point in
     * the scratch array for A.
     */
    private static Quantized quantize(float[] x, int m, int k, Scratch scratch, RunContext ctx) {
        float[] range = range(x, scratch, ctx);
        float scale = (range[1] - range[0]) / 255f;
        int zeroPoint = 0;
        if (scale != 0f) {
            float intermediate = 0f - range[0] / scale;
            zeroPoint = (int) Math.rint(Math.clamp(intermediate, 0f, 255f));
        }
        float[] shifted = scratch.shifted(m * k);
        int[] rowSums = scratch.rowSums(m);
        int quantizedZero = zeroPoint;
        ctx.parallelFor(m, (long) k * QUANTIZE_COST, (from, to) -> {
            for (int i = from; i < to; i++) {
                rowSums[i] = DynamicQuantize.quantize(x, i * k, k, scale, quantizedZero, shifted, i * k);
            }
        });
        long largestRowSum = 0;
        for (int i = 0; i < m; i++) {
            largestRowSum = Math.max(largestRowSum, rowSums[i]);
        }
        return new Quantized(shifted, scale, zeroPoint, largestRowSum);
    }

    private static int[] outputShape(Tensor a, int n) {
        int[] shape = a.shape().clone();
        shape[shape.length - 1] = n;
        return shape;
    }

    /**
     * Computes the int32 product of A_q - A_zero_point (m x k, given shifted in float) and every
     * part's B minus its zero points, m x N with the parts side by side, as MatMulInteger does.
     * NOTE: this path runs on one thread and widens B on every call. It only serves inputs
     * whose row sums could break exactness in float. The MiniLM and e5-small int8 models on 128
     * random token ids stayed about 10 times below that bound when measured.
     */
    private static int[] multiplyInInt(int m, int k, float[] shifted, int zeroPoint, Projection projection) {
        byte[] quantized = new byte[m * k];
        for (int i = 0; i < m * k; i++) {
            quantized[i] = (byte) ((int) shifted[i] + zeroPoint);
        }
        int n = projection.n();
        int[] sums = new int[m * n];
        int[] aZero = {zeroPoint};
        for (Part part : projection.parts()) {
            Igemm.multiply(m, part.n(), k, quantized, 0, k, false, aZero, part.b(), 0, part.n(), part.signed(),
                    part.zeros(), sums, part.column(), n);
        }
        return sums;
    }

    /**
     * Returns {min, max} of x and 0 as DynamicQuantizeLinear defines its range: NaN is skipped
     * because it compares false. The result is in the scratch array for ranges, at 0 and 1.
     */
    private static float[] range(float[] x, Scratch scratch, RunContext ctx) {
        int chunks = (x.length + CHUNK - 1) / CHUNK;
        // Pair 0 is the result, and chunk c stores its range in pair c + 1.
        float[] ranges = scratch.ranges(2 * (chunks + 1));
        ctx.parallelFor(chunks, CHUNK, (from, to) -> {
            for (int c = from; c < to; c++) {
                int at = 2 * (c + 1);
                ranges[at] = 0f;
                ranges[at + 1] = 0f;
                DynamicQuantize.range(x, c * CHUNK, Math.min(x.length, (c + 1) * CHUNK), ranges, at);
            }
        });
        float min = 0f;
        float max = 0f;
        for (int c = 0; c < chunks; c++) {
            int at = 2 * (c + 1);
            min = ranges[at] < min ? ranges[at] : min;
            max = ranges[at + 1] > max ? ranges[at + 1] : max;
        }
        ranges[0] = min;
        ranges[1] = max;
        return ranges;
    }

    /**
     * Per-thread scratch arrays, grown on demand: A minus its zero point, a product that spans
     * several outputs, the row sums of the quantization and the ranges of the range pass.
     */
    private static final class Scratch {
        private float[] shifted = new float[0];
        private float[] sums = new float[0];
        private int[] rowSums = new int[0];
        private float[] ranges = new float[0];

        float[] shifted(int size) {
            if (shifted.length < size) {
                shifted = new float[size];
            }
            return shifted;
        }

        float[] sums(int size) {
            if (sums.length < size) {
                sums = new float[size];
            }
            return sums;
        }

        int[] rowSums(int size) {
            if (rowSums.length < size) {
                rowSums = new int[size];
            }
            return rowSums;
        }

        float[] ranges(int size) {
            if (ranges.length < size) {
                ranges = new float[size];
            }
            return ranges;
        }
    }
}
