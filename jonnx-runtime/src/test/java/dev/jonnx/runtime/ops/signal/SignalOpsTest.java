package dev.jonnx.runtime.ops.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SignalOpsTest {
    private static final float EPS = 1e-5f;

    private static Tensor signal(float... real) {
        return Tensor.of(real, 1, real.length, 1);
    }

    @Test
    void dftOfRealSignal() {
        Tensor y = NodeRunner.op("DFT", 17).run(signal(1, 2, 3, 4));
        assertThat(y.shape()).containsExactly(1, 4, 2);
        assertThat(y.floats()).containsExactly(new float[] {10, 0, -2, 2, -2, 0, -2, -2}, within(EPS));
    }

    @Test
    void dftOnesidedKeepsHalfSpectrum() {
        Tensor y = NodeRunner.op("DFT", 17).attr("onesided", 1L).run(signal(1, 2, 3, 4));
        assertThat(y.shape()).containsExactly(1, 3, 2);
        assertThat(y.floats()).containsExactly(new float[] {10, 0, -2, 2, -2, 0}, within(EPS));
    }

    @Test
    void dftInverseRestoresSignal() {
        Tensor spectrum = Tensor.of(new float[] {10, 0, -2, 2, -2, 0, -2, -2}, 1, 4, 2);
        Tensor y = NodeRunner.op("DFT", 17).attr("inverse", 1L).run(spectrum);
        assertThat(y.floats()).containsExactly(new float[] {1, 0, 2, 0, 3, 0, 4, 0}, within(EPS));
    }

    @Test
    void dftInverseOnesidedReturnsRealSignal() {
        Tensor half = Tensor.of(new float[] {10, 0, -2, 2, -2, 0}, 1, 3, 2);
        Tensor y = NodeRunner.op("DFT", 17).attr("inverse", 1L).attr("onesided", 1L).run(half);
        assertThat(y.shape()).containsExactly(1, 4, 1);
        assertThat(y.floats()).containsExactly(new float[] {1, 2, 3, 4}, within(EPS));
    }

    @Test
    void dftOfOddLength() {
        Tensor y = NodeRunner.op("DFT", 17).run(signal(0, 1, 0));
        float h = (float) Math.sqrt(3) / 2;
        assertThat(y.floats()).containsExactly(new float[] {1, 0, -0.5f, -h, -0.5f, h}, within(EPS));
    }

    @Test
    void dftLengthPadsOrTruncates() {
        Tensor truncated = NodeRunner.op("DFT", 17)
                .run(signal(1, 2, 3, 4), Tensor.scalar(2L));
        assertThat(truncated.floats()).containsExactly(new float[] {3, 0, -1, 0}, within(EPS));
        Tensor padded = NodeRunner.op("DFT", 17).run(signal(1, 1), Tensor.of(new int[] {4}));
        // [1, 1, 0, 0]: X_k = 1 + exp(-i pi k / 2).
        assertThat(padded.floats()).containsExactly(new float[] {2, 0, 1, -1, 0, 0, 1, 1}, within(EPS));
    }

    @Test
    void dft20TakesAxisAsInput() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3, 1);
        Tensor y = NodeRunner.op("DFT", 20).run(x, null, Tensor.scalar(0L));
        assertThat(y.type()).isEqualTo(DataType.DOUBLE);
        assertThat(y.shape()).containsExactly(2, 3, 2);
        assertThat(y.doubles()).containsExactly(
                new double[] {5, 0, 7, 0, 9, 0, -3, 0, -3, 0, -3, 0}, within(1e-12));
    }

    @Test
    void dft20DefaultAxisIsLastSignalAxis() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2, 1);
        Tensor y = NodeRunner.op("DFT", 20).run(x);
        assertThat(y.floats()).containsExactly(new float[] {3, 0, -1, 0, 7, 0, -1, 0}, within(EPS));
    }

    @Test
    void dftRejectsComplexDimensionAsAxis() {
        NodeRunner node = NodeRunner.op("DFT", 17).attr("axis", -1L);
        assertThatThrownBy(() -> node.run(signal(1, 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("axis -1");
    }

    @Test
    void dftFloat16RoundTrip() {
        short[] bits = {Float.floatToFloat16(1), Float.floatToFloat16(3)};
        Tensor x = Tensor.of(DataType.FLOAT16, new int[] {1, 2, 1}, bits);
        Tensor y = NodeRunner.op("DFT", 17).run(x);
        assertThat(y.type()).isEqualTo(DataType.FLOAT16);
        assertThat(y.toFloatArray()).containsExactly(4, 0, -2, 0);
    }

    @Test
    void stftFramesWithoutWindow() {
        Tensor y = NodeRunner.op("STFT", 17)
                .run(signal(1, 2, 3, 4), Tensor.scalar(2L), null, Tensor.scalar(2L));
        assertThat(y.shape()).containsExactly(1, 2, 2, 2);
        assertThat(y.floats()).containsExactly(new float[] {3, 0, -1, 0, 7, 0, -1, 0}, within(EPS));
    }

    @Test
    void stftAppliesWindow() {
        Tensor y = NodeRunner.op("STFT", 17)
                .run(signal(1, 2, 3, 4, 5), Tensor.scalar(2L), Tensor.of(new float[] {1, 0}, 2));
        // Frames start at 0 and 2: windowed to [1, 0] and [3, 0].
        assertThat(y.shape()).containsExactly(1, 2, 2, 2);
        assertThat(y.floats()).containsExactly(new float[] {1, 0, 1, 0, 3, 0, 3, 0}, within(EPS));
    }

    @Test
    void stftRejectsOnesidedComplexSignal() {
        Tensor complex = Tensor.of(new float[] {1, 0, 2, 0}, 1, 2, 2);
        NodeRunner node = NodeRunner.op("STFT", 17);
        assertThatThrownBy(() -> node.run(complex, Tensor.scalar(1L), null, Tensor.scalar(2L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("onesided");
    }

    @Test
    void stftRejectsMissingFrameLength() {
        NodeRunner node = NodeRunner.op("STFT", 17);
        assertThatThrownBy(() -> node.run(signal(1, 2), Tensor.scalar(1L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("frame_length");
    }

    @Test
    void hannPeriodicAndSymmetric() {
        Tensor periodic = NodeRunner.op("HannWindow", 17).run(Tensor.scalar(4L));
        assertThat(periodic.floats()).containsExactly(new float[] {0, 0.5f, 1, 0.5f}, within(EPS));
        Tensor symmetric = NodeRunner.op("HannWindow", 17).attr("periodic", 0L)
                .run(Tensor.of(new int[] {3}));
        assertThat(symmetric.floats()).containsExactly(new float[] {0, 1, 0}, within(EPS));
    }

    @Test
    void hammingAndBlackmanCoefficients() {
        Tensor hamming = NodeRunner.op("HammingWindow", 17).run(Tensor.scalar(2L));
        assertThat(hamming.floats()).containsExactly(new float[] {4f / 46, 1}, within(EPS));
        Tensor blackman = NodeRunner.op("BlackmanWindow", 17).attr("periodic", 0L)
                .run(Tensor.scalar(3L));
        assertThat(blackman.floats()).containsExactly(new float[] {0, 1, 0}, within(EPS));
    }

    @Test
    void windowOutputDatatypeAndEmptySize() {
        Tensor empty = NodeRunner.op("HannWindow", 17)
                .attr("output_datatype", (long) DataType.DOUBLE.code()).run(Tensor.scalar(0L));
        assertThat(empty.type()).isEqualTo(DataType.DOUBLE);
        assertThat(empty.shape()).containsExactly(0);
    }

    @Test
    void windowRejectsStringOutput() {
        NodeRunner node = NodeRunner.op("HannWindow", 17)
                .attr("output_datatype", (long) DataType.STRING.code());
        assertThatThrownBy(() -> node.run(Tensor.scalar(2L)))
                .isInstanceOf(dev.jonnx.ModelCheckException.class);
    }

    @Test
    void melWeightMatrixMatchesSpecificationExample() {
        Tensor y = NodeRunner.op("MelWeightMatrix", 17).run(Tensor.of(new int[] {8}),
                Tensor.of(new int[] {16}), Tensor.of(new int[] {8192}), Tensor.scalar(0f),
                Tensor.scalar(4096f));
        assertThat(y.shape()).containsExactly(9, 8);
        float[] w = y.floats();
        float[][] firstRows = {
            {1, 1, 0, 0, 0, 0, 0, 0},
            {0, 0, 1, 1, 0, 0, 0, 0},
            {0, 0, 0, 0, 1, 0, 0, 0},
            {0, 0, 0, 0, 0, 1, 0, 0},
            {0, 0, 0, 0, 0, 0, 1, 0},
            {0, 0, 0, 0, 0, 0, 0, 1},
        };
        for (int r = 0; r < firstRows.length; r++) {
            for (int c = 0; c < 8; c++) {
                assertThat(w[r * 8 + c]).as("row %d column %d", r, c).isEqualTo(firstRows[r][c]);
            }
        }
    }
}
