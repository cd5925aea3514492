package dev.jonnx.runtime.ops.rnn;

import dev.jonnx.runtime.kernel.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector path of {@link GateProduct}. Four vectors of outputs stay in registers while the
 * loop runs over all k inputs, so each output is loaded and stored once per call.
 */
final class GateProductVector {
    private static final VectorSpecies<Float> SPECIES =
            FloatVector.SPECIES_PREFERRED.length() == Simd.FLOAT_LANES
                    ? FloatVector.SPECIES_PREFERRED
                    : VectorSpecies.of(float.class, VectorShape.forBitSize(Simd.FLOAT_LANES * 32));
    private static final int LANES = SPECIES.length();

    private GateProductVector() {}

    static void accumulate(float[] x, int xOffset, int k, float[] w, int n, float[] out, int outOffset) {
        int j = 0;
        for (; j + 4 * LANES <= n; j += 4 * LANES) {
            FloatVector a0 = FloatVector.fromArray(SPECIES, out, outOffset + j);
            FloatVector a1 = FloatVector.fromArray(SPECIES, out, outOffset + j + LANES);
            FloatVector a2 = FloatVector.fromArray(SPECIES, out, outOffset + j + 2 * LANES);
            FloatVector a3 = FloatVector.fromArray(SPECIES, out, outOffset + j + 3 * LANES);
            for (int p = 0; p < k; p++) {
                FloatVector xp = FloatVector.broadcast(SPECIES, x[xOffset + p]);
                int row = p * n + j;
                a0 = FloatVector.fromArray(SPECIES, w, row).fma(xp, a0);
                a1 = FloatVector.fromArray(SPECIES, w, row + LANES).fma(xp, a1);
                a2 = FloatVector.fromArray(SPECIES, w, row + 2 * LANES).fma(xp, a2);
                a3 = FloatVector.fromArray(SPECIES, w, row + 3 * LANES).fma(xp, a3);
            }
            a0.intoArray(out, outOffset + j);
            a1.intoArray(out, outOffset + j + LANES);
            a2.intoArray(out, outOffset + j + 2 * LANES);
            a3.intoArray(out, outOffset + j + 3 * LANES);
        }
        for (; j + LANES <= n; j += LANES) {
            FloatVector a = FloatVector.fromArray(SPECIES, out, outOffset + j);
            for (int p = 0; p < k; p++) {
                a = FloatVector.fromArray(SPECIES, w, p * n + j).fma(FloatVector.broadcast(SPECIES, x[xOffset + p]), a);
            }
            a.intoArray(out, outOffset + j);
        }
        for (; j < n; j++) {
            float sum = out[outOffset + j];
            for (int p = 0; p < k; p++) {
                sum = Math.fma(x[xOffset + p], w[p * n + j], sum);
            }
            out[outOffset + j] = sum;
        }
    }
}
