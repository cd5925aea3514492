package dev.jonnx.runtime.kernel;

import static dev.jonnx.runtime.kernel.VectorMathVector.LANES;
import static dev.jonnx.runtime.kernel.VectorMathVector.SPECIES;

import jdk.incubator.vector.FloatVector;

/** The vector path of {@link Normalization}. */
final class NormalizationVector {
    private NormalizationVector() {}

    static float sumOfSquaredDeviations(float[] x, int offset, int n, float mu) {
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = acc0;
        int i = 0;
        for (int bound = n - 2 * LANES; i <= bound; i += 2 * LANES) {
            FloatVector d0 = FloatVector.fromArray(SPECIES, x, offset + i).sub(mu);
            FloatVector d1 = FloatVector.fromArray(SPECIES, x, offset + i + LANES).sub(mu);
            acc0 = d0.fma(d0, acc0);
            acc1 = d1.fma(d1, acc1);
        }
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector d0 = FloatVector.fromArray(SPECIES, x, offset + i).sub(mu);
            acc0 = d0.fma(d0, acc0);
        }
        float sum = ReductionsVector.sumLanes(acc0.add(acc1));
        for (; i < n; i++) {
            float d = x[offset + i] - mu;
            sum = Math.fma(d, d, sum);
        }
        return sum;
    }

    static void normalize(float[] x, int xOffset, float[] y, int yOffset, int n, float mu, float inverse,
            float[] scale, int scaleOffset, float[] bias, int biasOffset) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector normalized = FloatVector.fromArray(SPECIES, x, xOffset + i).sub(mu).mul(inverse);
            FloatVector s = FloatVector.fromArray(SPECIES, scale, scaleOffset + i);
            FloatVector b = bias == null ? FloatVector.zero(SPECIES) : FloatVector.fromArray(SPECIES, bias, biasOffset + i);
            normalized.fma(s, b).intoArray(y, yOffset + i);
        }
        Normalization.normalizeScalar(x, xOffset + i, y, yOffset + i, n - i, mu, inverse, scale, scaleOffset + i,
                bias, biasOffset + i);
    }

    static void scaleRow(float[] x, int xOffset, float[] y, int yOffset, int n, float inverse, float[] scale,
            int scaleOffset) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(SPECIES, x, xOffset + i).mul(inverse)
                    .mul(FloatVector.fromArray(SPECIES, scale, scaleOffset + i)).intoArray(y, yOffset + i);
        }
        Normalization.scaleRowScalar(x, xOffset + i, y, yOffset + i, n - i, inverse, scale, scaleOffset + i);
    }
}
