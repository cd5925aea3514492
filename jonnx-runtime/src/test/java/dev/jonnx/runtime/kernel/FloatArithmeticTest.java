package dev.jonnx.runtime.kernel;

import static dev.jonnx.runtime.testing.TestTensors.uniform;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The vector elementwise kernels against their scalar twins, bit for bit. */
class FloatArithmeticTest {
    interface Binary {
        void apply(float[] a, int aOffset, float[] b, int bOffset, float[] out, int outOffset, int n);
    }

    interface WithScalar {
        void apply(float[] a, int aOffset, float s, float[] out, int outOffset, int n);
    }

    static float[] values(int size, Random random) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = i % 17 == 3 ? VectorMathTest.SPECIALS[random.nextInt(VectorMathTest.SPECIALS.length)]
                    : random.nextFloat() * 20 - 10;
        }
        return x;
    }

    static void assertSameBits(float[] actual, float[] expected, String what) {
        assertThat(actual.length).isEqualTo(expected.length);
        for (int i = 0; i < actual.length; i++) {
            assertThat(Float.floatToIntBits(actual[i])).as("%s at %d", what, i)
                    .isEqualTo(Float.floatToIntBits(expected[i]));
        }
    }

    @Test
    void binaryOpsMatchScalar() {
        Binary[] vector = {FloatArithmetic::add, FloatArithmetic::sub, FloatArithmetic::mul, FloatArithmetic::div};
        Binary[] scalar = {FloatArithmetic::addScalar, FloatArithmetic::subScalar, FloatArithmetic::mulScalar,
            FloatArithmetic::divScalar};
        Random random = new Random(1);
        for (int op = 0; op < vector.length; op++) {
            for (int size : VectorMathTest.edgeSizes()) {
                float[] a = values(size + 2, random);
                float[] b = values(size + 1, random);
                float[] expected = new float[size + 4];
                float[] actual = new float[size + 4];
                scalar[op].apply(a, 2, b, 1, expected, 4, size);
                vector[op].apply(a, 2, b, 1, actual, 4, size);
                assertSameBits(actual, expected, "op " + op + " size " + size);
            }
        }
    }

    @Test
    void scalarOperandOpsMatchScalar() {
        WithScalar[] vector = {FloatArithmetic::add, FloatArithmetic::sub, FloatArithmetic::mul, FloatArithmetic::div,
            (a, ao, s, out, oo, n) -> FloatArithmetic.subFrom(s, a, ao, out, oo, n),
            (a, ao, s, out, oo, n) -> FloatArithmetic.divInto(s, a, ao, out, oo, n),
            (a, ao, s, out, oo, n) -> FloatArithmetic.fma(a, ao, s, -s, out, oo, n)};
        WithScalar[] scalar = {FloatArithmetic::addScalar, FloatArithmetic::subScalar, FloatArithmetic::mulScalar,
            FloatArithmetic::divScalar, (a, ao, s, out, oo, n) -> FloatArithmetic.subFromScalar(s, a, ao, out, oo, n),
            (a, ao, s, out, oo, n) -> FloatArithmetic.divIntoScalar(s, a, ao, out, oo, n),
            (a, ao, s, out, oo, n) -> FloatArithmetic.fmaScalar(a, ao, s, -s, out, oo, n)};
        Random random = new Random(2);
        for (int op = 0; op < vector.length; op++) {
            for (int size : VectorMathTest.edgeSizes()) {
                float[] a = values(size + 3, random);
                float s = random.nextFloat() * 4 - 2;
                float[] expected = new float[size];
                float[] actual = new float[size];
                scalar[op].apply(a, 3, s, expected, 0, size);
                vector[op].apply(a, 3, s, actual, 0, size);
                assertSameBits(actual, expected, "op " + op + " size " + size);
            }
        }
    }

    @Test
    void fusedMultiplyAddRoundsOnce() {
        Random random = new Random(3);
        for (int size : VectorMathTest.edgeSizes()) {
            float[] a = values(size, random);
            float[] b = values(size, random);
            float[] c = values(size, random);
            float[] actual = new float[size];
            FloatArithmetic.fma(a, 0, b, 0, c, 0, actual, 0, size);
            for (int i = 0; i < size; i++) {
                assertThat(Float.floatToIntBits(actual[i])).as("fma at %d of %d", i, size)
                        .isEqualTo(Float.floatToIntBits(Math.fma(a[i], b[i], c[i])));
            }
        }
        // 1 + 2^-12 squared minus 1 + 2^-11 keeps 2^-24 only when the product is not rounded first.
        float x = 1f + 0x1p-12f;
        float[] out = new float[1];
        FloatArithmetic.fma(new float[] {x}, 0, new float[] {x}, 0, new float[] {-(1f + 0x1p-11f)}, 0, out, 0, 1);
        assertThat(out[0]).isEqualTo(0x1p-24f);
    }

    @Test
    void inPlaceVariantsOverwriteFirstOperand() {
        float[] a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        float[] b = {10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10};
        FloatArithmetic.addInPlace(a, 0, b, 0, a.length);
        assertThat(a).containsExactly(11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21);
        FloatArithmetic.mulInPlace(a, 1, 2f, 3);
        assertThat(a).containsExactly(11, 24, 26, 28, 15, 16, 17, 18, 19, 20, 21);
        FloatArithmetic.subInPlace(a, 0, b, 0, a.length);
        assertThat(a).containsExactly(1, 14, 16, 18, 5, 6, 7, 8, 9, 10, 11);
        FloatArithmetic.divInPlace(a, 0, 2f, a.length);
        assertThat(a).containsExactly(0.5f, 7, 8, 9, 2.5f, 3, 3.5f, 4, 4.5f, 5, 5.5f);
        FloatArithmetic.subFrom(1f, a, 0, a, 0, 2);
        assertThat(a[0]).isEqualTo(0.5f);
        assertThat(a[1]).isEqualTo(-6f);
        FloatArithmetic.divInto(1f, new float[] {0f, -0f}, 0, a, 0, 2);
        assertThat(a[0]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(a[1]).isEqualTo(Float.NEGATIVE_INFINITY);
    }

    @Test
    void addInPlaceMatchesScalarAtOddLengths() {
        Random random = new Random(4);
        for (int n : new int[] {0, 1, 7, 8, 9, 385}) {
            float[] x = uniform(random, -3f, 3f, n + 2);
            float[] y = uniform(random, -3f, 3f, n + 1);
            float[] expected = x.clone();
            for (int j = 0; j < n; j++) {
                expected[2 + j] += y[1 + j];
            }
            FloatArithmetic.addInPlace(x, 2, y, 1, n);
            assertThat(x).as("sum of %d elements", n).containsExactly(expected);
        }
    }
}
