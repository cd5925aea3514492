package dev.jonnx.runtime.ops.quant;

import dev.jonnx.runtime.kernel.Igemm;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;

/**
 * An 8-bit matrix B of {@code k} rows and {@code n} columns minus its zero points, stored as
 * floats for the exact sliced SGEMM of {@link IntegerMatMul#multiplyExactInFloat}, with the
 * largest magnitude among the shifted values. Kernels build it once from constant weights.
 */
record ShiftedWeights(int k, int n, float[] values, int maxAbs) {

    /** Converts B at {@code offset} with one zero point per column ({@code zero.length == n}). */
    static ShiftedWeights of(int k, int n, byte[] b, int offset, boolean signed, int[] zero) {
        float[] values = new float[k * n];
        int maxAbs = 0;
        for (int p = 0; p < k; p++) {
            int row = offset + p * n;
            for (int j = 0; j < n; j++) {
                int v = Igemm.widen(b[row + j], signed) - zero[j];
                values[p * n + j] = v;
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
        }
        return new ShiftedWeights(k, n, values, maxAbs);
    }

    /**
     * Converts a constant 2-D int8 or uint8 matrix B with an optional zero point that is a
     * scalar or a 1-D tensor of one value per column and has B's type. Returns null when B or
     * the zero point has another form, so the caller converts at run time.
     */
    static ShiftedWeights ofConstant(Tensor b, Tensor zero) {
        if (b == null || b.rank() != 2 || (b.type() != DataType.INT8 && b.type() != DataType.UINT8)) {
            return null;
        }
        int k = b.shape()[0];
        int n = b.shape()[1];
        int[] zeros = columnZeroPoints(zero, b.type(), n);
        return zeros == null ? null : of(k, n, b.bytes(), 0, b.type() == DataType.INT8, zeros);
    }

    /**
     * Expands a zero point of {@code type} that is absent, a scalar or a 1-D tensor of
     * {@code n} values to one value per column. Returns null for any other form.
     */
    static int[] columnZeroPoints(Tensor zero, DataType type, int n) {
        int[] zeros = new int[n];
        if (zero == null) {
            return zeros;
        }
        if (zero.type() != type) {
            return null;
        }
        if (zero.size() == 1 && zero.rank() <= 1) {
            java.util.Arrays.fill(zeros, (int) zero.getLong(0));
            return zeros;
        }
        if (zero.rank() == 1 && zero.size() == n) {
            for (int j = 0; j < n; j++) {
                zeros[j] = (int) zero.getLong(j);
            }
            return zeros;
        }
        return null;
    }
}
