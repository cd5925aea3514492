package dev.jonnx.runtime.kernel;

import static dev.jonnx.runtime.kernel.VectorMathVector.LANES;
import static dev.jonnx.runtime.kernel.VectorMathVector.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/** The vector path of {@link ConvKernels}: whole vectors, then the scalar code for the tail. */
final class ConvKernelsVector {
    private ConvKernelsVector() {}

    /**
     * Runs the tap sum four vectors at a time, so that four independent multiply-add chains
     * hide the latency of each, then one vector at a time, then element by element.
     */
    static void taps(float[] src, int base, int[] taps, float[] w, int wOffset, float init,
            float[] y, int yOffset, int count) {
        int tapCount = taps.length;
        int o = 0;
        for (; o + 4 * LANES <= count; o += 4 * LANES) {
            FloatVector a0 = FloatVector.broadcast(SPECIES, init);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int t = 0; t < tapCount; t++) {
                FloatVector wt = FloatVector.broadcast(SPECIES, w[wOffset + t]);
                int at = base + taps[t] + o;
                a0 = FloatVector.fromArray(SPECIES, src, at).fma(wt, a0);
                a1 = FloatVector.fromArray(SPECIES, src, at + LANES).fma(wt, a1);
                a2 = FloatVector.fromArray(SPECIES, src, at + 2 * LANES).fma(wt, a2);
                a3 = FloatVector.fromArray(SPECIES, src, at + 3 * LANES).fma(wt, a3);
            }
            a0.intoArray(y, yOffset + o);
            a1.intoArray(y, yOffset + o + LANES);
            a2.intoArray(y, yOffset + o + 2 * LANES);
            a3.intoArray(y, yOffset + o + 3 * LANES);
        }
        for (; o + LANES <= count; o += LANES) {
            FloatVector a0 = FloatVector.broadcast(SPECIES, init);
            for (int t = 0; t < tapCount; t++) {
                FloatVector wt = FloatVector.broadcast(SPECIES, w[wOffset + t]);
                a0 = FloatVector.fromArray(SPECIES, src, base + taps[t] + o).fma(wt, a0);
            }
            a0.intoArray(y, yOffset + o);
        }
        for (; o < count; o++) {
            float sum = init;
            for (int t = 0; t < tapCount; t++) {
                sum = Math.fma(w[wOffset + t], src[base + taps[t] + o], sum);
            }
            y[yOffset + o] = sum;
        }
    }

    /**
     * Runs {@link ConvKernels#sliding} on eight accumulators: four output channels times two
     * vectors of positions, so each input vector loaded feeds four multiply-adds. Twelve
     * accumulators (three vectors) made C2 spill three of them on AVX2. Then one vector of
     * positions at a time, then the scalar tail.
     */
    static void sliding(float[] src, int srcOffset, int[] offsets, int from, int to, float[] w, int wOffset,
            float[] out, int outOffset, int outStride, int count) {
        int q = 0;
        int o1 = outOffset + outStride;
        int o2 = o1 + outStride;
        int o3 = o2 + outStride;
        for (; q + 2 * LANES <= count; q += 2 * LANES) {
            FloatVector a00 = FloatVector.zero(SPECIES);
            FloatVector a01 = a00;
            FloatVector a10 = a00;
            FloatVector a11 = a00;
            FloatVector a20 = a00;
            FloatVector a21 = a00;
            FloatVector a30 = a00;
            FloatVector a31 = a00;
            int base = srcOffset + q;
            int d = from;
            // Two kernel elements per iteration halve the loop overhead.
            for (; d + 1 < to; d += 2) {
                int at = base + offsets[d];
                int next = base + offsets[d + 1];
                int wi = wOffset + 4 * d;
                FloatVector x0 = FloatVector.fromArray(SPECIES, src, at);
                FloatVector x1 = FloatVector.fromArray(SPECIES, src, at + LANES);
                FloatVector y0 = FloatVector.fromArray(SPECIES, src, next);
                FloatVector y1 = FloatVector.fromArray(SPECIES, src, next + LANES);
                FloatVector w0 = FloatVector.broadcast(SPECIES, w[wi]);
                a00 = x0.fma(w0, a00);
                a01 = x1.fma(w0, a01);
                FloatVector w1 = FloatVector.broadcast(SPECIES, w[wi + 1]);
                a10 = x0.fma(w1, a10);
                a11 = x1.fma(w1, a11);
                FloatVector w2 = FloatVector.broadcast(SPECIES, w[wi + 2]);
                a20 = x0.fma(w2, a20);
                a21 = x1.fma(w2, a21);
                FloatVector w3 = FloatVector.broadcast(SPECIES, w[wi + 3]);
                a30 = x0.fma(w3, a30);
                a31 = x1.fma(w3, a31);
                FloatVector v0 = FloatVector.broadcast(SPECIES, w[wi + 4]);
                a00 = y0.fma(v0, a00);
                a01 = y1.fma(v0, a01);
                FloatVector v1 = FloatVector.broadcast(SPECIES, w[wi + 5]);
                a10 = y0.fma(v1, a10);
                a11 = y1.fma(v1, a11);
                FloatVector v2 = FloatVector.broadcast(SPECIES, w[wi + 6]);
                a20 = y0.fma(v2, a20);
                a21 = y1.fma(v2, a21);
                FloatVector v3 = FloatVector.broadcast(SPECIES, w[wi + 7]);
                a30 = y0.fma(v3, a30);
                a31 = y1.fma(v3, a31);
            }
            for (; d < to; d++) {
                int at = base + offsets[d];
                int wi = wOffset + 4 * d;
                FloatVector x0 = FloatVector.fromArray(SPECIES, src, at);
                FloatVector x1 = FloatVector.fromArray(SPECIES, src, at + LANES);
                FloatVector w0 = FloatVector.broadcast(SPECIES, w[wi]);
                a00 = x0.fma(w0, a00);
                a01 = x1.fma(w0, a01);
                FloatVector w1 = FloatVector.broadcast(SPECIES, w[wi + 1]);
                a10 = x0.fma(w1, a10);
                a11 = x1.fma(w1, a11);
                FloatVector w2 = FloatVector.broadcast(SPECIES, w[wi + 2]);
                a20 = x0.fma(w2, a20);
                a21 = x1.fma(w2, a21);
                FloatVector w3 = FloatVector.broadcast(SPECIES, w[wi + 3]);
                a30 = x0.fma(w3, a30);
                a31 = x1.fma(w3, a31);
            }
            a00.intoArray(out, outOffset + q);
            a01.intoArray(out, outOffset + q + LANES);
            a10.intoArray(out, o1 + q);
            a11.intoArray(out, o1 + q + LANES);
            a20.intoArray(out, o2 + q);
            a21.intoArray(out, o2 + q + LANES);
            a30.intoArray(out, o3 + q);
            a31.intoArray(out, o3 + q + LANES);
        }
        for (; q + LANES <= count; q += LANES) {
            FloatVector a0 = FloatVector.zero(SPECIES);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            int base = srcOffset + q;
            for (int d = from; d < to; d++) {
                FloatVector x0 = FloatVector.fromArray(SPECIES, src, base + offsets[d]);
                int wi = wOffset + 4 * d;
                a0 = x0.fma(FloatVector.broadcast(SPECIES, w[wi]), a0);
                a1 = x0.fma(FloatVector.broadcast(SPECIES, w[wi + 1]), a1);
                a2 = x0.fma(FloatVector.broadcast(SPECIES, w[wi + 2]), a2);
                a3 = x0.fma(FloatVector.broadcast(SPECIES, w[wi + 3]), a3);
            }
            a0.intoArray(out, outOffset + q);
            a1.intoArray(out, o1 + q);
            a2.intoArray(out, o2 + q);
            a3.intoArray(out, o3 + q);
        }
        ConvKernels.slidingScalar(src, srcOffset, offsets, from, to, w, wOffset, out, outOffset, outStride, q, count);
    }

    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(SPECIES, i -> 2 * i);
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(SPECIES, i -> 2 * i + 1);

    /** Splits two vectors at a time into their even and odd lanes, then the tail in scalar code. */
    static void deinterleave(float[] x, int src, int n, float[] y, int evenOffset, int oddOffset) {
        int j = 0;
        for (; j + 2 * LANES <= n; j += 2 * LANES) {
            FloatVector first = FloatVector.fromArray(SPECIES, x, src + j);
            FloatVector second = FloatVector.fromArray(SPECIES, x, src + j + LANES);
            first.rearrange(EVEN, second).intoArray(y, evenOffset + (j >> 1));
            first.rearrange(ODD, second).intoArray(y, oddOffset + (j >> 1));
        }
        ConvKernels.deinterleaveScalar(x, src, j, n, y, evenOffset, oddOffset);
    }

    static void epilogue(float[] y, int offset, int n, float bias, ConvKernels.Activation activation) {
        float alpha = activation.alpha();
        float beta = activation.beta();
        int i = 0;
        int bound = SPECIES.loopBound(n);
        switch (activation.kind()) {
            case NONE, SIGMOID, TANH -> {
                for (; i < bound; i += LANES) {
                    FloatVector.fromArray(SPECIES, y, offset + i).add(bias).intoArray(y, offset + i);
                }
                for (; i < n; i++) {
                    y[offset + i] += bias;
                }
                if (activation.kind() == ConvKernels.Kind.SIGMOID) {
                    VectorMathVector.sigmoid(y, offset, y, offset, n);
                } else if (activation.kind() == ConvKernels.Kind.TANH) {
                    VectorMathVector.tanh(y, offset, y, offset, n);
                }
                return;
            }
            case RELU -> {
                FloatVector zero = FloatVector.zero(SPECIES);
                for (; i < bound; i += LANES) {
                    FloatVector v = FloatVector.fromArray(SPECIES, y, offset + i).add(bias);
                    zero.blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, offset + i);
                }
            }
            case LEAKY_RELU -> {
                for (; i < bound; i += LANES) {
                    FloatVector v = FloatVector.fromArray(SPECIES, y, offset + i).add(bias);
                    v.mul(alpha).blend(v, v.compare(VectorOperators.GE, 0f)).intoArray(y, offset + i);
                }
            }
            case CLIP -> {
                for (; i < bound; i += LANES) {
                    FloatVector v = FloatVector.fromArray(SPECIES, y, offset + i).add(bias);
                    v.max(alpha).min(beta).intoArray(y, offset + i);
                }
            }
            case HARD_SIGMOID -> {
                for (; i < bound; i += LANES) {
                    FloatVector v = FloatVector.fromArray(SPECIES, y, offset + i).add(bias);
                    v.mul(alpha).add(beta).min(1f).max(0f).intoArray(y, offset + i);
                }
            }
            case HARD_SWISH -> {
                for (; i < bound; i += LANES) {
                    FloatVector v = FloatVector.fromArray(SPECIES, y, offset + i).add(bias);
                    v.mul(v.mul(1f / 6).add(0.5f).min(1f).max(0f)).intoArray(y, offset + i);
                }
            }
        }
        for (; i < n; i++) {
            y[offset + i] = activation.apply(y[offset + i] + bias);
        }
    }
}
