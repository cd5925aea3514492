package dev.jonnx.runtime.ops.conv;

import dev.jonnx.runtime.kernel.ConvKernels;
import dev.jonnx.runtime.kernel.Simd;
import dev.jonnx.runtime.registry.RunContext;
import java.util.Arrays;

/**
 * Direct float convolution for 1-D and 2-D Conv with stride 1: no im2col matrix and no packing
 * per call. Each task copies a block of input rows, zero-padded, for all input channels of a
 * group into scratch, then {@link ConvKernels#sliding} computes four output channels at a time
 * over that block. Output positions are indexed in the padded row width, so each kernel element
 * reads a contiguous run of the block. The positions that fall on padding columns are computed
 * and dropped. Weights are packed in the order the kernel reads them, once per constant weight
 * tensor or once per call otherwise.
 *
 * <p>2-D 3x3 kernels with stride 1 and many channels go to {@link WinogradConvolution}
 * (F(2x2, 3x3)) instead. NOTE: F(4x4, 3x3), with 4 times fewer multiplications than a direct
 * sum but more rounding, is not implemented.
 */
final class SlidingConvolution {
    /**
     * Target size in floats of one task's block of padded input rows (256 KiB, half the L2 cache
     * of a Zen 3 core). 128 KiB ran as fast and 512 KiB slower for a 96 to 24 channel 3x3 Conv at
     * 160x160 (thread CPU time, 2-vCPU AVX2 machine under load).
     */
    private static final int BLOCK_FLOATS = 1 << 16;
    /** The largest input block, for one output row, that this path takes on, in floats. */
    private static final int MAX_BLOCK_FLOATS = 1 << 20;
    private static final int CHANNELS = ConvKernels.SLIDING_CHANNELS;
    /**
     * Output channels per group from which a 1x1 Conv stays with the SGEMM on the image itself.
     * For 48 to 12 channels at 160x160 this path took half the SGEMM's time, for 32 to 48 the
     * same, and for 96 to 96 at 20x20 nearly twice as long (thread CPU time, 2-vCPU AVX2 machine).
     */
    private static final int MIN_GEMM_CHANNELS = 16;
    /**
     * Multiple to which position counts are rounded up, so the vector kernel needs no tail: the
     * two vectors of its main loop. Each buffer gets this much slack.
     */
    private static final int ROUND = Math.max(1, 2 * Simd.FLOAT_LANES);

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    private final int n;
    private final int group;
    private final int cg;
    private final int mg;
    private final int height;
    private final int width;
    private final int kh;
    private final int kw;
    private final int dilationY;
    private final int dilationX;
    private final int padTop;
    private final int padLeft;
    private final int outHeight;
    private final int outWidth;
    /** Width of a padded row: the input width plus both pads. */
    private final int paddedWidth;
    /** Output rows per task. */
    private final int blockRows;
    /** Padded input rows per task, the output rows plus the dilated kernel height minus one. */
    private final int inputRows;
    private final int channelBlocks;
    /** For each input channel and kernel element, the offset of its input run in the block. */
    private final int[] offsets;

    private SlidingConvolution(int[] xShape, int[] wShape, Window window, int group, int blockRows) {
        boolean twoDimensional = window.rank() == 2;
        this.n = xShape[0];
        this.group = group;
        this.cg = xShape[1] / group;
        this.mg = wShape[0] / group;
        this.height = twoDimensional ? xShape[2] : 1;
        this.width = xShape[xShape.length - 1];
        int last = window.rank() - 1;
        this.kh = twoDimensional ? window.kernel()[0] : 1;
        this.kw = window.kernel()[last];
        this.dilationY = twoDimensional ? window.dilations()[0] : 1;
        this.dilationX = window.dilations()[last];
        this.padTop = twoDimensional ? window.padBegin()[0] : 0;
        this.padLeft = window.padBegin()[last];
        this.outHeight = twoDimensional ? window.output()[0] : 1;
        this.outWidth = window.output()[last];
        this.paddedWidth = outWidth + (kw - 1) * dilationX;
        this.blockRows = blockRows;
        this.inputRows = blockRows + (kh - 1) * dilationY;
        this.channelBlocks = Math.ceilDiv(mg, CHANNELS);
        int plane = inputRows * paddedWidth;
        int taps = kh * kw;
        this.offsets = new int[cg * taps];
        for (int c = 0; c < cg; c++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    offsets[(c * kh + ky) * kw + kx] = c * plane + ky * dilationY * paddedWidth + kx * dilationX;
                }
            }
        }
    }

    /**
     * Returns the plan for this path, or null when the convolution does not fit it: not 1-D or
     * 2-D, a stride above 1, a 1x1 kernel with {@value #MIN_GEMM_CHANNELS} or more output
     * channels per group, or rows too wide for a block.
     */
    static SlidingConvolution of(int[] xShape, int[] wShape, Window window, int group, int threads) {
        int rank = window.rank();
        if (rank > 2 || window.outputSize() == 0
                || window.kernelSize() == 1 && wShape[0] / group >= MIN_GEMM_CHANNELS) {
            return null;
        }
        for (int s : window.strides()) {
            if (s != 1) {
                return null;
            }
        }
        int cg = xShape[1] / group;
        int last = rank - 1;
        long paddedWidth = window.output()[last] + (long) (window.kernel()[last] - 1) * window.dilations()[last];
        long halo = rank == 2 ? (long) (window.kernel()[0] - 1) * window.dilations()[0] : 0;
        long rowFloats = cg * paddedWidth;
        if (rowFloats * (1 + halo) > MAX_BLOCK_FLOATS) {
            return null;
        }
        int outHeight = rank == 2 ? window.output()[0] : 1;
        int rows = (int) Math.max(1, Math.min(outHeight, BLOCK_FLOATS / rowFloats - halo));
        // Enough tasks that two or more threads each get several.
        long tasksPerRow = (long) xShape[0] * group;
        while (rows > 1 && tasksPerRow * Math.ceilDiv(outHeight, rows) < 4L * threads) {
            rows = Math.ceilDiv(rows, 2);
        }
        return new SlidingConvolution(xShape, wShape, window, group, rows);
    }

    /**
     * Packs W (M, C / group, k...) so that for each group and block of four output channels,
     * the four weights of one input channel and kernel element are adjacent. Output channels
     * past M in the last block get zero weights.
     */
    float[] pack(float[] w) {
        int taps = kh * kw;
        int depth = cg * taps;
        float[] packed = new float[group * channelBlocks * depth * CHANNELS];
        for (int g = 0; g < group; g++) {
            for (int oc = 0; oc < mg; oc++) {
                int block = g * channelBlocks + oc / CHANNELS;
                int lane = oc % CHANNELS;
                int src = (g * mg + oc) * depth;
                int dst = block * depth * CHANNELS + lane;
                for (int d = 0; d < depth; d++) {
                    packed[dst + d * CHANNELS] = w[src + d];
                }
            }
        }
        return packed;
    }

    /** Convolves X with the packed weights into Y, then adds the bias and applies the activation. */
    void run(float[] x, float[] packed, float[] bias, ConvKernels.Activation activation, float[] y,
            RunContext ctx) {
        int rowBlocks = Math.ceilDiv(outHeight, blockRows);
        int items = n * group * rowBlocks;
        int taps = kh * kw;
        int depth = cg * taps;
        long cost = (long) channelBlocks * CHANNELS * depth * blockRows * paddedWidth;
        int plane = inputRows * paddedWidth;
        int stagingStride = Math.ceilDiv(blockRows * paddedWidth, ROUND) * ROUND;
        int stagingOffset = cg * plane + ROUND;
        int scratchSize = stagingOffset + CHANNELS * stagingStride;
        int inSize = height * width;
        int positions = outHeight * outWidth;
        ctx.parallelFor(items, cost, (from, to) -> {
            float[] buffer = scratch(scratchSize);
            for (int item = from; item < to; item++) {
                int image = item / rowBlocks;
                int r0 = item % rowBlocks * blockRows;
                int rows = Math.min(blockRows, outHeight - r0);
                int i = image / group;
                int g = image % group;
                fill(x, (i * group + g) * cg * inSize, r0, rows, buffer, plane);
                // Positions past the last output of the block are computed from slack and dropped.
                int count = Math.ceilDiv((rows - 1) * paddedWidth + outWidth, ROUND) * ROUND;
                for (int block = 0; block < channelBlocks; block++) {
                    int wOffset = (g * channelBlocks + block) * depth * CHANNELS;
                    ConvKernels.sliding(buffer, 0, offsets, 0, depth, packed, wOffset, buffer, stagingOffset,
                            stagingStride, count);
                    int channels = Math.min(CHANNELS, mg - block * CHANNELS);
                    for (int j = 0; j < channels; j++) {
                        int oc = g * mg + block * CHANNELS + j;
                        int dst = (i * group * mg + oc) * positions + r0 * outWidth;
                        int src = stagingOffset + j * stagingStride;
                        for (int r = 0; r < rows; r++) {
                            System.arraycopy(buffer, src + r * paddedWidth, y, dst + r * outWidth, outWidth);
                        }
                        ConvKernels.epilogue(y, dst, rows * outWidth, bias == null ? 0f : bias[oc], activation);
                    }
                }
            }
        });
    }

    /**
     * Copies the input rows that output rows [r0, r0 + rows) read, for every channel of the
     * group at {@code x[xOffset]}, into {@code buffer} with zeros for the padding.
     */
    private void fill(float[] x, int xOffset, int r0, int rows, float[] buffer, int plane) {
        int needed = rows + (kh - 1) * dilationY;
        int inSize = height * width;
        for (int c = 0; c < cg; c++) {
            int channel = c * plane;
            for (int lr = 0; lr < needed; lr++) {
                int row = channel + lr * paddedWidth;
                int inRow = r0 - padTop + lr;
                if (inRow < 0 || inRow >= height) {
                    Arrays.fill(buffer, row, row + paddedWidth, 0f);
                    continue;
                }
                int copied = Math.min(width, paddedWidth - padLeft);
                Arrays.fill(buffer, row, row + padLeft, 0f);
                System.arraycopy(x, xOffset + c * inSize + inRow * width, buffer, row + padLeft, copied);
                Arrays.fill(buffer, row + padLeft + copied, row + paddedWidth, 0f);
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
