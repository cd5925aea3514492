package dev.jonnx.runtime.ops.rnn;

import dev.jonnx.runtime.kernel.Simd;

/**
 * The vector-times-matrix product of one recurrent step: {@code out[j] += sum over p of x[p] *
 * w[p * n + j]} for j below n, where w is a k x n row-major matrix (a weight matrix stored
 * transposed, so that each of its rows contains one input's weight for every gate row). The
 * vector path ({@link GateProductVector}) uses fused multiply-add, so its sums may differ from
 * {@link #accumulateScalar} in the last bits.
 */
final class GateProduct {
    private GateProduct() {}

    static void accumulate(float[] x, int xOffset, int k, float[] w, int n, float[] out, int outOffset) {
        if (Simd.enabled()) {
            GateProductVector.accumulate(x, xOffset, k, w, n, out, outOffset);
        } else {
            accumulateScalar(x, xOffset, k, w, n, out, outOffset);
        }
    }

    /** Adds each input's weighted row to {@code out}, input by input: the reference for the vector path. */
    static void accumulateScalar(float[] x, int xOffset, int k, float[] w, int n, float[] out, int outOffset) {
        for (int p = 0; p < k; p++) {
            float xp = x[xOffset + p];
            int row = p * n;
            for (int j = 0; j < n; j++) {
                out[outOffset + j] += xp * w[row + j];
            }
        }
    }
}
