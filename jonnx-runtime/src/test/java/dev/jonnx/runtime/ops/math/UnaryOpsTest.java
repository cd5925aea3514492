package dev.jonnx.runtime.ops.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.ModelCheckException;
import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import org.junit.jupiter.api.Test;

class UnaryOpsTest {

    @Test
    void roundHalfToEven() {
        Tensor y = NodeRunner.op("Round", 22).run(
                Tensor.of(new float[] {0.5f, 1.5f, 2.5f, -2.5f, -0.4f}, 5));
        assertThat(y.floats()).containsExactly(0f, 2f, 2f, -2f, -0f);
    }

    @Test
    void absOfInt8MinimumWraps() {
        Tensor y = NodeRunner.op("Abs", 13).run(
                Tensor.of(DataType.INT8, new int[] {2}, new byte[] {-128, -3}));
        assertThat(y.bytes()).containsExactly((byte) -128, (byte) 3);
    }

    @Test
    void negRejectsUnsigned() {
        assertThatThrownBy(() -> NodeRunner.op("Neg", 13).run(
                Tensor.of(DataType.UINT8, new int[] {1}, new byte[] {1})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("uint8");
    }

    @Test
    void signOfIntegersAndNaN() {
        assertThat(NodeRunner.op("Sign", 13).run(Tensor.of(new long[] {-5, 0, 7}, 3)).longs())
                .containsExactly(-1, 0, 1);
        assertThat(NodeRunner.op("Sign", 13).run(Tensor.of(new float[] {Float.NaN}, 1)).floats()[0])
                .isNaN();
    }

    @Test
    void reluKeepsNaNAndClampsIntegers() {
        assertThat(NodeRunner.op("Relu", 14).run(Tensor.of(new float[] {Float.NaN, -1}, 2))
                .floats()).containsExactly(Float.NaN, 0f);
        assertThat(NodeRunner.op("Relu", 14).run(Tensor.of(new int[] {-3, 3}, 2)).ints())
                .containsExactly(0, 3);
    }

    @Test
    void erfMatchesKnownValues() {
        // Tabulated erf values; 2.4 and -2.5 sit on both sides of the switch between methods.
        double[] x = {0.5, 1, 3, -2.5, 2.4, 0};
        double[] expected = {0.5204998778130465, 0.8427007929497149, 0.9999779095030014,
            -0.9995930479825550, 0.9993114861033550, 0};
        double[] y = NodeRunner.op("Erf", 13).run(Tensor.of(x, 6)).doubles();
        for (int i = 0; i < x.length; i++) {
            assertThat(y[i]).as("erf(%s)", x[i]).isCloseTo(expected[i], within(1e-14));
        }
    }

    @Test
    void sigmoidIsStableForLargeInputs() {
        float[] y = NodeRunner.op("Sigmoid", 13).run(Tensor.of(new float[] {-1000, 0, 1000}, 3))
                .floats();
        assertThat(y).containsExactly(0f, 0.5f, 1f);
    }

    @Test
    void softplusOfLargeInputIsIdentity() {
        double[] y = NodeRunner.op("Softplus", 22).run(Tensor.of(new double[] {800, 0}, 2))
                .doubles();
        assertThat(y[0]).isEqualTo(800);
        assertThat(y[1]).isCloseTo(Math.log(2), within(1e-15));
    }

    @Test
    void geluTanhApproximation() {
        // 0.5 * 1 * (1 + tanh(sqrt(2 / pi) * (1 + 0.044715))) = 0.8411919906082768
        double y = NodeRunner.op("Gelu", 20).attr("approximate", "tanh")
                .run(Tensor.of(new double[] {1}, 1)).doubles()[0];
        assertThat(y).isCloseTo(0.8411919906082768, within(1e-15));
    }

    @Test
    void geluRejectsUnknownApproximation() {
        assertThatThrownBy(() -> NodeRunner.op("Gelu", 20).attr("approximate", "fast")
                .run(Tensor.scalar(1f)))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("approximate");
    }

    @Test
    void shrinkOnIntegers() {
        Tensor y = NodeRunner.op("Shrink", 9).attr("lambd", 1.5f).attr("bias", 1.0f)
                .run(Tensor.of(new int[] {-3, -1, 0, 2}, 4));
        assertThat(y.ints()).containsExactly(-2, 0, 0, 1);
    }

    @Test
    void isInfHonoursDetectFlags() {
        Tensor x = Tensor.of(new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 1}, 3);
        assertThat(NodeRunner.op("IsInf", 20).attr("detect_positive", 0L).run(x).booleans())
                .containsExactly(true, false, false);
        assertThat(NodeRunner.op("IsInf", 20).run(x).booleans())
                .containsExactly(true, true, false);
    }

    @Test
    void celuRejectsZeroAlpha() {
        assertThatThrownBy(() -> NodeRunner.op("Celu", 12).attr("alpha", 0f)
                .run(Tensor.scalar(1f)))
                .isInstanceOf(ModelCheckException.class);
    }

    @Test
    void bitwiseNotOfUnsigned() {
        Tensor y = NodeRunner.op("BitwiseNot", 18).run(
                Tensor.of(DataType.UINT16, new int[] {1}, new short[] {0x00FF}));
        assertThat(y.shorts()).containsExactly((short) 0xFF00);
    }

    @Test
    void hardSwishKnots() {
        Tensor y = NodeRunner.op("HardSwish", 22).run(Tensor.of(new float[] {-3, 0, 3, 6}, 4));
        assertThat(y.floats()).containsExactly(-0f, 0f, 3f, 6f);
    }

    @Test
    void acoshAndAtanhOfDoubles() {
        assertThat(NodeRunner.op("Acosh", 22).run(Tensor.of(new double[] {1}, 1)).doubles())
                .containsExactly(0.0);
        assertThat(NodeRunner.op("Atanh", 22).run(Tensor.of(new double[] {0.5}, 1)).doubles()[0])
                .isCloseTo(0.5493061443340549, within(1e-15));
    }

    @Test
    void isNaNOnFloat8() {
        // In float8e4m3fn, 0x7F and 0xFF are NaN and 0x7E is 448, the largest finite value.
        Tensor x = Tensor.of(DataType.FLOAT8E4M3FN, new int[] {3},
                new byte[] {0x7F, (byte) 0xFF, 0x7E});
        assertThat(NodeRunner.op("IsNaN", 20).run(x).booleans()).containsExactly(true, true, false);
    }
}
