package dev.jonnx.runtime.ops.conv;

import dev.jonnx.runtime.kernel.ConvKernels;
import dev.jonnx.runtime.kernel.Sgemm;

/**
 * Float convolution for outputs with few positions, as in the encoder of a voice activity
 * detector that ends with one to four time steps. The usual product W * columns would have only
 * that many columns, so the SGEMM's 16-wide column panels would do mostly wasted work. This path
 * computes the transposed product columns^T * W^T instead: the output channels are the columns,
 * and W^T is the SGEMM's packed right operand, packed once when W is a constant. The product
 * goes into scratch and is then transposed into Y while the bias and activation are applied.
 */
final class NarrowConvolution {
    /**
     * Output positions up to which this path runs. The SGEMM tiles them 4 rows at a time, so at
     * most 3 rows of a tile go unused, where the usual product would fill 16-wide panels.
     */
    static final int MAX_POSITIONS = 8;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    private NarrowConvolution() {}

    /** Packs W^T of each group as the right operand of the product: rows x M / group. */
    static Sgemm.PackedB[] pack(float[] w, int group, int mg, int rows) {
        Sgemm.PackedB[] packed = new Sgemm.PackedB[group];
        for (int g = 0; g < group; g++) {
            packed[g] = Sgemm.pack(rows, mg, new Sgemm.Operand(w, g * mg * rows, rows, true));
        }
        return packed;
    }

    /** Convolves X with the packed weights into Y, then adds the bias and applies the activation. */
    static void run(float[] x, Sgemm.PackedB[] packed, float[] bias, ConvKernels.Activation activation,
            FloatConvolution.Plan plan, float[] y) {
        int group = plan.group;
        int cg = plan.c / group;
        int mg = plan.m / group;
        int positions = plan.positions;
        boolean identity = plan.columns.isIdentity();
        int rows = plan.columns.rows();
        int columnFloats = identity ? 0 : rows * positions;
        float[] buffer = scratch(columnFloats + positions * mg);
        int product = columnFloats;
        for (int i = 0; i < plan.n; i++) {
            for (int g = 0; g < group; g++) {
                int xOffset = (i * plan.c + g * cg) * plan.inSize;
                Sgemm.Operand columnsT;
                if (identity) {
                    columnsT = new Sgemm.Operand(x, xOffset, plan.inSize, true);
                } else {
                    plan.columns.im2col(x, xOffset, buffer, positions, 0, positions);
                    columnsT = new Sgemm.Operand(buffer, 0, positions, true);
                }
                Sgemm.multiply(positions, columnsT, packed[g], buffer, product, mg, null, Sgemm.Activation.NONE,
                        null, 1);
                int yOffset = (i * plan.m + g * mg) * positions;
                for (int oc = 0; oc < mg; oc++) {
                    float b = bias == null ? 0f : bias[g * mg + oc];
                    int dst = yOffset + oc * positions;
                    for (int p = 0; p < positions; p++) {
                        y[dst + p] = activation.apply(buffer[product + p * mg + oc] + b);
                    }
                }
            }
        }
    }

    private static float[] scratch(int size) {
        float[][] holder = SCRATCH.get();
        if (holder[0].length < size) {
            holder[0] = new float[size];
        }
        return holder[0];
    }
}
