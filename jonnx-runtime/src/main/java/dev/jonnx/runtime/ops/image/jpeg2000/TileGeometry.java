package dev.jonnx.runtime.ops.image.jpeg2000;

import dev.jonnx.runtime.ops.image.jpeg2000.Codestream.ComponentStyle;
import dev.jonnx.runtime.ops.image.jpeg2000.Codestream.Quantization;

/**
 * The partition of a tile-component into resolutions, sub-bands, precincts and code-blocks
 * (ITU-T T.800 Annex B), with the per-code-block state that tier-2 decoding accumulates.
 * Coordinates are on each level's own grid, anchored at the reference grid origin.
 */
final class TileGeometry {
    private TileGeometry() {}

    /** One code-block and the codeword segments gathered for it so far. */
    static final class Block {
        final int x0;
        final int y0;
        final int x1;
        final int y1;
        boolean included;
        int zeroPlanes;
        int lengthBits = 3;
        int passes;
        byte[] data = new byte[0];
        int length;
        int[] segmentLengths = new int[1];
        int[] segmentPasses = new int[1];
        int segments;
        /** The byte count the packet being read contributes. */
        int packetLength;

        Block(int x0, int y0, int x1, int y1) {
            this.x0 = x0;
            this.y0 = y0;
            this.x1 = x1;
            this.y1 = y1;
        }
    }

    /** A sub-band: its bounds, the bit-planes its code-blocks can hold and its step size. */
    static final class Band {
        /** 0 LL, 1 HL, 2 LH, 3 HH. */
        final int orientation;
        final int x0;
        final int y0;
        final int x1;
        final int y1;
        int magnitudeBits;
        /** The quantization step size, for the irreversible path. */
        double step;
        /** Dequantized coefficients, row-major: integers on the reversible path. */
        int[] integers;
        /** Dequantized coefficients on the irreversible path. */
        float[] reals;

        Band(int orientation, int x0, int y0, int x1, int y1) {
            this.orientation = orientation;
            this.x0 = x0;
            this.y0 = y0;
            this.x1 = x1;
            this.y1 = y1;
        }

        int width() {
            return x1 - x0;
        }

        int height() {
            return y1 - y0;
        }
    }

    /** The code-blocks of one sub-band inside one precinct, with their tag trees. */
    static final class PrecinctBand {
        final Band band;
        final Block[] blocks;
        final int blocksWide;
        final TagTree inclusion;
        final TagTree zeroPlanes;

        PrecinctBand(Band band, Block[] blocks, int blocksWide, int blocksHigh) {
            this.band = band;
            this.blocks = blocks;
            this.blocksWide = blocksWide;
            this.inclusion = new TagTree(blocksWide, blocksHigh);
            this.zeroPlanes = new TagTree(blocksWide, blocksHigh);
        }
    }

    /** A precinct and its position on the reference grid, for position-driven orders. */
    static final class Precinct {
        final PrecinctBand[] bands;
        final long referenceX;
        final long referenceY;

        Precinct(PrecinctBand[] bands, long referenceX, long referenceY) {
            this.bands = bands;
            this.referenceX = referenceX;
            this.referenceY = referenceY;
        }
    }

    /** One resolution level of a tile-component. */
    static final class Resolution {
        int x0;
        int y0;
        int x1;
        int y1;
        Band[] bands;
        Precinct[] precincts;
    }

    /** A tile-component with its coding style and quantization. */
    static final class TileComponent {
        final int index;
        final int x0;
        final int y0;
        final int x1;
        final int y1;
        final ComponentStyle style;
        final Quantization quantization;
        final Resolution[] resolutions;

        TileComponent(int index, int x0, int y0, int x1, int y1, ComponentStyle style,
                Quantization quantization) {
            this.index = index;
            this.x0 = x0;
            this.y0 = y0;
            this.x1 = x1;
            this.y1 = y1;
            this.style = style;
            this.quantization = quantization;
            this.resolutions = new Resolution[style.levels + 1];
        }

        int width() {
            return x1 - x0;
        }

        int height() {
            return y1 - y0;
        }
    }

    /**
     * Builds the resolutions, sub-bands, precincts and code-blocks of a tile-component.
     *
     * @param tileX0 the tile's left edge on the reference grid, for precinct positions
     * @param tileY0 the tile's top edge on the reference grid
     */
    static void build(TileComponent tc, int precision, int dx, int dy, long tileX0,
            long tileY0) {
        ComponentStyle style = tc.style;
        int levels = style.levels;
        int expectedSteps = 3 * levels + 1;
        Quantization q = tc.quantization;
        if (q.style != 1 && q.exponents.length < expectedSteps) {
            throw Codestream.invalid("component " + tc.index + " has " + q.exponents.length
                    + " quantization step sizes for " + expectedSteps + " sub-bands");
        }
        if (style.reversible != (q.style == 0)) {
            throw Codestream.unsupported("component " + tc.index + " pairs the "
                    + (style.reversible ? "5/3 reversible" : "9/7 irreversible")
                    + " wavelet with quantization style " + q.style + ", which");
        }
        for (int r = 0; r <= levels; r++) {
            Resolution res = new Resolution();
            int scale = levels - r;
            res.x0 = (int) ceilShift(tc.x0, scale);
            res.y0 = (int) ceilShift(tc.y0, scale);
            res.x1 = (int) ceilShift(tc.x1, scale);
            res.y1 = (int) ceilShift(tc.y1, scale);
            if (r == 0) {
                res.bands = new Band[] {band(tc, 0, levels)};
            } else {
                res.bands = new Band[3];
                for (int o = 1; o <= 3; o++) {
                    res.bands[o - 1] = band(tc, o, levels - r + 1);
                }
            }
            for (Band band : res.bands) {
                setQuantization(band, tc, precision, r == 0 ? 0 : levels - r + 1);
            }
            buildPrecincts(tc, res, r, dx, dy, tileX0, tileY0);
            tc.resolutions[r] = res;
        }
    }

    private static long ceilShift(long value, int shift) {
        return Math.ceilDiv(value, 1L << shift);
    }

    /** Creates sub-band {@code orientation} at decomposition level {@code level} (B-15). */
    private static Band band(TileComponent tc, int orientation, int level) {
        if (level == 0) {
            return new Band(orientation, tc.x0, tc.y0, tc.x1, tc.y1);
        }
        long xOffset = orientation == 1 || orientation == 3 ? 1L << (level - 1) : 0;
        long yOffset = orientation == 2 || orientation == 3 ? 1L << (level - 1) : 0;
        long scale = 1L << level;
        return new Band(orientation, (int) Math.ceilDiv(tc.x0 - xOffset, scale),
                (int) Math.ceilDiv(tc.y0 - yOffset, scale),
                (int) Math.ceilDiv(tc.x1 - xOffset, scale),
                (int) Math.ceilDiv(tc.y1 - yOffset, scale));
    }

    /**
     * Sets the bit-plane count Mb = guard bits + exponent - 1 (E-2) and, for the irreversible
     * path, the step size 2^(Rb - exponent) * (1 + mantissa / 2^11) (E-3). The standard's Rb
     * is the component precision plus log2 of the sub-band gain, but here it is the precision
     * alone, because {@link InverseWavelet} applies the gain of 2 in its high-pass scale.
     *
     * @param level the decomposition level the sub-band belongs to (0 for an LL band with no
     *     decomposition)
     */
    private static void setQuantization(Band band, TileComponent tc, int precision, int level) {
        Quantization q = tc.quantization;
        int levels = tc.style.levels;
        int exponent;
        int mantissa;
        if (q.style == 1) {
            // Derived quantization: the LL exponent, lowered by one per level above it.
            exponent = q.exponents[0] - levels + (band.orientation == 0 ? levels : level);
            mantissa = q.mantissas[0];
        } else {
            int index = band.orientation == 0 ? 0 : 1 + 3 * (levels - level) + band.orientation - 1;
            exponent = q.exponents[index];
            mantissa = q.mantissas[index];
        }
        if (exponent < 0) {
            throw Codestream.invalid("component " + tc.index
                    + " derives a negative quantization exponent " + exponent);
        }
        band.magnitudeBits = q.guardBits + exponent - 1;
        band.step = Math.scalb(1 + mantissa / 2048.0, precision - exponent);
    }

    private static void buildPrecincts(TileComponent tc, Resolution res, int r, int dx, int dy,
            long tileX0, long tileY0) {
        int ppx = tc.style.precinctWidthExponents[r];
        int ppy = tc.style.precinctHeightExponents[r];
        // An empty resolution has no precincts and so no packets (T.800 B.6).
        if (res.x1 <= res.x0 || res.y1 <= res.y0) {
            res.precincts = new Precinct[0];
            return;
        }
        int firstX = Math.floorDiv(res.x0, 1 << ppx);
        int firstY = Math.floorDiv(res.y0, 1 << ppy);
        int wide = Math.ceilDiv(res.x1, 1 << ppx) - firstX;
        int high = Math.ceilDiv(res.y1, 1 << ppy) - firstY;
        // In a sub-band a precinct spans half as many samples, except at resolution 0.
        int bandPpx = r == 0 ? ppx : ppx - 1;
        int bandPpy = r == 0 ? ppy : ppy - 1;
        int blockW = Math.min(tc.style.blockWidthExponent, bandPpx);
        int blockH = Math.min(tc.style.blockHeightExponent, bandPpy);
        int scale = tc.style.levels - r;
        res.precincts = new Precinct[wide * high];
        for (int py = 0; py < high; py++) {
            for (int px = 0; px < wide; px++) {
                PrecinctBand[] bands = new PrecinctBand[res.bands.length];
                for (int b = 0; b < bands.length; b++) {
                    Band band = res.bands[b];
                    long bx0 = Math.max(band.x0, (long) (firstX + px) << bandPpx);
                    long by0 = Math.max(band.y0, (long) (firstY + py) << bandPpy);
                    long bx1 = Math.min(band.x1, (long) (firstX + px + 1) << bandPpx);
                    long by1 = Math.min(band.y1, (long) (firstY + py + 1) << bandPpy);
                    bands[b] = blocks(band, bx0, by0, bx1, by1, blockW, blockH);
                }
                // T.800 B.12.1.3: a precinct is reached where its corner falls on the
                // reference grid, or at the tile corner when the first one starts before it.
                long startX = (long) (firstX + px) << ppx;
                long startY = (long) (firstY + py) << ppy;
                long refX = px == 0 && startX < res.x0 ? tileX0 : (startX << scale) * dx;
                long refY = py == 0 && startY < res.y0 ? tileY0 : (startY << scale) * dy;
                res.precincts[py * wide + px] = new Precinct(bands, refX, refY);
            }
        }
    }

    private static PrecinctBand blocks(Band band, long x0, long y0, long x1, long y1,
            int blockW, int blockH) {
        if (x1 <= x0 || y1 <= y0) {
            return new PrecinctBand(band, new Block[0], 0, 0);
        }
        long firstX = x0 >> blockW;
        long firstY = y0 >> blockH;
        int wide = (int) (((x1 - 1) >> blockW) - firstX + 1);
        int high = (int) (((y1 - 1) >> blockH) - firstY + 1);
        Block[] blocks = new Block[wide * high];
        for (int j = 0; j < high; j++) {
            for (int i = 0; i < wide; i++) {
                long bx = (firstX + i) << blockW;
                long by = (firstY + j) << blockH;
                blocks[j * wide + i] = new Block((int) Math.max(bx, x0), (int) Math.max(by, y0),
                        (int) Math.min(bx + (1L << blockW), x1),
                        (int) Math.min(by + (1L << blockH), y1));
            }
        }
        return new PrecinctBand(band, blocks, wide, high);
    }
}
