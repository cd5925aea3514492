package dev.jonnx.runtime.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Softmax and LogSoftmax rows against double references and the scalar twins. */
class SoftmaxTest {
    static double[] referenceSoftmax(float[] x, int offset, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[offset + i]);
        }
        double sum = 0;
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = Math.exp(x[offset + i] - max);
            sum += y[i];
        }
        for (int i = 0; i < n; i++) {
            y[i] /= sum;
        }
        return y;
    }

    @Test
    void rowsMatchReference() {
        Random random = new Random(11);
        for (int n : ReductionsTest.sizes()) {
            if (n == 0) {
                continue;
            }
            int rows = 3;
            float[] x = new float[rows * n + 1];
            for (int i = 0; i < x.length; i++) {
                x[i] = random.nextFloat() * 40 - 20;
            }
            float[] y = new float[rows * n + 2];
            float[] logY = new float[rows * n + 2];
            float[] scalar = new float[rows * n + 2];
            float[] logScalar = new float[rows * n + 2];
            Softmax.softmax(x, 1, y, 2, rows, n);
            Softmax.logSoftmax(x, 1, logY, 2, rows, n);
            Softmax.softmaxScalar(x, 1, scalar, 2, rows, n);
            Softmax.logSoftmaxScalar(x, 1, logScalar, 2, rows, n);
            for (int r = 0; r < rows; r++) {
                double[] expected = referenceSoftmax(x, 1 + r * n, n);
                float max = Reductions.maxScalar(x, 1 + r * n, n);
                for (int i = 0; i < n; i++) {
                    int at = 2 + r * n + i;
                    // x - max is rounded in float, which moves exp(x - max) by up to |x - max| * 2^-24.
                    double shift = Math.abs(x[1 + r * n + i] - max);
                    double tolerance = (1e-6 + shift * 0x1p-23) * expected[i] + 1e-37;
                    assertThat((double) y[at]).as("softmax row %d of %d, element %d", r, n, i)
                            .isCloseTo(expected[i], within(tolerance));
                    assertThat((double) scalar[at]).as("scalar softmax row %d of %d, element %d", r, n, i)
                            .isCloseTo(expected[i], within(tolerance));
                    double expectedLog = Math.log(expected[i]);
                    assertThat((double) logY[at]).as("log-softmax row %d of %d, element %d", r, n, i)
                            .isCloseTo(expectedLog, within(1e-6 * Math.abs(expectedLog) + 1e-6));
                    assertThat(logScalar[at]).as("scalar log-softmax row %d of %d, element %d", r, n, i)
                            .isCloseTo(logY[at], within(1e-6f * Math.abs(logY[at]) + 1e-6f));
                }
            }
            assertThat(y[0]).isZero();
            assertThat(y[1]).isZero();
        }
    }

    @Test
    void largeInputsDoNotOverflow() {
        float[] x = {1000f, 1000f, 999f, -1000f, 1000f, 1000f, 1000f, 1000f, 1000f};
        float[] y = new float[x.length];
        Softmax.softmax(x, 0, y, 0, 1, x.length);
        double sum = 0;
        for (float v : y) {
            assertThat(v).isFinite();
            sum += v;
        }
        assertThat(sum).isCloseTo(1.0, within(1e-6));
        assertThat(y[3]).isZero();
        Softmax.logSoftmax(x, 0, y, 0, 1, x.length);
        assertThat(y[3]).isCloseTo(-2000f - (float) Math.log(7 + Math.exp(-1)), within(1e-3f));
    }

    @Test
    void logSoftmaxInPlaceMatchesOutOfPlace() {
        Random random = new Random(17);
        float[] x = new float[2 * 37];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat() * 10 - 5;
        }
        float[] expected = new float[x.length];
        Softmax.logSoftmax(x, 0, expected, 0, 2, 37);
        Softmax.logSoftmax(x, 0, x, 0, 2, 37);
        assertThat(x).containsExactly(expected);
    }

    @Test
    void inPlaceAndSpecialRows() {
        float[] x = {1f, 2f, 3f, Float.NaN, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f};
        Softmax.softmax(x, 0, x, 0, 1, 3);
        assertThat(x[0] + x[1] + x[2]).isCloseTo(1f, within(1e-6f));
        assertThat(x[2] / x[1]).isCloseTo((float) Math.E, within(1e-5f));
        float[] withNaN = {1f, Float.NaN, 3f, 4f, 5f, 6f, 7f, 8f, 9f};
        Softmax.softmax(withNaN, 0, withNaN, 0, 1, withNaN.length);
        for (float v : withNaN) {
            assertThat(v).isNaN();
        }
        float[] negativeInfinity = {Float.NEGATIVE_INFINITY, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f};
        Softmax.softmax(negativeInfinity, 0, negativeInfinity, 0, 1, negativeInfinity.length);
        assertThat(negativeInfinity[0]).isZero();
        assertThat(negativeInfinity[1]).isCloseTo(0.125f, within(1e-7f));
    }
}
