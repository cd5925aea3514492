package dev.jonnx.runtime.ops.signal;

/**
 * Complex discrete Fourier transform of one signal, in double. Lengths that are powers of two
 * use an iterative radix-2 FFT; other lengths use the direct O(n^2) sum with a twiddle table.
 * Instances hold scratch space, so each thread creates its own.
 */
final class Fourier {
    private final int length;
    private final boolean inverse;
    private final double[] cos;
    private final double[] sin;
    private final double[] re;
    private final double[] im;

    /**
     * Prepares a transform of {@code length} points. The forward transform uses
     * {@code exp(-2 pi i k n / N)}; the inverse uses {@code exp(+2 pi i k n / N)} and divides by N.
     */
    Fourier(int length, boolean inverse) {
        this.length = length;
        this.inverse = inverse;
        cos = new double[length];
        sin = new double[length];
        double sign = inverse ? 1 : -1;
        for (int i = 0; i < length; i++) {
            double angle = 2 * Math.PI * i / length;
            cos[i] = Math.cos(angle);
            sin[i] = sign * Math.sin(angle);
        }
        re = new double[length];
        im = new double[length];
    }

    /**
     * Transforms {@code (inRe, inIm)} of {@code length} points into {@code (outRe, outIm)}. The
     * output arrays may be the input arrays.
     */
    void transform(double[] inRe, double[] inIm, double[] outRe, double[] outIm) {
        int n = length;
        if (n == 0) {
            return;
        }
        if (Integer.bitCount(n) == 1) {
            radix2(inRe, inIm, outRe, outIm);
        } else {
            for (int k = 0; k < n; k++) {
                double sumRe = 0;
                double sumIm = 0;
                int step = 0;
                for (int t = 0; t < n; t++) {
                    double c = cos[step];
                    double s = sin[step];
                    sumRe += inRe[t] * c - inIm[t] * s;
                    sumIm += inRe[t] * s + inIm[t] * c;
                    step += k;
                    if (step >= n) {
                        step -= n;
                    }
                }
                re[k] = sumRe;
                im[k] = sumIm;
            }
            System.arraycopy(re, 0, outRe, 0, n);
            System.arraycopy(im, 0, outIm, 0, n);
        }
        if (inverse) {
            for (int k = 0; k < n; k++) {
                outRe[k] /= n;
                outIm[k] /= n;
            }
        }
    }

    private void radix2(double[] inRe, double[] inIm, double[] outRe, double[] outIm) {
        int n = length;
        int bits = Integer.numberOfTrailingZeros(n);
        for (int i = 0; i < n; i++) {
            int j = bits == 0 ? 0 : Integer.reverse(i) >>> (32 - bits);
            re[j] = inRe[i];
            im[j] = inIm[i];
        }
        for (int size = 2; size <= n; size <<= 1) {
            int half = size >> 1;
            int stride = n / size;
            for (int start = 0; start < n; start += size) {
                for (int j = 0; j < half; j++) {
                    double c = cos[j * stride];
                    double s = sin[j * stride];
                    int a = start + j;
                    int b = a + half;
                    double tRe = re[b] * c - im[b] * s;
                    double tIm = re[b] * s + im[b] * c;
                    re[b] = re[a] - tRe;
                    im[b] = im[a] - tIm;
                    re[a] += tRe;
                    im[a] += tIm;
                }
            }
        }
        System.arraycopy(re, 0, outRe, 0, n);
        System.arraycopy(im, 0, outIm, 0, n);
    }
}
