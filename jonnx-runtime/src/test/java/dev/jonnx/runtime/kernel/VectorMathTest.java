package dev.jonnx.runtime.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The vector transcendental kernels against their scalar twins (same bits) and against
 * double-precision references (error in ULPs of the exact result).
 */
class VectorMathTest {
    interface ArrayKernel {
        void apply(float[] x, int xOffset, float[] y, int yOffset, int n);
    }

    /** A kernel, its twin, a reference, the input range, and the ULP bound checked from {@code checkedFrom} up. */
    record Function(String name, ArrayKernel vector, ArrayKernel scalar, DoubleUnaryOperator exact, float low,
            float high, double maxUlps, float checkedFrom) {
        Function(String name, ArrayKernel vector, ArrayKernel scalar, DoubleUnaryOperator exact, float low,
                float high, double maxUlps) {
            this(name, vector, scalar, exact, low, high, maxUlps, Float.NEGATIVE_INFINITY);
        }
    }

    static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
        Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, -Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE,
        1f, -1f, 0.5f, -0.5f, 1e-30f, -1e-30f, 88.72283f, 88.72284f, 89f, -87.33655f, -103.97f, -104f, -110f, 9.1f,
        -9.1f, 15f, -15f, 20f, -20f, 1.4142135f, -1.4142135f, 0.55f, -0.55f, 1e-7f};

    static final Function[] FUNCTIONS = {
        new Function("exp", VectorMath::exp, VectorMath::expScalar, Math::exp, -104f, 89f, 1.5),
        new Function("log", VectorMath::log, VectorMath::logScalar, Math::log, 0f, 1e6f, 1.5),
        new Function("tanh", VectorMath::tanh, VectorMath::tanhScalar, Math::tanh, -10f, 10f, 2.5),
        new Function("sigmoid", VectorMath::sigmoid, VectorMath::sigmoidScalar, x -> 1 / (1 + Math.exp(-x)),
                -110f, 30f, 2.5),
        new Function("erf", VectorMath::erf, VectorMath::erfScalar, Reference::erf, -5f, 5f, 2.5),
        new Function("gelu", VectorMath::gelu, VectorMath::geluScalar, Reference::gelu, -15f, 10f, 13),
        new Function("geluTanh", VectorMath::geluTanh, VectorMath::geluTanhScalar, Reference::geluTanh, -15f,
                10f, 12.5, -3f),
        new Function("silu", VectorMath::silu, VectorMath::siluScalar, Reference::silu, -110f, 30f, 3, -87.3f),
    };

    static int[] edgeSizes() {
        int lanes = Math.max(1, Simd.FLOAT_LANES);
        return new int[] {0, 1, 2, lanes - 1, lanes, lanes + 1, 2 * lanes + 1, 4 * lanes + 3, 3001};
    }

    static float[] inputs(int size, float low, float high, Random random) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            int pick = random.nextInt(8);
            if (pick == 0) {
                x[i] = SPECIALS[random.nextInt(SPECIALS.length)];
            } else if (pick == 1) {
                // Any finite or infinite bit pattern, subnormals included.
                x[i] = Float.intBitsToFloat(random.nextInt());
            } else {
                x[i] = low + (high - low) * random.nextFloat();
            }
        }
        return x;
    }

    @Test
    void vectorMatchesScalarBits() {
        Random random = new Random(7);
        for (Function f : FUNCTIONS) {
            for (int size : edgeSizes()) {
                float[] x = inputs(size + 5, f.low(), f.high(), random);
                float[] vector = new float[size + 3];
                float[] scalar = new float[size + 3];
                f.vector().apply(x, 5, vector, 3, size);
                f.scalar().apply(x, 5, scalar, 3, size);
                for (int i = 0; i < size + 3; i++) {
                    assertThat(Float.floatToIntBits(vector[i]))
                            .as("%s(%s) at %d of %d", f.name(), i >= 3 ? x[i + 2] : "untouched", i, size)
                            .isEqualTo(Float.floatToIntBits(scalar[i]));
                }
            }
        }
    }

    @Test
    void inPlaceMatchesOutOfPlace() {
        Random random = new Random(8);
        for (Function f : FUNCTIONS) {
            float[] x = inputs(1000, f.low(), f.high(), random);
            float[] expected = new float[x.length];
            f.vector().apply(x, 0, expected, 0, x.length);
            f.vector().apply(x, 0, x, 0, x.length);
            assertThat(x).as(f.name()).usingElementComparator(VectorMathTest::compareBits).containsExactly(expected);
        }
    }

    static int compareBits(Float a, Float b) {
        return Integer.compare(Float.floatToIntBits(a), Float.floatToIntBits(b));
    }

    /** Returns the error of {@code actual} in units of the float spacing at the exact value. */
    static double ulpError(float actual, double exact) {
        if (Double.isNaN(exact) || Double.isInfinite(exact)) {
            return Double.compare(actual, (float) exact) == 0 || (Double.isNaN(exact) && Float.isNaN(actual)) ? 0
                    : Double.POSITIVE_INFINITY;
        }
        float rounded = (float) exact;
        if (Float.isInfinite(rounded)) {
            return actual == rounded ? 0 : Double.POSITIVE_INFINITY;
        }
        double ulp = Math.ulp(rounded);
        return Math.abs(actual - exact) / ulp;
    }

    @Test
    void accuracyWithinStatedUlps() {
        Random random = new Random(9);
        org.assertj.core.api.SoftAssertions softly = new org.assertj.core.api.SoftAssertions();
        for (Function f : FUNCTIONS) {
            float[] x = inputs(300_000, f.low(), f.high(), random);
            float[] y = new float[x.length];
            f.vector().apply(x, 0, y, 0, x.length);
            double worst = 0;
            float worstAt = 0;
            for (int i = 0; i < x.length; i++) {
                if (x[i] < f.checkedFrom()) {
                    continue;
                }
                double error = ulpError(y[i], f.exact().applyAsDouble(x[i]));
                if (error > worst || Double.isNaN(error)) {
                    worst = error;
                    worstAt = x[i];
                }
            }
            System.out.printf("VectorMathTest: %s max error %.3f ULP at x = %s (lanes %d)%n", f.name(), worst,
                    worstAt, Simd.FLOAT_LANES);
            softly.assertThat(worst).as("%s max ULP error, worst at x = %s", f.name(), worstAt)
                    .isLessThanOrEqualTo(f.maxUlps());
        }
        softly.assertAll();
    }

    /**
     * Below x = -3 the tanh form's argument 2u = 2 sqrt(2/pi) (x + 0.044715 x^3) is large, and
     * rounding it in float moves exp(2u) by about |2u| * 2^-24 relative, so the bound scales.
     */
    @Test
    void geluTanhTailRelativeError() {
        Random random = new Random(10);
        double worst = 0;
        for (int i = 0; i < 100_000; i++) {
            float x = -15f + 12f * random.nextFloat();
            double exact = Reference.geluTanh(x);
            double twoU = 2 * Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x);
            double scaled = ulpError(VectorMath.geluTanh(x), exact) / Math.abs(twoU);
            worst = Math.max(worst, scaled);
        }
        System.out.printf("VectorMathTest: geluTanh tail max error %.3f ULP per unit of |2u|%n", worst);
        assertThat(worst).isLessThanOrEqualTo(3);
    }

    /** Below x = -87.3, sigmoid(x) is subnormal and keeps fewer bits, so SiLU has an absolute bound there. */
    @Test
    void siluSubnormalTailAbsoluteError() {
        for (float x = -110f; x < -87.3f; x += 0.01f) {
            double exact = Reference.silu(x);
            assertThat(Math.abs(VectorMath.silu(x) - exact)).as("silu(%s)", x).isLessThanOrEqualTo(-x * Float.MIN_VALUE);
        }
    }

    @Test
    void specialValues() {
        assertThat(VectorMath.exp(Float.NaN)).isNaN();
        assertThat(VectorMath.exp(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(VectorMath.exp(Float.NEGATIVE_INFINITY)).isEqualTo(0f);
        assertThat(VectorMath.exp(89f)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(VectorMath.exp(88.72283f)).isLessThan(Float.POSITIVE_INFINITY);
        assertThat(VectorMath.exp(-103f)).isGreaterThan(0f).isLessThan(Float.MIN_NORMAL);
        assertThat(VectorMath.exp(0f)).isEqualTo(1f);
        assertThat(VectorMath.log(0f)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(VectorMath.log(-0f)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(VectorMath.log(-1f)).isNaN();
        assertThat(VectorMath.log(Float.NaN)).isNaN();
        assertThat(VectorMath.log(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(VectorMath.log(1f)).isEqualTo(0f);
        assertThat(VectorMath.log(Float.MIN_VALUE)).isCloseTo(-103.27893f, org.assertj.core.api.Assertions.within(1e-5f));
        assertThat(VectorMath.tanh(Float.POSITIVE_INFINITY)).isEqualTo(1f);
        assertThat(VectorMath.tanh(Float.NEGATIVE_INFINITY)).isEqualTo(-1f);
        assertThat(Float.floatToIntBits(VectorMath.tanh(-0f))).isEqualTo(Float.floatToIntBits(-0f));
        assertThat(VectorMath.tanh(Float.NaN)).isNaN();
        assertThat(VectorMath.sigmoid(Float.POSITIVE_INFINITY)).isEqualTo(1f);
        assertThat(VectorMath.sigmoid(Float.NEGATIVE_INFINITY)).isEqualTo(0f);
        assertThat(VectorMath.sigmoid(Float.NaN)).isNaN();
        assertThat(VectorMath.erf(Float.POSITIVE_INFINITY)).isEqualTo(1f);
        assertThat(VectorMath.erf(Float.NEGATIVE_INFINITY)).isEqualTo(-1f);
        assertThat(VectorMath.erf(Float.NaN)).isNaN();
        assertThat(Float.floatToIntBits(VectorMath.erf(-0f))).isEqualTo(Float.floatToIntBits(-0f));
        assertThat(VectorMath.gelu(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Float.floatToIntBits(VectorMath.gelu(Float.NEGATIVE_INFINITY))).isEqualTo(Float.floatToIntBits(-0f));
        assertThat(VectorMath.gelu(Float.NaN)).isNaN();
        assertThat(VectorMath.gelu(100f)).isEqualTo(100f);
        assertThat(VectorMath.geluTanh(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Float.floatToIntBits(VectorMath.geluTanh(Float.NEGATIVE_INFINITY)))
                .isEqualTo(Float.floatToIntBits(-0f));
        assertThat(VectorMath.geluTanh(Float.NaN)).isNaN();
        assertThat(Float.floatToIntBits(VectorMath.silu(Float.NEGATIVE_INFINITY))).isEqualTo(Float.floatToIntBits(-0f));
        assertThat(VectorMath.silu(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(VectorMath.silu(Float.NaN)).isNaN();
    }

    /** Double-precision references for functions that java.lang.Math lacks. */
    static final class Reference {
        /** erf by its Taylor series below 2 and by erfc's continued fraction above. */
        static double erf(double x) {
            double a = Math.abs(x);
            if (Double.isNaN(x)) {
                return x;
            }
            double r = a < 2 ? erfSeries(a) : 1 - erfc(a);
            return Math.copySign(r, x);
        }

        static double erfSeries(double a) {
            double term = a;
            double sum = a;
            for (int n = 1; n < 200; n++) {
                term *= -a * a / n;
                sum += term / (2 * n + 1);
            }
            return sum * 2 / Math.sqrt(Math.PI);
        }

        /** erfc(a) for a >= 0, accurate in relative terms deep into the tail. */
        static double erfc(double a) {
            if (a < 2) {
                return 1 - erfSeries(a);
            }
            double t = a;
            for (int k = 300; k >= 1; k--) {
                t = a + (k / 2.0) / t;
            }
            return Math.exp(-a * a) / Math.sqrt(Math.PI) / t;
        }

        static double gelu(double x) {
            if (Double.isNaN(x)) {
                return x;
            }
            if (x == Double.NEGATIVE_INFINITY) {
                return -0.0;
            }
            if (x == Double.POSITIVE_INFINITY) {
                return x;
            }
            double z = x / Math.sqrt(2);
            double onePlusErf = z < 0 ? erfc(-z) : 1 + erf(z);
            return 0.5 * x * onePlusErf;
        }

        static double silu(double x) {
            return x == Double.NEGATIVE_INFINITY ? -0.0 : x / (1 + Math.exp(-x));
        }

        /** The tanh form written as x * sigmoid(2u), which avoids 1 + tanh(u) cancelling for u << 0. */
        static double geluTanh(double x) {
            if (x == Double.NEGATIVE_INFINITY) {
                return -0.0;
            }
            double u = Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x);
            return x / (1 + Math.exp(-2 * u));
        }
    }
}
