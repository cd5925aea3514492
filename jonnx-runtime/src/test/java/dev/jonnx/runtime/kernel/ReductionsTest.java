package dev.jonnx.runtime.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The vector row reductions against their scalar twins and double sums. */
class ReductionsTest {
    static int[] sizes() {
        int lanes = Math.max(1, Simd.FLOAT_LANES);
        return new int[] {0, 1, lanes - 1, lanes, lanes + 1, 4 * lanes - 1, 4 * lanes, 4 * lanes + 3, 8 * lanes + 5,
            3001};
    }

    @Test
    void integerValuedSumsAreExact() {
        Random random = new Random(4);
        for (int n : sizes()) {
            float[] x = new float[n + 1];
            float[] y = new float[n + 2];
            long sum = 0;
            long squares = 0;
            long dot = 0;
            for (int i = 0; i < n; i++) {
                int v = random.nextInt(41) - 20;
                int w = random.nextInt(41) - 20;
                x[i + 1] = v;
                y[i + 2] = w;
                sum += v;
                squares += (long) v * v;
                dot += (long) v * w;
            }
            assertThat(Reductions.sum(x, 1, n)).as("sum of %d", n).isEqualTo((float) sum);
            assertThat(Reductions.sumOfSquares(x, 1, n)).as("sum of squares of %d", n).isEqualTo((float) squares);
            assertThat(Reductions.dot(x, 1, y, 2, n)).as("dot of %d", n).isEqualTo((float) dot);
            assertThat(Reductions.sumScalar(x, 1, n)).as("scalar sum of %d", n).isEqualTo((float) sum);
        }
    }

    @Test
    void randomSumsMatchScalarWithinRounding() {
        Random random = new Random(5);
        for (int n : sizes()) {
            float[] x = new float[n];
            float[] y = new float[n];
            double sum = 0;
            double absolute = 0;
            double dot = 0;
            double dotAbsolute = 0;
            for (int i = 0; i < n; i++) {
                x[i] = random.nextFloat() * 2 - 1;
                y[i] = random.nextFloat() * 2 - 1;
                sum += x[i];
                absolute += Math.abs(x[i]);
                dot += (double) x[i] * y[i];
                dotAbsolute += Math.abs((double) x[i] * y[i]);
            }
            float tolerance = (float) (n * 0x1p-24 * absolute) + 1e-30f;
            assertThat(Reductions.sum(x, 0, n)).as("sum of %d", n).isCloseTo((float) sum, within(tolerance));
            assertThat(Reductions.sum(x, 0, n)).as("sum of %d against scalar", n)
                    .isCloseTo(Reductions.sumScalar(x, 0, n), within(2 * tolerance));
            float dotTolerance = (float) (n * 0x1p-24 * dotAbsolute) + 1e-30f;
            assertThat(Reductions.dot(x, 0, y, 0, n)).as("dot of %d", n).isCloseTo((float) dot, within(dotTolerance));
            assertThat(Reductions.dot(x, 0, y, 0, n)).as("dot of %d against scalar", n)
                    .isCloseTo(Reductions.dotScalar(x, 0, y, 0, n), within(2 * dotTolerance));
            assertThat(Reductions.sumOfSquares(x, 0, n)).as("sum of squares of %d against scalar", n)
                    .isCloseTo(Reductions.sumOfSquaresScalar(x, 0, n), within((float) (2 * n * 0x1p-24 * n) + 1e-30f));
        }
    }

    @Test
    void maxFindsEveryPosition() {
        for (int n : sizes()) {
            for (int at = 0; at < n; at += Math.max(1, n / 7)) {
                float[] x = new float[n];
                java.util.Arrays.fill(x, -5f);
                x[at] = 3f;
                assertThat(Reductions.max(x, 0, n)).as("max of %d at %d", n, at).isEqualTo(3f);
                x[at] = Float.NaN;
                assertThat(Reductions.max(x, 0, n)).as("max of %d with NaN at %d", n, at).isNaN();
                assertThat(Reductions.maxScalar(x, 0, n)).as("scalar max of %d with NaN at %d", n, at).isNaN();
            }
        }
    }

    @Test
    void emptyRowsGiveIdentities() {
        float[] x = {7f};
        assertThat(Reductions.sum(x, 1, 0)).isEqualTo(0f);
        assertThat(Reductions.max(x, 1, 0)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(Reductions.sumOfSquares(x, 1, 0)).isEqualTo(0f);
        assertThat(Reductions.dot(x, 1, x, 1, 0)).isEqualTo(0f);
    }

    @Test
    void infinitiesPropagate() {
        float[] x = new float[37];
        x[20] = Float.POSITIVE_INFINITY;
        assertThat(Reductions.sum(x, 0, x.length)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Reductions.max(x, 0, x.length)).isEqualTo(Float.POSITIVE_INFINITY);
        x[30] = Float.NEGATIVE_INFINITY;
        assertThat(Reductions.sum(x, 0, x.length)).isNaN();
    }
}
