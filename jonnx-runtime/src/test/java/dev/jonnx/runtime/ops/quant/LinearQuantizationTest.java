package dev.jonnx.runtime.ops.quant;

import static dev.jonnx.runtime.testing.TestTensors.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.ModelCheckException;
import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.FloatFormats;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import org.junit.jupiter.api.Test;

class LinearQuantizationTest {

    private static long[] longs(Tensor t) {
        return t.toLongArray();
    }

    @Test
    void quantizeRoundsHalfToEvenAndSaturates() {
        Tensor x = Tensor.of(new float[] {0.5f, 1.5f, 2.5f, -200f, 200f}, 5);
        Tensor scale = Tensor.scalar(1f);
        Tensor zero = bytes(DataType.UINT8, new int[0], 128);
        Tensor y = NodeRunner.op("QuantizeLinear", 13).run(x, scale, zero);
        assertThat(y.type()).isEqualTo(DataType.UINT8);
        assertThat(longs(y)).containsExactly(128, 130, 130, 0, 255);
    }

    @Test
    void quantizeWithoutZeroPointDefaultsToUint8() {
        Tensor y = NodeRunner.op("QuantizeLinear", 10)
                .run(Tensor.of(new float[] {-3f, 7f}, 2), Tensor.scalar(2f), null);
        assertThat(y.type()).isEqualTo(DataType.UINT8);
        assertThat(longs(y)).containsExactly(0, 4);
    }

    @Test
    void quantizePerAxisWithNegativeAxis() {
        Tensor x = Tensor.of(new float[] {2, 4, 8, -2, -4, -8}, 2, 3);
        Tensor scale = Tensor.of(new float[] {1, 2, 4}, 3);
        Tensor zero = bytes(DataType.INT8, new int[] {3}, 0, 1, -1);
        Tensor y = NodeRunner.op("QuantizeLinear", 13).attr("axis", -1L).run(x, scale, zero);
        assertThat(longs(y)).containsExactly(2, 3, 1, -2, -1, -3);
    }

    @Test
    void quantizeBlockedUsesOneScalePerBlock() {
        Tensor x = Tensor.of(new float[] {1, 2, 30, 40, 50}, 1, 5);
        Tensor scale = Tensor.of(new float[] {1, 10, 50}, 1, 3);
        Tensor y = NodeRunner.op("QuantizeLinear", 21).attr("axis", 1L).attr("block_size", 2L)
                .run(x, scale, null);
        assertThat(longs(y)).containsExactly(1, 2, 3, 4, 1);
    }

    @Test
    void quantizeBlockedRejectsWrongBlockCount() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 4);
        Tensor scale = Tensor.of(new float[] {1, 1, 1}, 1, 3);
        NodeRunner node = NodeRunner.op("QuantizeLinear", 21).attr("block_size", 2L);
        assertThatThrownBy(() -> node.run(x, scale, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("need 2");
    }

    @Test
    void quantizeInt4AndInt2Saturate() {
        Tensor x = Tensor.of(new float[] {100, -100, 1}, 3);
        Tensor int4 = NodeRunner.op("QuantizeLinear", 21)
                .run(x, Tensor.scalar(1f), bytes(DataType.INT4, new int[0], 0));
        assertThat(longs(int4)).containsExactly(7, -8, 1);
        Tensor uint2 = NodeRunner.op("QuantizeLinear", 25)
                .run(x, Tensor.scalar(1f), bytes(DataType.UINT2, new int[0], 0));
        assertThat(longs(uint2)).containsExactly(3, 0, 1);
    }

    @Test
    void quantizeOutputDtypeWithoutZeroPoint() {
        Tensor y = NodeRunner.op("QuantizeLinear", 21).attr("output_dtype", (long) DataType.INT16.code())
                .run(Tensor.of(new float[] {-40000f, 12.4f}, 2), Tensor.scalar(1f), null);
        assertThat(y.type()).isEqualTo(DataType.INT16);
        assertThat(longs(y)).containsExactly(-32768, 12);
    }

    @Test
    void quantizeRejectsConflictingOutputDtype() {
        NodeRunner node = NodeRunner.op("QuantizeLinear", 21)
                .attr("output_dtype", (long) DataType.INT16.code());
        assertThatThrownBy(() -> node.run(Tensor.of(new float[] {1}, 1), Tensor.scalar(1f),
                bytes(DataType.UINT8, new int[0], 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("output_dtype");
    }

    @Test
    void quantizeFloat8SaturatesUnlessDisabled() {
        Tensor x = Tensor.of(new float[] {1000f, 1f}, 2);
        Tensor zero = bytes(DataType.FLOAT8E4M3FN, new int[0], 0);
        Tensor saturated = NodeRunner.op("QuantizeLinear", 19).run(x, Tensor.scalar(1f), zero);
        assertThat(saturated.getDouble(0)).isEqualTo(448.0);
        assertThat(saturated.getDouble(1)).isEqualTo(1.0);
        Tensor unsaturated = NodeRunner.op("QuantizeLinear", 19).attr("saturate", 0L)
                .run(x, Tensor.scalar(1f), zero);
        assertThat(unsaturated.getDouble(0)).isNaN();
    }

    @Test
    void quantizeEmptyTensor() {
        Tensor y = NodeRunner.op("QuantizeLinear", 13)
                .run(Tensor.of(new float[0], 0, 3), Tensor.scalar(1f), null);
        assertThat(y.shape()).containsExactly(0, 3);
    }

    @Test
    void quantizeNanGoesToZeroPoint() {
        Tensor y = NodeRunner.op("QuantizeLinear", 13).run(Tensor.of(new float[] {Float.NaN}, 1),
                Tensor.scalar(1f), bytes(DataType.UINT8, new int[0], 7));
        assertThat(longs(y)).containsExactly(7);
    }

    @Test
    void quantizeInt32Input() {
        Tensor x = Tensor.of(new int[] {10, -10}, 2);
        Tensor y = NodeRunner.op("QuantizeLinear", 21).run(x, Tensor.scalar(4f),
                bytes(DataType.INT8, new int[0], 0));
        assertThat(longs(y)).containsExactly(2, -2);
    }

    @Test
    void dequantizeSubtractsZeroPointAndScales() {
        Tensor x = bytes(DataType.UINT8, new int[] {2}, 0, 255);
        Tensor y = NodeRunner.op("DequantizeLinear", 10)
                .run(x, Tensor.scalar(0.5f), bytes(DataType.UINT8, new int[0], 128));
        assertThat(y.type()).isEqualTo(DataType.FLOAT);
        assertThat(y.floats()).containsExactly(-64f, 63.5f);
    }

    @Test
    void dequantizeInt8PerTensor() {
        Tensor x = bytes(DataType.INT8, new int[] {2, 2}, -128, -1, 0, 127);
        Tensor y = NodeRunner.op("DequantizeLinear", 13)
                .run(x, Tensor.scalar(0.25f), bytes(DataType.INT8, new int[0], -2));
        assertThat(y.shape()).containsExactly(2, 2);
        assertThat(y.floats()).containsExactly(-31.5f, 0.25f, 0.5f, 32.25f);
    }

    @Test
    void dequantizeInt32WithoutZeroPoint() {
        Tensor y = NodeRunner.op("DequantizeLinear", 13)
                .run(Tensor.of(new int[] {-3, 5}, 2), Tensor.scalar(2f), null);
        assertThat(y.floats()).containsExactly(-6f, 10f);
    }

    @Test
    void dequantizePerAxisAndFloat16Scale() {
        Tensor x = bytes(DataType.INT8, new int[] {2, 2}, 1, 2, 3, 4);
        short half = Float.floatToFloat16(0.5f);
        short two = Float.floatToFloat16(2f);
        Tensor scale = Tensor.of(DataType.FLOAT16, new int[] {2}, new short[] {half, two});
        Tensor y = NodeRunner.op("DequantizeLinear", 19).attr("axis", 0L).run(x, scale, null);
        assertThat(y.type()).isEqualTo(DataType.FLOAT16);
        assertThat(y.toFloatArray()).containsExactly(0.5f, 1f, 6f, 8f);
    }

    @Test
    void dequantizeBlockedWithOutputDtype() {
        Tensor x = bytes(DataType.INT4, new int[] {3, 1}, 1, -2, 3);
        Tensor scale = Tensor.of(new float[] {10, 100}, 2, 1);
        Tensor y = NodeRunner.op("DequantizeLinear", 21).attr("axis", 0L).attr("block_size", 2L)
                .attr("output_dtype", (long) DataType.BFLOAT16.code()).run(x, scale, null);
        assertThat(y.type()).isEqualTo(DataType.BFLOAT16);
        assertThat(y.toFloatArray()).containsExactly(10f, -20f, 300f);
    }

    @Test
    void dequantizeFloat8WithZeroPoint() {
        int two = FloatFormats.fromFloat(DataType.FLOAT8E5M2, 2f, true);
        int half = FloatFormats.fromFloat(DataType.FLOAT8E5M2, 0.5f, true);
        Tensor x = bytes(DataType.FLOAT8E5M2, new int[] {1}, two);
        Tensor zero = bytes(DataType.FLOAT8E5M2, new int[0], half);
        Tensor y = NodeRunner.op("DequantizeLinear", 19).run(x, Tensor.scalar(4f), zero);
        assertThat(y.floats()).containsExactly(6f);
    }

    @Test
    void dequantizeRejectsZeroPointOfOtherType() {
        NodeRunner node = NodeRunner.op("DequantizeLinear", 13);
        assertThatThrownBy(() -> node.run(bytes(DataType.UINT8, new int[] {1}, 1),
                Tensor.scalar(1f), bytes(DataType.INT8, new int[0], 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x_zero_point");
    }

    @Test
    void dequantizeRejectsNegativeBlockSize() {
        NodeRunner node = NodeRunner.op("DequantizeLinear", 21).attr("block_size", -1L);
        assertThatThrownBy(() -> node.run(bytes(DataType.UINT8, new int[] {1}, 1), Tensor.scalar(1f)))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("block_size");
    }

    @Test
    void dynamicQuantizeIncludesZeroInRange() {
        Value[] out = NodeRunner.op("DynamicQuantizeLinear", 11)
                .outputs(3).runAll(Tensor.of(new float[] {0, 2, -1, 4}, 4));
        Tensor y = (Tensor) out[0];
        Tensor scale = (Tensor) out[1];
        Tensor zero = (Tensor) out[2];
        assertThat(scale.floats()[0]).isEqualTo(5f / 255f);
        assertThat(zero.getLong(0)).isEqualTo(51);
        assertThat(longs(y)).containsExactly(51, 153, 0, 255);
    }

    @Test
    void dynamicQuantizeAllZeros() {
        Value[] out = NodeRunner.op("DynamicQuantizeLinear", 11).outputs(3).runAll(Tensor.of(new float[] {0, 0}, 2));
        assertThat(((Tensor) out[1]).floats()[0]).isZero();
        assertThat(((Tensor) out[2]).getLong(0)).isZero();
        assertThat(longs((Tensor) out[0])).containsExactly(0, 0);
    }
}
