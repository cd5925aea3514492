package dev.jonnx.runtime.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.runtime.kernel.FloatUnary.Op;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** The float activations against their scalar twin and against double math. */
class FloatUnaryTest {
    static final float P = 0.2f;
    static final float Q = 0.5f;

    record Case(Op op, float p, float q, DoubleUnaryOperator reference, int ulps) {}

    static double clamp01(double v) {
        return Math.min(Math.max(v, 0), 1);
    }

    static final Case[] CASES = {
        new Case(Op.RELU, 0, 0, x -> Math.max(x, 0.0), 0),
        new Case(Op.NEG, 0, 0, x -> -x, 0),
        new Case(Op.ABS, 0, 0, Math::abs, 0),
        new Case(Op.SQRT, 0, 0, Math::sqrt, 0),
        new Case(Op.RECIPROCAL, 0, 0, x -> 1 / x, 0),
        new Case(Op.SQUARE, 0, 0, x -> Math.pow(x, 2), 0),
        new Case(Op.POW_HALF, 0, 0, x -> Math.pow(x, 0.5), 0),
        new Case(Op.CLIP, -1.5f, 2.25f, x -> Math.min(Math.max(x, -1.5), 2.25), 0),
        new Case(Op.CLIP, 3f, 1f, x -> Math.min(Math.max(x, 3), 1), 0),
        new Case(Op.LEAKY_RELU, 0.01f, 0, x -> x >= 0 ? x : 0.01f * x, 0),
        new Case(Op.HARD_SIGMOID, P, Q, x -> clamp01(P * x + Q), 1),
        new Case(Op.HARD_SWISH, 0, 0, x -> x * clamp01(x / 6 + 0.5), 2),
    };

    @Test
    void scalarIsWithinUlpsOfDouble() {
        Random random = new Random(11);
        float[] x = VectorMathTest.inputs(20000, -12, 12, random);
        for (Case c : CASES) {
            for (float v : x) {
                float actual = FloatUnary.apply(c.op(), c.p(), c.q(), v);
                float expected = (float) c.reference().applyAsDouble(v);
                String what = c.op() + "(" + v + ")";
                if (Float.isNaN(expected)) {
                    assertThat(actual).as(what).isNaN();
                } else if (c.ulps() == 0 || Float.isInfinite(expected)) {
                    assertThat(Float.floatToIntBits(actual)).as(what)
                            .isEqualTo(Float.floatToIntBits(expected));
                } else {
                    float tolerance = c.ulps() * Math.max(Math.ulp(expected), Float.MIN_NORMAL);
                    assertThat(Math.abs(actual - expected)).as(what).isLessThanOrEqualTo(tolerance);
                }
            }
        }
    }

    @Test
    void vectorMatchesScalarBits() {
        Random random = new Random(12);
        for (Case c : CASES) {
            for (int size : VectorMathTest.edgeSizes()) {
                float[] x = VectorMathTest.inputs(size + 5, -12, 12, random);
                float[] vector = new float[size + 3];
                float[] scalar = new float[size + 3];
                FloatUnary.apply(c.op(), c.p(), c.q(), x, 5, vector, 3, size);
                FloatUnary.applyScalar(c.op(), c.p(), c.q(), x, 5, scalar, 3, size);
                FloatArithmeticTest.assertSameBits(vector, scalar, c.op() + " size " + size);
            }
        }
    }

    @Test
    void powHalfKeepsPowSpecialCases() {
        assertThat(Float.floatToIntBits(FloatUnary.apply(Op.POW_HALF, 0, 0, -0f))).isEqualTo(0);
        assertThat(FloatUnary.apply(Op.POW_HALF, 0, 0, Float.NEGATIVE_INFINITY))
                .isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(FloatUnary.apply(Op.POW_HALF, 0, 0, -4f)).isNaN();
        assertThat(FloatUnary.apply(Op.POW_HALF, 0, 0, 6.25f)).isEqualTo(2.5f);
    }
}
