package dev.jonnx.runtime.ops.image.jpeg2000;

/**
 * Inverse discrete wavelet transforms by lifting (ITU-T T.800 Annex F): the reversible 5/3
 * filter on integers and the irreversible 9/7 filter on floats. Signals are extended by whole
 * sample symmetry, and samples at even positions of the level's own grid are low-pass.
 */
final class InverseWavelet {
    private static final float ALPHA = -1.586134342059924f;
    private static final float BETA = -0.052980118572961f;
    private static final float GAMMA = 0.882911075530934f;
    private static final float DELTA = 0.443506852043971f;
    private static final float K = 1.230174104914001f;
    /**
     * The high-pass scale, 2/K rounded the way OpenJPEG 2.x rounds it (1.625732422, 3.3e-5
     * below 2/K), so lossy images decode to the same 8-bit samples as OpenJPEG, which the ONNX
     * reference outputs come from. The factor 2 is the high-pass sub-band gain, which
     * {@link TileGeometry} leaves out of the 9/7 step sizes in exchange.
     */
    private static final float HIGH_PASS_SCALE = 1.625732422f;

    private InverseWavelet() {}

    /**
     * Transforms an interleaved {@code width x height} array in place, rows first and then
     * columns, as the 2D_SR procedure of T.800 F.3.2 does.
     *
     * @param x0 the first column's position on the level's grid, whose parity picks the
     *     low-pass samples
     * @param y0 the first row's position
     */
    static void reversible2d(int[] values, int width, int height, int x0, int y0) {
        int[] line = new int[Math.max(width, height)];
        for (int y = 0; y < height; y++) {
            System.arraycopy(values, y * width, line, 0, width);
            reversible(line, width, x0);
            System.arraycopy(line, 0, values, y * width, width);
        }
        for (int x = 0; x < width; x++) {
            for (int y = 0; y < height; y++) {
                line[y] = values[y * width + x];
            }
            reversible(line, height, y0);
            for (int y = 0; y < height; y++) {
                values[y * width + x] = line[y];
            }
        }
    }

    /** Same as {@link #reversible2d} for the 9/7 filter. */
    static void irreversible2d(float[] values, int width, int height, int x0, int y0) {
        float[] line = new float[Math.max(width, height)];
        for (int y = 0; y < height; y++) {
            System.arraycopy(values, y * width, line, 0, width);
            irreversible(line, width, x0);
            System.arraycopy(line, 0, values, y * width, width);
        }
        for (int x = 0; x < width; x++) {
            for (int y = 0; y < height; y++) {
                line[y] = values[y * width + x];
            }
            irreversible(line, height, y0);
            for (int y = 0; y < height; y++) {
                values[y * width + x] = line[y];
            }
        }
    }

    /** Returns the index that sample {@code i} reads after symmetric extension of [0, n). */
    private static int mirror(int i, int n) {
        if (i < 0) {
            return -i;
        }
        return i >= n ? 2 * (n - 1) - i : i;
    }

    /** Inverts the 5/3 lifting steps (F-5, F-6) on {@code x[0, n)} starting at {@code i0}. */
    static void reversible(int[] x, int n, int i0) {
        if (n == 1) {
            if ((i0 & 1) != 0) {
                x[0] /= 2;
            }
            return;
        }
        int even = i0 & 1;
        for (int j = even; j < n; j += 2) {
            x[j] -= (x[mirror(j - 1, n)] + x[mirror(j + 1, n)] + 2) >> 2;
        }
        for (int j = 1 - even; j < n; j += 2) {
            x[j] += (x[mirror(j - 1, n)] + x[mirror(j + 1, n)]) >> 1;
        }
    }

    /**
     * Inverts the 9/7 lifting steps (F.3.8.2) on {@code x[0, n)} starting at {@code i0}. A
     * single sample stays as it is: the standard halves a lone high-pass sample to remove its
     * gain of 2, which the step sizes here already leave out.
     */
    static void irreversible(float[] x, int n, int i0) {
        if (n == 1) {
            return;
        }
        int low = i0 & 1;
        int high = 1 - low;
        for (int j = low; j < n; j += 2) {
            x[j] *= K;
        }
        for (int j = high; j < n; j += 2) {
            x[j] *= HIGH_PASS_SCALE;
        }
        lift(x, n, low, -DELTA);
        lift(x, n, high, -GAMMA);
        lift(x, n, low, -BETA);
        lift(x, n, high, -ALPHA);
    }

    private static void lift(float[] x, int n, int start, float weight) {
        for (int j = start; j < n; j += 2) {
            x[j] += weight * (x[mirror(j - 1, n)] + x[mirror(j + 1, n)]);
        }
    }
}
