package dev.jonnx.runtime.kernel;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector path of {@link Igemm}. A - aZero and B - bZero are widened into int buffers once;
 * then, strip by strip of 2 vectors of columns, each block of 4 rows of A keeps 8 int
 * accumulators in registers, one broadcast of A - aZero per row and step.
 */
final class IgemmVector {
    static final VectorSpecies<Integer> SPECIES =
            VectorSpecies.of(int.class, VectorMathVector.SPECIES.vectorShape());
    static final int LANES = SPECIES.length();
    private static final int ROWS = 4;

    private static final ThreadLocal<int[][]> BUFFER = ThreadLocal.withInitial(() -> new int[][] {new int[0]});

    private IgemmVector() {}

    static void multiply(int m, int n, int k, byte[] a, int aOffset, int lda, boolean aSigned, int[] aZero,
            byte[] b, int bOffset, int ldb, boolean bSigned, int[] bZero, int[] c, int cOffset, int ldc) {
        int[] wide = widenB(k, n, b, bOffset, ldb, bSigned, bZero);
        int[] aRows = new int[m * k];
        for (int i = 0; i < m; i++) {
            widenRow(a, aOffset + i * lda, aSigned, Igemm.zeroPoint(aZero, i), k, aRows, i * k);
        }
        // Column strips outermost: one strip of B (k x 2 vectors) stays in cache while every
        // block of rows of A passes over it.
        int j = 0;
        for (; j + 2 * LANES <= n; j += 2 * LANES) {
            int i = 0;
            for (; i + ROWS <= m; i += ROWS) {
                block4(j, n, k, aRows, i * k, wide, c, cOffset + i * ldc, ldc);
            }
            for (; i < m; i++) {
                columns(j, j + 2 * LANES, n, k, aRows, i * k, wide, c, cOffset + i * ldc);
            }
        }
        for (int i = 0; i < m; i++) {
            columns(j, n, n, k, aRows, i * k, wide, c, cOffset + i * ldc);
        }
    }

    private static void widenRow(byte[] a, int from, boolean signed, int zero, int k, int[] out, int at) {
        for (int p = 0; p < k; p++) {
            out[at + p] = Igemm.widen(a[from + p], signed) - zero;
        }
    }

    private static int[] widenB(int k, int n, byte[] b, int bOffset, int ldb, boolean signed, int[] bZero) {
        int[][] holder = BUFFER.get();
        if (holder[0].length < k * n) {
            holder[0] = new int[k * n];
        }
        int[] wide = holder[0];
        for (int p = 0; p < k; p++) {
            int src = bOffset + p * ldb;
            int dst = p * n;
            if (bZero == null || bZero.length == 1) {
                int zero = bZero == null ? 0 : bZero[0];
                for (int j = 0; j < n; j++) {
                    wide[dst + j] = Igemm.widen(b[src + j], signed) - zero;
                }
            } else {
                for (int j = 0; j < n; j++) {
                    wide[dst + j] = Igemm.widen(b[src + j], signed) - bZero[j];
                }
            }
        }
        return wide;
    }

    /** Computes columns [j, j + 2 vectors) of 4 rows of C from 4 widened rows of A at {@code aAt}. */
    private static void block4(int j, int n, int k, int[] aRows, int aAt, int[] wide, int[] c, int cBase,
            int ldc) {
        IntVector c00 = IntVector.zero(SPECIES);
        IntVector c01 = c00;
        IntVector c10 = c00;
        IntVector c11 = c00;
        IntVector c20 = c00;
        IntVector c21 = c00;
        IntVector c30 = c00;
        IntVector c31 = c00;
        for (int p = 0; p < k; p++) {
            IntVector b0 = IntVector.fromArray(SPECIES, wide, p * n + j);
            IntVector b1 = IntVector.fromArray(SPECIES, wide, p * n + j + LANES);
            int a0 = aRows[aAt + p];
            int a1 = aRows[aAt + k + p];
            int a2 = aRows[aAt + 2 * k + p];
            int a3 = aRows[aAt + 3 * k + p];
            c00 = c00.add(b0.mul(a0));
            c01 = c01.add(b1.mul(a0));
            c10 = c10.add(b0.mul(a1));
            c11 = c11.add(b1.mul(a1));
            c20 = c20.add(b0.mul(a2));
            c21 = c21.add(b1.mul(a2));
            c30 = c30.add(b0.mul(a3));
            c31 = c31.add(b1.mul(a3));
        }
        c00.intoArray(c, cBase + j);
        c01.intoArray(c, cBase + j + LANES);
        c10.intoArray(c, cBase + ldc + j);
        c11.intoArray(c, cBase + ldc + j + LANES);
        c20.intoArray(c, cBase + 2 * ldc + j);
        c21.intoArray(c, cBase + 2 * ldc + j + LANES);
        c30.intoArray(c, cBase + 3 * ldc + j);
        c31.intoArray(c, cBase + 3 * ldc + j + LANES);
    }

    /** Computes columns [from, to) of one row: whole vectors, then scalar columns. */
    private static void columns(int from, int to, int n, int k, int[] aRows, int aAt, int[] wide, int[] c,
            int cBase) {
        int j = from;
        for (; j + LANES <= to; j += LANES) {
            IntVector acc = IntVector.zero(SPECIES);
            for (int p = 0; p < k; p++) {
                acc = acc.add(IntVector.fromArray(SPECIES, wide, p * n + j).mul(aRows[aAt + p]));
            }
            acc.intoArray(c, cBase + j);
        }
        for (; j < to; j++) {
            int sum = 0;
            for (int p = 0; p < k; p++) {
                sum += aRows[aAt + p] * wide[p * n + j];
            }
            c[cBase + j] = sum;
        }
    }
}
