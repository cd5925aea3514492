package dev.jonnx.runtime.kernel;

import static dev.jonnx.runtime.testing.TestTensors.uniform;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The chosen quantization path returns exactly what the scalar reference does. */
class DynamicQuantizeTest {

    private static void assertSameQuantization(float[] x, int from, int count, float scale, int zeroPoint) {
        float[] expected = new float[count + 3];
        float[] actual = new float[count + 3];
        int expectedSum = DynamicQuantize.quantizeScalar(x, from, count, scale, zeroPoint, expected, 2);
        int actualSum = DynamicQuantize.quantize(x, from, count, scale, zeroPoint, actual, 2);
        assertThat(actualSum).as("magnitude sum, count %d scale %s zero %d", count, scale, zeroPoint)
                .isEqualTo(expectedSum);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Float.floatToIntBits(actual[i])).as("element %d of %d, scale %s zero %d", i, count, scale,
                    zeroPoint).isEqualTo(Float.floatToIntBits(expected[i]));
        }
    }

    @Test
    void quantizeMatchesScalarAtOddLengths() {
        Random random = new Random(1);
        for (int count : new int[] {0, 1, 7, 8, 9, 31, 384, 1001}) {
            float[] x = uniform(random, -3f, 5f, count + 5);
            assertSameQuantization(x, 5, count, 8f / 255f, 96);
            assertSameQuantization(x, 0, count, 0.01f, 0);
            assertSameQuantization(x, 1, count, 0.5f, 255);
        }
    }

    @Test
    void quantizeRoundsHalvesToEven() {
        // With scale 1 the quotients are the inputs: halves go to the even neighbour.
        float[] x = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 3.49f, 3.51f, 254.5f, 255.5f, -300f, 600f, 1e30f,
            -1e30f, 7.5f, 8.5f, 9.5f};
        assertSameQuantization(x, 0, x.length, 1f, 10);
        float[] shifted = new float[x.length];
        DynamicQuantize.quantize(x, 0, x.length, 1f, 10, shifted, 0);
        assertThat(shifted[0]).as("0.5 rounds to 0").isEqualTo(0f);
        assertThat(shifted[1]).as("1.5 rounds to 2").isEqualTo(2f);
        assertThat(shifted[2]).as("2.5 rounds to 2").isEqualTo(2f);
        assertThat(shifted[5]).as("-2.5 rounds to -2").isEqualTo(-2f);
        assertThat(shifted[10]).as("-300 saturates at 0, shifted by -10").isEqualTo(-10f);
        assertThat(shifted[11]).as("600 saturates at 255, shifted by -10").isEqualTo(245f);
    }

    @Test
    void quantizeSpecialValues() {
        float[] x = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, 1f, 2f, 3f, Float.NaN,
            4f};
        assertSameQuantization(x, 0, x.length, 0.02f, 128);
        assertSameQuantization(x, 0, x.length, 0.02f, 0);
        assertSameQuantization(x, 0, x.length, 0.02f, 255);
        assertSameQuantization(x, 0, x.length, 0f, 0);
        float[] shifted = new float[x.length];
        DynamicQuantize.quantize(x, 0, x.length, 0.02f, 128, shifted, 0);
        assertThat(shifted[0]).as("NaN quantizes to the zero point").isEqualTo(0f);
        assertThat(shifted[1]).as("+inf saturates at 255").isEqualTo(127f);
        assertThat(shifted[2]).as("-inf saturates at 0").isEqualTo(-128f);
    }

    @Test
    void rangeMatchesScalarAndSkipsNaN() {
        Random random = new Random(2);
        for (int count : new int[] {0, 1, 7, 8, 9, 33, 4096}) {
            float[] x = uniform(random, -2f, 6f, count);
            if (count > 3) {
                x[count / 2] = Float.NaN;
                x[count - 1] = Float.NaN;
            }
            float[] expected = new float[2];
            float[] actual = new float[2];
            DynamicQuantize.rangeScalar(x, 0, count, expected);
            DynamicQuantize.range(x, 0, count, actual);
            assertThat(actual).as("range of %d values", count).containsExactly(expected);
            assertThat(Float.isNaN(actual[0]) || Float.isNaN(actual[1])).as("NaN in range").isFalse();
        }
        float[] positive = {3f, 1f, 2f, 5f, 4f, 6f, 7f, 8f, 9f};
        float[] range = new float[2];
        DynamicQuantize.range(positive, 0, positive.length, range);
        assertThat(range).as("the range always includes 0").containsExactly(0f, 9f);
    }

    @Test
    void dequantizeScalesAddsBiasAndClearsNegativeZero() {
        float[] c = {9f, -0f, 3f, -2f, 5f};
        float[] scales = {0.25f, 1f, 0.125f};
        float[] biases = {1f, -1f, 0.125f};
        float[] out = new float[4];
        DynamicQuantize.dequantize(c, 1, out, 1, 3, 2f, scales, biases, null, 0);
        assertThat(out).containsExactly(0f, 1f, 5f, -0.375f);
        DynamicQuantize.dequantize(c, 1, out, 0, 3, 2f, scales, null, null, 0);
        assertThat(Float.floatToIntBits(out[0])).as("-0 times 0.5 without bias").isEqualTo(0);
        assertThat(out[1]).isEqualTo(6f);
        assertThat(out[2]).isEqualTo(-0.5f);
    }

    @Test
    void dequantizeInPlaceAndFromInts() {
        float[] c = {4f, -8f};
        float[] scales = {1.5f, 1f};
        DynamicQuantize.dequantize(c, 0, c, 0, 2, 0.5f, scales, new float[] {1f, 2f}, null, 0);
        assertThat(c).containsExactly(4f, -2f);
        int[] sums = {7, 1 << 25, -3};
        float[] out = new float[2];
        DynamicQuantize.dequantize(sums, 1, out, 0, 2, 0.5f, new float[] {1f, 4f}, null, null, 0);
        assertThat(out).containsExactly(16777216f, -6f);
        DynamicQuantize.dequantize(sums, 1, out, 0, 2, 1f, new float[] {1f, 1f}, null, new float[] {9f, 1f, 2f}, 1);
        assertThat(out).as("int products plus a residual").containsExactly(33554433f, -1f);
    }

    @Test
    void dequantizeAddsResidualAfterBias() {
        // 2^24 + 1 is not a float: adding the bias first rounds it away, as separate Add nodes do.
        float[] c = {16777216f};
        float[] out = new float[1];
        DynamicQuantize.dequantize(c, 0, out, 0, 1, 1f, new float[] {1f}, new float[] {1f},
                new float[] {1f}, 0);
        assertThat(out[0]).isEqualTo(16777216f);
    }

    @Test
    void dequantizeMatchesScalarAtOddLengths() {
        Random random = new Random(3);
        for (int n : new int[] {0, 1, 7, 8, 9, 17, 384, 1001}) {
            float[] c = new float[n + 3];
            for (int i = 0; i < c.length; i++) {
                c[i] = random.nextInt(1 << 20) - (1 << 19);
            }
            c[1] = -0f;
            float[] scales = uniform(random, 1e-4f, 1e-2f, n);
            float[] biases = uniform(random, -1f, 1f, n);
            float[] residual = uniform(random, -2f, 2f, n + 5);
            float scale = 0.0173f;
            for (int variant = 0; variant < 4; variant++) {
                float[] bias = (variant & 1) == 0 ? null : biases;
                float[] add = (variant & 2) == 0 ? null : residual;
                float[] expected = new float[n + 2];
                float[] actual = new float[n + 2];
                DynamicQuantize.dequantizeScalar(c, 3, expected, 1, n, scale, scales, bias, add, 4);
                DynamicQuantize.dequantize(c, 3, actual, 1, n, scale, scales, bias, add, 4);
                for (int j = 0; j < expected.length; j++) {
                    assertThat(Float.floatToIntBits(actual[j])).as("element %d of %d, variant %d", j, n, variant)
                            .isEqualTo(Float.floatToIntBits(expected[j]));
                }
            }
        }
    }

    @Test
    void rangeAtOffsetLeavesOtherSlots() {
        float[] x = {-3f, 1f, 7f, 2f, -1f, 4f, 0.5f, 6f, 9f, -4f};
        float[] ranges = {5f, 6f, 0f, 0f, 7f, 8f};
        DynamicQuantize.range(x, 1, 9, ranges, 2);
        assertThat(ranges).containsExactly(5f, 6f, -1f, 9f, 7f, 8f);
    }
}
