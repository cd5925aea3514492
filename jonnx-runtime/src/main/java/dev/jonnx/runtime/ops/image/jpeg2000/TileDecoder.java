package dev.jonnx.runtime.ops.image.jpeg2000;

import dev.jonnx.runtime.ops.image.jpeg2000.Codestream.CodingStyle;
import dev.jonnx.runtime.ops.image.jpeg2000.Codestream.ComponentStyle;
import dev.jonnx.runtime.ops.image.jpeg2000.Codestream.Quantization;
import dev.jonnx.runtime.ops.image.jpeg2000.Codestream.Tile;
import dev.jonnx.runtime.ops.image.jpeg2000.TileGeometry.Band;
import dev.jonnx.runtime.ops.image.jpeg2000.TileGeometry.Block;
import dev.jonnx.runtime.ops.image.jpeg2000.TileGeometry.Precinct;
import dev.jonnx.runtime.ops.image.jpeg2000.TileGeometry.PrecinctBand;
import dev.jonnx.runtime.ops.image.jpeg2000.TileGeometry.Resolution;
import dev.jonnx.runtime.ops.image.jpeg2000.TileGeometry.TileComponent;

/**
 * Decodes one tile: tier-2 and tier-1 decoding, dequantization, the inverse wavelet
 * transform, the inverse component transform (RCT or ICT) and the DC level shift, writing the
 * samples into the image's component planes.
 */
final class TileDecoder {
    private TileDecoder() {}

    static void decode(Codestream cs, int tileIndex, Jpeg2000Image image) {
        Tile tile = cs.tiles[tileIndex];
        CodingStyle style = tile.style != null ? tile.style : cs.style;

        int p = tileIndex % cs.tilesWide;
        int q = tileIndex / cs.tilesWide;
        long tx0 = Math.max((long) cs.tileX0 + (long) p * cs.tileWidth, cs.x0);
        long ty0 = Math.max((long) cs.tileY0 + (long) q * cs.tileHeight, cs.y0);
        long tx1 = Math.min((long) cs.tileX0 + (long) (p + 1) * cs.tileWidth, cs.x1);
        long ty1 = Math.min((long) cs.tileY0 + (long) (q + 1) * cs.tileHeight, cs.y1);

        TileComponent[] components = new TileComponent[cs.components];
        for (int c = 0; c < cs.components; c++) {
            TileComponent tc = new TileComponent(c, (int) Math.ceilDiv(tx0, cs.dx[c]),
                    (int) Math.ceilDiv(ty0, cs.dy[c]), (int) Math.ceilDiv(tx1, cs.dx[c]),
                    (int) Math.ceilDiv(ty1, cs.dy[c]), componentStyle(cs, tile, c),
                    quantization(cs, tile, c));
            TileGeometry.build(tc, cs.precision[c], cs.dx[c], cs.dy[c], tx0, ty0);
            components[c] = tc;
        }
        PacketDecoder.decodeTile(tileData(cs.data, tile), style, components);

        Object[] planes = new Object[cs.components];
        for (int c = 0; c < cs.components; c++) {
            planes[c] = reconstruct(components[c]);
        }
        if (style.multipleComponentTransform) {
            inverseComponentTransform(components, planes);
        }
        for (int c = 0; c < cs.components; c++) {
            store(cs, components[c], planes[c], image);
        }
    }

    private static ComponentStyle componentStyle(Codestream cs, Tile tile, int c) {
        if (tile.componentStyles[c] != null) {
            return tile.componentStyles[c];
        }
        if (tile.style != null) {
            return tile.style.component;
        }
        return cs.componentStyles[c] != null ? cs.componentStyles[c] : cs.style.component;
    }

    private static Quantization quantization(Codestream cs, Tile tile, int c) {
        if (tile.componentQuantizations[c] != null) {
            return tile.componentQuantizations[c];
        }
        if (tile.quantization != null) {
            return tile.quantization;
        }
        return cs.componentQuantizations[c] != null ? cs.componentQuantizations[c]
                : cs.quantization;
    }

    private static byte[] tileData(byte[] source, Tile tile) {
        long total = 0;
        for (int[] range : tile.dataRanges) {
            total += range[1] - range[0];
        }
        byte[] data = new byte[(int) total];
        int at = 0;
        for (int[] range : tile.dataRanges) {
            System.arraycopy(source, range[0], data, at, range[1] - range[0]);
            at += range[1] - range[0];
        }
        return data;
    }

    /**
     * Runs tier-1 decoding of every code-block, dequantizes and applies the inverse wavelet
     * transform. Returns the tile-component as {@code int[]} (reversible) or {@code float[]}.
     */
    private static Object reconstruct(TileComponent tc) {
        boolean reversible = tc.style.reversible;
        for (Resolution res : tc.resolutions) {
            for (Band band : res.bands) {
                int size = band.width() * band.height();
                if (reversible) {
                    band.integers = new int[size];
                } else {
                    band.reals = new float[size];
                }
            }
            for (Precinct precinct : res.precincts) {
                for (PrecinctBand pb : precinct.bands) {
                    for (Block block : pb.blocks) {
                        decodeBlock(tc, pb.band, block);
                    }
                }
            }
        }
        Resolution first = tc.resolutions[0];
        if (reversible) {
            int[] current = first.bands[0].integers;
            for (int r = 1; r < tc.resolutions.length; r++) {
                Resolution res = tc.resolutions[r];
                int width = res.x1 - res.x0;
                int height = res.y1 - res.y0;
                int[] next = new int[width * height];
                Resolution lower = tc.resolutions[r - 1];
                placeInt(current, lower.x0, lower.y0, lower.x1, lower.y1, 0, res, next);
                for (Band band : res.bands) {
                    placeInt(band.integers, band.x0, band.y0, band.x1, band.y1,
                            band.orientation, res, next);
                }
                InverseWavelet.reversible2d(next, width, height, res.x0, res.y0);
                current = next;
            }
            return current;
        }
        float[] current = first.bands[0].reals;
        for (int r = 1; r < tc.resolutions.length; r++) {
            Resolution res = tc.resolutions[r];
            int width = res.x1 - res.x0;
            int height = res.y1 - res.y0;
            float[] next = new float[width * height];
            Resolution lower = tc.resolutions[r - 1];
            placeFloat(current, lower.x0, lower.y0, lower.x1, lower.y1, 0, res, next);
            for (Band band : res.bands) {
                placeFloat(band.reals, band.x0, band.y0, band.x1, band.y1, band.orientation,
                        res, next);
            }
            InverseWavelet.irreversible2d(next, width, height, res.x0, res.y0);
            current = next;
        }
        return current;
    }

    /**
     * Copies a sub-band into its interleaved positions of the next resolution (2D_INTERLEAVE,
     * T.800 F.3.3). Sample (u, v) of the band goes to (2u + xo, 2v + yo), where xo is 1 for
     * horizontally high-pass bands and yo is 1 for vertically high-pass bands.
     */
    private static void placeInt(int[] source, int x0, int y0, int x1, int y1,
            int orientation, Resolution to, int[] target) {
        int xo = orientation == 1 || orientation == 3 ? 1 : 0;
        int yo = orientation == 2 || orientation == 3 ? 1 : 0;
        int width = x1 - x0;
        int targetWidth = to.x1 - to.x0;
        for (int v = y0; v < y1; v++) {
            int row = (2 * v + yo - to.y0) * targetWidth;
            int sourceRow = (v - y0) * width;
            for (int u = x0; u < x1; u++) {
                target[row + 2 * u + xo - to.x0] = source[sourceRow + u - x0];
            }
        }
    }

    private static void placeFloat(float[] source, int x0, int y0, int x1, int y1,
            int orientation, Resolution to, float[] target) {
        int xo = orientation == 1 || orientation == 3 ? 1 : 0;
        int yo = orientation == 2 || orientation == 3 ? 1 : 0;
        int width = x1 - x0;
        int targetWidth = to.x1 - to.x0;
        for (int v = y0; v < y1; v++) {
            int row = (2 * v + yo - to.y0) * targetWidth;
            int sourceRow = (v - y0) * width;
            for (int u = x0; u < x1; u++) {
                target[row + 2 * u + xo - to.x0] = source[sourceRow + u - x0];
            }
        }
    }

    private static void decodeBlock(TileComponent tc, Band band, Block block) {
        if (block.passes == 0) {
            return;
        }
        int planes = band.magnitudeBits - block.zeroPlanes;
        if (planes > CodeBlockDecoder.MAX_BIT_PLANES) {
            throw Codestream.unsupported("a code-block of component " + tc.index + " with "
                    + planes + " bit-planes (above " + CodeBlockDecoder.MAX_BIT_PLANES + ")");
        }
        int width = block.x1 - block.x0;
        int height = block.y1 - block.y0;
        int[] values = new int[width * height];
        CodeBlockDecoder.decode(width, height, band.orientation, tc.style.blockStyle, planes,
                block.data, block.segmentLengths, block.segmentPasses, block.segments, values);
        int bandWidth = band.width();
        float halfStep = (float) (band.step * 0.5);
        for (int y = 0; y < height; y++) {
            int row = (block.y0 - band.y0 + y) * bandWidth + block.x0 - band.x0;
            for (int x = 0; x < width; x++) {
                int value = values[y * width + x];
                if (band.integers != null) {
                    // Halving the doubled scale drops the reconstruction offset of a full decode.
                    band.integers[row + x] = value >= 0 ? value >> 1 : -(-value >> 1);
                } else {
                    band.reals[row + x] = value * halfStep;
                }
            }
        }
    }

    /** Applies the inverse RCT or ICT (T.800 Annex G) to the first three components. */
    private static void inverseComponentTransform(TileComponent[] components, Object[] planes) {
        if (components.length < 3) {
            throw Codestream.invalid("the multiple component transform needs 3 components,"
                    + " the image has " + components.length);
        }
        for (int c = 1; c < 3; c++) {
            if (components[c].width() != components[0].width()
                    || components[c].height() != components[0].height()
                    || components[c].style.reversible != components[0].style.reversible) {
                throw Codestream.invalid("the multiple component transform needs components"
                        + " 0 to 2 of equal size and the same wavelet filter");
            }
        }
        if (components[0].style.reversible) {
            int[] y = (int[]) planes[0];
            int[] cb = (int[]) planes[1];
            int[] cr = (int[]) planes[2];
            for (int i = 0; i < y.length; i++) {
                int green = y[i] - ((cb[i] + cr[i]) >> 2);
                int red = cr[i] + green;
                int blue = cb[i] + green;
                y[i] = red;
                cb[i] = green;
                cr[i] = blue;
            }
        } else {
            float[] y = (float[]) planes[0];
            float[] cb = (float[]) planes[1];
            float[] cr = (float[]) planes[2];
            for (int i = 0; i < y.length; i++) {
                float red = y[i] + 1.402f * cr[i];
                float green = y[i] - 0.34413f * cb[i] - 0.71414f * cr[i];
                float blue = y[i] + 1.772f * cb[i];
                y[i] = red;
                cb[i] = green;
                cr[i] = blue;
            }
        }
    }

    /** Applies the DC level shift, clamps to the component's range and stores the samples. */
    private static void store(Codestream cs, TileComponent tc, Object plane,
            Jpeg2000Image image) {
        int c = tc.index;
        int precision = cs.precision[c];
        int shift = cs.signed[c] ? 0 : 1 << (precision - 1);
        int min = cs.signed[c] ? -(1 << (precision - 1)) : 0;
        int max = cs.signed[c] ? (1 << (precision - 1)) - 1 : (1 << precision) - 1;
        int width = tc.width();
        int[] target = image.samples[c];
        int targetWidth = image.componentWidths[c];
        int[] integers = plane instanceof int[] ints ? ints : null;
        float[] reals = plane instanceof float[] floats ? floats : null;
        for (int y = 0; y < tc.height(); y++) {
            int row = (tc.y0 - image.componentY0[c] + y) * targetWidth + tc.x0
                    - image.componentX0[c];
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                int value = integers != null ? integers[i] : (int) Math.rint(reals[i]);
                target[row + x] = Math.clamp((long) value + shift, min, max);
            }
        }
    }
}
