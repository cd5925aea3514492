package dev.jonnx.runtime.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** LayerNormalization and RMS normalization against double references and the scalar twins. */
class NormalizationTest {
    @Test
    void layerNormMatchesReference() {
        Random random = new Random(12);
        for (int n : ReductionsTest.sizes()) {
            if (n == 0) {
                continue;
            }
            int rows = 2;
            float[] x = new float[rows * n];
            float[] scale = new float[n + 1];
            float[] bias = new float[n + 2];
            for (int i = 0; i < x.length; i++) {
                x[i] = 100f + random.nextFloat() * 6 - 3;
            }
            for (int i = 0; i < scale.length; i++) {
                scale[i] = random.nextFloat() + 0.5f;
            }
            for (int i = 0; i < bias.length; i++) {
                bias[i] = random.nextFloat() - 0.5f;
            }
            float epsilon = 1e-5f;
            for (boolean withBias : new boolean[] {true, false}) {
                float[] y = new float[rows * n];
                float[] yScalar = new float[rows * n];
                float[] mean = new float[rows];
                float[] inv = new float[rows];
                float[] meanScalar = new float[rows];
                float[] invScalar = new float[rows];
                float[] b = withBias ? bias : null;
                Normalization.layerNorm(x, 0, y, 0, rows, n, scale, 1, b, 2, epsilon, mean, inv);
                Normalization.layerNormScalar(x, 0, yScalar, 0, rows, n, scale, 1, b, 2, epsilon, meanScalar,
                        invScalar);
                for (int r = 0; r < rows; r++) {
                    double mu = 0;
                    for (int i = 0; i < n; i++) {
                        mu += x[r * n + i];
                    }
                    mu /= n;
                    double variance = 0;
                    for (int i = 0; i < n; i++) {
                        variance += (x[r * n + i] - mu) * (x[r * n + i] - mu);
                    }
                    variance /= n;
                    double invStd = 1 / Math.sqrt(variance + epsilon);
                    assertThat((double) mean[r]).as("mean of row %d, n %d", r, n).isCloseTo(mu, within(1e-4));
                    assertThat((double) inv[r]).as("invStdDev of row %d, n %d", r, n)
                            .isCloseTo(invStd, within(2e-4 * invStd));
                    for (int i = 0; i < n; i++) {
                        double expected = (x[r * n + i] - mu) * invStd * scale[1 + i] + (withBias ? bias[2 + i] : 0);
                        assertThat((double) y[r * n + i]).as("y row %d element %d, n %d", r, i, n)
                                .isCloseTo(expected, within(2e-4 * (1 + Math.abs(expected))));
                        assertThat(yScalar[r * n + i]).as("scalar y row %d element %d, n %d", r, i, n)
                                .isCloseTo(y[r * n + i], within(4e-4f * (1 + Math.abs(y[r * n + i]))));
                    }
                }
            }
        }
    }

    @Test
    void constantRowNormalizesToBias() {
        float[] x = {5f, 5f, 5f, 5f, 5f, 5f, 5f, 5f, 5f, 5f, 5f};
        float[] scale = new float[x.length];
        float[] bias = new float[x.length];
        java.util.Arrays.fill(scale, 2f);
        java.util.Arrays.fill(bias, 0.25f);
        float[] inv = new float[1];
        Normalization.layerNorm(x, 0, x, 0, 1, x.length, scale, 0, bias, 0, 1e-2f, null, inv);
        assertThat(x).containsOnly(0.25f);
        assertThat(inv[0]).isCloseTo(10f, within(1e-4f));
    }

    @Test
    void rmsNormMatchesReference() {
        Random random = new Random(13);
        for (int n : ReductionsTest.sizes()) {
            if (n == 0) {
                continue;
            }
            float[] x = new float[n + 1];
            float[] scale = new float[n];
            for (int i = 0; i < x.length; i++) {
                x[i] = random.nextFloat() * 4 - 2;
            }
            for (int i = 0; i < n; i++) {
                scale[i] = random.nextFloat() + 0.5f;
            }
            float[] y = new float[n];
            float[] yScalar = new float[n];
            float[] invRms = new float[1];
            Normalization.rmsNorm(x, 1, y, 0, 1, n, scale, 0, 1e-6f, invRms);
            Normalization.rmsNormScalar(x, 1, yScalar, 0, 1, n, scale, 0, 1e-6f, null);
            double meanSquare = 0;
            for (int i = 0; i < n; i++) {
                meanSquare += (double) x[1 + i] * x[1 + i];
            }
            meanSquare /= n;
            double inverse = 1 / Math.sqrt(meanSquare + 1e-6);
            assertThat((double) invRms[0]).as("inverse RMS, n %d", n).isCloseTo(inverse, within(1e-5 * inverse));
            for (int i = 0; i < n; i++) {
                double expected = x[1 + i] * inverse * scale[i];
                assertThat((double) y[i]).as("y element %d, n %d", i, n)
                        .isCloseTo(expected, within(1e-5 * (1 + Math.abs(expected))));
                assertThat(yScalar[i]).as("scalar y element %d, n %d", i, n)
                        .isCloseTo(y[i], within(2e-5f * (1 + Math.abs(y[i]))));
            }
        }
    }
}
