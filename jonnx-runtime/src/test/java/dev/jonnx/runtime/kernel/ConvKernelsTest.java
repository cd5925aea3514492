package dev.jonnx.runtime.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.runtime.kernel.ConvKernels.Activation;
import dev.jonnx.runtime.kernel.ConvKernels.Kind;
import dev.jonnx.runtime.testing.TestTensors;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The vector convolution loops against their scalar twins at sizes with vector tails. */
class ConvKernelsTest {
    private static final Activation[] ACTIVATIONS = {
        Activation.NONE,
        new Activation(Kind.RELU, 0, 0),
        new Activation(Kind.LEAKY_RELU, 0.1f, 0),
        new Activation(Kind.CLIP, -1.5f, 2.5f),
        new Activation(Kind.HARD_SIGMOID, 0.2f, 0.5f),
        new Activation(Kind.HARD_SWISH, 0, 0),
        new Activation(Kind.SIGMOID, 0, 0),
        new Activation(Kind.TANH, 0, 0),
    };

    @Test
    void epilogueMatchesScalarBits() {
        Random random = new Random(3);
        for (Activation activation : ACTIVATIONS) {
            for (int size : VectorMathTest.edgeSizes()) {
                float[] expected = FloatArithmeticTest.values(size + 3, random);
                float[] actual = expected.clone();
                ConvKernels.epilogueScalar(expected, 3, size, 0.75f, activation);
                ConvKernels.epilogue(actual, 3, size, 0.75f, activation);
                FloatArithmeticTest.assertSameBits(actual, expected, activation + " size " + size);
            }
        }
    }

    @Test
    void epilogueAppliesActivationFormulas() {
        float[] y = {-2f, 0.5f, 4f, Float.NaN};
        ConvKernels.epilogueScalar(y, 0, 4, 1f, new Activation(Kind.CLIP, 0f, 3f));
        assertThat(y[0]).isEqualTo(0f);
        assertThat(y[1]).isEqualTo(1.5f);
        assertThat(y[2]).isEqualTo(3f);
        assertThat(y[3]).isNaN();
        float[] z = {-4f, 1f, 4f};
        ConvKernels.epilogueScalar(z, 0, 3, 0f, new Activation(Kind.HARD_SWISH, 0, 0));
        assertThat(z[0]).isEqualTo(0f);
        assertThat(z[1]).isCloseTo(1f * (1f / 6 + 0.5f), within(1e-7f));
        assertThat(z[2]).isEqualTo(4f);
        float[] leaky = {-2f, 3f};
        ConvKernels.epilogueScalar(leaky, 0, 2, 0f, new Activation(Kind.LEAKY_RELU, 0.25f, 0));
        assertThat(leaky[0]).isEqualTo(-0.5f);
        assertThat(leaky[1]).isEqualTo(3f);
    }

    @Test
    void deinterleaveSplitsEvenAndOdd() {
        Random random = new Random(7);
        for (int size : VectorMathTest.edgeSizes()) {
            float[] x = TestTensors.gaussian(random, size + 3);
            float[] expected = new float[size + 8];
            float[] actual = new float[size + 8];
            int oddOffset = 4 + (size + 1) / 2;
            ConvKernels.deinterleaveScalar(x, 3, 0, size, expected, 2, oddOffset);
            ConvKernels.deinterleave(x, 3, size, actual, 2, oddOffset);
            FloatArithmeticTest.assertSameBits(actual, expected, "size " + size);
            for (int j = 0; j < size; j++) {
                int at = j % 2 == 0 ? 2 + j / 2 : oddOffset + j / 2;
                assertThat(actual[at]).as("element %d of size %d", j, size).isEqualTo(x[3 + j]);
            }
        }
    }

    @Test
    void tapsMatchScalar() {
        Random random = new Random(5);
        int[][] tapSets = {{0}, {0, 1, 2}, {0, 2, 7, 9, 11}, {3, 1, 40, 41, 42, 80, 81, 82, 5}};
        for (int[] taps : tapSets) {
            for (int size : VectorMathTest.edgeSizes()) {
                float[] src = TestTensors.gaussian(random, size + 100);
                float[] w = TestTensors.gaussian(random, taps.length + 2);
                float[] expected = new float[size + 1];
                float[] actual = new float[size + 1];
                ConvKernels.tapsScalar(src, 4, taps, w, 2, 0.5f, expected, 1, size);
                ConvKernels.taps(src, 4, taps, w, 2, 0.5f, actual, 1, size);
                for (int i = 0; i < expected.length; i++) {
                    assertThat(actual[i]).as("output %d of %d taps, size %d", i, taps.length, size)
                            .isCloseTo(expected[i], within(1e-5f * (1 + Math.abs(expected[i]))));
                }
            }
        }
    }

    @Test
    void slidingMatchesScalarBits() {
        Random random = new Random(11);
        int[][] offsetSets = {{0}, {0, 1, 2}, {5, 0, 9}, {0, 2, 7, 9, 11, 40, 41, 42, 80}};
        for (int[] offsets : offsetSets) {
            for (int size : VectorMathTest.edgeSizes()) {
                float[] src = TestTensors.gaussian(random, size + 100);
                float[] w = TestTensors.gaussian(random, 4 * offsets.length + 3);
                int stride = size + 2;
                float[] expected = new float[1 + 4 * stride];
                float[] actual = new float[1 + 4 * stride];
                // Every kernel element but the first, to cover a range that starts above zero.
                int from = offsets.length > 1 ? 1 : 0;
                ConvKernels.slidingScalar(src, 3, offsets, from, offsets.length, w, 3, expected, 1, stride, 0, size);
                ConvKernels.sliding(src, 3, offsets, from, offsets.length, w, 3, actual, 1, stride, size);
                FloatArithmeticTest.assertSameBits(actual, expected, offsets.length + " offsets, size " + size);
            }
        }
    }

    @Test
    void slidingSumsShiftedRuns() {
        float[] src = {1f, 2f, 3f, 4f, 5f};
        int[] offsets = {0, 2};
        // Channel j weighs the run at 0 by j + 1 and the run at 2 by 10 * (j + 1).
        float[] w = {1f, 2f, 3f, 4f, 10f, 20f, 30f, 40f};
        float[] out = new float[12];
        ConvKernels.sliding(src, 0, offsets, 0, 2, w, 0, out, 0, 3, 3);
        for (int j = 0; j < 4; j++) {
            for (int q = 0; q < 3; q++) {
                float expected = (j + 1) * (src[q] + 10 * src[q + 2]);
                assertThat(out[j * 3 + q]).as("channel %d position %d", j, q).isEqualTo(expected);
            }
        }
    }
}
