package dev.jonnx.runtime.ops.conv;

import dev.jonnx.runtime.kernel.Reductions;
import dev.jonnx.runtime.registry.RunContext;

/**
 * Float average and max pooling computed in float, one (sample, channel) plane per work item
 * on the intra-op threads. Sums accumulate in float over blocks and in double across blocks,
 * which keeps the error of a long sum near that of the double-precision general path.
 */
final class PoolingFloat {
    private PoolingFloat() {}

    /** Elements summed in float before the partial sum is added in double. */
    private static final int BLOCK = 1024;

    /** Returns the mean of each plane of {@code inSize} elements (NaN for an empty plane). */
    static float[] globalAverage(float[] x, int planes, int inSize, RunContext ctx) {
        float[] y = ctx.newFloats(planes);
        ctx.parallelFor(planes, inSize, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int base = plane * inSize;
                double sum = 0;
                for (int start = 0; start < inSize; start += BLOCK) {
                    sum += Reductions.sum(x, base + start, Math.min(BLOCK, inSize - start));
                }
                y[plane] = (float) (sum / inSize);
            }
        });
        return y;
    }

    /** Returns the maximum of each plane: NaN if it contains one, -Inf for an empty plane. */
    static float[] globalMax(float[] x, int planes, int inSize, RunContext ctx) {
        float[] y = ctx.newFloats(planes);
        ctx.parallelFor(planes, inSize, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                y[plane] = Reductions.max(x, plane * inSize, inSize);
            }
        });
        return y;
    }

    /**
     * Average or max pooling over two spatial axes without dilation. With
     * {@code countPadding}, an average divides by the window positions inside the padded
     * input, else by those inside the input, and a window with none gives NaN. A max takes
     * the first element of the window and then each greater one, as the general path does.
     * So a NaN counts only as the first element, and a window entirely in padding gives -Inf.
     */
    static float[] pool2d(float[] x, int planes, int inH, int inW, Window window, boolean max,
            boolean countPadding, RunContext ctx) {
        int outH = window.output()[0];
        int outW = window.output()[1];
        int kernelH = window.kernel()[0];
        int kernelW = window.kernel()[1];
        int strideH = window.strides()[0];
        int strideW = window.strides()[1];
        int padTop = window.padBegin()[0];
        int padLeft = window.padBegin()[1];
        int paddedH = inH + window.padEnd()[0];
        int paddedW = inW + window.padEnd()[1];
        float[] y = ctx.newFloats(planes * outH * outW);
        ctx.parallelFor(planes, (long) outH * outW * kernelH * kernelW, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int base = plane * inH * inW;
                int target = plane * outH * outW;
                for (int oy = 0; oy < outH; oy++) {
                    int top = oy * strideH - padTop;
                    int h0 = Math.max(top, 0);
                    int h1 = Math.min(top + kernelH, inH);
                    int paddedRows = Math.max(0,
                            Math.min(top + kernelH, paddedH) - Math.max(top, -padTop));
                    for (int ox = 0; ox < outW; ox++) {
                        int left = ox * strideW - padLeft;
                        int w0 = Math.max(left, 0);
                        int w1 = Math.min(left + kernelW, inW);
                        float value;
                        if (max) {
                            value = Float.NEGATIVE_INFINITY;
                            boolean first = true;
                            for (int h = h0; h < h1; h++) {
                                int row = base + h * inW;
                                for (int w = w0; w < w1; w++) {
                                    float v = x[row + w];
                                    if (first || v > value) {
                                        value = v;
                                        first = false;
                                    }
                                }
                            }
                        } else {
                            float sum = 0;
                            for (int h = h0; h < h1; h++) {
                                int row = base + h * inW;
                                for (int w = w0; w < w1; w++) {
                                    sum += x[row + w];
                                }
                            }
                            int count = countPadding
                                    ? paddedRows * Math.max(0, Math.min(left + kernelW, paddedW)
                                            - Math.max(left, -padLeft))
                                    : Math.max(0, h1 - h0) * Math.max(0, w1 - w0);
                            value = count <= 0 ? Float.NaN : sum / count;
                        }
                        y[target + oy * outW + ox] = value;
                    }
                }
            }
        });
        return y;
    }
}
