package dev.jonnx.runtime.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The vector path of {@link DynamicQuantize}. */
final class DynamicQuantizeVector {
    private static final VectorSpecies<Float> SPECIES = VectorMathVector.SPECIES;
    private static final int LANES = SPECIES.length();
    /**
     * 1.5 * 2^23. For |q| <= 2^22, (q + ROUNDER) - ROUNDER is q rounded half to even, because
     * the sum lies in [2^23, 2^24], where floats are the integers, the addition rounds to nearest
     * even, and ROUNDER is even.
     */
    private static final float ROUNDER = 12582912f;
    /**
     * Quotients are clamped to +-LIMIT before rounding. The zero point is at most 255, so any
     * quotient beyond 512 saturates to 0 or 255 either way.
     */
    private static final float LIMIT = 512f;
    /** Vector steps between moves of the lane sums to the int total: 255 * 2^15 < 2^24. */
    private static final int FLUSH_STEPS = 1 << 15;

    private DynamicQuantizeVector() {}

    static void range(float[] x, int from, int to, float[] range) {
        FloatVector min = FloatVector.broadcast(SPECIES, range[0]);
        FloatVector max = FloatVector.broadcast(SPECIES, range[1]);
        int i = from;
        for (; i + LANES <= to; i += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            // Compare and blend rather than min/max, so NaN is skipped as in the scalar loop.
            min = min.blend(v, v.compare(VectorOperators.LT, min));
            max = max.blend(v, v.compare(VectorOperators.GT, max));
        }
        float lowest = range[0];
        float highest = range[1];
        for (int lane = 0; lane < LANES; lane++) {
            float low = min.lane(lane);
            float high = max.lane(lane);
            lowest = low < lowest ? low : lowest;
            highest = high > highest ? high : highest;
        }
        range[0] = lowest;
        range[1] = highest;
        DynamicQuantize.rangeScalar(x, i, to, range);
    }

    static int quantize(float[] x, int from, int count, float scale, int zeroPoint, float[] out, int outFrom) {
        if (scale == 0f) {
            java.util.Arrays.fill(out, outFrom, outFrom + count, 0f);
            return 0;
        }
        float zero = zeroPoint;
        FloatVector sums = FloatVector.zero(SPECIES);
        int sum = 0;
        int i = 0;
        for (int step = 1; i + LANES <= count; i += LANES, step++) {
            FloatVector q = FloatVector.fromArray(SPECIES, x, from + i).div(scale);
            VectorMask<Float> nan = q.test(VectorOperators.IS_NAN);
            q = q.max(-LIMIT).min(LIMIT).blend(0f, nan);
            FloatVector rounded = q.add(ROUNDER).sub(ROUNDER);
            FloatVector shifted = rounded.add(zero).max(0f).min(255f).sub(zero);
            shifted.intoArray(out, outFrom + i);
            sums = sums.add(shifted.abs());
            // Each lane adds at most 255 per step, so its sum stays an exact integer below 2^24
            // when moved to the int total every FLUSH_STEPS steps.
            if (step % FLUSH_STEPS == 0) {
                sum += (int) sums.reduceLanes(VectorOperators.ADD);
                sums = FloatVector.zero(SPECIES);
            }
        }
        sum += (int) sums.reduceLanes(VectorOperators.ADD);
        return sum + DynamicQuantize.quantizeScalar(x, from + i, count - i, scale, zeroPoint, out, outFrom + i);
    }
}
