package dev.jonnx.runtime.ops.conv;

import dev.jonnx.runtime.kernel.TransposedConvRows;
import dev.jonnx.runtime.registry.RunContext;

/**
 * Float 2-D ConvTranspose whose stride equals its kernel size, with no dilation, padding or
 * output padding, as the upsampling heads of segmentation and text detection models use. Then
 * every output element receives exactly one kernel tap, so each output row is a weighted sum
 * of the input channels along one input row. That sum runs directly on the input, where the
 * general path packs it for a GEMM, fills the output with the bias and adds the columns in.
 */
final class ConvTransposeFloat {
    private ConvTransposeFloat() {}

    /**
     * True if the geometry has stride equal to the kernel size, dilation 1 and an output of
     * exactly input times stride starting at offset 0, along both of two spatial axes.
     */
    static boolean applies(int[] in, int[] kernel, int[] strides, int[] dilations, int[] begin,
            int[] out) {
        if (in.length != 2) {
            return false;
        }
        for (int d = 0; d < 2; d++) {
            if (strides[d] != kernel[d] || dilations[d] != 1 || begin[d] != 0
                    || out[d] != in[d] * strides[d]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The weights of one node rearranged for {@link #compute}: per group, {@code a[g][r * cg + cc]}
     * is the weight from input channel cc to output row r = (j, kh, kw), {@code rowBias[g][r]}
     * the bias of output channel j, and {@code targets[r]} where output row r of input row 0
     * starts within the group's output block. The arrays are read-only once built, so runs on
     * several threads may share one.
     */
    record Packed(float[] w, float[] bias, int c, int m, int group, int[] kernel, int[] in,
            float[][] a, float[][] rowBias, int[] targets) {

        /** True if this packing was built from these arrays for this geometry. */
        boolean matches(float[] w, float[] bias, int c, int m, int group, int[] kernel, int[] in) {
            return this.w == w && this.bias == bias && this.c == c && this.m == m
                    && this.group == group && java.util.Arrays.equals(this.kernel, kernel)
                    && java.util.Arrays.equals(this.in, in);
        }
    }

    /**
     * Rearranges w of shape [c, m / group, kernel[0], kernel[1]] and the optional bias for input
     * planes of size {@code in}.
     */
    static Packed pack(float[] w, float[] bias, int c, int m, int group, int[] kernel, int[] in) {
        int cg = c / group;
        int mg = m / group;
        int taps = kernel[0] * kernel[1];
        int rows = mg * taps;
        int outHeight = in[0] * kernel[0];
        int outWidth = in[1] * kernel[1];
        float[][] a = new float[group][rows * cg];
        float[][] rowBias = new float[group][rows];
        for (int g = 0; g < group; g++) {
            for (int j = 0; j < mg; j++) {
                for (int t = 0; t < taps; t++) {
                    int r = j * taps + t;
                    rowBias[g][r] = bias == null ? 0f : bias[g * mg + j];
                    for (int cc = 0; cc < cg; cc++) {
                        a[g][r * cg + cc] = w[((g * cg + cc) * mg + j) * taps + t];
                    }
                }
            }
        }
        int[] targets = new int[rows];
        for (int j = 0; j < mg; j++) {
            for (int kh = 0; kh < kernel[0]; kh++) {
                for (int kw = 0; kw < kernel[1]; kw++) {
                    targets[(j * kernel[0] + kh) * kernel[1] + kw] = (j * outHeight + kh) * outWidth + kw;
                }
            }
        }
        return new Packed(w, bias, c, m, group, kernel.clone(), in.clone(), a, rowBias, targets);
    }

    /**
     * Computes y of shape [n, m, in[0] * kernel[0], in[1] * kernel[1]] from x of shape [n, c,
     * in[0], in[1]] and the packed weights. Threads split the input rows, and each writes the
     * output rows that its input rows produce.
     */
    static float[] compute(float[] x, Packed packed, int n, RunContext ctx) {
        int c = packed.c;
        int m = packed.m;
        int group = packed.group;
        int[] kernel = packed.kernel;
        int cg = c / group;
        int mg = m / group;
        int rows = mg * kernel[0] * kernel[1];
        int height = packed.in[0];
        int width = packed.in[1];
        int plane = height * width;
        int outHeight = height * kernel[0];
        int outWidth = width * kernel[1];
        float[][] a = packed.a;
        float[][] rowBias = packed.rowBias;
        int[] targets = packed.targets;
        float[] y = ctx.newFloats(n * m * outHeight * outWidth);
        int items = n * group * height;
        ctx.parallelFor(items, (long) rows * cg * width, (from, to) -> {
            for (int item = from; item < to; item++) {
                int h = item % height;
                int image = item / height;
                int g = image % group;
                int i = image / group;
                int xOffset = (i * c + g * cg) * plane + h * width;
                int yBlock = (i * m + g * mg) * outHeight * outWidth;
                TransposedConvRows.compute(x, xOffset, plane, cg, a[g], rowBias[g], rows, width, y,
                        targets, yBlock + h * kernel[0] * outWidth, kernel[1]);
            }
        });
        return y;
    }
}
