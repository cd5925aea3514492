package dev.jonnx.runtime.kernel;

import jdk.incubator.vector.FloatVector;
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
    /** Vector steps between moves of the lane sums to the int total: 255 * 2^15 < 2^24. */
    private static final int FLUSH_STEPS = 1 << 15;

    private DynamicQuantizeVector() {}

    static void range(float[] x, int from, int to, float[] range, int at) {
        FloatVector min = FloatVector.broadcast(SPECIES, range[at]);
        FloatVector max = FloatVector.broadcast(SPECIES, range[at + 1]);
        int i = from;
        for (; i + LANES <= to; i += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            // Compare and blend rather than min/max, so NaN is skipped as in the scalar loop.
            min = min.blend(v, v.compare(VectorOperators.LT, min));
            max = max.blend(v, v.compare(VectorOperators.GT, max));
        }
        float lowest = range[at];
        float highest = range[at + 1];
        for (int lane = 0; lane < LANES; lane++) {
            float low = min.lane(lane);
            float high = max.lane(lane);
            lowest = low < lowest ? low : lowest;
            highest = high > highest ? high : highest;
        }
        range[at] = lowest;
        range[at + 1] = highest;
        DynamicQuantize.rangeScalar(x, i, to, range, at);
    }

    /**
     * Quantizes as {@link DynamicQuantize#quantizeScalar} does. The quotient is clamped to
     * [-zeroPoint, 255 - zeroPoint] before rounding, which gives what clamping the rounded value
     * plus the zero point to [0, 255] gives, because both bounds are integers and rounding keeps
     * the order. NaN becomes 0, the zero point. The clamps compare and blend, which C2 compiles to
     * two instructions each, where min and max handle NaN and signed zeros with several more.
     */
    static int quantize(float[] x, int from, int count, float scale, int zeroPoint, float[] out, int outFrom) {
        if (scale == 0f) {
            java.util.Arrays.fill(out, outFrom, outFrom + count, 0f);
            return 0;
        }
        float low = -zeroPoint;
        float high = 255 - zeroPoint;
        FloatVector sums = FloatVector.zero(SPECIES);
        int sum = 0;
        int i = 0;
        for (int step = 1; i + LANES <= count; i += LANES, step++) {
            FloatVector q = FloatVector.fromArray(SPECIES, x, from + i).div(scale);
            q = q.blend(low, q.compare(VectorOperators.LT, low));
            q = q.blend(high, q.compare(VectorOperators.GT, high));
            q = q.blend(0f, q.test(VectorOperators.IS_NAN));
            FloatVector shifted = q.add(ROUNDER).sub(ROUNDER);
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

    static void dequantize(float[] c, int from, float[] out, int at, int n, float scale, float[] scales,
            float[] biases, float[] residual, int residualAt) {
        int j = 0;
        for (int bound = SPECIES.loopBound(n); j < bound; j += LANES) {
            FloatVector columnScale = FloatVector.fromArray(SPECIES, scales, j).mul(scale);
            FloatVector y = FloatVector.fromArray(SPECIES, c, from + j).add(0f).mul(columnScale);
            if (biases != null) {
                y = y.add(FloatVector.fromArray(SPECIES, biases, j));
            }
            if (residual != null) {
                y = y.add(FloatVector.fromArray(SPECIES, residual, residualAt + j));
            }
            y.intoArray(out, at + j);
        }
        DynamicQuantize.dequantizeColumns(c, from, out, at, j, n, scale, scales, biases, residual, residualAt);
    }

}
