package dev.jonnx.runtime.kernel;

/**
 * LayerNormalization and RMS normalization over rows of length {@code n} (the last axis), with
 * per-column scale and optional bias. LayerNormalization follows the ONNX function body: the
 * mean, then the variance as the mean of (x - mean)^2 (two passes, no E[x^2] - mean^2
 * cancellation), InvStdDev = 1 / sqrt(variance + epsilon), y = (x - mean) * InvStdDev * scale
 * + bias. RMS normalization computes y = x / sqrt(mean(x^2) + epsilon) * scale. The vector
 * path ({@link NormalizationVector}) sums in float across many vector lanes; the scalar twins
 * sum in double, because one float accumulator over thousands of elements would lose about
 * n * 2^-24 relative. The per-element steps are identical. {@code y} may be {@code x}.
 */
public final class Normalization {
    private Normalization() {}

    /**
     * Normalizes {@code rows} rows; {@code bias} may be null, and {@code mean} and
     * {@code invStdDev}, when not null, receive one value per row from index 0.
     */
    public static void layerNorm(float[] x, int xOffset, float[] y, int yOffset, int rows, int n, float[] scale,
            int scaleOffset, float[] bias, int biasOffset, float epsilon, float[] mean, float[] invStdDev) {
        for (int r = 0; r < rows; r++) {
            int xo = xOffset + r * n;
            int yo = yOffset + r * n;
            float mu = Simd.enabled() ? Reductions.sum(x, xo, n) / n : (float) (sumScalar(x, xo, n) / n);
            float variance = (Simd.enabled() ? NormalizationVector.sumOfSquaredDeviations(x, xo, n, mu)
                    : sumOfSquaredDeviationsScalar(x, xo, n, mu)) / n;
            float inverse = (float) (1.0 / Math.sqrt(variance + epsilon));
            if (Simd.enabled()) {
                NormalizationVector.normalize(x, xo, y, yo, n, mu, inverse, scale, scaleOffset, bias, biasOffset);
            } else {
                normalizeScalar(x, xo, y, yo, n, mu, inverse, scale, scaleOffset, bias, biasOffset);
            }
            storeStatistics(mean, invStdDev, r, mu, inverse);
        }
    }

    public static void layerNormScalar(float[] x, int xOffset, float[] y, int yOffset, int rows, int n,
            float[] scale, int scaleOffset, float[] bias, int biasOffset, float epsilon, float[] mean,
            float[] invStdDev) {
        for (int r = 0; r < rows; r++) {
            int xo = xOffset + r * n;
            float mu = (float) (sumScalar(x, xo, n) / n);
            float variance = sumOfSquaredDeviationsScalar(x, xo, n, mu) / n;
            float inverse = (float) (1.0 / Math.sqrt(variance + epsilon));
            normalizeScalar(x, xo, y, yOffset + r * n, n, mu, inverse, scale, scaleOffset, bias, biasOffset);
            storeStatistics(mean, invStdDev, r, mu, inverse);
        }
    }

    /** Normalizes {@code rows} rows by their root mean square; {@code invRms}, when not null, receives one value per row. */
    public static void rmsNorm(float[] x, int xOffset, float[] y, int yOffset, int rows, int n, float[] scale,
            int scaleOffset, float epsilon, float[] invRms) {
        for (int r = 0; r < rows; r++) {
            int xo = xOffset + r * n;
            int yo = yOffset + r * n;
            if (!Simd.enabled()) {
                rmsNormScalar(x, xo, y, yo, 1, n, scale, scaleOffset, epsilon, invRms, r);
                continue;
            }
            float meanSquare = Reductions.sumOfSquares(x, xo, n) / n;
            float inverse = (float) (1.0 / Math.sqrt(meanSquare + epsilon));
            NormalizationVector.scaleRow(x, xo, y, yo, n, inverse, scale, scaleOffset);
            if (invRms != null) {
                invRms[r] = inverse;
            }
        }
    }

    public static void rmsNormScalar(float[] x, int xOffset, float[] y, int yOffset, int rows, int n,
            float[] scale, int scaleOffset, float epsilon, float[] invRms) {
        rmsNormScalar(x, xOffset, y, yOffset, rows, n, scale, scaleOffset, epsilon, invRms, 0);
    }

    /** Normalizes rows, storing their inverse RMS into {@code invRms} from {@code statsIndex}. */
    private static void rmsNormScalar(float[] x, int xOffset, float[] y, int yOffset, int rows, int n,
            float[] scale, int scaleOffset, float epsilon, float[] invRms, int statsIndex) {
        for (int r = 0; r < rows; r++) {
            int xo = xOffset + r * n;
            double sumOfSquares = 0;
            for (int i = 0; i < n; i++) {
                sumOfSquares += (double) x[xo + i] * x[xo + i];
            }
            float meanSquare = (float) (sumOfSquares / n);
            float inverse = (float) (1.0 / Math.sqrt(meanSquare + epsilon));
            scaleRowScalar(x, xo, y, yOffset + r * n, n, inverse, scale, scaleOffset);
            if (invRms != null) {
                invRms[statsIndex + r] = inverse;
            }
        }
    }

    private static void storeStatistics(float[] mean, float[] invStdDev, int row, float mu, float inverse) {
        if (mean != null) {
            mean[row] = mu;
        }
        if (invStdDev != null) {
            invStdDev[row] = inverse;
        }
    }

    private static double sumScalar(float[] x, int offset, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += x[offset + i];
        }
        return sum;
    }

    static float sumOfSquaredDeviationsScalar(float[] x, int offset, int n, float mu) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double d = x[offset + i] - mu;
            sum += d * d;
        }
        return (float) sum;
    }

    static void normalizeScalar(float[] x, int xOffset, float[] y, int yOffset, int n, float mu, float inverse,
            float[] scale, int scaleOffset, float[] bias, int biasOffset) {
        for (int i = 0; i < n; i++) {
            float normalized = (x[xOffset + i] - mu) * inverse;
            float b = bias == null ? 0f : bias[biasOffset + i];
            y[yOffset + i] = Math.fma(normalized, scale[scaleOffset + i], b);
        }
    }

    static void scaleRowScalar(float[] x, int xOffset, float[] y, int yOffset, int n, float inverse, float[] scale,
            int scaleOffset) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] = x[xOffset + i] * inverse * scale[scaleOffset + i];
        }
    }
}
