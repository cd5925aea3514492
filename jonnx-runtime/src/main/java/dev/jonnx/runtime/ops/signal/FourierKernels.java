package dev.jonnx.runtime.ops.signal;

import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * DFT and STFT. Signals carry real and imaginary parts in a last dimension of size 2, or only
 * the real part in a last dimension of size 1. Transforms run in double; float16, bfloat16 and
 * float outputs are rounded from it.
 */
final class FourierKernels {
    private FourierKernels() {}

    /**
     * DFT-17 (axis attribute, default 1) and DFT-20 (axis as the optional third input, default
     * -2). The same kernel serves both; the node's opset picks where the axis comes from.
     */
    static KernelFactory dft() {
        return node -> {
            boolean inverse = node.getInt("inverse", 0) != 0;
            boolean onesided = node.getInt("onesided", 0) != 0;
            boolean axisInput = node.opset() >= 20;
            if (axisInput && node.hasAttribute("axis")) {
                throw node.error("DFT-20 takes the axis as its third input, not as an attribute");
            }
            long axisAttribute = node.getInt("axis", 1);
            return (inputs, ctx) -> {
                Tensor x = (Tensor) inputs[0];
                Tensor length = inputs.length > 1 ? (Tensor) inputs[1] : null;
                long axis = axisAttribute;
                if (axisInput) {
                    Tensor axisTensor = inputs.length > 2 ? (Tensor) inputs[2] : null;
                    axis = axisTensor == null ? -2 : scalarLong(axisTensor, "axis");
                }
                return new Value[] {dft(x, length, axis, inverse, onesided)};
            };
        };
    }

    private static Tensor dft(Tensor x, Tensor lengthTensor, long axisValue, boolean inverse,
            boolean onesided) {
        requireFloat(x, "input");
        int[] shape = x.shape();
        int rank = shape.length;
        if (rank < 2 || (shape[rank - 1] != 1 && shape[rank - 1] != 2)) {
            throw new IllegalArgumentException("input must have rank 2 or more and a last dimension "
                    + "of 1 (real) or 2 (complex), got shape " + Arrays.toString(shape));
        }
        if (axisValue < -rank || axisValue > rank - 2 || axisValue == -1) {
            throw new IllegalArgumentException("axis " + axisValue + " is out of range [-" + rank
                    + ", -2] or [0, " + (rank - 2) + "] for input rank " + rank);
        }
        int axis = (int) (axisValue < 0 ? axisValue + rank : axisValue);
        boolean complexInput = shape[rank - 1] == 2;
        boolean irfft = onesided && inverse;
        int n = shape[axis];
        int dftLength;
        if (lengthTensor != null) {
            long requested = scalarLong(lengthTensor, "dft_length");
            if (requested < 1) {
                throw new IllegalArgumentException("dft_length must be positive, got " + requested);
            }
            dftLength = Math.toIntExact(requested);
        } else {
            dftLength = irfft ? 2 * (n - 1) : n;
        }
        if (irfft && !complexInput) {
            throw new IllegalArgumentException("inverse one-sided DFT needs complex input (last "
                    + "dimension 2), got shape " + Arrays.toString(shape));
        }
        int outLength = onesided && !inverse ? dftLength / 2 + 1 : dftLength;
        int outParts = irfft ? 1 : 2;
        int outer = 1;
        for (int d = 0; d < axis; d++) {
            outer *= shape[d];
        }
        int inner = 1;
        for (int d = axis + 1; d < rank - 1; d++) {
            inner *= shape[d];
        }
        int inParts = shape[rank - 1];
        int[] outShape = shape.clone();
        outShape[axis] = outLength;
        outShape[rank - 1] = outParts;
        double[] in = x.toDoubleArray();
        double[] out = new double[Shapes.size(outShape)];
        Fourier fourier = new Fourier(dftLength, inverse);
        double[] re = new double[dftLength];
        double[] im = new double[dftLength];
        int used = Math.min(n, dftLength);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                Arrays.fill(re, 0);
                Arrays.fill(im, 0);
                if (irfft) {
                    // Rebuild the full spectrum from its one-sided half: X[L - k] = conj(X[k]).
                    for (int k = 0; k <= dftLength / 2 && k < n; k++) {
                        int at = ((o * n + k) * inner + i) * 2;
                        re[k] = in[at];
                        im[k] = in[at + 1];
                    }
                    for (int k = dftLength / 2 + 1; k < dftLength; k++) {
                        re[k] = re[dftLength - k];
                        im[k] = -im[dftLength - k];
                    }
                } else {
                    for (int t = 0; t < used; t++) {
                        int at = ((o * n + t) * inner + i) * inParts;
                        re[t] = in[at];
                        im[t] = complexInput ? in[at + 1] : 0;
                    }
                }
                fourier.transform(re, im, re, im);
                for (int k = 0; k < outLength; k++) {
                    int at = ((o * outLength + k) * inner + i) * outParts;
                    out[at] = re[k];
                    if (outParts == 2) {
                        out[at + 1] = im[k];
                    }
                }
            }
        }
        return Tensor.fromDoubles(x.type(), outShape, out);
    }

    /**
     * STFT-17: frames of {@code frame_length} samples every {@code frame_step} samples, each
     * multiplied by the window (ones when absent) and transformed. Output
     * {@code [batch, frames, bins, 2]}, with {@code bins = frame_length / 2 + 1} when one-sided.
     */
    static KernelFactory stft() {
        return node -> {
            boolean onesided = node.getInt("onesided", 1) != 0;
            return (inputs, ctx) -> {
                Tensor signal = (Tensor) inputs[0];
                long step = scalarLong((Tensor) inputs[1], "frame_step");
                Tensor window = inputs.length > 2 ? (Tensor) inputs[2] : null;
                Tensor lengthTensor = inputs.length > 3 ? (Tensor) inputs[3] : null;
                return new Value[] {stft(signal, step, window, lengthTensor, onesided)};
            };
        };
    }

    private static Tensor stft(Tensor signal, long step, Tensor window, Tensor lengthTensor,
            boolean onesided) {
        requireFloat(signal, "signal");
        int[] shape = signal.shape();
        if (shape.length != 3 || (shape[2] != 1 && shape[2] != 2)) {
            throw new IllegalArgumentException("signal must have shape [batch, length, 1] or "
                    + "[batch, length, 2], got " + Arrays.toString(shape));
        }
        if (step < 1) {
            throw new IllegalArgumentException("frame_step must be positive, got " + step);
        }
        int frameLength;
        if (lengthTensor != null) {
            frameLength = Math.toIntExact(scalarLong(lengthTensor, "frame_length"));
            if (window != null && window.size() != frameLength) {
                throw new IllegalArgumentException("window has " + window.size()
                        + " values but frame_length is " + frameLength);
            }
        } else if (window != null) {
            frameLength = window.size();
        } else {
            throw new IllegalArgumentException("STFT needs a window or a frame_length input");
        }
        if (window != null) {
            requireFloat(window, "window");
            if (window.rank() != 1) {
                throw new IllegalArgumentException("window must be 1-D, got " + window.describe());
            }
        }
        if (frameLength < 1) {
            throw new IllegalArgumentException("frame_length must be positive, got " + frameLength);
        }
        boolean complexInput = shape[2] == 2;
        if (onesided && complexInput) {
            throw new IllegalArgumentException("onesided=1 needs a real signal (last dimension 1); "
                    + "set onesided=0 for complex signals");
        }
        int batch = shape[0];
        int length = shape[1];
        int parts = shape[2];
        int frames = length < frameLength ? 0 : (int) ((length - frameLength) / step + 1);
        int bins = onesided ? frameLength / 2 + 1 : frameLength;
        double[] in = signal.toDoubleArray();
        double[] weights = window == null ? null : window.toDoubleArray();
        double[] out = new double[batch * frames * bins * 2];
        Fourier fourier = new Fourier(frameLength, false);
        double[] re = new double[frameLength];
        double[] im = new double[frameLength];
        for (int b = 0; b < batch; b++) {
            for (int f = 0; f < frames; f++) {
                long start = f * step;
                for (int t = 0; t < frameLength; t++) {
                    int at = (int) ((b * (long) length + start + t) * parts);
                    double w = weights == null ? 1 : weights[t];
                    re[t] = in[at] * w;
                    im[t] = complexInput ? in[at + 1] * w : 0;
                }
                fourier.transform(re, im, re, im);
                int base = (b * frames + f) * bins * 2;
                for (int k = 0; k < bins; k++) {
                    out[base + 2 * k] = re[k];
                    out[base + 2 * k + 1] = im[k];
                }
            }
        }
        return Tensor.fromDoubles(signal.type(), new int[] {batch, frames, bins, 2}, out);
    }

    static long scalarLong(Tensor t, String name) {
        if ((t.type() != DataType.INT32 && t.type() != DataType.INT64) || t.size() != 1) {
            throw new IllegalArgumentException(name + " must be an int32 or int64 scalar, got "
                    + t.describe());
        }
        return t.getLong(0);
    }

    private static void requireFloat(Tensor t, String name) {
        switch (t.type()) {
            case FLOAT, DOUBLE, FLOAT16, BFLOAT16 -> { }
            default -> throw new IllegalArgumentException(name + " must be float, double, float16 "
                    + "or bfloat16, got " + t.type());
        }
    }
}
