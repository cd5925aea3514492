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
 * MatMul with NumPy semantics: batch dimensions broadcast, a 1-D first operand gains a leading
 * 1 and a 1-D second operand a trailing 1, both removed from the result. Float types use
 * {@link Sgemm}; the scalar loops below (i-k-j order, so the innermost loop walks rows of B and
 * C contiguously) serve double and integer types.
 */
final class MatMul {
    private MatMul() {}

    static KernelFactory factory() {
        return node -> {
            Tensor weights = node.constantInput(1);
            if (weights != null && weights.type() == DataType.FLOAT && weights.rank() == 2) {
                // A constant weight matrix is packed once; other inputs take the general path.
                Linear linear = Linear.of(weights, null, Sgemm.Activation.NONE);
                return (inputs, ctx) -> {
                    Tensor a = (Tensor) inputs[0];
                    return new Value[] {linear.accepts(a) ? linear.apply(a, ctx) : matmul(a, (Tensor) inputs[1], ctx)};
                };
            }
            return (inputs, ctx) -> new Value[] {matmul((Tensor) inputs[0], (Tensor) inputs[1], ctx)};
        };
    }

    static Tensor matmul(Tensor a, Tensor b) {
        return matmul(a, b, null);
    }

    /** Multiplies; float products use {@link Sgemm} on the context's threads when it has any. */
    static Tensor matmul(Tensor a, Tensor b, RunContext ctx) {
        if (a.type() != b.type()) {
            throw new IllegalArgumentException("inputs 'A' and 'B' must have the same type, got "
                    + a.type() + " and " + b.type());
        }
        if (a.rank() == 0 || b.rank() == 0) {
            throw new IllegalArgumentException("MatMul inputs must have rank 1 or more, got "
                    + a.describe() + " and " + b.describe());
        }
        int[] aShape = a.rank() == 1 ? new int[] {1, a.dim(0)} : a.shape();
        int[] bShape = b.rank() == 1 ? new int[] {b.dim(0), 1} : b.shape();
        int m = aShape[aShape.length - 2];
        int k = aShape[aShape.length - 1];
        int kb = bShape[bShape.length - 2];
        int n = bShape[bShape.length - 1];
        if (k != kb) {
            throw new IllegalArgumentException("MatMul inner dimensions differ: A is " + a.describe()
                    + " and B is " + b.describe());
        }
        int[] aBatch = Arrays.copyOf(aShape, aShape.length - 2);
        int[] bBatch = Arrays.copyOf(bShape, bShape.length - 2);
        int[] batch = Shapes.broadcast(aBatch, bBatch);
        int batchSize = Shapes.size(batch);
        int[] aIndex = Shapes.broadcastIndex(aBatch, batch);
        int[] bIndex = Shapes.broadcastIndex(bBatch, batch);

        int[] outShape;
        {
            int extra = (a.rank() == 1 ? 0 : 1) + (b.rank() == 1 ? 0 : 1);
            outShape = Arrays.copyOf(batch, batch.length + extra);
            int j = batch.length;
            if (a.rank() != 1) {
                outShape[j++] = m;
            }
            if (b.rank() != 1) {
                outShape[j] = n;
            }
        }
        DataType type = a.type();
        int outSize = batchSize * m * n;
        if (type == DataType.DOUBLE) {
            double[] out = new double[outSize];
            double[] av = a.doubles();
            double[] bv = b.doubles();
            for (int p = 0; p < batchSize; p++) {
                multiply(av, aIndex[p] * m * k, bv, bIndex[p] * k * n, out, p * m * n, m, k, n);
            }
            return Tensor.of(DataType.DOUBLE, outShape, out);
        }
        if (type.isInteger()) {
            long[] out = new long[outSize];
            long[] av = a.toLongArray();
            long[] bv = b.toLongArray();
            for (int p = 0; p < batchSize; p++) {
                multiply(av, aIndex[p] * m * k, bv, bIndex[p] * k * n, out, p * m * n, m, k, n);
            }
            return Tensor.fromLongs(type, outShape, out);
        }
        if (!type.isFloatingPoint()) {
            throw new IllegalArgumentException("MatMul does not support type " + type);
        }
        // Only a float32 result can come from the arena: the other types are converted after.
        float[] out = ctx != null && type == DataType.FLOAT ? ctx.newFloats(outSize) : new float[outSize];
        float[] av = a.toFloatArray();
        float[] bv = b.toFloatArray();
        for (int p = 0; p < batchSize; p++) {
            Sgemm.multiply(m, n, k, new Sgemm.Operand(av, aIndex[p] * m * k, k, false),
                    new Sgemm.Operand(bv, bIndex[p] * k * n, n, false), out, p * m * n, n, false,
                    ctx == null ? null : ctx.pool(), ctx == null ? 1 : ctx.threads());
        }
        return Tensor.fromFloats(type, outShape, out);
    }

    /** Adds the product of an m-by-k and a k-by-n row-major matrix into {@code c}. */
    static void multiply(float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset, int m, int k, int n) {
        for (int i = 0; i < m; i++) {
            int cRow = cOffset + i * n;
            int aRow = aOffset + i * k;
            for (int p = 0; p < k; p++) {
                float x = a[aRow + p];
                int bRow = bOffset + p * n;
                for (int j = 0; j < n; j++) {
                    c[cRow + j] += x * b[bRow + j];
                }
            }
        }
    }

    static void multiply(double[] a, int aOffset, double[] b, int bOffset, double[] c, int cOffset, int m, int k, int n) {
        for (int i = 0; i < m; i++) {
            int cRow = cOffset + i * n;
            int aRow = aOffset + i * k;
            for (int p = 0; p < k; p++) {
                double x = a[aRow + p];
                int bRow = bOffset + p * n;
                for (int j = 0; j < n; j++) {
                    c[cRow + j] += x * b[bRow + j];
                }
            }
        }
    }

    static void multiply(long[] a, int aOffset, long[] b, int bOffset, long[] c, int cOffset, int m, int k, int n) {
        for (int i = 0; i < m; i++) {
            int cRow = cOffset + i * n;
            int aRow = aOffset + i * k;
            for (int p = 0; p < k; p++) {
                long x = a[aRow + p];
                int bRow = bOffset + p * n;
                for (int j = 0; j < n; j++) {
                    c[cRow + j] += x * b[bRow + j];
                }
            }
        }
    }
}
