package dev.jonnx.runtime.kernel;

/**
 * Reductions of one row of floats ({@code n} elements from {@code offset}): sum, max, sum of
 * squares and dot product. The vector path ({@link ReductionsVector}) keeps four vector
 * accumulators and adds the tail in scalar code, so its sums are in a different order than the
 * scalar twins' left-to-right loops and may differ in the last bits (by at most about
 * n * 2^-24 * sum of |terms|); max is exact in both. An empty row gives 0, or -Inf for max.
 */
public final class Reductions {
    private Reductions() {}

    public static float sum(float[] x, int offset, int n) {
        return Simd.enabled() ? ReductionsVector.sum(x, offset, n) : sumScalar(x, offset, n);
    }

    /** Returns the maximum, NaN if any element is NaN (as {@link Math#max}), -Inf for n = 0. */
    public static float max(float[] x, int offset, int n) {
        return Simd.enabled() ? ReductionsVector.max(x, offset, n) : maxScalar(x, offset, n);
    }

    public static float sumOfSquares(float[] x, int offset, int n) {
        return Simd.enabled() ? ReductionsVector.sumOfSquares(x, offset, n) : sumOfSquaresScalar(x, offset, n);
    }

    public static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        return Simd.enabled() ? ReductionsVector.dot(a, aOffset, b, bOffset, n) : dotScalar(a, aOffset, b, bOffset, n);
    }

    public static float sumScalar(float[] x, int offset, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += x[offset + i];
        }
        return sum;
    }

    public static float maxScalar(float[] x, int offset, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[offset + i]);
        }
        return max;
    }

    public static float sumOfSquaresScalar(float[] x, int offset, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            float v = x[offset + i];
            sum = Math.fma(v, v, sum);
        }
        return sum;
    }

    public static float dotScalar(float[] a, int aOffset, float[] b, int bOffset, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum = Math.fma(a[aOffset + i], b[bOffset + i], sum);
        }
        return sum;
    }
}
