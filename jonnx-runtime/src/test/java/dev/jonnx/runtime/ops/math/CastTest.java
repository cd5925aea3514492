package dev.jonnx.runtime.ops.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.FloatFormats.RoundMode;
import dev.jonnx.tensor.FloatFormats;
import dev.jonnx.tensor.Tensor;
import org.junit.jupiter.api.Test;

class CastTest {

    private static Tensor cast(Tensor x, DataType to) {
        return NodeRunner.op("Cast", 25).attr("to", (long) to.code()).run(x);
    }

    @Test
    void floatToStringLikeNumPy() {
        Tensor x = Tensor.of(new float[] {3, 0.1f, 1e20f, 1.5e-5f, -0f, Float.NaN,
            Float.NEGATIVE_INFINITY}, 7);
        assertThat(cast(x, DataType.STRING).strings())
                .containsExactly("3.0", "0.1", "1e+20", "1.5e-05", "-0.0", "NaN", "-INF");
    }

    @Test
    void stringToFloatSpecialValues() {
        Tensor x = Tensor.of(new String[] {"+INF", "-inf", "nan", "1E8", " 2.5 "}, 5);
        float[] y = cast(x, DataType.FLOAT).floats();
        assertThat(y[0]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(y[1]).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(y[2]).isNaN();
        assertThat(y[3]).isEqualTo(1e8f);
        assertThat(y[4]).isEqualTo(2.5f);
    }

    @Test
    void stringToIntegers() {
        Tensor x = Tensor.of(new String[] {"-12", "+7", "18446744073709551615"}, 3);
        assertThat(cast(Tensor.of(new String[] {"-12", "+7"}, 2), DataType.INT32).ints())
                .containsExactly(-12, 7);
        assertThat(cast(x, DataType.UINT64).longs()).containsExactly(-12L, 7L, -1L);
    }

    @Test
    void stringThatIsNoNumberFails() {
        assertThatThrownBy(() -> cast(Tensor.of(new String[] {"hello"}, 1), DataType.FLOAT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'hello'");
    }

    @Test
    void uint64ToStringIsUnsigned() {
        Tensor x = Tensor.of(DataType.UINT64, new int[] {1}, new long[] {-1L});
        assertThat(cast(x, DataType.STRING).strings()).containsExactly("18446744073709551615");
    }

    @Test
    void integerNarrowingWraps() {
        Tensor x = Tensor.of(new int[] {200, -129, 256}, 3);
        assertThat(cast(x, DataType.INT8).bytes()).containsExactly((byte) -56, (byte) 127,
                (byte) 0);
    }

    @Test
    void floatToIntTruncates() {
        Tensor x = Tensor.of(new float[] {2.7f, -2.7f}, 2);
        assertThat(cast(x, DataType.INT64).longs()).containsExactly(2L, -2L);
    }

    @Test
    void floatToInt4Wraps() {
        Tensor x = Tensor.of(new float[] {-9, 8, 7}, 3);
        assertThat(cast(x, DataType.INT4).bytes()).containsExactly((byte) 7, (byte) -8, (byte) 7);
    }

    @Test
    void toBoolTreatsNaNAsTrue() {
        Tensor x = Tensor.of(new double[] {0, -0.0, Double.NaN, 0.1}, 4);
        assertThat(cast(x, DataType.BOOL).booleans()).containsExactly(false, false, true, true);
    }

    @Test
    void uint64ToFloatIsUnsigned() {
        Tensor x = Tensor.of(DataType.UINT64, new int[] {1}, new long[] {Long.MIN_VALUE});
        assertThat(cast(x, DataType.FLOAT).floats()).containsExactly(0x1p63f);
        assertThat(cast(x, DataType.DOUBLE).doubles()).containsExactly(0x1p63);
    }

    @Test
    void doubleToFloat16RoundsOnce() {
        // 1 + 2^-11 + 2^-40 lies just above the midpoint of float16 values 1 and 1 + 2^-10.
        // Rounding to float first would drop 2^-40 and tie to even (1.0); the exact value
        // rounds up.
        double v = 1 + 0x1p-11 + 0x1p-40;
        Tensor y = cast(Tensor.of(new double[] {v}, 1), DataType.FLOAT16);
        assertThat(Float.float16ToFloat(y.shorts()[0])).isEqualTo(1 + 0x1p-10f);
    }

    @Test
    void float8SaturateAttribute() {
        Tensor x = Tensor.of(new float[] {1e6f, Float.NEGATIVE_INFINITY}, 2);
        Tensor saturated = NodeRunner.op("Cast", 19)
                .attr("to", (long) DataType.FLOAT8E4M3FN.code()).run(x);
        assertThat(saturated.bytes()).containsExactly((byte) 0x7E, (byte) 0xFE);
        Tensor unsaturated = NodeRunner.op("Cast", 19)
                .attr("to", (long) DataType.FLOAT8E4M3FN.code()).attr("saturate", 0L).run(x);
        assertThat(unsaturated.bytes()).containsExactly((byte) 0x7F, (byte) 0xFF);
    }

    @Test
    void float8E5M2WithoutSaturateOverflowsToInfinity() {
        Tensor x = Tensor.of(new float[] {1e6f}, 1);
        Tensor y = NodeRunner.op("Cast", 19).attr("to", (long) DataType.FLOAT8E5M2.code())
                .attr("saturate", 0L).run(x);
        assertThat(y.bytes()).containsExactly((byte) 0x7C);
    }

    @Test
    void e8m0RoundModes() {
        // 3 lies between 2 (code 128) and 4 (code 129); 1.25 is below the midpoint 1.5 of 1 and 2.
        Tensor x = Tensor.of(new float[] {3, 1.25f, 4}, 3);
        DataType e8m0 = DataType.FLOAT8E8M0;
        assertThat(NodeRunner.op("Cast", 25).attr("to", (long) e8m0.code()).run(x).bytes())
                .containsExactly((byte) 129, (byte) 128, (byte) 129);
        assertThat(NodeRunner.op("Cast", 25).attr("to", (long) e8m0.code())
                .attr("round_mode", "down").run(x).bytes())
                .containsExactly((byte) 128, (byte) 127, (byte) 129);
        assertThat(NodeRunner.op("Cast", 25).attr("to", (long) e8m0.code())
                .attr("round_mode", "nearest").run(x).bytes())
                .containsExactly((byte) 129, (byte) 127, (byte) 129);
    }

    @Test
    void e8m0ZeroDependsOnSaturate() {
        assertThat(FloatFormats.toE8m0(0f, true, RoundMode.UP)).isZero();
        assertThat(FloatFormats.toE8m0(0f, false, RoundMode.NEAREST)).isEqualTo(0xFF);
        assertThat(FloatFormats.toE8m0(0x1p-127f, false, RoundMode.UP)).isZero();
    }

    @Test
    void float4NaNBecomesNegativeZero() {
        Tensor y = cast(Tensor.of(new float[] {Float.NaN, 7f, 100f}, 3), DataType.FLOAT4E2M1);
        assertThat(y.bytes()).containsExactly((byte) 0x8, (byte) 0x7, (byte) 0x7);
    }

    @Test
    void opset1NamesTypeAsString() {
        Tensor y = NodeRunner.op("Cast", 1).attr("to", "DOUBLE")
                .run(Tensor.of(new float[] {1.5f}, 1));
        assertThat(y.doubles()).containsExactly(1.5);
    }

    @Test
    void castLikeTakesTypeOfSecondInput() {
        Tensor y = NodeRunner.op("CastLike", 21).run(Tensor.of(new long[] {3}, 1),
                Tensor.of(new double[0], 0));
        assertThat(y.type()).isEqualTo(DataType.DOUBLE);
        assertThat(y.doubles()).containsExactly(3.0);
    }

    @Test
    void boolToString() {
        assertThat(cast(Tensor.of(new boolean[] {true, false}, 2), DataType.STRING).strings())
                .containsExactly("True", "False");
    }

    @Test
    void int64ToUint64CopiesStorage() {
        long[] data = {-1, 2};
        Tensor y = cast(Tensor.of(data, 2), DataType.UINT64);
        assertThat(y.longs()).containsExactly(-1L, 2L);
        assertThat(y.longs()).isNotSameAs(data);
    }

    @Test
    void uint16ToInt32ZeroExtends() {
        Tensor x = Tensor.of(DataType.UINT16, new int[] {1}, new short[] {(short) 0xFFFF});
        assertThat(cast(x, DataType.INT32).ints()).containsExactly(65535);
    }

    @Test
    void float16ToStringUsesShortestDigits() {
        // The float16 nearest 0.1 is 0.0999755859375, and "0.1" reads back to it. Likewise
        // 65500 reads back to the largest float16, 65504, as NumPy also prints it.
        short bits = Float.floatToFloat16(0.1f);
        Tensor x = Tensor.of(DataType.FLOAT16, new int[] {2}, new short[] {bits,
            Float.floatToFloat16(65504f)});
        assertThat(cast(x, DataType.STRING).strings()).containsExactly("0.1", "65500.0");
    }

    @Test
    void stringToBool() {
        Tensor x = Tensor.of(new String[] {"True", "false", "0", "2"}, 4);
        assertThat(cast(x, DataType.BOOL).booleans()).containsExactly(true, false, false, true);
    }

    @Test
    void stringToInt64TruncatesDecimals() {
        Tensor x = Tensor.of(new String[] {"100.5", "-1e3"}, 2);
        assertThat(cast(x, DataType.INT64).longs()).containsExactly(100L, -1000L);
    }
}
