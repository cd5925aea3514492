package dev.jonnx.cli.embed;

/** Mean pooling over the attention mask and L2 normalization of sentence embeddings. */
public final class Pooling {
    /** The smallest token count divided by, so that an all-padding row gives zeros, not NaN. */
    private static final double MIN_TOKEN_COUNT = 1e-9;
    /** The smallest norm divided by, so that a zero vector stays zero. */
    private static final double MIN_NORM = 1e-12;

    private Pooling() {}

    /**
     * Averages the token vectors of each row over the tokens whose mask is non-zero.
     *
     * @param hidden row-major {@code [batch, length, width]} token vectors
     * @param mask row-major {@code [batch, length]} attention mask, 1 for a token and 0 for padding
     * @return {@code batch} vectors of {@code width} elements
     */
    public static float[][] meanPool(float[] hidden, long[] mask, int batch, int length, int width) {
        if (hidden.length != (long) batch * length * width || mask.length != (long) batch * length) {
            throw new IllegalArgumentException("token vectors of " + hidden.length + " elements and a"
                    + " mask of " + mask.length + " do not match [batch " + batch + ", length "
                    + length + ", width " + width + "]");
        }
        float[][] pooled = new float[batch][width];
        double[] sum = new double[width];
        for (int b = 0; b < batch; b++) {
            java.util.Arrays.fill(sum, 0);
            double count = 0;
            for (int t = 0; t < length; t++) {
                long m = mask[b * length + t];
                if (m == 0) {
                    continue;
                }
                count += m;
                int base = (b * length + t) * width;
                for (int k = 0; k < width; k++) {
                    sum[k] += (double) m * hidden[base + k];
                }
            }
            double divisor = Math.max(count, MIN_TOKEN_COUNT);
            for (int k = 0; k < width; k++) {
                pooled[b][k] = (float) (sum[k] / divisor);
            }
        }
        return pooled;
    }

    /** Scales {@code vector} in place to unit Euclidean length; a zero vector stays zero. */
    public static void normalize(float[] vector) {
        double squares = 0;
        for (float v : vector) {
            squares += (double) v * v;
        }
        double norm = Math.max(Math.sqrt(squares), MIN_NORM);
        for (int k = 0; k < vector.length; k++) {
            vector[k] = (float) (vector[k] / norm);
        }
    }
}
