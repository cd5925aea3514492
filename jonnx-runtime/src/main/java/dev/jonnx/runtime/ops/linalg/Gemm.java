package dev.jonnx.runtime.ops.linalg;

import dev.jonnx.runtime.kernel.Sgemm;
import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * Gemm: Y = alpha * A' * B' + beta * C, where A' and B' are A and B, transposed when transA or
 * transB is set, and C broadcasts to (M, N). Before opset 7, C broadcasts only when the
 * {@code broadcast} attribute is set; from opset 11 C is optional.
 */
final class Gemm {
    private Gemm() {}

    static KernelFactory factory() {
        return node -> {
            boolean transA = node.getInt("transA", 0) != 0;
            boolean transB = node.getInt("transB", 0) != 0;
            float alpha = node.getFloat("alpha", 1f);
            float beta = node.getFloat("beta", 1f);
            boolean broadcastC = node.opset() >= 7 || node.getInt("broadcast", 0) != 0;
            if (node.opset() < 11 && !node.hasInput(2)) {
                throw node.error("input 'C' is required before opset 11");
            }
            Tensor weights = node.constantInput(1);
            Sgemm.PackedB packed = null;
            if (weights != null && weights.type() == DataType.FLOAT && weights.rank() == 2) {
                // A constant B is packed once at session build.
                int k = transB ? weights.dim(1) : weights.dim(0);
                int n = transB ? weights.dim(0) : weights.dim(1);
                packed = Sgemm.pack(k, n, new Sgemm.Operand(weights.floats(), 0, weights.dim(1), transB));
            }
            Sgemm.PackedB packedB = packed;
            return (inputs, ctx) -> new Value[] {
                gemm((Tensor) inputs[0], (Tensor) inputs[1], inputs.length > 2 ? (Tensor) inputs[2] : null,
                        transA, transB, alpha, beta, broadcastC, ctx, packedB)
            };
        };
    }

    static Tensor gemm(Tensor a, Tensor b, Tensor c, boolean transA, boolean transB, float alpha, float beta,
            boolean broadcastC, RunContext ctx) {
        return gemm(a, b, c, transA, transB, alpha, beta, broadcastC, ctx, null);
    }

    /** Computes Gemm; {@code packedB}, when not null, is B packed at session build and used for FLOAT inputs. */
    static Tensor gemm(Tensor a, Tensor b, Tensor c, boolean transA, boolean transB, float alpha, float beta,
            boolean broadcastC, RunContext ctx, Sgemm.PackedB packedB) {
        if (a.rank() != 2 || b.rank() != 2) {
            throw new IllegalArgumentException("inputs 'A' and 'B' must be 2-D, got " + a.describe()
                    + " and " + b.describe());
        }
        int m = transA ? a.dim(1) : a.dim(0);
        int k = transA ? a.dim(0) : a.dim(1);
        int kb = transB ? b.dim(1) : b.dim(0);
        int n = transB ? b.dim(0) : b.dim(1);
        if (k != kb) {
            throw new IllegalArgumentException("inner dimensions of A' and B' differ: A' is " + m + "x" + k
                    + ", B' is " + kb + "x" + n);
        }
        int[] outShape = {m, n};
        int[] cIndex = null;
        if (c != null) {
            int[] cShape = c.shape();
            if (!broadcastC && !Arrays.equals(cShape, outShape)) {
                throw new IllegalArgumentException("input 'C' must have shape " + Arrays.toString(outShape)
                        + " without the broadcast attribute, got " + c.describe());
            }
            if (!Arrays.equals(Shapes.broadcast(cShape, outShape), outShape)) {
                throw new IllegalArgumentException("input 'C' of shape " + Arrays.toString(cShape)
                        + " does not broadcast to " + Arrays.toString(outShape));
            }
            cIndex = Shapes.broadcastIndex(cShape, outShape);
        }
        DataType type = a.type();
        if (type.isInteger()) {
            long[] av = transposeIf(a.toLongArray(), a.dim(0), a.dim(1), transA);
            long[] bv = transposeIf(b.toLongArray(), b.dim(0), b.dim(1), transB);
            long[] out = new long[m * n];
            MatMul.multiply(av, 0, bv, 0, out, 0, m, k, n);
            long[] cv = c == null ? null : c.toLongArray();
            boolean unitScales = alpha == 1f && beta == 1f;
            for (int i = 0; i < out.length; i++) {
                long cValue = cv == null ? 0 : cv[cIndex[i]];
                // Integer inputs stay exact when alpha and beta are 1. Other scales round toward zero.
                out[i] = unitScales ? out[i] + cValue : (long) (alpha * (double) out[i] + beta * (double) cValue);
            }
            return Tensor.fromLongs(type, outShape, out);
        }
        if (type == DataType.DOUBLE) {
            double[] av = transposeIf(a.doubles(), a.dim(0), a.dim(1), transA);
            double[] bv = transposeIf(b.doubles(), b.dim(0), b.dim(1), transB);
            double[] out = new double[m * n];
            MatMul.multiply(av, 0, bv, 0, out, 0, m, k, n);
            double[] cv = c == null ? null : c.toDoubleArray();
            for (int i = 0; i < out.length; i++) {
                double y = alpha * out[i];
                if (cv != null) {
                    y += beta * cv[cIndex[i]];
                }
                out[i] = y;
            }
            return Tensor.of(DataType.DOUBLE, outShape, out);
        }
        if (!type.isFloatingPoint()) {
            throw new IllegalArgumentException("Gemm does not support type " + type);
        }
        // Only a float32 result can come from the arena: the other types are converted after.
        float[] out = ctx != null && type == DataType.FLOAT ? ctx.newFloats(m * n) : new float[m * n];
        Sgemm.Operand aOperand = new Sgemm.Operand(a.toFloatArray(), 0, a.dim(1), transA);
        if (packedB != null && type == DataType.FLOAT) {
            // A bias row of n elements with unit scales goes into the kernel's epilogue.
            boolean biasRow = c != null && alpha == 1f && beta == 1f && c.type() == DataType.FLOAT
                    && c.rank() == 1 && c.dim(0) == n;
            Sgemm.multiply(m, aOperand, packedB, out, 0, n, biasRow ? c.floats() : null, Sgemm.Activation.NONE,
                    ctx == null ? null : ctx.pool(), ctx == null ? 1 : ctx.threads());
            if (biasRow || c == null && alpha == 1f) {
                return Tensor.of(DataType.FLOAT, outShape, out);
            }
        } else {
            Sgemm.multiply(m, n, k, aOperand, new Sgemm.Operand(b.toFloatArray(), 0, b.dim(1), transB), out, 0, n,
                    false, ctx == null ? null : ctx.pool(), ctx == null ? 1 : ctx.threads());
        }
        float[] cv = c == null ? null : c.toFloatArray();
        for (int i = 0; i < out.length; i++) {
            float y = alpha * out[i];
            if (cv != null) {
                y += beta * cv[cIndex[i]];
            }
            out[i] = y;
        }
        return Tensor.fromFloats(type, outShape, out);
    }

    private static long[] transposeIf(long[] x, int rows, int cols, boolean transpose) {
        if (!transpose) {
            return x;
        }
        long[] t = new long[x.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = x[r * cols + c];
            }
        }
        return t;
    }

    private static float[] transposeIf(float[] x, int rows, int cols, boolean transpose) {
        if (!transpose) {
            return x;
        }
        float[] t = new float[x.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = x[r * cols + c];
            }
        }
        return t;
    }

    private static double[] transposeIf(double[] x, int rows, int cols, boolean transpose) {
        if (!transpose) {
            return x;
        }
        double[] t = new double[x.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = x[r * cols + c];
            }
        }
        return t;
    }
}
