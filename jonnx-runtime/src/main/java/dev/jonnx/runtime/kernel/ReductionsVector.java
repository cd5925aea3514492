package dev.jonnx.runtime.kernel;

import static dev.jonnx.runtime.kernel.VectorMathVector.LANES;
import static dev.jonnx.runtime.kernel.VectorMathVector.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The vector path of {@link Reductions}: four independent accumulators hide the add latency,
 * then one accumulator takes the remaining whole vectors and scalar code the tail.
 */
final class ReductionsVector {
    private static final int STEP = 4 * LANES;

    private ReductionsVector() {}

    static float sum(float[] x, int offset, int n) {
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = acc0;
        FloatVector acc2 = acc0;
        FloatVector acc3 = acc0;
        int i = 0;
        for (int bound = n - STEP; i <= bound; i += STEP) {
            int at = offset + i;
            acc0 = acc0.add(FloatVector.fromArray(SPECIES, x, at));
            acc1 = acc1.add(FloatVector.fromArray(SPECIES, x, at + LANES));
            acc2 = acc2.add(FloatVector.fromArray(SPECIES, x, at + 2 * LANES));
            acc3 = acc3.add(FloatVector.fromArray(SPECIES, x, at + 3 * LANES));
        }
        acc0 = acc0.add(acc1).add(acc2.add(acc3));
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            acc0 = acc0.add(FloatVector.fromArray(SPECIES, x, offset + i));
        }
        float sum = sumLanes(acc0);
        for (; i < n; i++) {
            sum += x[offset + i];
        }
        return sum;
    }

    static float max(float[] x, int offset, int n) {
        FloatVector acc0 = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        FloatVector acc1 = acc0;
        FloatVector acc2 = acc0;
        FloatVector acc3 = acc0;
        int i = 0;
        for (int bound = n - STEP; i <= bound; i += STEP) {
            int at = offset + i;
            acc0 = acc0.max(FloatVector.fromArray(SPECIES, x, at));
            acc1 = acc1.max(FloatVector.fromArray(SPECIES, x, at + LANES));
            acc2 = acc2.max(FloatVector.fromArray(SPECIES, x, at + 2 * LANES));
            acc3 = acc3.max(FloatVector.fromArray(SPECIES, x, at + 3 * LANES));
        }
        acc0 = acc0.max(acc1).max(acc2.max(acc3));
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            acc0 = acc0.max(FloatVector.fromArray(SPECIES, x, offset + i));
        }
        float max = acc0.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, x[offset + i]);
        }
        return max;
    }

    static float sumOfSquares(float[] x, int offset, int n) {
        return dot(x, offset, x, offset, n);
    }

    static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        FloatVector acc0 = FloatVector.zero(SPECIES);
        FloatVector acc1 = acc0;
        FloatVector acc2 = acc0;
        FloatVector acc3 = acc0;
        int i = 0;
        for (int bound = n - STEP; i <= bound; i += STEP) {
            int at = aOffset + i;
            int bt = bOffset + i;
            acc0 = FloatVector.fromArray(SPECIES, a, at).fma(FloatVector.fromArray(SPECIES, b, bt), acc0);
            acc1 = FloatVector.fromArray(SPECIES, a, at + LANES)
                    .fma(FloatVector.fromArray(SPECIES, b, bt + LANES), acc1);
            acc2 = FloatVector.fromArray(SPECIES, a, at + 2 * LANES)
                    .fma(FloatVector.fromArray(SPECIES, b, bt + 2 * LANES), acc2);
            acc3 = FloatVector.fromArray(SPECIES, a, at + 3 * LANES)
                    .fma(FloatVector.fromArray(SPECIES, b, bt + 3 * LANES), acc3);
        }
        acc0 = acc0.add(acc1).add(acc2.add(acc3));
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            acc0 = FloatVector.fromArray(SPECIES, a, aOffset + i)
                    .fma(FloatVector.fromArray(SPECIES, b, bOffset + i), acc0);
        }
        float sum = sumLanes(acc0);
        for (; i < n; i++) {
            sum = Math.fma(a[aOffset + i], b[bOffset + i], sum);
        }
        return sum;
    }

    /**
     * Sums the lanes of {@code v} from lane 0 upwards. The Vector API leaves the order of a
     * float {@code reduceLanes(ADD)} unspecified, and it changed once C2 compiled the loop, so
     * the same input gave different results from run to run.
     */
    static float sumLanes(FloatVector v) {
        float sum = 0;
        for (int lane = 0; lane < v.length(); lane++) {
            sum += v.lane(lane);
        }
        return sum;
    }
}
