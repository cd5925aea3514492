package dev.jonnx.runtime.kernel;

import static dev.jonnx.runtime.kernel.VectorMathVector.LANES;
import static dev.jonnx.runtime.kernel.VectorMathVector.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** The vector path of {@link Softmax}, one row at a time. */
final class SoftmaxVector {
    private SoftmaxVector() {}

    /** Stores exp(x - max) into y and returns its sum, or only returns the sum when y is null. */
    private static float expMinusMax(float[] x, int xOffset, float[] y, int yOffset, int n, float max) {
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = acc0;
        int i = 0;
        for (int bound = n - 2 * LANES; i <= bound; i += 2 * LANES) {
            FloatVector e0 = VectorMathVector.exp(FloatVector.fromArray(SPECIES, x, xOffset + i).sub(max));
            FloatVector e1 = VectorMathVector.exp(FloatVector.fromArray(SPECIES, x, xOffset + i + LANES).sub(max));
            if (y != null) {
                e0.intoArray(y, yOffset + i);
                e1.intoArray(y, yOffset + i + LANES);
            }
            acc0 = acc0.add(e0);
            acc1 = acc1.add(e1);
        }
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector e0 = VectorMathVector.exp(FloatVector.fromArray(SPECIES, x, xOffset + i).sub(max));
            if (y != null) {
                e0.intoArray(y, yOffset + i);
            }
            acc0 = acc0.add(e0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float e = VectorMath.exp(x[xOffset + i] - max);
            if (y != null) {
                y[yOffset + i] = e;
            }
            sum += e;
        }
        return sum;
    }

    static void softmax(float[] x, int xOffset, float[] y, int yOffset, int n) {
        float max = ReductionsVector.max(x, xOffset, n);
        float sum = expMinusMax(x, xOffset, y, yOffset, n, max);
        FloatArithmeticVector.mul(y, yOffset, 1f / sum, y, yOffset, n);
    }

    static void logSoftmax(float[] x, int xOffset, float[] y, int yOffset, int n) {
        float max = ReductionsVector.max(x, xOffset, n);
        float logSum = (float) Math.log(expMinusMax(x, xOffset, null, 0, n, max));
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(SPECIES, x, xOffset + i).sub(max).sub(logSum).intoArray(y, yOffset + i);
        }
        for (; i < n; i++) {
            y[yOffset + i] = (x[xOffset + i] - max) - logSum;
        }
    }
}
