package dev.jonnx.runtime.ops.conv;

import dev.jonnx.runtime.kernel.ConvKernels;
import dev.jonnx.runtime.kernel.Sgemm;
import dev.jonnx.runtime.kernel.Simd;
import dev.jonnx.runtime.registry.RunContext;

/**
 * Float 2-D Conv with a 3x3 kernel, stride 1, dilation 1 and one group through the Winograd
 * transform F(2x2, 3x3): each 2x2 block of outputs (a tile) comes from a 4x4 block of input.
 * With U = G g G^T for each 3x3 kernel g and V = B^T d B for each 4x4 input block d, the
 * outputs are A^T (U . V) A, where . multiplies element by element. Summed over the input
 * channels, each of the 16 elements of U . V becomes one matrix product of the transformed
 * weights (M x C) by the transformed input (C x tiles), so the products need 16 multiply-adds
 * per tile and channel pair in place of the 36 of a direct 2x2 block.
 *
 * <p>The transforms are
 * <pre>
 * B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
 * G   = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
 * A^T = [1 1 1 0; 0 1 -1 -1]
 * </pre>
 * and their entries are exact in float, so the transforms add only the rounding of a few
 * additions per value to that of the sums.
 *
 * <p>Each task transforms a block of whole tile rows of one image for all channels into
 * scratch, laid out [16][C][tiles], runs the 16 products into a second scratch, [16][M][tiles],
 * then transforms the outputs back, adds the bias and applies the activation. Tiles past the
 * last output row or column are computed and dropped.
 */
final class WinogradConvolution {
    /** Elements of a transformed 4x4 tile, and so the number of products per block. */
    static final int POSITIONS = 16;
    /**
     * Input and output channels, and their product times the output positions, from which the
     * plan prefers this path to {@link SlidingConvolution}. Best thread CPU time of
     * {@link FloatConvolution#conv} alone, Winograd against sliding (2-vCPU AVX2 machine under load):
     * <ul>
     * <li>96 to 24 channels: 19 against 23 ms at 160x160, 4.7 against 5.1 at 80x80, 1.33 against 1.27 at 40x40
     * <li>64 to 64 at 40x40: 1.8 against 2.2 ms, and 96 to 96 at 40x40: 3.0 against 5.0 ms
     * <li>64 to 24 at 160x160: a tie
     * <li>32 to 16 at 160x160: 6.7 against 4.7 ms, and 128 to 32 at 20x20: 0.69 against 0.51 ms
     * </ul>
     */
    static final int MIN_INPUT_CHANNELS = 64;
    static final int MIN_OUTPUT_CHANNELS = 24;
    static final long MIN_WORK = 1L << 22;
    /** Output rows and columns from which this path applies, so that most tiles are whole. */
    static final int MIN_OUTPUT_SIZE = 8;
    /** Target size in floats of one task's transformed input block (512 KiB). */
    private static final int BLOCK_FLOATS = 1 << 17;
    /** Minimum tiles per task, so that each product has a few column panels. */
    private static final int MIN_SEGMENT_TILES = 32;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final int n;
    private final int c;
    private final int m;
    private final int height;
    private final int width;
    private final int padTop;
    private final int padLeft;
    private final int outHeight;
    private final int outWidth;
    private final int tilesX;
    private final int tilesY;
    /** Length of the even and the odd half of a padded input row: one more than the tiles per row. */
    private final int rowLength;
    /** Tile rows per task, 1 when a tile row is split into several segments. */
    private final int blockRows;
    /** Segments per tile row, one task each, so that a task's transformed input fits the target size. */
    private final int segments;
    private final int segmentTiles;
    private final int blocksPerImage;

    private WinogradConvolution(int[] xShape, int[] wShape, Window window) {
        this.n = xShape[0];
        this.c = xShape[1];
        this.m = wShape[0];
        this.height = xShape[2];
        this.width = xShape[3];
        this.padTop = window.padBegin()[0];
        this.padLeft = window.padBegin()[1];
        this.outHeight = window.output()[0];
        this.outWidth = window.output()[1];
        this.tilesX = Math.ceilDiv(outWidth, 2);
        this.tilesY = Math.ceilDiv(outHeight, 2);
        this.rowLength = tilesX + 1;
        int targetTiles = Math.max(MIN_SEGMENT_TILES, BLOCK_FLOATS / (POSITIONS * c));
        if (targetTiles < tilesX) {
            this.blockRows = 1;
            this.segments = Math.ceilDiv(tilesX, targetTiles);
            this.segmentTiles = Math.ceilDiv(tilesX, segments);
        } else {
            int blocks = Math.ceilDiv(tilesY, targetTiles / tilesX);
            this.blockRows = Math.ceilDiv(tilesY, blocks);
            this.segments = 1;
            this.segmentTiles = tilesX;
        }
        this.blocksPerImage = Math.ceilDiv(tilesY, blockRows) * segments;
    }

    /**
     * Returns the plan for these shapes, or null when this path does not apply: other kernels,
     * strides, dilations, groups or ranks, or outputs smaller than 8x8.
     */
    static WinogradConvolution of(int[] xShape, int[] wShape, Window window, int group) {
        if (window.rank() != 2 || group != 1) {
            return null;
        }
        int[] k = window.kernel();
        int[] s = window.strides();
        int[] d = window.dilations();
        int[] out = window.output();
        if (k[0] != 3 || k[1] != 3 || s[0] != 1 || s[1] != 1 || d[0] != 1 || d[1] != 1) {
            return null;
        }
        if (out[0] < MIN_OUTPUT_SIZE || out[1] < MIN_OUTPUT_SIZE) {
            return null;
        }
        return new WinogradConvolution(xShape, wShape, window);
    }

    /** Returns whether this path measured faster than the sliding one for shapes like these. */
    boolean expectedFaster() {
        long work = (long) c * m * outHeight * outWidth;
        return c >= MIN_INPUT_CHANNELS && m >= MIN_OUTPUT_CHANNELS && work >= MIN_WORK;
    }

    /**
     * Transforms W (M x C x 3 x 3) into U = G g G^T for each output and input channel, laid out
     * [16][M][C], so that position p is the M x C left operand of product p.
     */
    float[] pack(float[] w) {
        float[] u = new float[POSITIONS * m * c];
        int plane = m * c;
        float[] rows = new float[12];
        for (int oc = 0; oc < m; oc++) {
            for (int ic = 0; ic < c; ic++) {
                int g = (oc * c + ic) * 9;
                // G g: four rows of three.
                for (int j = 0; j < 3; j++) {
                    float g0 = w[g + j];
                    float g1 = w[g + 3 + j];
                    float g2 = w[g + 6 + j];
                    rows[j] = g0;
                    rows[3 + j] = 0.5f * (g0 + g1 + g2);
                    rows[6 + j] = 0.5f * (g0 - g1 + g2);
                    rows[9 + j] = g2;
                }
                // (G g) G^T: four columns per row.
                int at = oc * c + ic;
                for (int i = 0; i < 4; i++) {
                    float r0 = rows[3 * i];
                    float r1 = rows[3 * i + 1];
                    float r2 = rows[3 * i + 2];
                    int p = 4 * i;
                    u[p * plane + at] = r0;
                    u[(p + 1) * plane + at] = 0.5f * (r0 + r1 + r2);
                    u[(p + 2) * plane + at] = 0.5f * (r0 - r1 + r2);
                    u[(p + 3) * plane + at] = r2;
                }
            }
        }
        return u;
    }

    /**
     * Convolves X with the weights that {@link #pack} transformed, adds the optional bias and
     * applies the activation, writing every element of Y.
     */
    void run(float[] x, float[] u, float[] bias, ConvKernels.Activation activation, float[] y, RunContext ctx) {
        int items = n * blocksPerImage;
        long cost = (long) POSITIONS * m * c * blockRows * segmentTiles;
        ctx.parallelFor(items, cost, (from, to) -> {
            Scratch scratch = SCRATCH.get().ensure(POSITIONS * c * blockRows * segmentTiles,
                    POSITIONS * m * blockRows * segmentTiles, 8 * rowLength, 4 * tilesX);
            float[] v = scratch.transformed;
            float[] products = scratch.products;
            for (int item = from; item < to; item++) {
                int image = item / blocksPerImage;
                int block = item % blocksPerImage;
                int ty0 = block / segments * blockRows;
                int ty1 = Math.min(tilesY, ty0 + blockRows);
                int tx0 = block % segments * segmentTiles;
                int tx1 = Math.min(tilesX, tx0 + segmentTiles);
                int count = (ty1 - ty0) * (tx1 - tx0);
                transformInput(x, image * c * height * width, ty0, ty1, tx0, tx1, v, scratch.rows);
                for (int p = 0; p < POSITIONS; p++) {
                    Sgemm.multiply(m, count, c, new Sgemm.Operand(u, p * m * c, c, false),
                            new Sgemm.Operand(v, p * c * count, count, false), products, p * m * count, count,
                            false, null, 1);
                }
                transformOutput(products, ty0, ty1, tx0, tx1, bias, activation, y, image * m * outHeight * outWidth,
                        scratch.outputs);
            }
        });
    }

    /**
     * Writes V = B^T d B for tiles [tx0, tx1) of tile rows [ty0, ty1) of every channel into
     * {@code v}, laid out [16][C][tiles]. For each tile row, the four input rows it reads are split into
     * even and odd padded columns, so that tile tx reads index tx and tx + 1 of each half and
     * consecutive tiles read consecutive elements.
     */
    private void transformInput(float[] x, int xOffset, int ty0, int ty1, int tx0, int tx1, float[] v,
            float[] rows) {
        int span = tx1 - tx0;
        int count = (ty1 - ty0) * span;
        int stride = c * count;
        int evenPhase = padLeft % 2;
        int copied = Math.max(0, Math.min(width, 2 * rowLength - padLeft));
        for (int ic = 0; ic < c; ic++) {
            int channel = xOffset + ic * height * width;
            for (int ty = ty0; ty < ty1; ty++) {
                java.util.Arrays.fill(rows, 0, 8 * rowLength, 0f);
                for (int r = 0; r < 4; r++) {
                    int iy = 2 * ty - padTop + r;
                    if (iy >= 0 && iy < height && copied > 0) {
                        // Padded column ix + padLeft goes to half (ix + padLeft) % 2, index (ix + padLeft) / 2.
                        int even = 2 * r * rowLength;
                        int odd = even + rowLength;
                        ConvKernels.deinterleave(x, channel + iy * width, copied, rows,
                                (evenPhase == 0 ? even : odd) + padLeft / 2,
                                (evenPhase == 0 ? odd : even) + (padLeft + 1) / 2);
                    }
                }
                // Tile tx goes to column at + tx of each plane.
                int at = ic * count + (ty - ty0) * span - tx0;
                if (Simd.enabled()) {
                    WinogradVector.transformInputRow(rows, rowLength, tx0, tx1, v, at, stride);
                } else {
                    transformInputRowScalar(rows, rowLength, tx0, tx1, v, at, stride);
                }
            }
        }
    }

    /**
     * Transforms tiles [from, to) of one tile row. {@code rows} contains the even and odd
     * halves of the four input rows, each {@code length} long: row r's even half at
     * {@code 2 * r * length}, its odd half right after. Writes position p of tile tx at
     * {@code v[p * stride + at + tx]}.
     */
    static void transformInputRowScalar(float[] rows, int length, int from, int to, float[] v, int at, int stride) {
        for (int tx = from; tx < to; tx++) {
            for (int i = 0; i < 4; i++) {
                // B^T over the rows: the combination of input rows that vertical row i takes.
                float e0 = verticalScalar(rows, length, i, 0, tx);
                float e1 = verticalScalar(rows, length, i, 0, tx + 1);
                float o0 = verticalScalar(rows, length, i, 1, tx);
                float o1 = verticalScalar(rows, length, i, 1, tx + 1);
                // Then B over the columns e0, o0, e1, o1 of the tile.
                int p = 4 * i * stride + at + tx;
                v[p] = e0 - e1;
                v[p + stride] = o0 + e1;
                v[p + 2 * stride] = e1 - o0;
                v[p + 3 * stride] = o0 - o1;
            }
        }
    }

    private static float verticalScalar(float[] rows, int length, int i, int half, int index) {
        int at = half * length + index;
        float d0 = rows[at];
        float d1 = rows[at + 2 * length];
        float d2 = rows[at + 4 * length];
        float d3 = rows[at + 6 * length];
        return switch (i) {
            case 0 -> d0 - d2;
            case 1 -> d1 + d2;
            case 2 -> d2 - d1;
            default -> d1 - d3;
        };
    }

    /**
     * Writes A^T M A for tiles [tx0, tx1) of tile rows [ty0, ty1) of every output channel,
     * where {@code products} contains M laid out [16][M][tiles], then adds the bias and applies
     * the activation to the outputs written. Outputs past the last row or column are dropped.
     */
    private void transformOutput(float[] products, int ty0, int ty1, int tx0, int tx1, float[] bias,
            ConvKernels.Activation activation, float[] y, int yOffset, float[] outputs) {
        int span = tx1 - tx0;
        int count = (ty1 - ty0) * span;
        int stride = m * count;
        int firstColumn = 2 * tx0;
        int endColumn = Math.min(outWidth, 2 * tx1);
        for (int oc = 0; oc < m; oc++) {
            int channel = yOffset + oc * outHeight * outWidth;
            float b = bias == null ? 0f : bias[oc];
            for (int ty = ty0; ty < ty1; ty++) {
                // Tile tx is at column at + tx of each plane.
                int at = oc * count + (ty - ty0) * span - tx0;
                if (Simd.enabled()) {
                    WinogradVector.transformOutputRow(products, at, stride, tx0, tx1, tilesX, outputs);
                } else {
                    transformOutputRowScalar(products, at, stride, tx0, tx1, tilesX, outputs);
                }
                for (int i = 0; i < 2 && 2 * ty + i < outHeight; i++) {
                    int row = channel + (2 * ty + i) * outWidth;
                    int even = 2 * i * tilesX;
                    int odd = even + tilesX;
                    for (int ox = firstColumn; ox < endColumn; ox++) {
                        y[row + ox] = outputs[((ox & 1) == 0 ? even : odd) + (ox >> 1)];
                    }
                    ConvKernels.epilogue(y, row + firstColumn, endColumn - firstColumn, b, activation);
                }
            }
        }
    }

    /**
     * Transforms tiles [from, to) of one tile row of one output channel, reading position p of
     * tile tx at {@code products[p * stride + at + tx]}. Writes output row i of the tile row in
     * two halves of {@code length} each: its even columns at {@code 2 * i * length + tx}, its
     * odd columns right after.
     */
    static void transformOutputRowScalar(float[] products, int at, int stride, int from, int to, int length,
            float[] outputs) {
        float[] s = new float[8];
        for (int tx = from; tx < to; tx++) {
            // A^T over the rows, column j of the tile at a time.
            for (int j = 0; j < 4; j++) {
                int p = j * stride + at + tx;
                float m0 = products[p];
                float m1 = products[p + 4 * stride];
                float m2 = products[p + 8 * stride];
                float m3 = products[p + 12 * stride];
                s[j] = m0 + m1 + m2;
                s[4 + j] = m1 - m2 - m3;
            }
            // Then A over the columns.
            for (int i = 0; i < 2; i++) {
                outputs[2 * i * length + tx] = s[4 * i] + s[4 * i + 1] + s[4 * i + 2];
                outputs[(2 * i + 1) * length + tx] = s[4 * i + 1] - s[4 * i + 2] - s[4 * i + 3];
            }
        }
    }

    /** Per-thread buffers, grown on demand. */
    private static final class Scratch {
        float[] transformed = new float[0];
        float[] products = new float[0];
        float[] rows = new float[0];
        float[] outputs = new float[0];

        Scratch ensure(int transformedSize, int productsSize, int rowsSize, int outputsSize) {
            if (transformed.length < transformedSize) {
                transformed = new float[transformedSize];
            }
            if (products.length < productsSize) {
                products = new float[productsSize];
            }
            if (rows.length < rowsSize) {
                rows = new float[rowsSize];
            }
            if (outputs.length < outputsSize) {
                outputs = new float[outputsSize];
            }
            return this;
        }
    }
}
