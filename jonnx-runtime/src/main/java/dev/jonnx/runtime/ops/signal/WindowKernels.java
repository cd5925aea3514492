package dev.jonnx.runtime.ops.signal;

import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Set;

/** HannWindow, HammingWindow, BlackmanWindow and MelWeightMatrix. */
final class WindowKernels {
    private WindowKernels() {}

    private static final Set<DataType> NUMERIC_OUTPUTS = Set.of(DataType.UINT8, DataType.UINT16,
            DataType.UINT32, DataType.UINT64, DataType.INT8, DataType.INT16, DataType.INT32,
            DataType.INT64, DataType.FLOAT16, DataType.FLOAT, DataType.DOUBLE, DataType.BFLOAT16);

    /**
     * Builds a cosine-sum window {@code w[n] = a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N)}, where N is
     * the size when periodic and size - 1 when symmetric.
     */
    static KernelFactory cosineWindow(double a0, double a1, double a2) {
        return node -> {
            boolean periodic = node.getInt("periodic", 1) != 0;
            DataType type = outputType(node);
            return (inputs, ctx) -> {
                long size = FourierKernels.scalarLong((Tensor) inputs[0], "size");
                if (size < 0) {
                    throw new IllegalArgumentException("size must not be negative, got " + size);
                }
                int n = Math.toIntExact(size);
                double denominator = periodic ? n : n - 1;
                double[] values = new double[n];
                for (int i = 0; i < n; i++) {
                    // A symmetric window of size 1 has denominator 0; its only value uses cos(0).
                    double phase = denominator == 0 ? 0 : 2 * Math.PI * i / denominator;
                    values[i] = a0 - a1 * Math.cos(phase) + a2 * Math.cos(2 * phase);
                }
                return new Value[] {Tensor.fromDoubles(type, new int[] {n}, values)};
            };
        };
    }

    /** Hann: a0 = a1 = 0.5. */
    static KernelFactory hann() {
        return cosineWindow(0.5, 0.5, 0);
    }

    /** Hamming with the ONNX coefficients a0 = 25/46 and a1 = 21/46. */
    static KernelFactory hamming() {
        return cosineWindow(25.0 / 46, 1 - 25.0 / 46, 0);
    }

    /** Blackman: a0 = 0.42, a1 = 0.5, a2 = 0.08. */
    static KernelFactory blackman() {
        return cosineWindow(0.42, 0.5, 0.08);
    }

    private static DataType outputType(NodeContext node) {
        long code = node.getInt("output_datatype", 1);
        DataType type;
        try {
            type = DataType.fromCode((int) code);
        } catch (IllegalArgumentException e) {
            throw node.error("output_datatype " + code + " is not a valid element type code");
        }
        if (!NUMERIC_OUTPUTS.contains(type)) {
            throw node.error("output_datatype must be a numeric type, got " + type);
        }
        return type;
    }

    /**
     * MelWeightMatrix-17: triangular filters with peak 1, spaced evenly on the mel scale
     * {@code mel(f) = 2595 log10(1 + f / 700)}. The edge frequencies of the filters are mapped to
     * spectrogram bins as {@code floor((dft_length + 1) * f / sample_rate)}. Output
     * {@code [dft_length / 2 + 1, num_mel_bins]}.
     */
    static KernelFactory melWeightMatrix() {
        return node -> {
            DataType type = outputType(node);
            return (inputs, ctx) -> {
                long melBins = FourierKernels.scalarLong((Tensor) inputs[0], "num_mel_bins");
                long dftLength = FourierKernels.scalarLong((Tensor) inputs[1], "dft_length");
                long sampleRate = FourierKernels.scalarLong((Tensor) inputs[2], "sample_rate");
                double lower = scalarDouble((Tensor) inputs[3], "lower_edge_hertz");
                double upper = scalarDouble((Tensor) inputs[4], "upper_edge_hertz");
                if (melBins < 1 || dftLength < 1 || sampleRate < 1) {
                    throw new IllegalArgumentException("num_mel_bins, dft_length and sample_rate must "
                            + "be positive, got " + melBins + ", " + dftLength + ", " + sampleRate);
                }
                if (lower < 0 || upper <= lower) {
                    throw new IllegalArgumentException("need 0 <= lower_edge_hertz < upper_edge_hertz, "
                            + "got " + lower + " and " + upper);
                }
                int mels = Math.toIntExact(melBins);
                int spectrogramBins = Math.toIntExact(dftLength / 2 + 1);
                double lowMel = 2595 * Math.log10(1 + lower / 700);
                double highMel = 2595 * Math.log10(1 + upper / 700);
                // mels + 2 edge points divide the mel range into mels + 2 equal steps.
                double melStep = (highMel - lowMel) / (mels + 2);
                int[] edges = new int[mels + 2];
                for (int i = 0; i < edges.length; i++) {
                    double hertz = 700 * (Math.pow(10, (i * melStep + lowMel) / 2595) - 1);
                    edges[i] = (int) Math.floor((dftLength + 1) * hertz / sampleRate);
                }
                double[] out = new double[spectrogramBins * mels];
                for (int m = 0; m < mels; m++) {
                    int left = edges[m];
                    int center = edges[m + 1];
                    int right = edges[m + 2];
                    if (center == left) {
                        set(out, center, m, mels, spectrogramBins, 1);
                    } else {
                        for (int j = left; j <= center; j++) {
                            set(out, j, m, mels, spectrogramBins, (double) (j - left) / (center - left));
                        }
                    }
                    for (int j = center; j < right; j++) {
                        set(out, j, m, mels, spectrogramBins, (double) (right - j) / (right - center));
                    }
                }
                return new Value[] {Tensor.fromDoubles(type, new int[] {spectrogramBins, mels}, out)};
            };
        };
    }

    private static void set(double[] out, int bin, int mel, int mels, int bins, double value) {
        if (bin >= 0 && bin < bins) {
            out[bin * mels + mel] = value;
        }
    }

    private static double scalarDouble(Tensor t, String name) {
        if (!t.type().isFloatingPoint() || t.size() != 1) {
            throw new IllegalArgumentException(name + " must be a float scalar, got " + t.describe());
        }
        return t.getDouble(0);
    }
}
