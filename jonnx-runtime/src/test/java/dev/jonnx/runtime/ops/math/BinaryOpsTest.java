package dev.jonnx.runtime.ops.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import org.junit.jupiter.api.Test;

class BinaryOpsTest {

    private static Tensor int8(int[] shape, int... values) {
        byte[] data = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            data[i] = (byte) values[i];
        }
        return Tensor.of(DataType.INT8, shape, data);
    }

    private static Tensor uint64(long... values) {
        return Tensor.of(DataType.UINT64, new int[] {values.length}, values);
    }

    @Test
    void addWrapsInt8() {
        Tensor y = NodeRunner.op("Add", 14).run(int8(new int[] {2}, 100, -100),
                int8(new int[] {2}, 100, -100));
        assertThat(y.type()).isEqualTo(DataType.INT8);
        assertThat(y.bytes()).containsExactly((byte) -56, (byte) 56);
    }

    @Test
    void addRankZeroInputs() {
        Tensor y = NodeRunner.op("Add", 14).run(Tensor.scalar(1.5f), Tensor.scalar(2f));
        assertThat(y.shape()).isEmpty();
        assertThat(y.floats()).containsExactly(3.5f);
    }

    @Test
    void addEmptyBroadcast() {
        Tensor y = NodeRunner.op("Add", 14).run(Tensor.of(new float[0], 0, 3),
                Tensor.of(new float[] {1, 2, 3}, 3));
        assertThat(y.shape()).containsExactly(0, 3);
        assertThat(y.size()).isZero();
    }

    @Test
    void addFloat16RoundsResult() {
        // 2048 + 1 is not a float16 value; ties to even give 2048.
        short a = Float.floatToFloat16(2048f);
        short b = Float.floatToFloat16(1f);
        Tensor y = NodeRunner.op("Add", 14).run(
                Tensor.of(DataType.FLOAT16, new int[] {1}, new short[] {a}),
                Tensor.of(DataType.FLOAT16, new int[] {1}, new short[] {b}));
        assertThat(Float.float16ToFloat(y.shorts()[0])).isEqualTo(2048f);
    }

    @Test
    void addRejectsMixedTypes() {
        assertThatThrownBy(() -> NodeRunner.op("Add", 14).run(Tensor.scalar(1f),
                Tensor.scalar(1.0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("same element type");
    }

    @Test
    void legacyBroadcastAlongAxis() {
        // Opset 6: B of shape [3] matches dimension 1 of A [2, 3, 2].
        Tensor a = Tensor.of(new float[12], 2, 3, 2);
        Tensor b = Tensor.of(new float[] {1, 2, 3}, 3);
        Tensor y = NodeRunner.op("Add", 6).attr("broadcast", 1L).attr("axis", 1L).run(a, b);
        assertThat(y.shape()).containsExactly(2, 3, 2);
        assertThat(y.floats()).containsExactly(1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3);
    }

    @Test
    void legacyBroadcastDefaultsToSuffix() {
        Tensor a = Tensor.of(new float[4], 2, 2);
        Tensor b = Tensor.of(new float[] {1, 2}, 2);
        Tensor y = NodeRunner.op("Sub", 1).attr("broadcast", 1L).run(a, b);
        assertThat(y.floats()).containsExactly(-1, -2, -1, -2);
    }

    @Test
    void legacyWithoutBroadcastNeedsEqualShapes() {
        Tensor a = Tensor.of(new float[4], 2, 2);
        Tensor b = Tensor.of(new float[] {1, 2}, 2);
        assertThatThrownBy(() -> NodeRunner.op("Mul", 6).run(a, b))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'broadcast' is not set");
    }

    @Test
    void divTruncatesIntegers() {
        Tensor y = NodeRunner.op("Div", 14).run(Tensor.of(new long[] {-7, 7}, 2),
                Tensor.of(new long[] {2, -2}, 2));
        assertThat(y.longs()).containsExactly(-3, -3);
    }

    @Test
    void divIntegerByZeroFails() {
        assertThatThrownBy(() -> NodeRunner.op("Div", 14).run(Tensor.scalar(1L),
                Tensor.scalar(0L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("division by zero");
    }

    @Test
    void divUint64IsUnsigned() {
        Tensor y = NodeRunner.op("Div", 14).run(uint64(-2L), uint64(2));
        assertThat(y.longs()).containsExactly(Long.MAX_VALUE);
    }

    @Test
    void modSignFollowsDivisor() {
        Tensor y = NodeRunner.op("Mod", 13).run(Tensor.of(new long[] {-7, 7}, 2),
                Tensor.of(new long[] {2, -2}, 2));
        assertThat(y.longs()).containsExactly(1, -1);
    }

    @Test
    void fmodSignFollowsDividend() {
        Tensor y = NodeRunner.op("Mod", 13).attr("fmod", 1L).run(
                Tensor.of(new float[] {-7.5f, 7.5f}, 2), Tensor.of(new float[] {2, -2}, 2));
        assertThat(y.floats()).containsExactly(-1.5f, 1.5f);
    }

    @Test
    void modOfFloatsNeedsFmod() {
        assertThatThrownBy(() -> NodeRunner.op("Mod", 13).run(Tensor.scalar(1f),
                Tensor.scalar(2f)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fmod=1");
    }

    @Test
    void powIntegersExactly() {
        Tensor y = NodeRunner.op("Pow", 15).run(Tensor.of(new long[] {3, 2, 2}, 3),
                Tensor.of(new long[] {39, 10, -1}, 3));
        // 3^39 = 4052555153018976267 fits in int64 but not in a double's 53 bits.
        assertThat(y.longs()).containsExactly(4052555153018976267L, 1024, 0);
    }

    @Test
    void powZeroToNegativeIntegerFails() {
        assertThatThrownBy(() -> NodeRunner.op("Pow", 15).run(Tensor.scalar(0L),
                Tensor.scalar(-1L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative power");
    }

    @Test
    void powIntegerBaseFloatExponent() {
        Tensor y = NodeRunner.op("Pow", 15).run(Tensor.of(new int[] {4, 9}, 2),
                Tensor.of(new float[] {0.5f, 0.5f}, 2));
        assertThat(y.type()).isEqualTo(DataType.INT32);
        assertThat(y.ints()).containsExactly(2, 3);
    }

    @Test
    void greaterUint64IsUnsigned() {
        Tensor y = NodeRunner.op("Greater", 13).run(uint64(Long.MIN_VALUE), uint64(1));
        assertThat(y.booleans()).containsExactly(true);
    }

    @Test
    void equalNaNIsFalse() {
        Tensor y = NodeRunner.op("Equal", 19).run(Tensor.of(new float[] {Float.NaN, 1}, 2),
                Tensor.of(new float[] {Float.NaN, 1}, 2));
        assertThat(y.booleans()).containsExactly(false, true);
    }

    @Test
    void equalStringsBroadcast() {
        Tensor y = NodeRunner.op("Equal", 19).run(Tensor.of(new String[] {"a", "b"}, 2),
                Tensor.of(new String[] {"b"}, 1));
        assertThat(y.booleans()).containsExactly(false, true);
    }

    @Test
    void xorBroadcastsBool() {
        Tensor y = NodeRunner.op("Xor", 7).run(Tensor.of(new boolean[] {true, false}, 2, 1),
                Tensor.of(new boolean[] {true, false}, 2));
        assertThat(y.shape()).containsExactly(2, 2);
        assertThat(y.booleans()).containsExactly(false, true, true, false);
    }

    @Test
    void andRejectsNonBool() {
        assertThatThrownBy(() -> NodeRunner.op("And", 7).run(Tensor.scalar(1f),
                Tensor.scalar(1f)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bool");
    }

    @Test
    void bitShiftPastWidthGivesZero() {
        Tensor x = Tensor.of(DataType.UINT8, new int[] {3}, new byte[] {1, (byte) 0x81, 16});
        Tensor s = Tensor.of(DataType.UINT8, new int[] {3}, new byte[] {7, 1, 64});
        Tensor y = NodeRunner.op("BitShift", 11).attr("direction", "LEFT").run(x, s);
        assertThat(y.bytes()).containsExactly((byte) 0x80, (byte) 0x02, (byte) 0);
    }

    @Test
    void bitShiftRightIsLogical() {
        Tensor x = Tensor.of(DataType.UINT8, new int[] {1}, new byte[] {(byte) 0x80});
        Tensor s = Tensor.of(DataType.UINT8, new int[] {1}, new byte[] {7});
        Tensor y = NodeRunner.op("BitShift", 11).attr("direction", "RIGHT").run(x, s);
        assertThat(y.bytes()).containsExactly((byte) 1);
    }

    @Test
    void bitwiseAndOfNegativeInts() {
        Tensor y = NodeRunner.op("BitwiseAnd", 18).run(Tensor.of(new int[] {-1, 12}, 2),
                Tensor.of(new int[] {5, 10}, 2));
        assertThat(y.ints()).containsExactly(5, 8);
    }

    @Test
    void preluBroadcastsSlope() {
        Tensor y = NodeRunner.op("PRelu", 16).run(Tensor.of(new float[] {-1, 2, -3, 4}, 2, 2),
                Tensor.of(new float[] {0.5f, 0.25f}, 2));
        assertThat(y.floats()).containsExactly(-0.5f, 2, -1.5f, 4);
    }

    @Test
    void preluSlopeMustNotGrowOutput() {
        assertThatThrownBy(() -> NodeRunner.op("PRelu", 16).run(Tensor.of(new float[] {1}, 1),
                Tensor.of(new float[] {1, 2}, 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not broadcast");
    }

    @Test
    void preluLegacySlopePerChannel() {
        // Opset 6, X [1, 2, 3]: a slope of shape [2] applies along axis 1.
        Tensor x = Tensor.of(new float[] {-1, -1, -1, -1, -1, -1}, 1, 2, 3);
        Tensor y = NodeRunner.op("PRelu", 6).run(x, Tensor.of(new float[] {0.5f, 2}, 2));
        assertThat(y.floats()).containsExactly(-0.5f, -0.5f, -0.5f, -2, -2, -2);
    }

    @Test
    void preluSlopeAxisDependsOnOpset() {
        // X [1, 2, 2] with slope [2]: per channel before opset 7, along the last axis after.
        Tensor x = Tensor.of(new float[] {-1, -1, -1, -1}, 1, 2, 2);
        Tensor slope = Tensor.of(new float[] {0.5f, 2}, 2);
        assertThat(NodeRunner.op("PRelu", 6).run(x, slope).floats())
                .containsExactly(-0.5f, -0.5f, -2, -2);
        assertThat(NodeRunner.op("PRelu", 7).run(x, slope).floats())
                .containsExactly(-0.5f, -2, -0.5f, -2);
    }
}
