package dev.jonnx.runtime.ops.image.jpeg2000;

import java.util.ArrayList;
import java.util.List;

/**
 * The marker segments of a JPEG 2000 codestream (ITU-T T.800 Annex A): the image and tile
 * size (SIZ), coding styles (COD, COC), quantization (QCD, QCC) and the tile-parts (SOT, SOD).
 * Markers for features this decoder lacks (POC, PPM, PPT, RGN, Part 2 and Part 15 extensions)
 * raise an {@link IllegalArgumentException} naming the marker.
 */
final class Codestream {
    static final int SOC = 0xFF4F;
    static final int SIZ = 0xFF51;
    private static final int CAP = 0xFF50;
    private static final int COD = 0xFF52;
    private static final int COC = 0xFF53;
    private static final int TLM = 0xFF55;
    private static final int PLM = 0xFF57;
    private static final int PLT = 0xFF58;
    private static final int CPF = 0xFF59;
    private static final int QCD = 0xFF5C;
    private static final int QCC = 0xFF5D;
    private static final int RGN = 0xFF5E;
    private static final int POC = 0xFF5F;
    private static final int PPM = 0xFF60;
    private static final int PPT = 0xFF61;
    private static final int CRG = 0xFF63;
    private static final int COM = 0xFF64;
    private static final int SOT = 0xFF90;
    private static final int SOD = 0xFF93;
    private static final int EOC = 0xFFD9;

    /** Coding parameters that apply to one tile-component (the SPcod or SPcoc fields). */
    static final class ComponentStyle {
        boolean precincts;
        int levels;
        int blockWidthExponent;
        int blockHeightExponent;
        int blockStyle;
        boolean reversible;
        int[] precinctWidthExponents;
        int[] precinctHeightExponents;
    }

    /** Coding parameters of a tile or of the main header (COD). */
    static final class CodingStyle {
        boolean startOfPacket;
        boolean endOfPacketHeader;
        int progression;
        int layers;
        boolean multipleComponentTransform;
        ComponentStyle component;
    }

    /** Quantization parameters (QCD or QCC): per sub-band exponents and mantissas. */
    static final class Quantization {
        /** 0 none (reversible), 1 scalar derived, 2 scalar expounded. */
        int style;
        int guardBits;
        int[] exponents;
        int[] mantissas;
    }

    /** Header parameters and data of one tile, gathered from its tile-parts. */
    static final class Tile {
        CodingStyle style;
        ComponentStyle[] componentStyles;
        Quantization quantization;
        Quantization[] componentQuantizations;
        /** The {start, end} offsets of each tile-part body, in codestream order. */
        final List<int[]> dataRanges = new ArrayList<>();
    }

    byte[] data;
    int x0;
    int y0;
    int x1;
    int y1;
    int tileWidth;
    int tileHeight;
    int tileX0;
    int tileY0;
    int tilesWide;
    int tilesHigh;
    int components;
    int[] precision;
    boolean[] signed;
    int[] dx;
    int[] dy;
    CodingStyle style;
    ComponentStyle[] componentStyles;
    Quantization quantization;
    Quantization[] componentQuantizations;
    Tile[] tiles;

    /** Parses the codestream in {@code data[start, end)}. */
    static Codestream parse(byte[] data, int start, int end) {
        Codestream stream = new Codestream();
        stream.data = data;
        ByteReader in = new ByteReader(data, start, end, "codestream");
        if (in.u16() != SOC) {
            throw invalid("it does not start with the SOC marker 0xFF4F");
        }
        if (in.u16() != SIZ) {
            throw invalid("the SIZ marker 0xFF51 does not follow SOC");
        }
        stream.readSiz(in.segment("SIZ"));
        stream.readMainHeader(in);
        stream.readTileParts(in);
        for (int t = 0; t < stream.tiles.length; t++) {
            if (stream.tiles[t] == null) {
                throw invalid("tile " + t + " of " + stream.tiles.length + " has no tile-part");
            }
        }
        return stream;
    }

    static IllegalArgumentException invalid(String detail) {
        return new IllegalArgumentException("invalid JPEG 2000 codestream: " + detail);
    }

    static IllegalArgumentException unsupported(String feature) {
        return new IllegalArgumentException("unsupported JPEG 2000 codestream: " + feature
                + " is not implemented by the Jonnx decoder");
    }

    private void readSiz(ByteReader in) {
        in.u16();
        long width = in.u32();
        long height = in.u32();
        long left = in.u32();
        long top = in.u32();
        long tileW = in.u32();
        long tileH = in.u32();
        long tileLeft = in.u32();
        long tileTop = in.u32();
        components = in.u16();

        if (width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw unsupported("an image grid of " + width + " x " + height
                    + " (extents above 2^31 - 1)");
        }
        if (left >= width || top >= height) {
            throw invalid("SIZ declares an empty image: origin (" + left + ", " + top
                    + ") is not inside the extent (" + width + ", " + height + ")");
        }
        if (tileW == 0 || tileH == 0 || tileLeft > left || tileTop > top
                || tileLeft + tileW <= left || tileTop + tileH <= top) {
            throw invalid("SIZ declares tiles of " + tileW + " x " + tileH + " at (" + tileLeft
                    + ", " + tileTop + ") that do not cover the image origin (" + left + ", "
                    + top + ")");
        }
        if (components < 1 || components > 16384) {
            throw invalid("SIZ declares " + components + " components (expected 1 to 16384)");
        }

        x0 = (int) left;
        y0 = (int) top;
        x1 = (int) width;
        y1 = (int) height;
        tileWidth = (int) Math.min(tileW, Integer.MAX_VALUE);
        tileHeight = (int) Math.min(tileH, Integer.MAX_VALUE);
        tileX0 = (int) tileLeft;
        tileY0 = (int) tileTop;
        long wide = (width - tileLeft + tileW - 1) / tileW;
        long high = (height - tileTop + tileH - 1) / tileH;
        if (wide * high > 65535) {
            throw invalid("SIZ declares " + wide + " x " + high
                    + " tiles, more than the 65535 a codestream can index");
        }
        tilesWide = (int) wide;
        tilesHigh = (int) high;
        readComponentSizes(in);
        componentStyles = new ComponentStyle[components];
        componentQuantizations = new Quantization[components];
        tiles = new Tile[tilesWide * tilesHigh];
    }

    private void readComponentSizes(ByteReader in) {
        precision = new int[components];
        signed = new boolean[components];
        dx = new int[components];
        dy = new int[components];
        for (int c = 0; c < components; c++) {
            int depth = in.u8();
            precision[c] = (depth & 0x7F) + 1;
            signed[c] = (depth & 0x80) != 0;
            dx[c] = in.u8();
            dy[c] = in.u8();
            if (precision[c] > 16) {
                throw unsupported("component " + c + " with a bit depth of " + precision[c]
                        + " (above 16)");
            }
            if (dx[c] == 0 || dy[c] == 0) {
                throw invalid("component " + c + " has a zero subsampling factor");
            }
        }
    }

    private void readMainHeader(ByteReader in) {
        while (true) {
            int marker = in.u16();
            if (marker == SOT) {
                break;
            }
            checkMarker(marker);
            ByteReader segment = in.segment(markerName(marker));
            switch (marker) {
                case COD -> style = readCod(segment);
                case COC -> readCoc(segment, componentStyles);
                case QCD -> quantization = readQuantization(segment, -1);
                case QCC -> readQcc(segment, componentQuantizations);
                default -> skipOrReject(marker);
            }
        }
        if (style == null) {
            throw invalid("the main header has no COD marker segment");
        }
        if (quantization == null) {
            throw invalid("the main header has no QCD marker segment");
        }
    }

    private void readTileParts(ByteReader in) {
        int marker = SOT;
        while (marker == SOT) {
            int sotStart = in.position() - 2;
            ByteReader sot = in.segment("SOT");
            int index = sot.u16();
            long length = sot.u32();
            if (index >= tiles.length) {
                throw invalid("SOT names tile " + index + " but the image has " + tiles.length
                        + " tiles");
            }
            long partEnd = length == 0 ? dataEnd(in) : sotStart + length;
            if (partEnd > in.end() || length != 0 && length < 14) {
                throw invalid("tile-part of tile " + index + " declares a length of " + length
                        + " bytes, but only " + (in.end() - sotStart) + " remain");
            }
            Tile tile = tiles[index];
            if (tile == null) {
                tile = new Tile();
                tile.componentStyles = new ComponentStyle[components];
                tile.componentQuantizations = new Quantization[components];
                tiles[index] = tile;
            }
            readTilePartHeader(in, tile);
            if (in.position() > partEnd) {
                throw invalid("the tile-part header of tile " + index
                        + " runs past the tile-part length " + length);
            }
            tile.dataRanges.add(new int[] {in.position(), (int) partEnd});
            in.seek((int) partEnd);
            if (in.remaining() < 2) {
                break;
            }
            marker = in.u16();
            if (marker != SOT && marker != EOC) {
                throw invalid(String.format("expected SOT or EOC after a tile-part, found 0x%04X",
                        marker));
            }
        }
    }

    /** Returns the end of the tile data when the last tile-part has no declared length. */
    private static int dataEnd(ByteReader in) {
        int end = in.end();
        if (end - in.position() >= 2 && in.byteAt(end - 2) == 0xFF && in.byteAt(end - 1) == 0xD9) {
            return end - 2;
        }
        return end;
    }

    private void readTilePartHeader(ByteReader in, Tile tile) {
        while (true) {
            int marker = in.u16();
            if (marker == SOD) {
                return;
            }
            checkMarker(marker);
            ByteReader segment = in.segment(markerName(marker));
            switch (marker) {
                case COD -> tile.style = readCod(segment);
                case COC -> readCoc(segment, tile.componentStyles);
                case QCD -> tile.quantization = readQuantization(segment, -1);
                case QCC -> readQcc(segment, tile.componentQuantizations);
                default -> skipOrReject(marker);
            }
        }
    }

    private static void checkMarker(int marker) {
        if (marker < 0xFF00) {
            throw invalid(String.format("expected a marker, found the bytes 0x%04X", marker));
        }
        if (marker == EOC) {
            throw invalid("an EOC marker comes where a header marker segment was expected");
        }
    }

    private void skipOrReject(int marker) {
        switch (marker) {
            case TLM, PLM, PLT, CRG, COM -> {
                // Informational segments: lengths of tile-parts and packets, registration
                // offsets and comments. Decoding does not need them.
            }
            case POC -> throw unsupported("the POC marker (progression order change)");
            case PPM -> throw unsupported("the PPM marker (packed packet headers, main header)");
            case PPT -> throw unsupported("the PPT marker (packed packet headers, tile-part)");
            case RGN -> throw unsupported("the RGN marker (region of interest)");
            case CAP, CPF -> throw unsupported(markerName(marker)
                    + " marker (JPEG 2000 Part 15, high-throughput)");
            default -> {
                if ((marker & 0xFFF0) == 0xFF30) {
                    return;
                }
                throw unsupported(String.format("the marker 0x%04X (%s)", marker,
                        markerName(marker)));
            }
        }
    }

    static String markerName(int marker) {
        return switch (marker) {
            case SOC -> "SOC";
            case SIZ -> "SIZ";
            case CAP -> "CAP";
            case COD -> "COD";
            case COC -> "COC";
            case TLM -> "TLM";
            case PLM -> "PLM";
            case PLT -> "PLT";
            case CPF -> "CPF";
            case QCD -> "QCD";
            case QCC -> "QCC";
            case RGN -> "RGN";
            case POC -> "POC";
            case PPM -> "PPM";
            case PPT -> "PPT";
            case CRG -> "CRG";
            case COM -> "COM";
            case SOT -> "SOT";
            case SOD -> "SOD";
            case EOC -> "EOC";
            default -> (marker & 0xFF00) == 0xFF00 ? String.format("0x%04X", marker)
                    : "no marker";
        };
    }

    private CodingStyle readCod(ByteReader in) {
        CodingStyle cod = new CodingStyle();
        int flags = in.u8();
        if ((flags & ~0x07) != 0) {
            throw unsupported(String.format("COD coding style flags 0x%02X", flags));
        }
        cod.startOfPacket = (flags & 0x02) != 0;
        cod.endOfPacketHeader = (flags & 0x04) != 0;
        cod.progression = in.u8();
        if (cod.progression > 4) {
            throw invalid("COD declares progression order " + cod.progression
                    + " (expected 0 to 4)");
        }
        cod.layers = in.u16();
        if (cod.layers == 0) {
            throw invalid("COD declares zero quality layers");
        }
        int transform = in.u8();
        if (transform > 1) {
            throw unsupported("the COD multiple component transform " + transform
                    + " (Part 2)");
        }
        cod.multipleComponentTransform = transform == 1;
        cod.component = readComponentStyle(in, (flags & 0x01) != 0, "COD");
        return cod;
    }

    private void readCoc(ByteReader in, ComponentStyle[] target) {
        int component = components < 257 ? in.u8() : in.u16();
        if (component >= components) {
            throw invalid("COC names component " + component + " of " + components);
        }
        int flags = in.u8();
        if ((flags & ~0x01) != 0) {
            throw unsupported(String.format("COC coding style flags 0x%02X", flags));
        }
        target[component] = readComponentStyle(in, (flags & 0x01) != 0, "COC");
    }

    private static ComponentStyle readComponentStyle(ByteReader in, boolean precincts,
            String marker) {
        ComponentStyle style = new ComponentStyle();
        style.precincts = precincts;
        style.levels = in.u8();
        if (style.levels > 32) {
            throw invalid(marker + " declares " + style.levels
                    + " decomposition levels (the maximum is 32)");
        }
        style.blockWidthExponent = in.u8() + 2;
        style.blockHeightExponent = in.u8() + 2;
        if (style.blockWidthExponent > 10 || style.blockHeightExponent > 10
                || style.blockWidthExponent + style.blockHeightExponent > 12) {
            throw invalid(marker + " declares code-blocks of 2^" + style.blockWidthExponent
                    + " x 2^" + style.blockHeightExponent
                    + " (each side at most 2^10 and at most 4096 samples)");
        }
        style.blockStyle = in.u8();
        if ((style.blockStyle & 0xC0) != 0) {
            throw unsupported(String.format("the %s code-block style 0x%02X (high-throughput"
                    + " or Part 2 block coding)", marker, style.blockStyle));
        }
        int transform = in.u8();
        if (transform > 1) {
            throw unsupported("the " + marker + " wavelet transform " + transform + " (Part 2)");
        }
        style.reversible = transform == 1;
        int resolutions = style.levels + 1;
        style.precinctWidthExponents = new int[resolutions];
        style.precinctHeightExponents = new int[resolutions];
        for (int r = 0; r < resolutions; r++) {
            int packed = precincts ? in.u8() : 0xFF;
            style.precinctWidthExponents[r] = precincts ? packed & 0x0F : 15;
            style.precinctHeightExponents[r] = precincts ? packed >> 4 : 15;
            if (r > 0 && (style.precinctWidthExponents[r] == 0
                    || style.precinctHeightExponents[r] == 0)) {
                throw invalid(marker + " declares a precinct exponent of 0 for resolution " + r
                        + " (only resolution 0 may use 0)");
            }
        }
        return style;
    }

    private void readQcc(ByteReader in, Quantization[] target) {
        int component = components < 257 ? in.u8() : in.u16();
        if (component >= components) {
            throw invalid("QCC names component " + component + " of " + components);
        }
        target[component] = readQuantization(in, component);
    }

    private static Quantization readQuantization(ByteReader in, int component) {
        String marker = component < 0 ? "QCD" : "QCC";
        Quantization q = new Quantization();
        int packed = in.u8();
        q.style = packed & 0x1F;
        q.guardBits = packed >> 5;
        int count;
        switch (q.style) {
            case 0 -> count = in.remaining();
            case 1 -> count = 1;
            case 2 -> count = in.remaining() / 2;
            default -> throw invalid(marker + " declares quantization style " + q.style
                    + " (expected 0, 1 or 2)");
        }
        if (count == 0) {
            throw invalid(marker + " has no step sizes");
        }
        q.exponents = new int[count];
        q.mantissas = new int[count];
        for (int i = 0; i < count; i++) {
            if (q.style == 0) {
                q.exponents[i] = in.u8() >> 3;
            } else {
                int value = in.u16();
                q.exponents[i] = value >> 11;
                q.mantissas[i] = value & 0x7FF;
            }
        }
        return q;
    }

    /** Bounds-checked big-endian reads over a range of the data. */
    static final class ByteReader {
        private final byte[] data;
        private int position;
        private final int end;
        private final String description;

        ByteReader(byte[] data, int start, int end, String description) {
            this.data = data;
            this.position = start;
            this.end = end;
            this.description = description;
        }

        int position() {
            return position;
        }

        int end() {
            return end;
        }

        int remaining() {
            return end - position;
        }

        void seek(int to) {
            position = to;
        }

        int byteAt(int index) {
            return data[index] & 0xFF;
        }

        private void need(int count) {
            if (end - position < count) {
                throw invalid("the " + description + " is truncated: " + count + " more bytes needed at"
                        + " offset " + position + ", " + (end - position) + " left");
            }
        }

        int u8() {
            need(1);
            return data[position++] & 0xFF;
        }

        int u16() {
            need(2);
            int value = (data[position] & 0xFF) << 8 | data[position + 1] & 0xFF;
            position += 2;
            return value;
        }

        long u32() {
            need(4);
            long value = 0;
            for (int i = 0; i < 4; i++) {
                value = value << 8 | data[position + i] & 0xFF;
            }
            position += 4;
            return value;
        }

        /** Reads a marker segment's length and returns a reader over its parameters. */
        ByteReader segment(String name) {
            int length = u16();
            if (length < 2 || length - 2 > end - position) {
                throw invalid("the " + name + " marker segment declares a length of " + length
                        + " bytes, but " + (end - position + 2) + " remain");
            }
            ByteReader segment = new ByteReader(data, position, position + length - 2,
                    name + " marker segment");
            position += length - 2;
            return segment;
        }
    }
}
