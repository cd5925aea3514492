package dev.jonnx.runtime.ops.shape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.ModelCheckException;
import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import org.junit.jupiter.api.Test;

class BitCastOpsTest {

    private static NodeRunner bitCast(DataType to) {
        return NodeRunner.op("BitCast", 26).attr("to", (long) to.code());
    }

    @Test
    void floatToIntKeepsBits() {
        Tensor y = bitCast(DataType.INT32).run(Tensor.of(new float[] {1f, -0f}, 2));
        assertThat(y.type()).isEqualTo(DataType.INT32);
        assertThat(y.ints()).containsExactly(0x3F800000, 0x80000000);
    }

    @Test
    void int4ToUint4AndBack() {
        Tensor x = Tensor.of(DataType.INT4, new int[] {2}, new byte[] {-1, 7});
        Tensor y = bitCast(DataType.UINT4).run(x);
        assertThat(y.bytes()).containsExactly(15, 7);
        assertThat(bitCast(DataType.INT4).run(y).bytes()).containsExactly(-1, 7);
    }

    @Test
    void complex64ToInt64PutsRealPartLow() {
        Tensor x = Tensor.of(DataType.COMPLEX64, new int[] {1}, new float[] {1f, -2f});
        Tensor y = bitCast(DataType.INT64).run(x);
        assertThat(y.longs()).containsExactly(0xC0000000_3F800000L);
        assertThat(bitCast(DataType.COMPLEX64).run(y).floats()).containsExactly(1f, -2f);
    }

    @Test
    void uint8ToBoolAndFloat8() {
        Tensor x = Tensor.of(DataType.UINT8, new int[] {3}, new byte[] {0, 1, 0x38});
        assertThat(bitCast(DataType.BOOL).run(x).booleans()).containsExactly(false, true, true);
        Tensor f8 = bitCast(DataType.FLOAT8E4M3FN).run(x);
        assertThat(f8.type()).isEqualTo(DataType.FLOAT8E4M3FN);
        assertThat(f8.getDouble(2)).isEqualTo(1.0);
    }

    @Test
    void bitCastRejectsWidthMismatchAndStrings() {
        assertThatThrownBy(() -> bitCast(DataType.INT64).run(Tensor.of(new float[] {1f}, 1)))
                .hasMessageContaining("widths must match");
        assertThatThrownBy(() -> bitCast(DataType.STRING).kernel(new Value[1]))
                .isInstanceOf(ModelCheckException.class);
    }
}
