package dev.jonnx.runtime.kernel;

/**
 * The inner loop of a float ConvTranspose whose stride equals its kernel size, so that each
 * output element receives exactly one kernel tap. For one input row it computes {@code rows}
 * output rows {@code out[r][w] = bias[r] + sum over c of a[r * channels + c] * x[c][w]}, and
 * stores element w of output row r at {@code y[targets[r] + shift + w * step]}. With
 * {@link Simd#enabled()} the vector path in {@link TransposedConvRowsVector} runs, which uses
 * fused multiply-add, so its results may differ from this scalar reference in the last bits.
 */
public final class TransposedConvRows {
    private TransposedConvRows() {}

    /**
     * Computes and stores the output rows.
     *
     * @param x the input, where channel c of the row starts at {@code xOffset + c * plane}
     * @param channels the number of input channels summed over
     * @param a the weights, {@code rows x channels} in row-major order
     * @param bias the initial value of each output row
     * @param width the number of elements of the input row
     * @param targets the output offset of element 0 of each row, before {@code shift}
     * @param step the output distance between consecutive elements of a row
     */
    public static void compute(float[] x, int xOffset, int plane, int channels, float[] a,
            float[] bias, int rows, int width, float[] y, int[] targets, int shift, int step) {
        if (Simd.enabled()) {
            TransposedConvRowsVector.compute(x, xOffset, plane, channels, a, bias, rows, width, y,
                    targets, shift, step);
        } else {
            computeScalar(x, xOffset, plane, channels, a, bias, 0, rows, 0, width, y, targets,
                    shift, step);
        }
    }

    /** The scalar reference for rows {@code r0..r1} and elements {@code w0..w1}. */
    static void computeScalar(float[] x, int xOffset, int plane, int channels, float[] a,
            float[] bias, int r0, int r1, int w0, int w1, float[] y, int[] targets, int shift,
            int step) {
        for (int r = r0; r < r1; r++) {
            int aRow = r * channels;
            int target = targets[r] + shift;
            for (int w = w0; w < w1; w++) {
                float sum = bias[r];
                for (int c = 0; c < channels; c++) {
                    sum += a[aRow + c] * x[xOffset + c * plane + w];
                }
                y[target + w * step] = sum;
            }
        }
    }
}
