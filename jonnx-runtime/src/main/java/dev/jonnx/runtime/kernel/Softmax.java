package dev.jonnx.runtime.kernel;

/**
 * Softmax and LogSoftmax over rows of length {@code n} (the last axis), stable through max
 * subtraction: passes find the row max, compute exp(x - max) and its sum, and scale
 * (softmax by 1/sum, log-softmax by subtracting log(sum)). The exp is {@link VectorMath#exp},
 * so the vector path ({@link SoftmaxVector}) and the scalar twins differ only in the sum: the
 * vector path adds in float across lanes, the scalar twins add in double, because one float
 * accumulator over thousands of elements would lose about n * 2^-24 relative. {@code y} may be {@code x} at the same offset. As in the plain formula, a row with
 * +Inf, or with only -Inf, gives NaN; a row containing NaN gives NaN throughout.
 */
public final class Softmax {
    private Softmax() {}

    public static void softmax(float[] x, int xOffset, float[] y, int yOffset, int rows, int n) {
        for (int r = 0; r < rows; r++) {
            int xo = xOffset + r * n;
            int yo = yOffset + r * n;
            if (Simd.enabled()) {
                SoftmaxVector.softmax(x, xo, y, yo, n);
            } else {
                softmaxRowScalar(x, xo, y, yo, n);
            }
        }
    }

    public static void logSoftmax(float[] x, int xOffset, float[] y, int yOffset, int rows, int n) {
        for (int r = 0; r < rows; r++) {
            int xo = xOffset + r * n;
            int yo = yOffset + r * n;
            if (Simd.enabled()) {
                SoftmaxVector.logSoftmax(x, xo, y, yo, n);
            } else {
                logSoftmaxRowScalar(x, xo, y, yo, n);
            }
        }
    }

    public static void softmaxScalar(float[] x, int xOffset, float[] y, int yOffset, int rows, int n) {
        for (int r = 0; r < rows; r++) {
            softmaxRowScalar(x, xOffset + r * n, y, yOffset + r * n, n);
        }
    }

    public static void logSoftmaxScalar(float[] x, int xOffset, float[] y, int yOffset, int rows, int n) {
        for (int r = 0; r < rows; r++) {
            logSoftmaxRowScalar(x, xOffset + r * n, y, yOffset + r * n, n);
        }
    }

    private static void softmaxRowScalar(float[] x, int xOffset, float[] y, int yOffset, int n) {
        float max = Reductions.maxScalar(x, xOffset, n);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = VectorMath.exp(x[xOffset + i] - max);
            y[yOffset + i] = e;
            sum += e;
        }
        float inverse = (float) (1 / sum);
        for (int i = 0; i < n; i++) {
            y[yOffset + i] *= inverse;
        }
    }

    private static void logSoftmaxRowScalar(float[] x, int xOffset, float[] y, int yOffset, int n) {
        float max = Reductions.maxScalar(x, xOffset, n);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += VectorMath.exp(x[xOffset + i] - max);
        }
        float logSum = (float) Math.log(sum);
        for (int i = 0; i < n; i++) {
            y[yOffset + i] = (x[xOffset + i] - max) - logSum;
        }
    }
}
