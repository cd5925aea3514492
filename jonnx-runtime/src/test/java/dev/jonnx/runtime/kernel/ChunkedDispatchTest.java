package dev.jonnx.runtime.kernel;

import static dev.jonnx.runtime.kernel.FloatArithmeticTest.assertSameBits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dispatch methods split long arrays into calls of {@link Simd#CHUNK} elements. These tests
 * check, bit for bit, that the split result equals one call of the vector method over the
 * whole array, for sizes just below, at and above one and two chunks.
 */
class ChunkedDispatchTest {
    private static final int X_OFFSET = 3;
    private static final int Y_OFFSET = 5;

    /** A dispatch method or a vector method with the signature of the unary kernels. */
    interface Unary {
        void apply(float[] x, int xOffset, float[] y, int yOffset, int n);
    }

    /** A kernel that the test runs once split and once as one vector call. */
    record Pair(String name, Unary chunked, Unary whole) {}

    private final Random random = new Random(7);

    @BeforeEach
    void requireVectorPath() {
        assumeTrue(Simd.enabled(), "the vector path is off, so no dispatch method splits arrays");
    }

    static int[] sizesAroundChunks() {
        int chunk = Simd.CHUNK;
        int lanes = Math.max(1, Simd.FLOAT_LANES);
        return new int[] {chunk - lanes - 1, chunk - lanes, chunk - 1, chunk, chunk + 1,
            chunk + lanes - 1, chunk + lanes, chunk + lanes + 1, 2 * chunk - 1, 2 * chunk,
            2 * chunk + lanes + 1};
    }

    @Test
    void chunkIsMultipleOfLanes() {
        assertThat(Simd.CHUNK % 16).isZero();
        assertThat(Simd.CHUNK % Simd.FLOAT_LANES).isZero();
    }

    @Test
    void vectorMathMatchesOneCall() {
        Pair[] pairs = {
            new Pair("exp", VectorMath::exp, VectorMathVector::exp),
            new Pair("log", VectorMath::log, VectorMathVector::log),
            new Pair("tanh", VectorMath::tanh, VectorMathVector::tanh),
            new Pair("sigmoid", VectorMath::sigmoid, VectorMathVector::sigmoid),
            new Pair("erf", VectorMath::erf, VectorMathVector::erf),
            new Pair("gelu", VectorMath::gelu, VectorMathVector::gelu),
            new Pair("geluTanh", VectorMath::geluTanh, VectorMathVector::geluTanh),
            new Pair("silu", VectorMath::silu, VectorMathVector::silu),
        };
        for (Pair pair : pairs) {
            assertUnaryMatches(pair);
        }
    }

    @Test
    void floatUnaryMatchesOneCall() {
        for (FloatUnary.Op op : FloatUnary.Op.values()) {
            assertUnaryMatches(new Pair(op.name(),
                    (x, xo, y, yo, n) -> FloatUnary.apply(op, 0.25f, 1.5f, x, xo, y, yo, n),
                    (x, xo, y, yo, n) -> FloatUnaryVector.apply(op, 0.25f, 1.5f, x, xo, y, yo, n)));
        }
    }

    @Test
    void floatArithmeticMatchesOneCall() {
        float[] b = FloatArithmeticTest.values(3 * Simd.CHUNK, random);
        float[] c = FloatArithmeticTest.values(3 * Simd.CHUNK, random);
        Pair[] pairs = {
            new Pair("add", (x, xo, y, yo, n) -> FloatArithmetic.add(x, xo, b, 1, y, yo, n),
                    (x, xo, y, yo, n) -> FloatArithmeticVector.add(x, xo, b, 1, y, yo, n)),
            new Pair("sub", (x, xo, y, yo, n) -> FloatArithmetic.sub(x, xo, b, 1, y, yo, n),
                    (x, xo, y, yo, n) -> FloatArithmeticVector.sub(x, xo, b, 1, y, yo, n)),
            new Pair("mul", (x, xo, y, yo, n) -> FloatArithmetic.mul(x, xo, b, 1, y, yo, n),
                    (x, xo, y, yo, n) -> FloatArithmeticVector.mul(x, xo, b, 1, y, yo, n)),
            new Pair("div", (x, xo, y, yo, n) -> FloatArithmetic.div(x, xo, b, 1, y, yo, n),
                    (x, xo, y, yo, n) -> FloatArithmeticVector.div(x, xo, b, 1, y, yo, n)),
            new Pair("add scalar", (x, xo, y, yo, n) -> FloatArithmetic.add(x, xo, 0.3f, y, yo, n),
                    (x, xo, y, yo, n) -> FloatArithmeticVector.add(x, xo, 0.3f, y, yo, n)),
            new Pair("sub scalar", (x, xo, y, yo, n) -> FloatArithmetic.sub(x, xo, 0.3f, y, yo, n),
                    (x, xo, y, yo, n) -> FloatArithmeticVector.sub(x, xo, 0.3f, y, yo, n)),
            new Pair("mul scalar", (x, xo, y, yo, n) -> FloatArithmetic.mul(x, xo, 0.3f, y, yo, n),
                    (x, xo, y, yo, n) -> FloatArithmeticVector.mul(x, xo, 0.3f, y, yo, n)),
            new Pair("div scalar", (x, xo, y, yo, n) -> FloatArithmetic.div(x, xo, 0.3f, y, yo, n),
                    (x, xo, y, yo, n) -> FloatArithmeticVector.div(x, xo, 0.3f, y, yo, n)),
            new Pair("subFrom", (x, xo, y, yo, n) -> FloatArithmetic.subFrom(0.3f, x, xo, y, yo, n),
                    (x, xo, y, yo, n) -> FloatArithmeticVector.subFrom(0.3f, x, xo, y, yo, n)),
            new Pair("divInto", (x, xo, y, yo, n) -> FloatArithmetic.divInto(0.3f, x, xo, y, yo, n),
                    (x, xo, y, yo, n) -> FloatArithmeticVector.divInto(0.3f, x, xo, y, yo, n)),
            new Pair("fma", (x, xo, y, yo, n) -> FloatArithmetic.fma(x, xo, b, 1, c, 2, y, yo, n),
                    (x, xo, y, yo, n) -> FloatArithmeticVector.fma(x, xo, b, 1, c, 2, y, yo, n)),
            new Pair("fma scalar", (x, xo, y, yo, n) -> FloatArithmetic.fma(x, xo, 0.3f, -2f, y, yo, n),
                    (x, xo, y, yo, n) -> FloatArithmeticVector.fma(x, xo, 0.3f, -2f, y, yo, n)),
            new Pair("blend", (x, xo, y, yo, n) -> FloatArithmetic.blend(x, xo, 0.3f, b, 1, 0.7f, y, yo, n),
                    (x, xo, y, yo, n) -> FloatArithmeticVector.blend(x, xo, 0.3f, b, 1, 0.7f, y, yo, n)),
            new Pair("add in place", (x, xo, y, yo, n) -> {
                System.arraycopy(b, 0, y, yo, n);
                FloatArithmetic.addInPlace(y, yo, x, xo, n);
            }, (x, xo, y, yo, n) -> {
                System.arraycopy(b, 0, y, yo, n);
                FloatArithmeticVector.add(y, yo, x, xo, y, yo, n);
            }),
        };
        for (Pair pair : pairs) {
            assertUnaryMatches(pair);
        }
    }

    @Test
    void floatBinaryRowMatchesOneCall() {
        float[] b = FloatArithmeticTest.values(3 * Simd.CHUNK, random);
        int[][] strides = {{1, 1}, {0, 1}, {1, 0}};
        for (FloatBinary.Op op : FloatBinary.Op.values()) {
            for (int[] stride : strides) {
                int sa = stride[0];
                int sb = stride[1];
                assertUnaryMatches(new Pair(op + " strides " + sa + "," + sb,
                        (x, xo, y, yo, n) -> FloatBinary.row(op, x, xo, sa, b, 2, sb, y, yo, n),
                        (x, xo, y, yo, n) -> FloatBinaryVector.row(op, x, xo, sa, b, 2, sb, y, yo, n)));
            }
        }
    }

    @Test
    void convEpilogueMatchesOneCall() {
        ConvKernels.Activation[] activations = {
            new ConvKernels.Activation(ConvKernels.Kind.NONE, 0, 0),
            new ConvKernels.Activation(ConvKernels.Kind.RELU, 0, 0),
            new ConvKernels.Activation(ConvKernels.Kind.LEAKY_RELU, 0.1f, 0),
            new ConvKernels.Activation(ConvKernels.Kind.CLIP, -1.5f, 2.5f),
            new ConvKernels.Activation(ConvKernels.Kind.HARD_SIGMOID, 0.2f, 0.5f),
            new ConvKernels.Activation(ConvKernels.Kind.HARD_SWISH, 0, 0),
            new ConvKernels.Activation(ConvKernels.Kind.SIGMOID, 0, 0),
            new ConvKernels.Activation(ConvKernels.Kind.TANH, 0, 0),
        };
        for (ConvKernels.Activation activation : activations) {
            // The epilogue works in place, so each side first copies x into y.
            assertUnaryMatches(new Pair("epilogue " + activation.kind(), (x, xo, y, yo, n) -> {
                System.arraycopy(x, xo, y, yo, n);
                ConvKernels.epilogue(y, yo, n, 0.75f, activation);
            }, (x, xo, y, yo, n) -> {
                System.arraycopy(x, xo, y, yo, n);
                ConvKernelsVector.epilogue(y, yo, n, 0.75f, activation);
            }));
        }
    }

    @Test
    void convTapsAndSlidingMatchOneCall() {
        int[] taps = {0, 1, 2, 40, 41, 42};
        float[] w = FloatArithmeticTest.values(2 + 4 * taps.length, random);
        assertUnaryMatches(new Pair("taps",
                (x, xo, y, yo, n) -> ConvKernels.taps(x, xo, taps, w, 2, 0.5f, y, yo, n),
                (x, xo, y, yo, n) -> ConvKernelsVector.taps(x, xo, taps, w, 2, 0.5f, y, yo, n)));
        // Four output channels, each n elements long and n + 1 apart in y.
        assertUnaryMatches(new Pair("sliding",
                (x, xo, y, yo, n) -> ConvKernels.sliding(x, xo, taps, 1, taps.length, w, 2, y, yo, n + 1, n),
                (x, xo, y, yo, n) -> ConvKernelsVector.sliding(x, xo, taps, 1, taps.length, w, 2, y, yo, n + 1, n)),
                ConvKernels.SLIDING_CHANNELS);
        // Even elements go to y from yo, odd ones after them.
        assertUnaryMatches(new Pair("deinterleave",
                (x, xo, y, yo, n) -> ConvKernels.deinterleave(x, xo, n, y, yo, yo + (n + 1) / 2),
                (x, xo, y, yo, n) -> ConvKernelsVector.deinterleave(x, xo, n, y, yo, yo + (n + 1) / 2)));
    }

    private void assertUnaryMatches(Pair pair) {
        assertUnaryMatches(pair, 1);
    }

    /**
     * Runs both sides of {@code pair} on the same input for each size and compares all of
     * {@code y}, including the elements around the written range. The output array has room
     * for {@code outputsPerElement} times the size, and the input has room for the tap offsets.
     */
    private void assertUnaryMatches(Pair pair, int outputsPerElement) {
        for (int size : sizesAroundChunks()) {
            float[] x = FloatArithmeticTest.values(X_OFFSET + size + 64, random);
            if (pair.name().equals("log")) {
                for (int i = 0; i < x.length; i++) {
                    x[i] = Math.abs(x[i]);
                }
            }
            int outputLength = Y_OFFSET + outputsPerElement * (size + 1) + 2;
            float[] chunked = new float[outputLength];
            float[] whole = new float[outputLength];
            pair.chunked().apply(x, X_OFFSET, chunked, Y_OFFSET, size);
            pair.whole().apply(x, X_OFFSET, whole, Y_OFFSET, size);
            assertSameBits(chunked, whole, pair.name() + " size " + size);
        }
    }
}
