package dev.jonnx.runtime.ops.conv;

import dev.jonnx.runtime.kernel.ConvKernels;
import dev.jonnx.runtime.kernel.Sgemm;
import dev.jonnx.runtime.registry.RunContext;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;

/**
 * The float paths of Conv and ConvTranspose. Conv picks a {@link Strategy} per input shape
 * ({@link Plan}): depthwise groups convolve each channel directly over a zero-padded copy of it,
 * outputs with few positions take the transposed product ({@link NarrowConvolution}), stride-1
 * 1-D and 2-D kernels slide over padded row blocks ({@link SlidingConvolution}), 1x1 kernels
 * with stride 1 and many output channels multiply the image itself, 3x3 stride-1 kernels with
 * many channels use Winograd transforms ({@link WinogradConvolution}), and the rest multiply the
 * weights by im2col columns built one block of window positions at a time. After each output
 * block the bias and the activation are applied while the block is in cache. Sums run in float
 * with fused multiply-add, so they may differ from the double reference in the last bits.
 */
final class FloatConvolution {
    /**
     * Target size in floats of one im2col block (512 KiB), which bounds the scratch memory per
     * thread. Blocks from 55K to 442K floats ran equally fast within the noise for a 96 to 24
     * channel 3x3 Conv at 160x160 (thread CPU time of the kernel alone, 2-vCPU AVX2 machine).
     */
    private static final int COLUMN_BLOCK_FLOATS = 1 << 17;
    /** Window positions per block when the image itself is the column matrix. */
    private static final int DIRECT_BLOCK = 2048;
    /** Column blocks are multiples of this many positions (the SGEMM panel width on AVX-512). */
    private static final int BLOCK_ALIGN = 32;

    /** Per-thread scratch for im2col blocks and padded channels. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    private FloatConvolution() {}

    private static float[] scratch(int size) {
        float[][] holder = SCRATCH.get();
        if (holder[0].length < size) {
            holder[0] = new float[size];
        }
        return holder[0];
    }

    /**
     * The method of a plan: DEPTHWISE per channel over a padded copy, DIRECT as
     * W times the image itself (1x1 kernel, stride 1), IM2COL as W times blocks of im2col
     * columns, SLIDING with {@link SlidingConvolution} (1-D or 2-D, stride 1), NARROW with
     * {@link NarrowConvolution} (few output positions) and WINOGRAD with
     * {@link WinogradConvolution} (3x3, stride 1).
     */
    enum Strategy { DEPTHWISE, DIRECT, IM2COL, SLIDING, NARROW, WINOGRAD }

    /** The geometry of one Conv for one pair of input shapes, prepared once and then reused. */
    static final class Plan {
        final int[] xShape;
        final int[] wShape;
        final Window window;
        final int n;
        final int c;
        final int m;
        final int group;
        final int inSize;
        final int positions;
        final Strategy strategy;
        final ColumnGeometry columns;
        final PaddedChannel padded;
        final SlidingConvolution sliding;
        final WinogradConvolution winograd;
        /** The constant weights that the packed weights of the chosen strategy were made from, or null. */
        private final float[] constantWeights;
        private final float[] slidingWeights;
        private final Sgemm.PackedB[] narrowWeights;
        private final float[] winogradWeights;

        /**
         * Plans the convolution with the strategy that suits the shapes. When
         * {@code constantWeights} is not null, W never changes and is packed here once.
         */
        Plan(int[] xShape, int[] wShape, Window window, int group, float[] constantWeights, int threads) {
            this(xShape, wShape, window, group, constantWeights, threads, null);
        }

        /** Plans the convolution with {@code forced} when it applies, or as above when null. */
        Plan(int[] xShape, int[] wShape, Window window, int group, float[] constantWeights, int threads,
                Strategy forced) {
            this.xShape = xShape.clone();
            this.wShape = wShape.clone();
            this.window = window;
            this.group = group;
            this.n = xShape[0];
            this.c = xShape[1];
            this.m = wShape[0];
            int[] in = Arrays.copyOfRange(xShape, 2, xShape.length);
            this.inSize = Window.product(in);
            this.positions = window.outputSize();
            int cg = c / group;
            int mg = m / group;
            if (cg == 1 && mg == 1) {
                strategy = Strategy.DEPTHWISE;
                columns = null;
                padded = new PaddedChannel(in, window);
                sliding = null;
                winograd = null;
            } else {
                padded = null;
                columns = ColumnGeometry.of(cg, in, window);
                Strategy gemm = columns.isIdentity() ? Strategy.DIRECT : Strategy.IM2COL;
                SlidingConvolution slidingPlan = SlidingConvolution.of(xShape, wShape, window, group, threads);
                WinogradConvolution winogradPlan = WinogradConvolution.of(xShape, wShape, window, group);
                boolean narrow = positions <= NarrowConvolution.MAX_POSITIONS;
                if (forced == Strategy.NARROW || forced == null && narrow) {
                    strategy = Strategy.NARROW;
                } else if (winogradPlan != null
                        && (forced == Strategy.WINOGRAD || forced == null && winogradPlan.expectedFaster())) {
                    strategy = Strategy.WINOGRAD;
                } else if (slidingPlan != null && (forced == Strategy.SLIDING || forced == null)) {
                    strategy = Strategy.SLIDING;
                } else {
                    strategy = gemm;
                }
                sliding = strategy == Strategy.SLIDING ? slidingPlan : null;
                winograd = strategy == Strategy.WINOGRAD ? winogradPlan : null;
            }
            this.constantWeights = constantWeights;
            this.slidingWeights = constantWeights != null && sliding != null ? sliding.pack(constantWeights) : null;
            this.narrowWeights = constantWeights != null && strategy == Strategy.NARROW
                    ? NarrowConvolution.pack(constantWeights, group, mg, columns.rows()) : null;
            this.winogradWeights = constantWeights != null && winograd != null ? winograd.pack(constantWeights) : null;
        }

        boolean matches(int[] x, int[] w) {
            return Arrays.equals(xShape, x) && Arrays.equals(wShape, w);
        }
    }

    /** Convolves float X with W, adds the optional bias and applies the activation. */
    static float[] conv(float[] x, float[] w, float[] bias, ConvKernels.Activation activation,
            Plan plan, RunContext ctx) {
        float[] y = ctx.newFloats(plan.n * plan.m * plan.positions);
        if (y.length == 0) {
            return y;
        }
        boolean packed = w == plan.constantWeights;
        switch (plan.strategy) {
            case DEPTHWISE -> depthwise(x, w, bias, activation, plan, y, ctx);
            case SLIDING -> plan.sliding.run(x, packed ? plan.slidingWeights : plan.sliding.pack(w), bias,
                    activation, y, ctx);
            case NARROW -> NarrowConvolution.run(x, packed ? plan.narrowWeights
                    : NarrowConvolution.pack(w, plan.group, plan.m / plan.group, plan.columns.rows()), bias,
                    activation, plan, y);
            case WINOGRAD -> plan.winograd.run(x, packed ? plan.winogradWeights : plan.winograd.pack(w), bias,
                    activation, y, ctx);
            case DIRECT, IM2COL -> gemm(x, w, bias, activation, plan, y, ctx);
        }
        return y;
    }

    private static void depthwise(float[] x, float[] w, float[] bias,
            ConvKernels.Activation activation, Plan plan, float[] y, RunContext ctx) {
        PaddedChannel padded = plan.padded;
        int c = plan.c;
        int taps = padded.taps.length;
        int positions = plan.positions;
        int inSize = plan.inSize;
        ctx.parallelFor(plan.n * c, (long) taps * positions, (from, to) -> {
            float[] buffer = scratch(padded.size);
            for (int plane = from; plane < to; plane++) {
                int channel = plane % c;
                padded.fill(x, plane * inSize, buffer);
                float init = bias == null ? 0f : bias[channel];
                int out = plane * positions;
                for (int row = 0; row < padded.rowBases.length; row++) {
                    ConvKernels.taps(buffer, padded.rowBases[row], padded.taps, w, channel * taps,
                            init, y, out + row * padded.outWidth, padded.outWidth);
                }
                ConvKernels.epilogue(y, out, positions, 0f, activation);
            }
        });
    }

    private static void gemm(float[] x, float[] w, float[] bias, ConvKernels.Activation activation,
            Plan plan, float[] y, RunContext ctx) {
        int group = plan.group;
        int cg = plan.c / group;
        int mg = plan.m / group;
        int positions = plan.positions;
        boolean direct = plan.strategy == Strategy.DIRECT;
        int rows = direct ? cg : plan.columns.rows();
        int threads = ctx.threads();
        int images = plan.n * group;
        int target = direct ? DIRECT_BLOCK
                : Math.max(BLOCK_ALIGN, COLUMN_BLOCK_FLOATS / Math.max(1, rows) / BLOCK_ALIGN * BLOCK_ALIGN);
        int blocks = Math.ceilDiv(positions, target);
        if (threads > 1 && images < threads && positions >= threads * BLOCK_ALIGN) {
            // Give every thread the same number of blocks.
            blocks = Math.ceilDiv(blocks, threads) * threads;
        }
        int block = Math.min(positions,
                Math.ceilDiv(Math.ceilDiv(positions, blocks), BLOCK_ALIGN) * BLOCK_ALIGN);
        int blockCount = Math.ceilDiv(positions, block);
        int items = images * blockCount;
        long cost = (long) mg * rows * block;
        RunContext.RangeTask task = (from, to) -> {
            ExecutorService pool = items >= threads ? null : ctx.pool();
            int gemmThreads = items >= threads ? 1 : threads;
            for (int item = from; item < to; item++) {
                int image = item / blockCount;
                int p0 = item % blockCount * block;
                int p1 = Math.min(positions, p0 + block);
                int width = p1 - p0;
                int i = image / group;
                int g = image % group;
                int xOffset = (i * plan.c + g * cg) * plan.inSize;
                Sgemm.Operand columns;
                if (direct) {
                    columns = new Sgemm.Operand(x, xOffset + p0, plan.inSize, false);
                } else {
                    float[] col = scratch(rows * width);
                    plan.columns.im2col(x, xOffset, col, width, p0, p1);
                    columns = new Sgemm.Operand(col, 0, width, false);
                }
                int yOffset = (i * plan.m + g * mg) * positions + p0;
                Sgemm.multiply(mg, width, rows, new Sgemm.Operand(w, g * mg * rows, rows, false),
                        columns, y, yOffset, positions, false, pool, gemmThreads);
                for (int r = 0; r < mg; r++) {
                    float b = bias == null ? 0f : bias[g * mg + r];
                    ConvKernels.epilogue(y, yOffset + r * positions, width, b, activation);
                }
            }
        };
        if (items >= threads) {
            ctx.parallelFor(items, cost, task);
        } else {
            task.run(0, items);
        }
    }

    /**
     * Float ConvTranspose: for each group, columns = W_g^T X_g (one block of input positions at
     * a time), then col2im adds the columns into the output, which starts as the bias. Threads
     * split the output channels, so no two threads add into the same element.
     */
    static float[] convTranspose(float[] x, float[] w, float[] bias, int n, int c, int[] in,
            int m, int group, ColumnGeometry geometry, RunContext ctx) {
        int cg = c / group;
        int mg = m / group;
        int inSize = Window.product(in);
        int outSize = geometry.imageSize;
        int kernelSize = geometry.kernelSize;
        float[] y = ctx.newFloats(n * m * outSize);
        int items = n * group * mg;
        ctx.parallelFor(items, (long) cg * kernelSize * inSize, (from, to) -> {
            int item = from;
            while (item < to) {
                int image = item / mg;
                int c0 = item % mg;
                int c1 = Math.min(mg, c0 + to - item);
                int i = image / group;
                int g = image % group;
                int yOffset = (i * m + g * mg) * outSize;
                for (int oc = c0; oc < c1; oc++) {
                    float b = bias == null ? 0f : bias[g * mg + oc];
                    Arrays.fill(y, yOffset + oc * outSize, yOffset + (oc + 1) * outSize, b);
                }
                int rows = (c1 - c0) * kernelSize;
                int block = Math.min(inSize, Math.max(BLOCK_ALIGN,
                        COLUMN_BLOCK_FLOATS / Math.max(1, rows) / BLOCK_ALIGN * BLOCK_ALIGN));
                float[] col = scratch(rows * Math.max(1, block));
                Sgemm.Operand weights = new Sgemm.Operand(w, g * cg * mg * kernelSize + c0 * kernelSize,
                        mg * kernelSize, true);
                int xOffset = (i * c + g * cg) * inSize;
                for (int p0 = 0; p0 < inSize; p0 += block) {
                    int width = Math.min(block, inSize - p0);
                    Sgemm.multiply(rows, width, cg, weights,
                            new Sgemm.Operand(x, xOffset + p0, inSize, false), col, 0, width, false,
                            null, 1);
                    geometry.col2im(col, width, p0, p0 + width, c0, c1, y, yOffset);
                }
                item += c1 - c0;
            }
        });
        return y;
    }

    /**
     * A zero-padded copy of one channel for direct convolution. Along the last axis the padded
     * row is split into {@code stride} phases (columns j, j + stride, ...), so that every kernel
     * element reads a contiguous run of the copy for consecutive outputs. {@link #taps} contains the
     * offset of each kernel element in the copy and {@link #rowBases} the offset of each output
     * row's first window.
     */
    static final class PaddedChannel {
        final int size;
        final int[] taps;
        final int[] rowBases;
        final int outWidth;
        private final int width;
        private final int padLeft;
        private final int stride;
        private final int phaseLength;
        /** For each input row (all axes but the last), the offset of its padded row. */
        private final int[] inputRows;

        PaddedChannel(int[] in, Window window) {
            int rank = in.length;
            int last = rank - 1;
            int[] k = window.kernel();
            int[] s = window.strides();
            int[] dil = window.dilations();
            int[] begin = window.padBegin();
            int[] end = window.padEnd();
            int[] out = window.output();
            width = in[last];
            padLeft = begin[last];
            stride = s[last];
            outWidth = out[last];
            int paddedWidth = Math.max(width + begin[last] + end[last],
                    (out[last] - 1) * stride + window.span(last));
            phaseLength = Math.ceilDiv(paddedWidth, stride);
            int[] paddedStrides = new int[rank];
            int[] paddedDims = new int[rank];
            paddedStrides[last] = 1;
            long total = (long) stride * phaseLength;
            for (int d = last - 1; d >= 0; d--) {
                paddedDims[d] = Math.max(in[d] + begin[d] + end[d], (out[d] - 1) * s[d] + window.span(d));
                paddedStrides[d] = (int) total;
                total *= paddedDims[d];
            }
            if (total > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("the padded input channel of " + total
                        + " elements is too large");
            }
            size = (int) total;
            int kernelSize = window.kernelSize();
            taps = new int[kernelSize];
            int[] index = new int[rank];
            for (int t = 0; t < kernelSize; t++) {
                int offset = 0;
                for (int d = 0; d < last; d++) {
                    offset += index[d] * dil[d] * paddedStrides[d];
                }
                int column = index[last] * dil[last];
                taps[t] = offset + column % stride * phaseLength + column / stride;
                Im2Col.increment(index, k);
            }
            int[] outer = Arrays.copyOf(out, last);
            rowBases = new int[Window.product(outer)];
            int[] o = new int[last];
            for (int r = 0; r < rowBases.length; r++) {
                int offset = 0;
                for (int d = 0; d < last; d++) {
                    offset += o[d] * s[d] * paddedStrides[d];
                }
                rowBases[r] = offset;
                Im2Col.increment(o, outer);
            }
            int[] inOuter = Arrays.copyOf(in, last);
            inputRows = new int[Window.product(inOuter)];
            int[] p = new int[last];
            for (int r = 0; r < inputRows.length; r++) {
                int offset = 0;
                for (int d = 0; d < last; d++) {
                    offset += (p[d] + begin[d]) * paddedStrides[d];
                }
                inputRows[r] = offset;
                Im2Col.increment(p, inOuter);
            }
        }

        /** Writes the padded, phase-split copy of the channel at {@code x[xOffset]} into {@code buffer}. */
        void fill(float[] x, int xOffset, float[] buffer) {
            Arrays.fill(buffer, 0, size, 0f);
            for (int r = 0; r < inputRows.length; r++) {
                int src = xOffset + r * width;
                int dst = inputRows[r];
                if (stride == 1) {
                    System.arraycopy(x, src, buffer, dst + padLeft, width);
                } else if (stride == 2) {
                    // Even input columns land in the phase of padLeft, odd ones in the other.
                    int evenPhase = padLeft % 2;
                    ConvKernels.deinterleave(x, src, width, buffer,
                            dst + evenPhase * phaseLength + padLeft / 2,
                            dst + (1 - evenPhase) * phaseLength + (padLeft + 1) / 2);
                } else {
                    for (int phase = 0; phase < stride; phase++) {
                        // Padded column j = ix + padLeft lands at phase j % stride, index j / stride.
                        int first = Math.floorMod(phase - padLeft, stride);
                        int at = dst + phase * phaseLength + (first + padLeft) / stride;
                        for (int ix = first; ix < width; ix += stride) {
                            buffer[at++] = x[src + ix];
                        }
                    }
                }
            }
        }
    }
}
