package dev.jonnx.runtime.kernel;

/**
 * Inner loops of the float convolutions: the tap sum of a direct (depthwise) convolution and
 * the epilogue that adds the bias and applies an activation to an output block. With
 * {@link Simd#enabled()} the vector path in {@link ConvKernelsVector} runs, otherwise the
 * scalar twin ({@code tapsScalar}, ...), which is the reference the tests compare against. The
 * vector tap sum uses fused multiply-add, so its results may differ in the last bits.
 */
public final class ConvKernels {
    private ConvKernels() {}

    /** The activation applied after the bias. */
    public enum Kind {
        NONE, RELU, LEAKY_RELU, CLIP, HARD_SIGMOID, HARD_SWISH, SIGMOID, TANH
    }

    /**
     * An activation with its parameters: alpha for LeakyRelu, min and max (alpha, beta) for
     * Clip, alpha and beta for HardSigmoid; the other kinds ignore them.
     */
    public record Activation(Kind kind, float alpha, float beta) {
        public static final Activation NONE = new Activation(Kind.NONE, 0, 0);

        /** Applies the activation to one value in double, for the double-precision path. */
        public double apply(double x) {
            return switch (kind) {
                case NONE -> x;
                case RELU -> x > 0 ? x : 0;
                case LEAKY_RELU -> x >= 0 ? x : alpha * x;
                case CLIP -> Double.isNaN(x) ? x : Math.min(beta, Math.max(alpha, x));
                case HARD_SIGMOID -> Math.max(0, Math.min(1, alpha * x + beta));
                case HARD_SWISH -> x * Math.max(0, Math.min(1, x / 6 + 0.5));
                case SIGMOID -> 1 / (1 + Math.exp(-x));
                case TANH -> Math.tanh(x);
            };
        }

        /** Applies the activation to one value in float, as the scalar epilogue does. */
        public float apply(float x) {
            return switch (kind) {
                case NONE -> x;
                case RELU -> x > 0 ? x : 0;
                case LEAKY_RELU -> x >= 0 ? x : alpha * x;
                case CLIP -> Float.isNaN(x) ? x : Math.min(beta, Math.max(alpha, x));
                case HARD_SIGMOID -> Math.max(0f, Math.min(1f, alpha * x + beta));
                case HARD_SWISH -> x * Math.max(0f, Math.min(1f, x * (1f / 6) + 0.5f));
                case SIGMOID -> VectorMath.sigmoid(x);
                case TANH -> VectorMath.tanh(x);
            };
        }
    }

    /**
     * Writes {@code y[yOffset + o] = init + sum over t of w[wOffset + t] * src[base + taps[t] + o]}
     * for {@code o} in [0, count): one output row of a direct convolution over a padded input,
     * where {@code taps} contains the input offset of each kernel element.
     */
    public static void taps(float[] src, int base, int[] taps, float[] w, int wOffset, float init,
            float[] y, int yOffset, int count) {
        if (Simd.enabled()) {
            for (int done = 0; done < count; done += Simd.CHUNK) {
                int length = Math.min(Simd.CHUNK, count - done);
                ConvKernelsVector.taps(src, base + done, taps, w, wOffset, init, y, yOffset + done, length);
            }
        } else {
            tapsScalar(src, base, taps, w, wOffset, init, y, yOffset, count);
        }
    }

    public static void tapsScalar(float[] src, int base, int[] taps, float[] w, int wOffset,
            float init, float[] y, int yOffset, int count) {
        for (int o = 0; o < count; o++) {
            float sum = init;
            for (int t = 0; t < taps.length; t++) {
                sum += w[wOffset + t] * src[base + taps[t] + o];
            }
            y[yOffset + o] = sum;
        }
    }

    /** Output channels that one call of {@link #sliding} computes. */
    public static final int SLIDING_CHANNELS = 4;

    /**
     * Computes {@value #SLIDING_CHANNELS} output channels of a convolution as sums over shifted
     * runs of the input: for {@code j} in [0, 4) and {@code q} in [0, count),
     * {@code out[outOffset + j * outStride + q]} is the sum over {@code d} in [from, to) of
     * {@code w[wOffset + 4 * d + j] * src[srcOffset + offsets[d] + q]}. The caller keeps every
     * read index inside {@code src}.
     */
    public static void sliding(float[] src, int srcOffset, int[] offsets, int from, int to, float[] w,
            int wOffset, float[] out, int outOffset, int outStride, int count) {
        if (Simd.enabled()) {
            for (int done = 0; done < count; done += Simd.CHUNK) {
                int length = Math.min(Simd.CHUNK, count - done);
                ConvKernelsVector.sliding(src, srcOffset + done, offsets, from, to, w, wOffset, out,
                        outOffset + done, outStride, length);
            }
        } else {
            slidingScalar(src, srcOffset, offsets, from, to, w, wOffset, out, outOffset, outStride, 0, count);
        }
    }

    /** Runs {@link #sliding} for the positions [first, count) in scalar code, summing in float. */
    public static void slidingScalar(float[] src, int srcOffset, int[] offsets, int from, int to, float[] w,
            int wOffset, float[] out, int outOffset, int outStride, int first, int count) {
        for (int q = first; q < count; q++) {
            for (int j = 0; j < SLIDING_CHANNELS; j++) {
                int o = outOffset + j * outStride + q;
                float sum = 0f;
                for (int d = from; d < to; d++) {
                    sum = Math.fma(w[wOffset + SLIDING_CHANNELS * d + j], src[srcOffset + offsets[d] + q], sum);
                }
                out[o] = sum;
            }
        }
    }

    /**
     * Copies {@code x[src + 2i]} to {@code y[evenOffset + i]} and {@code x[src + 2i + 1]} to
     * {@code y[oddOffset + i]} for the {@code n} elements from {@code src}: the phase split of a
     * stride-2 row.
     */
    public static void deinterleave(float[] x, int src, int n, float[] y, int evenOffset, int oddOffset) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                ConvKernelsVector.deinterleave(x, src + done, count, y, evenOffset + done / 2,
                        oddOffset + done / 2);
            }
        } else {
            deinterleaveScalar(x, src, 0, n, y, evenOffset, oddOffset);
        }
    }

    /** Runs {@link #deinterleave} from element {@code from} (even) of the row on. */
    public static void deinterleaveScalar(float[] x, int src, int from, int n, float[] y, int evenOffset,
            int oddOffset) {
        for (int j = from; j < n; j++) {
            if ((j & 1) == 0) {
                y[evenOffset + (j >> 1)] = x[src + j];
            } else {
                y[oddOffset + (j >> 1)] = x[src + j];
            }
        }
    }

    /** Adds {@code bias} to {@code y[offset..offset + n)} and applies the activation in place. */
    public static void epilogue(float[] y, int offset, int n, float bias, Activation activation) {
        if (bias == 0 && activation.kind() == Kind.NONE) {
            return;
        }
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                ConvKernelsVector.epilogue(y, offset + done, count, bias, activation);
            }
        } else {
            epilogueScalar(y, offset, n, bias, activation);
        }
    }

    public static void epilogueScalar(float[] y, int offset, int n, float bias, Activation activation) {
        for (int i = offset; i < offset + n; i++) {
            y[i] = activation.apply(y[i] + bias);
        }
    }
}
