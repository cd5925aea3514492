package dev.jonnx.runtime.kernel;

import static dev.jonnx.runtime.kernel.VectorMathVector.LANES;
import static dev.jonnx.runtime.kernel.VectorMathVector.SPECIES;

import jdk.incubator.vector.FloatVector;

/**
 * The vector path of {@link Softmax}, one row at a time, in simple array passes (subtract,
 * exp, sum, scale). Calling the exp lane code from a fused loop left it uninlined in C2 and
 * made softmax slower than the scalar twin; the array exp loop compiles reliably.
 */
final class SoftmaxVector {
    private SoftmaxVector() {}

    static void softmax(float[] x, int xOffset, float[] y, int yOffset, int n) {
        float max = ReductionsVector.max(x, xOffset, n);
        FloatArithmeticVector.sub(x, xOffset, max, y, yOffset, n);
        VectorMathVector.exp(y, yOffset, y, yOffset, n);
        float sum = ReductionsVector.sum(y, yOffset, n);
        FloatArithmeticVector.mul(y, yOffset, 1f / sum, y, yOffset, n);
    }

    static void logSoftmax(float[] x, int xOffset, float[] y, int yOffset, int n) {
        float max = ReductionsVector.max(x, xOffset, n);
        // exp(x - max) needs scratch space; y serves unless it is x itself.
        boolean inPlace = x == y && xOffset == yOffset;
        float[] scratch = inPlace ? new float[n] : y;
        int scratchOffset = inPlace ? 0 : yOffset;
        FloatArithmeticVector.sub(x, xOffset, max, scratch, scratchOffset, n);
        VectorMathVector.exp(scratch, scratchOffset, scratch, scratchOffset, n);
        float logSum = (float) Math.log(ReductionsVector.sum(scratch, scratchOffset, n));
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(SPECIES, x, xOffset + i).sub(max).sub(logSum).intoArray(y, yOffset + i);
        }
        for (; i < n; i++) {
            y[yOffset + i] = (x[xOffset + i] - max) - logSum;
        }
    }
}
