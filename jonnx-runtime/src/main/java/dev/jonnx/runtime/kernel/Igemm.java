package dev.jonnx.runtime.kernel;

/**
 * Integer matrix multiply for MatMulInteger: C[i][j] = sum over p of (A[i][p] - aZero(i)) *
 * (B[p][j] - bZero(j)), with 8-bit A (m x k) and B (k x n), each signed (int8) or unsigned
 * (uint8), row-major with row strides, and int32 C (m x n) with wrap-around on overflow as in
 * Java int arithmetic. Zero points are {@code null} (all zero), one value (per tensor), or one
 * value per row of A ({@code m}) and per column of B ({@code n}).
 *
 * <p>The vector path ({@link IgemmVector}) widens B minus its zero points to int once per call,
 * then runs a 4-row by 2-vector register block of int multiply-adds. Integer sums do not depend
 * on order, so it returns exactly the scalar twin's result.
 */
public final class Igemm {
    private Igemm() {}

    public static void multiply(int m, int n, int k, byte[] a, int aOffset, int lda, boolean aSigned, int[] aZero,
            byte[] b, int bOffset, int ldb, boolean bSigned, int[] bZero, int[] c, int cOffset, int ldc) {
        checkZeroPoints(aZero, m, "A", "rows of A");
        checkZeroPoints(bZero, n, "B", "columns of B");
        if (Simd.enabled() && n >= IgemmVector.LANES) {
            IgemmVector.multiply(m, n, k, a, aOffset, lda, aSigned, aZero, b, bOffset, ldb, bSigned, bZero, c,
                    cOffset, ldc);
        } else {
            multiplyScalar(m, n, k, a, aOffset, lda, aSigned, aZero, b, bOffset, ldb, bSigned, bZero, c, cOffset,
                    ldc);
        }
    }

    /** The reference: an i-p-j triple loop in int. */
    public static void multiplyScalar(int m, int n, int k, byte[] a, int aOffset, int lda, boolean aSigned,
            int[] aZero, byte[] b, int bOffset, int ldb, boolean bSigned, int[] bZero, int[] c, int cOffset,
            int ldc) {
        for (int i = 0; i < m; i++) {
            int cRow = cOffset + i * ldc;
            java.util.Arrays.fill(c, cRow, cRow + n, 0);
            int za = zeroPoint(aZero, i);
            for (int p = 0; p < k; p++) {
                int av = widen(a[aOffset + i * lda + p], aSigned) - za;
                int bRow = bOffset + p * ldb;
                for (int j = 0; j < n; j++) {
                    c[cRow + j] += av * (widen(b[bRow + j], bSigned) - zeroPoint(bZero, j));
                }
            }
        }
    }

    public static int widen(byte v, boolean signed) {
        return signed ? v : v & 0xFF;
    }

    static int zeroPoint(int[] zero, int index) {
        if (zero == null) {
            return 0;
        }
        return zero.length == 1 ? zero[0] : zero[index];
    }

    private static void checkZeroPoints(int[] zero, int count, String operand, String what) {
        if (zero != null && zero.length != 1 && zero.length != count) {
            throw new IllegalArgumentException("zero points of " + operand + ": expected 1 or " + count + " (" + what
                    + ") values, found " + zero.length);
        }
    }
}
