package dev.jonnx.runtime.ops.conv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import org.junit.jupiter.api.Test;

/** Convolution kernels on small cases worked out by hand. */
class ConvOpsTest {

    private static Tensor row(float... values) {
        return Tensor.of(values, 1, 1, values.length);
    }

    @Test
    void convPadsAndBias() {
        Tensor y = NodeRunner.op("Conv", 22).attr("pads", 1L, 1L)
                .run(row(1, 2, 3, 4), row(1, 1), Tensor.of(new float[] {10}, 1));
        assertThat(y.shape()).containsExactly(1, 1, 5);
        assertThat(y.floats()).containsExactly(11, 13, 15, 17, 14);
    }

    @Test
    void convSameUpperAndLower() {
        Tensor x = row(1, 2, 3, 4, 5);
        Tensor w = row(1, 10);
        Tensor upper = NodeRunner.op("Conv", 11).attr("auto_pad", "SAME_UPPER")
                .attr("strides", new long[] {2L}).run(x, w);
        Tensor lower = NodeRunner.op("Conv", 11).attr("auto_pad", "SAME_LOWER")
                .attr("strides", new long[] {2L}).run(x, w);
        assertThat(upper.floats()).containsExactly(21, 43, 5);
        assertThat(lower.floats()).containsExactly(10, 32, 54);
    }

    @Test
    void convValidAndDilations() {
        Tensor y = NodeRunner.op("Conv", 1).attr("dilations", new long[] {2L}).attr("auto_pad", "VALID")
                .run(row(1, 2, 3, 4, 5), row(1, 1));
        assertThat(y.floats()).containsExactly(4, 6, 8);
    }

    @Test
    void convDepthwiseGroups() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 1, 2, 2, 2);
        Tensor w = Tensor.of(new float[] {2, -1}, 2, 1, 1, 1);
        Tensor y = NodeRunner.op("Conv", 22).attr("group", 2L).run(x, w);
        assertThat(y.shape()).containsExactly(1, 2, 2, 2);
        assertThat(y.floats()).containsExactly(2, 4, 6, 8, -5, -6, -7, -8);
    }

    @Test
    void convThreeDimensionalDouble() {
        double[] ones = new double[8];
        java.util.Arrays.fill(ones, 1);
        Tensor x = Tensor.of(ones, 1, 1, 2, 2, 2);
        Tensor w = Tensor.of(new double[] {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, 1, 1, 2, 2, 2);
        Tensor y = NodeRunner.op("Conv", 22).run(x, w);
        assertThat(y.type()).isEqualTo(DataType.DOUBLE);
        assertThat(y.shape()).containsExactly(1, 1, 1, 1, 1);
        assertThat(y.doubles()).containsExactly(4.0);
    }

    @Test
    void convFloat16RoundTrip() {
        Tensor x = Tensor.fromFloats(DataType.FLOAT16, new int[] {1, 1, 2}, new float[] {1, 2});
        Tensor w = Tensor.fromFloats(DataType.FLOAT16, new int[] {1, 1, 1}, new float[] {0.5f});
        Tensor y = NodeRunner.op("Conv", 22).run(x, w);
        assertThat(y.type()).isEqualTo(DataType.FLOAT16);
        assertThat(y.toFloatArray()).containsExactly(0.5f, 1f);
    }

    @Test
    void convEmptyBatch() {
        Tensor x = Tensor.of(new float[0], 0, 1, 3);
        Tensor y = NodeRunner.op("Conv", 22).run(x, row(1, 1));
        assertThat(y.shape()).containsExactly(0, 1, 2);
    }

    @Test
    void convRejectsChannelMismatch() {
        Tensor x = Tensor.of(new float[6], 1, 2, 3);
        assertThatThrownBy(() -> NodeRunner.op("Conv", 22).run(x, row(1, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input channels");
    }

    @Test
    void convRejectsIntegerInput() {
        Tensor x = Tensor.of(new int[] {1, 2}, 1, 1, 2);
        assertThatThrownBy(() -> NodeRunner.op("Conv", 22).run(x, x))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be float16, bfloat16, float or double");
    }

    @Test
    void convTransposeStrideAndPadding() {
        Tensor x = row(1, 2);
        Tensor w = row(1, 1);
        Tensor plain = NodeRunner.op("ConvTranspose", 22).attr("strides", new long[] {2L}).run(x, w);
        Tensor extra = NodeRunner.op("ConvTranspose", 22).attr("strides", new long[] {2L})
                .attr("output_padding", new long[] {1L}).run(x, w);
        Tensor cropped = NodeRunner.op("ConvTranspose", 22).attr("strides", new long[] {2L})
                .attr("pads", 1L, 0L).run(x, w);
        assertThat(plain.floats()).containsExactly(1, 1, 2, 2);
        assertThat(extra.floats()).containsExactly(1, 1, 2, 2, 0);
        assertThat(cropped.floats()).containsExactly(1, 2, 2);
    }

    @Test
    void convTransposeOutputShapeBeyondResult() {
        // The full result [1, 3, 2] is 2 short of output_shape 5. The spec's padding split
        // total - floor(total / 2) puts one extra element before it and one after.
        Tensor y = NodeRunner.op("ConvTranspose", 22).attr("output_shape", new long[] {5L})
                .run(row(1, 2), row(1, 1));
        assertThat(y.floats()).containsExactly(0, 1, 3, 2, 0);
    }

    @Test
    void deformConvZeroOffsetsMatchConv() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        Tensor w = Tensor.of(new float[] {1, 1, 1, 1}, 1, 1, 2, 2);
        Tensor offset = Tensor.of(new float[2 * 4 * 4], 1, 8, 2, 2);
        Tensor y = NodeRunner.op("DeformConv", 22).run(x, w, offset);
        assertThat(y.floats()).containsExactly(12, 16, 24, 28);
    }

    @Test
    void deformConvFractionalOffsetAndMask() {
        Tensor x = Tensor.of(new float[] {0, 10}, 1, 1, 1, 2);
        Tensor w = Tensor.of(new float[] {1}, 1, 1, 1, 1);
        // One output position; the kernel tap moves by (0, 0.25) and the mask halves it.
        Tensor offset = Tensor.of(new float[] {0, 0.25f}, 1, 2, 1, 1);
        Tensor mask = Tensor.of(new float[] {0.5f}, 1, 1, 1, 1);
        Tensor y = NodeRunner.op("DeformConv", 19).attr("strides", 1L, 2L)
                .run(x, w, offset, null, mask);
        assertThat(y.floats()[0]).isCloseTo(1.25f, within(1e-6f));
    }

    @Test
    void col2ImAddsOverlapsOfIntegers() {
        Tensor input = Tensor.of(new int[] {1, 2, 10, 20}, 1, 2, 2);
        Tensor y = NodeRunner.op("Col2Im", 18).run(input, Tensor.of(new long[] {1, 3}, 2),
                Tensor.of(new long[] {1, 2}, 2));
        assertThat(y.type()).isEqualTo(DataType.INT32);
        assertThat(y.shape()).containsExactly(1, 1, 1, 3);
        assertThat(y.ints()).containsExactly(1, 12, 20);
    }

    @Test
    void col2ImRejectsWrongBlockCount() {
        Tensor input = Tensor.of(new float[6], 1, 2, 3);
        assertThatThrownBy(() -> NodeRunner.op("Col2Im", 18).run(input,
                Tensor.of(new long[] {1, 3}, 2), Tensor.of(new long[] {1, 2}, 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("number of blocks");
    }

    @Test
    void causalConvCarriesState() {
        Tensor x = row(1, 2, 3);
        Tensor w = row(1, 1);
        Value[] fresh = NodeRunner.op("CausalConvWithState", 27).outputs(2).runAll(x, w);
        Value[] resumed = NodeRunner.op("CausalConvWithState", 27).outputs(2).runAll(x, w, null, row(10));
        assertThat(((Tensor) fresh[0]).floats()).containsExactly(1, 3, 5);
        assertThat(((Tensor) fresh[1]).floats()).containsExactly(3);
        assertThat(((Tensor) resumed[0]).floats()).containsExactly(11, 3, 5);
    }

    @Test
    void causalConvSilu() {
        Tensor y = (Tensor) NodeRunner.op("CausalConvWithState", 27).attr("activation", "silu")
                .outputs(2).runAll(row(0, 2), row(1))[0];
        assertThat(y.floats()[0]).isEqualTo(0f);
        assertThat(y.floats()[1]).isCloseTo((float) (2 / (1 + Math.exp(-2))), within(1e-6f));
    }
}
