package dev.jonnx.runtime.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The vector int8 GEMM against the scalar twin and a long-precision reference, exactly. */
class IgemmTest {
    static int[] zeroPoints(int kind, int count, boolean signed, Random random) {
        return switch (kind) {
            case 0 -> null;
            case 1 -> new int[] {signed ? random.nextInt(256) - 128 : random.nextInt(256)};
            default -> {
                int[] z = new int[count];
                for (int i = 0; i < count; i++) {
                    z[i] = signed ? random.nextInt(256) - 128 : random.nextInt(256);
                }
                yield z;
            }
        };
    }

    static byte[] bytes(int size, Random random) {
        byte[] x = new byte[size];
        random.nextBytes(x);
        // Extremes of both signed and unsigned ranges.
        for (int i = 0; i < size; i += 11) {
            x[i] = (byte) (i % 2 == 0 ? 0x80 : 0x7F);
        }
        for (int i = 5; i < size; i += 13) {
            x[i] = (byte) 0xFF;
        }
        return x;
    }

    static void check(int m, int n, int k, boolean aSigned, boolean bSigned, int zeroKind, Random random) {
        int lda = k + 2;
        int ldb = n + 3;
        int ldc = n + 1;
        byte[] a = bytes(1 + m * lda, random);
        byte[] b = bytes(2 + k * ldb, random);
        int[] aZero = zeroPoints(zeroKind, m, aSigned, random);
        int[] bZero = zeroPoints(zeroKind, n, bSigned, random);
        int[] actual = new int[m * ldc + 1];
        int[] expected = new int[m * ldc + 1];
        java.util.Arrays.fill(actual, 12345);
        java.util.Arrays.fill(expected, 12345);
        Igemm.multiply(m, n, k, a, 1, lda, aSigned, aZero, b, 2, ldb, bSigned, bZero, actual, 0, ldc);
        Igemm.multiplyScalar(m, n, k, a, 1, lda, aSigned, aZero, b, 2, ldb, bSigned, bZero, expected, 0, ldc);
        String what = String.format("%dx%dx%d aSigned=%s bSigned=%s zeroKind=%d", m, n, k, aSigned, bSigned, zeroKind);
        assertThat(actual).as(what).containsExactly(expected);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                long sum = 0;
                for (int p = 0; p < k; p++) {
                    long av = Igemm.widen(a[1 + i * lda + p], aSigned) - Igemm.zeroPoint(aZero, i);
                    long bv = Igemm.widen(b[2 + p * ldb + j], bSigned) - Igemm.zeroPoint(bZero, j);
                    sum += av * bv;
                }
                assertThat(actual[i * ldc + j]).as("%s C[%d][%d]", what, i, j).isEqualTo((int) sum);
            }
            assertThat(actual[i * ldc + n]).as("%s padding after row %d", what, i).isEqualTo(12345);
        }
    }

    @Test
    void allSignednessAndOddSizesMatch() {
        Random random = new Random(14);
        int lanes = Math.max(1, Simd.FLOAT_LANES);
        int[] ns = {1, lanes - 1, lanes, lanes + 1, 2 * lanes, 2 * lanes + 3, 4 * lanes + 3, 67};
        for (boolean aSigned : new boolean[] {false, true}) {
            for (boolean bSigned : new boolean[] {false, true}) {
                for (int zeroKind = 0; zeroKind < 3; zeroKind++) {
                    for (int m : new int[] {1, 3, 4, 5, 9}) {
                        for (int n : ns) {
                            for (int k : new int[] {0, 1, 7, 33}) {
                                if (n > 0) {
                                    check(m, n, k, aSigned, bSigned, zeroKind, random);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void largeProductMatches() {
        check(70, 300, 513, false, true, 2, new Random(15));
        check(33, 129, 1000, true, false, 1, new Random(16));
    }

    @Test
    void wrongZeroPointCountIsRejected() {
        byte[] a = new byte[4];
        int[] c = new int[4];
        assertThatThrownBy(() -> Igemm.multiply(2, 2, 1, a, 0, 1, true, new int[3], a, 0, 2, true, null, c, 0, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zero points of A")
                .hasMessageContaining("found 3");
    }
}
