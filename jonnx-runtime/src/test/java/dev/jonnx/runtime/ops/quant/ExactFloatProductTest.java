package dev.jonnx.runtime.ops.quant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.runtime.kernel.Igemm;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The sliced float path of MatMulInteger gives exactly the int32 reference. */
class ExactFloatProductTest {

    static void check(int m, int n, int k, boolean aSigned, boolean bSigned, long seed) {
        Random random = new Random(seed);
        byte[] a = new byte[m * k];
        byte[] b = new byte[k * n];
        random.nextBytes(a);
        random.nextBytes(b);
        int[] aZero = new int[m];
        int[] bZero = new int[n];
        for (int i = 0; i < m; i++) {
            aZero[i] = aSigned ? random.nextInt(5) - 2 : random.nextInt(256);
        }
        for (int j = 0; j < n; j++) {
            bZero[j] = bSigned ? random.nextInt(5) - 2 : random.nextInt(256);
        }
        int[] expected = new int[m * n];
        Igemm.multiplyScalar(m, n, k, a, 0, k, aSigned, aZero, b, 0, n, bSigned, bZero, expected, 0, n);
        int[] actual = new int[m * n];
        boolean used = IntegerMatMul.multiplyExactInFloat(m, n, k, a, 0, aSigned, aZero, b, 0, bSigned, bZero,
                actual, 0, null);
        assertThat(used).as("float path taken for %dx%dx%d", m, n, k).isTrue();
        assertThat(actual).as("products of %dx%dx%d aSigned=%s bSigned=%s", m, n, k, aSigned, bSigned)
                .containsExactly(expected);
    }

    @Test
    void matchesIntegerReferenceAcrossSlices() {
        // k = 1536 with extreme uint8 values forces several slices of the inner dimension.
        check(37, 70, 1536, false, true, 1);
        check(64, 48, 1536, false, false, 2);
        check(16, 130, 700, true, true, 3);
        check(9, 333, 96, true, false, 4);
    }

    @Test
    void weightsFollowZeroPointChanges() {
        // One B array, used twice with different zero points: each call shifts by its own.
        int m = 8;
        int n = 40;
        int k = 300;
        Random random = new Random(7);
        byte[] a = new byte[m * k];
        byte[] b = new byte[k * n];
        random.nextBytes(a);
        random.nextBytes(b);
        int[] aZero = new int[m];
        for (int zero : new int[] {0, 100}) {
            int[] bZero = new int[n];
            java.util.Arrays.fill(bZero, zero);
            int[] expected = new int[m * n];
            Igemm.multiplyScalar(m, n, k, a, 0, k, false, aZero, b, 0, n, false, bZero, expected, 0, n);
            int[] actual = new int[m * n];
            IntegerMatMul.multiplyExactInFloat(m, n, k, a, 0, false, aZero, b, 0, false, bZero, actual, 0, null);
            assertThat(actual).as("b zero point %d", zero).containsExactly(expected);
        }
    }

    @Test
    void smallProductsUseIntegerKernel() {
        int[] out = new int[4];
        boolean used = IntegerMatMul.multiplyExactInFloat(2, 2, 2, new byte[4], 0, false, new int[2], new byte[4], 0,
                false, new int[2], out, 0, null);
        assertThat(used).isFalse();
    }
}
