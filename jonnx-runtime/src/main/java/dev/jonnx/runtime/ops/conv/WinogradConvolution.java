package dev.jonnx.runtime.ops.conv;

import dev.jonnx.runtime.kernel.ConvKernels;
import dev.jonnx.runtime.kernel.Sgemm;
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
 * and their entries are exact in float, so the rounding differs from a direct sum only by the
 * few extra additions of the input and output transforms.
 *
 * <p>Each task transforms a block of tiles of one image for all channels into scratch, laid
 * out [16][C][tiles], runs the 16 products into a second scratch, [16][M][tiles], then
 * transforms the outputs back, adds the bias and applies the activation. Tiles past the last
 * output row or column are computed and dropped.
 */
final class WinogradConvolution {
    /** Elements of a transformed 4x4 tile, and so the number of products per block. */
    static final int POSITIONS = 16;
    /**
     * Input and output channels from which this path replaces {@link SlidingConvolution}.
     * NOTE: chosen from the 96 to 24 channel 3x3 Convs of PP-OCRv4 detection (thread CPU time,
     * 2-vCPU AVX2 machine); other channel counts near the limits were not measured.
     */
    static final int MIN_INPUT_CHANNELS = 32;
    static final int MIN_OUTPUT_CHANNELS = 16;
    /** Output rows and columns from which this path is taken, so that most tiles are whole. */
    static final int MIN_OUTPUT_SIZE = 8;
    /** Target size in floats of one task's transformed input block (512 KiB). */
    private static final int BLOCK_FLOATS = 1 << 17;
    /** Tiles per block are a multiple of this, the SGEMM's column panel width on AVX-512. */
    private static final int TILE_ALIGN = 32;

    /** Per-thread scratch: the transformed input block and the block of products. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

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
    /** Tiles per image. */
    private final int tiles;
    /** Tiles per task. */
    private final int blockTiles;
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
        this.tiles = Math.ceilDiv(outHeight, 2) * tilesX;
        int target = Math.max(TILE_ALIGN, BLOCK_FLOATS / (POSITIONS * c) / TILE_ALIGN * TILE_ALIGN);
        int blocks = Math.ceilDiv(tiles, target);
        this.blockTiles = Math.ceilDiv(Math.ceilDiv(tiles, blocks), TILE_ALIGN) * TILE_ALIGN;
        this.blocksPerImage = Math.ceilDiv(tiles, blockTiles);
    }

    /**
     * Returns the plan for these shapes, or null when this path does not apply or is not
     * expected to beat the direct one: other kernels, strides, dilations or groups, few
     * channels or small outputs.
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
        if (xShape[1] < MIN_INPUT_CHANNELS || wShape[0] < MIN_OUTPUT_CHANNELS
                || out[0] < MIN_OUTPUT_SIZE || out[1] < MIN_OUTPUT_SIZE) {
            return null;
        }
        return new WinogradConvolution(xShape, wShape, window);
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
        long cost = (long) POSITIONS * m * c * blockTiles;
        ctx.parallelFor(items, cost, (from, to) -> {
            float[][] scratch = SCRATCH.get();
            int transformed = POSITIONS * c * blockTiles;
            int products = POSITIONS * m * blockTiles;
            if (scratch[0].length < transformed) {
                scratch[0] = new float[transformed];
            }
            if (scratch[1].length < products) {
                scratch[1] = new float[products];
            }
            float[] v = scratch[0];
            float[] mm = scratch[1];
            for (int item = from; item < to; item++) {
                int image = item / blocksPerImage;
                int t0 = item % blocksPerImage * blockTiles;
                int t1 = Math.min(tiles, t0 + blockTiles);
                int count = t1 - t0;
                transformInput(x, image * c * height * width, t0, t1, v);
                for (int p = 0; p < POSITIONS; p++) {
                    Sgemm.multiply(m, count, c, new Sgemm.Operand(u, p * m * c, c, false),
                            new Sgemm.Operand(v, p * c * count, count, false), mm, p * m * count, count, false,
                            null, 1);
                }
                transformOutput(mm, t0, t1, bias, activation, y, image * m * outHeight * outWidth);
            }
        });
    }

    /** Writes V = B^T d B for tiles [t0, t1) of every channel into {@code v}, laid out [16][C][t1 - t0]. */
    private void transformInput(float[] x, int xOffset, int t0, int t1, float[] v) {
        int count = t1 - t0;
        int stride = c * count;
        float[] d = new float[16];
        for (int ic = 0; ic < c; ic++) {
            int channel = xOffset + ic * height * width;
            int base = ic * count;
            for (int t = t0; t < t1; t++) {
                int y0 = 2 * (t / tilesX) - padTop;
                int x0 = 2 * (t % tilesX) - padLeft;
                if (y0 >= 0 && x0 >= 0 && y0 + 4 <= height && x0 + 4 <= width) {
                    for (int r = 0; r < 4; r++) {
                        int row = channel + (y0 + r) * width + x0;
                        d[4 * r] = x[row];
                        d[4 * r + 1] = x[row + 1];
                        d[4 * r + 2] = x[row + 2];
                        d[4 * r + 3] = x[row + 3];
                    }
                } else {
                    loadEdgeTile(x, channel, y0, x0, d);
                }
                // B^T d, one column at a time, in place.
                for (int j = 0; j < 4; j++) {
                    float d0 = d[j];
                    float d1 = d[4 + j];
                    float d2 = d[8 + j];
                    float d3 = d[12 + j];
                    d[j] = d0 - d2;
                    d[4 + j] = d1 + d2;
                    d[8 + j] = d2 - d1;
                    d[12 + j] = d1 - d3;
                }
                // (B^T d) B, one row at a time, into the 16 planes.
                int at = base + t - t0;
                for (int i = 0; i < 4; i++) {
                    float r0 = d[4 * i];
                    float r1 = d[4 * i + 1];
                    float r2 = d[4 * i + 2];
                    float r3 = d[4 * i + 3];
                    int p = 4 * i * stride + at;
                    v[p] = r0 - r2;
                    v[p + stride] = r1 + r2;
                    v[p + 2 * stride] = r2 - r1;
                    v[p + 3 * stride] = r1 - r3;
                }
            }
        }
    }

    /** Copies the 4x4 block at (y0, x0) of one channel into {@code d}, with zeros outside the image. */
    private void loadEdgeTile(float[] x, int channel, int y0, int x0, float[] d) {
        for (int r = 0; r < 4; r++) {
            int iy = y0 + r;
            for (int col = 0; col < 4; col++) {
                int ix = x0 + col;
                boolean inside = iy >= 0 && iy < height && ix >= 0 && ix < width;
                d[4 * r + col] = inside ? x[channel + iy * width + ix] : 0f;
            }
        }
    }

    /**
     * Writes A^T M A plus the bias, through the activation, for tiles [t0, t1) of every output
     * channel, where {@code mm} contains M laid out [16][M][t1 - t0]. Outputs past the last row
     * or column are dropped.
     */
    private void transformOutput(float[] mm, int t0, int t1, float[] bias, ConvKernels.Activation activation,
            float[] y, int yOffset) {
        int count = t1 - t0;
        int stride = m * count;
        float[] s = new float[8];
        for (int oc = 0; oc < m; oc++) {
            float b = bias == null ? 0f : bias[oc];
            int channel = yOffset + oc * outHeight * outWidth;
            int base = oc * count;
            for (int t = t0; t < t1; t++) {
                int at = base + t - t0;
                // A^T M: two rows of four.
                for (int j = 0; j < 4; j++) {
                    float m0 = mm[j * stride + at];
                    float m1 = mm[(4 + j) * stride + at];
                    float m2 = mm[(8 + j) * stride + at];
                    float m3 = mm[(12 + j) * stride + at];
                    s[j] = m0 + m1 + m2;
                    s[4 + j] = m1 - m2 - m3;
                }
                int oy = 2 * (t / tilesX);
                int ox = 2 * (t % tilesX);
                for (int i = 0; i < 2 && oy + i < outHeight; i++) {
                    int row = channel + (oy + i) * outWidth + ox;
                    float r0 = s[4 * i];
                    float r1 = s[4 * i + 1];
                    float r2 = s[4 * i + 2];
                    float r3 = s[4 * i + 3];
                    y[row] = activation.apply(r0 + r1 + r2 + b);
                    if (ox + 1 < outWidth) {
                        y[row + 1] = activation.apply(r1 - r2 - r3 + b);
                    }
                }
            }
        }
    }
}
