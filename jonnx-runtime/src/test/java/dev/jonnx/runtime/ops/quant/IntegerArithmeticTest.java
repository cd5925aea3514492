package dev.jonnx.runtime.ops.quant;

import static dev.jonnx.runtime.testing.TestTensors.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import org.junit.jupiter.api.Test;

class IntegerArithmeticTest {

    private static Tensor u8(int[] shape, int... values) {
        return bytes(DataType.UINT8, shape, values);
    }

    private static Tensor i8(int[] shape, int... values) {
        return bytes(DataType.INT8, shape, values);
    }

    private static final int[] SCALAR = new int[0];

    @Test
    void matMulIntegerScalarZeroPoint() {
        Tensor a = u8(new int[] {2, 2}, 1, 2, 3, 4);
        Tensor b = i8(new int[] {2, 2}, 1, 0, 0, -1);
        Tensor y = NodeRunner.op("MatMulInteger", 10).run(a, b, u8(SCALAR, 1), null);
        assertThat(y.type()).isEqualTo(DataType.INT32);
        assertThat(y.shape()).containsExactly(2, 2);
        assertThat(y.ints()).containsExactly(0, -1, 2, -3);
    }

    @Test
    void matMulIntegerVectorZeroPoints() {
        Tensor a = u8(new int[] {2, 2}, 1, 2, 3, 4);
        Tensor b = u8(new int[] {2, 2}, 5, 6, 7, 8);
        Tensor y = NodeRunner.op("MatMulInteger", 10)
                .run(a, b, u8(new int[] {2}, 1, 2), u8(new int[] {2}, 5, 6));
        // A - zp = [[0, 1], [1, 2]], B - zp = [[0, 0], [2, 2]].
        assertThat(y.ints()).containsExactly(2, 2, 4, 4);
    }

    @Test
    void matMulIntegerBroadcasting() {
        Tensor a = u8(new int[] {2, 1, 2}, 1, 2, 3, 4);
        Tensor b = u8(new int[] {2, 1}, 10, 1);
        Tensor batched = NodeRunner.op("MatMulInteger", 10).run(a, b);
        assertThat(batched.shape()).containsExactly(2, 1, 1);
        assertThat(batched.ints()).containsExactly(12, 34);

        Tensor vector = NodeRunner.op("MatMulInteger", 10)
                .run(u8(new int[] {2}, 1, 2), u8(new int[] {2, 2}, 1, 2, 3, 4));
        assertThat(vector.shape()).containsExactly(2);
        assertThat(vector.ints()).containsExactly(7, 10);
    }

    @Test
    void matMulWithEmptyInnerDimension() {
        Tensor y = NodeRunner.op("MatMulInteger", 10).run(u8(new int[] {2, 0}), u8(new int[] {0, 3}));
        assertThat(y.shape()).containsExactly(2, 3);
        assertThat(y.ints()).containsOnly(0);
        Tensor q = NodeRunner.op("QLinearMatMul", 10).run(
                u8(new int[] {1, 0}), Tensor.scalar(1f), u8(SCALAR, 0),
                u8(new int[] {0, 2}), Tensor.of(new float[] {1, 1}, 2), u8(new int[] {2}, 0, 0),
                Tensor.scalar(1f), u8(SCALAR, 9));
        assertThat(q.toLongArray()).containsExactly(9, 9);
    }

    @Test
    void matMulIntegerRejectsMismatchedInnerDimension() {
        NodeRunner node = NodeRunner.op("MatMulInteger", 10);
        assertThatThrownBy(() -> node.run(u8(new int[] {1, 2}, 1, 2), u8(new int[] {3, 1}, 1, 2, 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("do not match");
    }

    @Test
    void qlinearMatMulRescalesAndAddsZeroPoint() {
        Tensor y = NodeRunner.op("QLinearMatMul", 10).run(
                u8(new int[] {1, 2}, 2, 4), Tensor.scalar(0.5f), u8(SCALAR, 0),
                u8(new int[] {2, 1}, 2, 2), Tensor.scalar(1f), u8(SCALAR, 0),
                Tensor.scalar(1f), u8(SCALAR, 10));
        // (2 * 2 + 4 * 2) * 0.5 = 6, plus the zero point 10.
        assertThat(y.type()).isEqualTo(DataType.UINT8);
        assertThat(y.toLongArray()).containsExactly(16);
    }

    @Test
    void qlinearMatMulSaturatesInt8Output() {
        Tensor y = NodeRunner.op("QLinearMatMul", 21).run(
                i8(new int[] {1, 1}, 100), Tensor.scalar(1f), i8(SCALAR, 0),
                i8(new int[] {1, 2}, 100, -100), Tensor.scalar(1f), i8(SCALAR, 0),
                Tensor.scalar(1f), i8(SCALAR, 0));
        assertThat(y.toLongArray()).containsExactly(127, -128);
    }

    @Test
    void convIntegerValidWindowSums() {
        Tensor x = u8(new int[] {1, 1, 3, 3}, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        Tensor w = i8(new int[] {1, 1, 2, 2}, 1, 1, 1, 1);
        Tensor y = NodeRunner.op("ConvInteger", 10).run(x, w, u8(SCALAR, 1));
        // x - 1 = 0..8; each output sums one 2x2 window.
        assertThat(y.shape()).containsExactly(1, 1, 2, 2);
        assertThat(y.ints()).containsExactly(8, 12, 20, 24);
    }

    @Test
    void convIntegerPaddingContributesNothing() {
        Tensor x = u8(new int[] {1, 1, 2, 2}, 6, 7, 8, 9);
        Tensor w = i8(new int[] {1, 1, 2, 2}, 1, 1, 1, 1);
        Tensor y = NodeRunner.op("ConvInteger", 10).attr("pads", 1L, 1L, 1L, 1L)
                .run(x, w, u8(SCALAR, 5));
        // x - 5 = [[1, 2], [3, 4]]; the padded border reads as zero after the shift.
        assertThat(y.shape()).containsExactly(1, 1, 3, 3);
        assertThat(y.ints()).containsExactly(1, 3, 2, 4, 10, 6, 3, 7, 4);
    }

    @Test
    void convIntegerGroupsAndStridesAndAutoPad() {
        Tensor x = u8(new int[] {1, 2, 1, 1}, 3, 5);
        Tensor w = i8(new int[] {2, 1, 1, 1}, 2, -1);
        Tensor grouped = NodeRunner.op("ConvInteger", 10).attr("group", 2L).run(x, w);
        assertThat(grouped.ints()).containsExactly(6, -5);

        Tensor line = u8(new int[] {1, 1, 5}, 1, 2, 3, 4, 5);
        Tensor ones = i8(new int[] {1, 1, 2}, 1, 1);
        Tensor same = NodeRunner.op("ConvInteger", 10).attr("auto_pad", "SAME_UPPER")
                .attr("strides", new long[] {2}).run(line, ones);
        // Output length ceil(5 / 2) = 3, total padding 1 at the end.
        assertThat(same.shape()).containsExactly(1, 1, 3);
        assertThat(same.ints()).containsExactly(3, 7, 5);
    }

    @Test
    void convIntegerDilation() {
        Tensor x = u8(new int[] {1, 1, 5}, 1, 2, 3, 4, 5);
        Tensor w = i8(new int[] {1, 1, 2}, 1, 1);
        Tensor y = NodeRunner.op("ConvInteger", 10).attr("dilations", new long[] {2}).run(x, w);
        // Taps two apart: 1 + 3, 2 + 4, 3 + 5.
        assertThat(y.shape()).containsExactly(1, 1, 3);
        assertThat(y.ints()).containsExactly(4, 6, 8);
    }

    @Test
    void convIntegerPerChannelWeightZeroPoint() {
        Tensor x = u8(new int[] {1, 1, 1, 1}, 2);
        Tensor w = i8(new int[] {2, 1, 1, 1}, 3, 3);
        Tensor y = NodeRunner.op("ConvInteger", 10).run(x, w, null, i8(new int[] {2}, 1, 4));
        assertThat(y.ints()).containsExactly(4, -2);
    }

    @Test
    void convIntegerRejectsChannelMismatch() {
        NodeRunner node = NodeRunner.op("ConvInteger", 10);
        assertThatThrownBy(() -> node.run(u8(new int[] {1, 2, 1, 1}, 1, 2),
                i8(new int[] {1, 1, 1, 1}, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("channels");
    }

    @Test
    void qlinearConvWithBias() {
        Tensor y = NodeRunner.op("QLinearConv", 10).run(
                u8(new int[] {1, 1, 1, 2}, 10, 20), Tensor.scalar(0.5f), u8(SCALAR, 0),
                i8(new int[] {1, 1, 1, 1}, 2), Tensor.scalar(1f), i8(SCALAR, 0),
                Tensor.scalar(2f), u8(SCALAR, 5), Tensor.of(new int[] {4}, 1));
        // Sums 20 and 40, plus bias 4, times 0.5 / 2, plus zero point 5.
        assertThat(y.type()).isEqualTo(DataType.UINT8);
        assertThat(y.toLongArray()).containsExactly(11, 16);
    }

    @Test
    void qlinearConvPerChannelScales() {
        Tensor y = NodeRunner.op("QLinearConv", 10).run(
                u8(new int[] {1, 1, 1, 1}, 4), Tensor.scalar(1f), u8(SCALAR, 0),
                i8(new int[] {2, 1, 1, 1}, 3, 5), Tensor.of(new float[] {1, 2}, 2),
                i8(new int[] {2}, 1, 0), Tensor.scalar(1f), u8(SCALAR, 0));
        // Channel 0: 4 * (3 - 1) * 1 = 8. Channel 1: 4 * 5 * 2 = 40.
        assertThat(y.shape()).containsExactly(1, 2, 1, 1);
        assertThat(y.toLongArray()).containsExactly(8, 40);
    }
}
