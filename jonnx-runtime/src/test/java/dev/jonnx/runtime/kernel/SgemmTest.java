package dev.jonnx.runtime.kernel;

import static dev.jonnx.runtime.testing.TestTensors.uniform;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The vector SGEMM against the scalar reference, over sizes around the kernel's tile edges. */
class SgemmTest {
    static final ExecutorService POOL = Executors.newFixedThreadPool(3);

    @AfterAll
    static void stopPool() {
        POOL.shutdownNow();
    }

    /** Compares one product against the reference, within a tolerance scaled by the depth. */
    static void check(int m, int n, int k, boolean transA, boolean transB, boolean accumulate, int threads) {
        Random random = new Random(m * 31L + n * 17L + k);
        float[] a = uniform(random, -1, 1, m * k + 3);
        float[] b = uniform(random, -1, 1, k * n + 5);
        float[] expected = uniform(random, -1, 1, m * n);
        float[] actual = expected.clone();
        Sgemm.Operand oa = new Sgemm.Operand(a, 3, transA ? m : k, transA);
        Sgemm.Operand ob = new Sgemm.Operand(b, 5, transB ? k : n, transB);
        Sgemm.multiplyScalar(m, n, k, oa, ob, expected, 0, n, accumulate);
        Sgemm.multiply(m, n, k, oa, ob, actual, 0, n, accumulate, POOL, threads);
        float tolerance = 1e-5f * (k + 1);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("C[%d] of %dx%dx%d transA=%s transB=%s accumulate=%s threads=%d",
                    i, m, n, k, transA, transB, accumulate, threads)
                    .isCloseTo(expected[i], org.assertj.core.api.Assertions.within(tolerance));
        }
    }

    @Test
    void reportsVectorWidth() {
        System.out.println("SgemmTest: float lanes " + Simd.FLOAT_LANES + " (0 means scalar)");
        assertThat(Simd.FLOAT_LANES).isIn(0, 4, 8, 16);
    }

    @Test
    void edgeSizesMatchReference() {
        int lanes = Math.max(1, Simd.FLOAT_LANES);
        int[] sizes = {1, 2, 5, 6, 7, lanes - 1, lanes, lanes + 1, 2 * lanes + 3, 4 * lanes + 3, 97};
        for (int m : new int[] {1, 5, 6, 7, 13, 100}) {
            for (int n : sizes) {
                for (int k : new int[] {1, 3, 64, 193}) {
                    if (n > 0) {
                        check(m, n, k, false, false, false, 1);
                    }
                }
            }
        }
    }

    @Test
    void depthBlocksSplitEvenly() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Simd.enabled());
        assertThat(SgemmVector.depthBlock(1)).isEqualTo(1);
        assertThat(SgemmVector.depthBlock(SgemmVector.KC)).isEqualTo(SgemmVector.KC);
        assertThat(SgemmVector.depthBlock(SgemmVector.KC + 1)).isEqualTo(SgemmVector.KC / 2 + 1);
        assertThat(SgemmVector.depthBlock(384)).isEqualTo(384);
        assertThat(SgemmVector.depthBlock(385)).isEqualTo(193);
        assertThat(SgemmVector.depthBlock(1024)).isEqualTo(342);
        assertThat(SgemmVector.depthBlock(1536)).isEqualTo(384);
    }

    @Test
    void depthBlockEdgesMatchReference() {
        int lanes = Math.max(1, Simd.FLOAT_LANES);
        for (int k : new int[] {255, 256, 257, 383, 384, 385, 513, 769}) {
            for (int m : new int[] {6, 7, 12, 17}) {
                for (int n : new int[] {2 * lanes, 2 * lanes + 1}) {
                    check(m, n, k, false, false, false, 1);
                    check(m, n, k, false, false, true, 1);
                    checkPacked(m, n, k, false, false, true, Sgemm.Activation.NONE, 1);
                }
            }
        }
    }

    @Test
    void transposesAndAccumulateMatchReference() {
        for (boolean transA : new boolean[] {false, true}) {
            for (boolean transB : new boolean[] {false, true}) {
                for (boolean accumulate : new boolean[] {false, true}) {
                    check(37, 45, 29, transA, transB, accumulate, 1);
                    check(7, 130, 200, transA, transB, accumulate, 1);
                }
            }
        }
    }

    @Test
    void threadedMatchesReference() {
        check(130, 300, 257, false, false, false, 2);
        check(64, 1000, 100, false, true, true, 3);
        check(200, 33, 70, true, false, false, 3);
    }

    @Test
    void zeroDepthClearsOrKeepsC() {
        float[] c = {1, 2, 3, 4};
        Sgemm.Operand empty = new Sgemm.Operand(new float[0], 0, 0, false);
        Sgemm.multiply(2, 2, 0, empty, empty, c, 0, 2, true, null, 1);
        assertThat(c).containsExactly(1, 2, 3, 4);
        Sgemm.multiply(2, 2, 0, empty, empty, c, 0, 2, false, null, 1);
        assertThat(c).containsExactly(0, 0, 0, 0);
    }

    @Test
    void infinityTimesZeroGivesNaN() {
        float[] a = {Float.POSITIVE_INFINITY};
        float[] b = {0f};
        float[] c = new float[1];
        Sgemm.multiply(1, 1, 1, new Sgemm.Operand(a, 0, 1, false), new Sgemm.Operand(b, 0, 1, false),
                c, 0, 1, false, null, 1);
        assertThat(c[0]).isNaN();
    }

    /**
     * Compares a product with packed B, bias and activation against the scalar reference, with
     * a residual when m is odd.
     */
    static void checkPacked(int m, int n, int k, boolean transA, boolean transB, boolean withBias,
            Sgemm.Activation activation, int threads) {
        Random random = new Random(m * 13L + n * 7L + k);
        float[] a = uniform(random, -1, 1, m * k + 2);
        float[] b = uniform(random, -1, 1, k * n + 4);
        float[] bias = withBias ? uniform(random, -1, 1, n) : null;
        int ldc = n + 3;
        float[] expected = uniform(random, -1, 1, m * ldc);
        float[] actual = expected.clone();
        Sgemm.Operand oa = new Sgemm.Operand(a, 2, transA ? m : k, transA);
        Sgemm.Operand ob = new Sgemm.Operand(b, 4, transB ? k : n, transB);
        // The residual, when used, is laid out like C from offset 2 of its own array.
        float[] residual = m % 2 == 1 ? uniform(random, -1, 1, m * ldc + 2) : null;
        Sgemm.multiplyScalar(m, oa, k, n, ob, expected, 1, ldc, bias, activation, residual, 2);
        Sgemm.PackedB packed = Sgemm.pack(k, n, ob);
        // The packed copy must not depend on the operand's array afterwards (on the vector path).
        float[] original = b.clone();
        if (Simd.enabled() && k > 0 && n > 0) {
            java.util.Arrays.fill(b, 100f);
        }
        Sgemm.multiply(m, oa, packed, actual, 1, ldc, bias, activation, residual, 2, POOL, threads);
        System.arraycopy(original, 0, b, 0, b.length);
        float tolerance = 1e-5f * (k + 1);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("C[%d] of %dx%dx%d transA=%s transB=%s bias=%s %s threads=%d",
                    i, m, n, k, transA, transB, withBias, activation, threads)
                    .isCloseTo(expected[i], org.assertj.core.api.Assertions.within(tolerance));
        }
    }

    @Test
    void packedEdgeSizesMatchReference() {
        int lanes = Math.max(1, Simd.FLOAT_LANES);
        for (int m : new int[] {1, 3, 4, 7, 101}) {
            for (int n : new int[] {1, lanes - 1, 2 * lanes, 2 * lanes + 1, 5 * lanes + 3}) {
                for (int k : new int[] {1, 5, 192, 193, 400}) {
                    if (n > 0) {
                        checkPacked(m, n, k, false, false, false, Sgemm.Activation.NONE, 1);
                    }
                }
            }
        }
    }

    @Test
    void packedBiasAndGeluMatchReference() {
        for (boolean transA : new boolean[] {false, true}) {
            for (boolean transB : new boolean[] {false, true}) {
                checkPacked(37, 45, 29, transA, transB, true, Sgemm.Activation.GELU, 1);
                checkPacked(9, 70, 385, transA, transB, true, Sgemm.Activation.NONE, 1);
                checkPacked(13, 33, 7, transA, transB, false, Sgemm.Activation.GELU, 1);
            }
        }
    }

    @Test
    void shortLastPanelMatchesReference() {
        // m leaves 1 or 2 rows after the last full 6-row panel of a row block, which the kernel
        // computes as two 4-row tiles, the second spanning two panels.
        int lanes = Math.max(1, Simd.FLOAT_LANES);
        for (int m : new int[] {7, 8, 13, 14, 127, 128, 289}) {
            for (int n : new int[] {2 * lanes, 4 * lanes + 3}) {
                for (int k : new int[] {1, 5, 385}) {
                    check(m, n, k, false, false, false, 1);
                    check(m, n, k, true, false, true, 1);
                    checkPacked(m, n, k, false, false, true, Sgemm.Activation.NONE, 1);
                    checkPacked(m, n, k, false, true, false, Sgemm.Activation.GELU, 2);
                }
            }
        }
    }

    @Test
    void packedColumnChunksMatchReference() {
        // Wide enough for several column chunks of C, deep enough for two depth blocks of A.
        checkPacked(130, 1100, 500, false, false, true, Sgemm.Activation.GELU, 1);
        checkPacked(131, 1100, 500, true, true, false, Sgemm.Activation.NONE, 1);
    }

    @Test
    void packedThreadedMatchesReference() {
        checkPacked(130, 300, 257, false, false, true, Sgemm.Activation.GELU, 2);
        checkPacked(128, 384, 384, false, false, true, Sgemm.Activation.NONE, 3);
        checkPacked(5, 1000, 100, true, true, false, Sgemm.Activation.NONE, 3);
        // Several row blocks of A packed once and shared by the threads.
        checkPacked(301, 200, 300, false, false, true, Sgemm.Activation.GELU, 3);
        checkPacked(301, 200, 300, true, false, false, Sgemm.Activation.NONE, 2);
    }

    /**
     * Multiplies random integer A by integer B in [-128, 127] packed as bytes and as floats,
     * and expects the same bits, and the result to match the scalar reference.
     */
    static void checkSmallIntegers(int m, int n, int k, boolean transB, boolean withBias, int threads) {
        Random random = new Random(m * 5L + n * 3L + k);
        float[] a = new float[m * k];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextInt(511) - 255;
        }
        float[] b = new float[k * n];
        for (int i = 0; i < b.length; i++) {
            b[i] = random.nextInt(256) - 128;
        }
        float[] bias = withBias ? uniform(random, -1, 1, n) : null;
        Sgemm.Operand oa = new Sgemm.Operand(a, 0, k, false);
        Sgemm.Operand ob = new Sgemm.Operand(b, 0, transB ? k : n, transB);
        Sgemm.PackedB compact = Sgemm.packSmallIntegers(k, n, ob);
        assertThat(compact.compact()).as("packed as bytes").isEqualTo(Simd.enabled());
        float[] expected = new float[m * n];
        float[] actual = new float[m * n];
        Sgemm.multiply(m, oa, Sgemm.pack(k, n, ob), expected, 0, n, bias, Sgemm.Activation.NONE, POOL, threads);
        Sgemm.multiply(m, oa, compact, actual, 0, n, bias, Sgemm.Activation.NONE, POOL, threads);
        assertThat(actual).as("%dx%dx%d transB=%s threads=%d", m, n, k, transB, threads).isEqualTo(expected);

        float[] reference = new float[m * n];
        Sgemm.multiplyScalar(m, oa, k, n, ob, reference, 0, n, bias, Sgemm.Activation.NONE, null, 0);
        // Integer products below 2^24 are exact in any order, so only the bias rounds.
        for (int i = 0; i < reference.length; i++) {
            assertThat(actual[i]).as("C[%d] of %dx%dx%d", i, m, n, k).isCloseTo(reference[i],
                    org.assertj.core.api.Assertions.within(withBias ? Math.ulp(reference[i]) : 0f));
        }
    }

    @Test
    void bytePanelsGiveFloatPanelBits() {
        int lanes = Math.max(1, Simd.FLOAT_LANES);
        for (int m : new int[] {1, 7, 128, 145}) {
            for (int n : new int[] {1, 2 * lanes, 5 * lanes + 3}) {
                for (int k : new int[] {1, 9, 384, 400}) {
                    checkSmallIntegers(m, n, k, false, m % 2 == 1, 1);
                }
            }
        }
        checkSmallIntegers(128, 1536, 384, true, true, 2);
        checkSmallIntegers(301, 200, 300, false, true, 3);
    }

    @Test
    void valuesOutsideBytesStayFloats() {
        Random random = new Random(3);
        for (float outside : new float[] {128f, -129f, 0.5f, Float.NaN, Float.POSITIVE_INFINITY}) {
            float[] b = new float[20 * 10];
            for (int i = 0; i < b.length; i++) {
                b[i] = random.nextInt(256) - 128;
            }
            b[137] = outside;
            Sgemm.PackedB packed = Sgemm.packSmallIntegers(20, 10, new Sgemm.Operand(b, 0, 10, false));
            assertThat(packed.compact()).as("packed as bytes with %s", outside).isFalse();
        }
    }

    @Test
    void threadedPackedIsBitIdenticalToOneThread() {
        Random random = new Random(7);
        // 1003 rows make seven row blocks with a short last panel, and k = 390 makes two depth blocks.
        int m = 1003;
        int n = 150;
        int k = 390;
        float[] a = uniform(random, -1, 1, m * k);
        float[] bias = uniform(random, -1, 1, n);
        float[] residual = uniform(random, -1, 1, m * n);
        Sgemm.Operand oa = new Sgemm.Operand(a, 0, k, false);
        Sgemm.PackedB packed = Sgemm.pack(k, n, new Sgemm.Operand(uniform(random, -1, 1, k * n), 0, n, false));
        float[] single = new float[m * n];
        Sgemm.multiply(m, oa, packed, single, 0, n, bias, Sgemm.Activation.GELU, residual, 0, POOL, 1);
        for (int threads : new int[] {2, 3}) {
            float[] split = new float[m * n];
            Sgemm.multiply(m, oa, packed, split, 0, n, bias, Sgemm.Activation.GELU, residual, 0, POOL, threads);
            assertThat(split).as("C with %d threads", threads).isEqualTo(single);
        }
    }

    @Test
    void packedRowRangesMatchWholePacking() {
        // The scalar path keeps A unpacked.
        org.junit.jupiter.api.Assumptions.assumeTrue(Simd.enabled());
        Random random = new Random(3);
        for (boolean transposed : new boolean[] {false, true}) {
            int m = 301;
            // Two depth blocks, so that each range is packed block by block.
            int k = 500;
            Sgemm.Operand a = new Sgemm.Operand(uniform(random, -1, 1, m * k), 0, transposed ? m : k, transposed);
            // The thread's buffer may hold data from earlier products, and packing leaves the
            // gaps after short edge panels unwritten, so both sides start out as NaN.
            java.util.Arrays.fill(SgemmVector.packedABuffer(m, k), Float.NaN);
            float[] whole = SgemmVector.packA(a, m, k).clone();
            float[] ranges = new float[whole.length];
            java.util.Arrays.fill(ranges, Float.NaN);
            // Ranges that start inside a row block and cross into the next one.
            int[] cuts = {0, 6, 150, 156, 294, m};
            for (int c = 0; c + 1 < cuts.length; c++) {
                SgemmVector.packARows(a, m, k, cuts[c], cuts[c + 1], ranges);
            }
            assertThat(ranges).as("transposed=%s", transposed).isEqualTo(whole);
        }
    }

    @Test
    void packedZeroDepthGivesBias() {
        float[] c = {7, 7, 7, 7};
        Sgemm.PackedB packed = Sgemm.pack(0, 2, new Sgemm.Operand(new float[0], 0, 2, false));
        Sgemm.multiply(2, new Sgemm.Operand(new float[0], 0, 0, false), packed, c, 0, 2, new float[] {1, -2},
                Sgemm.Activation.NONE, null, 1);
        assertThat(c).containsExactly(1, -2, 1, -2);
    }

    @Test
    void packedRejectsShortBias() {
        Sgemm.PackedB packed = Sgemm.pack(1, 3, new Sgemm.Operand(new float[3], 0, 3, false));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Sgemm.multiply(1,
                new Sgemm.Operand(new float[1], 0, 1, false), packed, new float[3], 0, 3, new float[2],
                Sgemm.Activation.NONE, null, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bias has 2 elements, expected 3");
    }
}
