package dev.jonnx.runtime.ops.image.webp;

import java.util.Arrays;

/**
 * Decodes a VP8 key frame (the lossy WebP bitstream, RFC 6386) into Y, U and V planes. The
 * planes cover whole macroblocks; the visible picture is the top-left {@code width} x
 * {@code height} of the luma plane and ceil(width / 2) x ceil(height / 2) of the chroma planes.
 */
final class Vp8Decoder {
    /** The decoded planes. Strides are the plane widths. */
    record Frame(int width, int height, byte[] y, byte[] u, byte[] v, int yStride,
            int uvStride) {}

    private static final int Y2_BLOCK = 24;
    private static final int TYPE_Y_AFTER_Y2 = 0;
    private static final int TYPE_Y2 = 1;
    private static final int TYPE_CHROMA = 2;
    private static final int TYPE_Y_WITH_DC = 3;

    private final int width;
    private final int height;
    private final int mbWidth;
    private final int mbHeight;

    private boolean segmentationEnabled;
    private boolean updateSegmentMap;
    private boolean absoluteSegmentValues;
    private final int[] segmentQuantizer = new int[4];
    private final int[] segmentFilterLevel = new int[4];
    private final int[] segmentProbabilities = {255, 255, 255};

    private boolean simpleFilter;
    private int filterLevel;
    private int sharpness;
    private boolean filterDeltasEnabled;
    private final int[] referenceFilterDelta = new int[4];
    private final int[] modeFilterDelta = new int[4];

    /** Dequantization factors per segment: Y DC, Y AC, Y2 DC, Y2 AC, chroma DC, chroma AC. */
    private final int[][] dequant = new int[4][6];
    private final int[] tokenProbabilities = Vp8Tables.DEFAULT_TOKEN_PROBABILITIES.clone();
    private boolean skipEnabled;
    private int skipProbability;

    /** Dequantized coefficients of the current macroblock: 16 luma, 4 U, 4 V, then Y2 blocks. */
    private final int[] coefficients = new int[25 * 16];
    /** Per macroblock column, flags of the bottom-edge blocks above that had coefficients. */
    private int[] nonZeroAbove;
    /** Per macroblock column, whether the last Y2 block above had coefficients. */
    private int[] nonZeroAboveY2;
    /** Flags of the right-edge blocks of the previous macroblock that had coefficients. */
    private int nonZeroLeft;
    /** Whether the last Y2 block to the left in this row had coefficients. */
    private int nonZeroLeftY2;

    private Vp8Decoder(int width, int height) {
        this.width = width;
        this.height = height;
        this.mbWidth = (width + 15) >> 4;
        this.mbHeight = (height + 15) >> 4;
    }

    /** Reads the picture size from a VP8 frame header without decoding. */
    static int[] readSize(byte[] data, int offset, int length) {
        if (length < 10) {
            throw new IllegalArgumentException("invalid WebP image: the VP8 chunk has " + length
                    + " bytes, fewer than the 10-byte key frame header");
        }
        int tag = (data[offset] & 0xFF) | (data[offset + 1] & 0xFF) << 8
                | (data[offset + 2] & 0xFF) << 16;
        if ((tag & 1) != 0) {
            throw new IllegalArgumentException("invalid WebP image: the VP8 frame is an"
                    + " interframe, but a WebP image must contain a key frame");
        }
        if (((tag >> 1) & 7) > 3) {
            throw new IllegalArgumentException("invalid WebP image: unknown VP8 version "
                    + ((tag >> 1) & 7) + " (expected 0 to 3)");
        }
        if ((tag >> 4 & 1) == 0) {
            throw new IllegalArgumentException(
                    "invalid WebP image: the VP8 frame is marked as not shown");
        }
        if ((data[offset + 3] & 0xFF) != 0x9D || (data[offset + 4] & 0xFF) != 0x01
                || (data[offset + 5] & 0xFF) != 0x2A) {
            throw new IllegalArgumentException(
                    "invalid WebP image: the VP8 start code 9d 01 2a is missing");
        }
        int width = ((data[offset + 6] & 0xFF) | (data[offset + 7] & 0xFF) << 8) & 0x3FFF;
        int height = ((data[offset + 8] & 0xFF) | (data[offset + 9] & 0xFF) << 8) & 0x3FFF;
        if (width == 0 || height == 0) {
            throw new IllegalArgumentException("invalid WebP image: the VP8 frame size is "
                    + width + "x" + height);
        }
        return new int[] {width, height, tag >>> 5};
    }

    /** Decodes the VP8 frame in {@code data[offset, offset + length)}. */
    static Frame decode(byte[] data, int offset, int length) {
        int[] size = readSize(data, offset, length);
        WebpDecoder.checkDimensions(size[0], size[1], "VP8 frame");
        return new Vp8Decoder(size[0], size[1]).decodeFrame(data, offset, length, size[2]);
    }

    private Frame decodeFrame(byte[] data, int offset, int length, int firstPartitionSize) {
        int end = offset + length;
        int firstStart = offset + 10;
        if (firstPartitionSize > end - firstStart) {
            throw new IllegalArgumentException("invalid WebP image: the VP8 first partition"
                    + " size " + firstPartitionSize + " exceeds the " + (end - firstStart)
                    + " bytes left in the chunk");
        }
        int firstEnd = firstStart + firstPartitionSize;
        Vp8BoolDecoder header = new Vp8BoolDecoder(data, firstStart, firstEnd, "first partition");
        Vp8BoolDecoder[] partitions = readHeader(header, data, firstEnd, end);
        header.checkOverrun();

        int yStride = mbWidth * 16;
        int uvStride = mbWidth * 8;
        byte[] yPlane = new byte[yStride * mbHeight * 16];
        byte[] uPlane = new byte[uvStride * mbHeight * 8];
        byte[] vPlane = new byte[uvStride * mbHeight * 8];
        Frame frame = new Frame(width, height, yPlane, uPlane, vPlane, yStride, uvStride);

        int[] filterParameters = new int[mbWidth * mbHeight];
        decodeMacroblocks(header, partitions, frame, filterParameters);
        if (filterLevel > 0) {
            Vp8LoopFilter.filterFrame(frame, filterParameters, mbWidth, mbHeight, simpleFilter);
        }
        return frame;
    }

    private Vp8BoolDecoder[] readHeader(Vp8BoolDecoder d, byte[] data, int firstEnd, int end) {
        d.readLiteral(1); // color space: 0 is the only defined value, and decoders ignore it
        d.readLiteral(1); // clamping type: clamping is always done here
        readSegmentation(d);
        readFilterHeader(d);
        int partitionCount = 1 << d.readLiteral(2);
        Vp8BoolDecoder[] partitions = splitPartitions(data, firstEnd, end, partitionCount);
        readQuantizers(d);
        d.readLiteral(1); // refresh_entropy_probs: meaningless for a single frame
        for (int i = 0; i < tokenProbabilities.length; i++) {
            if (d.readBool(Vp8Tables.TOKEN_UPDATE_PROBABILITIES[i])) {
                tokenProbabilities[i] = d.readLiteral(8);
            }
        }
        skipEnabled = d.readBool(128);
        if (skipEnabled) {
            skipProbability = d.readLiteral(8);
        }
        return partitions;
    }

    private void readSegmentation(Vp8BoolDecoder d) {
        segmentationEnabled = d.readBool(128);
        if (!segmentationEnabled) {
            return;
        }
        updateSegmentMap = d.readBool(128);
        boolean updateData = d.readBool(128);
        if (updateData) {
            absoluteSegmentValues = d.readBool(128);
            for (int s = 0; s < 4; s++) {
                segmentQuantizer[s] = d.readOptionalSigned(7);
            }
            for (int s = 0; s < 4; s++) {
                segmentFilterLevel[s] = d.readOptionalSigned(6);
            }
        }
        if (updateSegmentMap) {
            for (int i = 0; i < 3; i++) {
                segmentProbabilities[i] = d.readBool(128) ? d.readLiteral(8) : 255;
            }
        }
    }

    private void readFilterHeader(Vp8BoolDecoder d) {
        simpleFilter = d.readBool(128);
        filterLevel = d.readLiteral(6);
        sharpness = d.readLiteral(3);
        filterDeltasEnabled = d.readBool(128);
        if (filterDeltasEnabled && d.readBool(128)) {
            for (int i = 0; i < 4; i++) {
                referenceFilterDelta[i] = d.readOptionalSigned(6);
            }
            for (int i = 0; i < 4; i++) {
                modeFilterDelta[i] = d.readOptionalSigned(6);
            }
        }
    }

    private static Vp8BoolDecoder[] splitPartitions(byte[] data, int firstEnd, int end,
            int count) {
        // NOTE: only single-partition files were tested, since libwebp 1.2.4's encoder wrote
        // one partition even when configured for more.
        int sizesBytes = 3 * (count - 1);
        if (end - firstEnd < sizesBytes) {
            throw new IllegalArgumentException("invalid WebP image: the VP8 chunk ends inside"
                    + " the table of " + count + " partition sizes");
        }
        int start = firstEnd + sizesBytes;
        Vp8BoolDecoder[] partitions = new Vp8BoolDecoder[count];
        for (int i = 0; i < count; i++) {
            int partitionEnd = end;
            if (i < count - 1) {
                int at = firstEnd + 3 * i;
                int size = (data[at] & 0xFF) | (data[at + 1] & 0xFF) << 8
                        | (data[at + 2] & 0xFF) << 16;
                partitionEnd = (int) Math.min((long) start + size, end);
            }
            partitions[i] = new Vp8BoolDecoder(data, start, partitionEnd,
                    "coefficient partition " + i);
            start = partitionEnd;
        }
        return partitions;
    }

    private void readQuantizers(Vp8BoolDecoder d) {
        int base = d.readLiteral(7);
        int yDcDelta = d.readOptionalSigned(4);
        int y2DcDelta = d.readOptionalSigned(4);
        int y2AcDelta = d.readOptionalSigned(4);
        int uvDcDelta = d.readOptionalSigned(4);
        int uvAcDelta = d.readOptionalSigned(4);
        for (int s = 0; s < 4; s++) {
            int q = base;
            if (segmentationEnabled) {
                q = absoluteSegmentValues ? segmentQuantizer[s] : base + segmentQuantizer[s];
            }
            int[] m = dequant[s];
            m[0] = Vp8Tables.DC_QUANT[clamp(q + yDcDelta, 127)];
            m[1] = Vp8Tables.AC_QUANT[clamp(q, 127)];
            m[2] = Vp8Tables.DC_QUANT[clamp(q + y2DcDelta, 127)] * 2;
            m[3] = Math.max(Vp8Tables.AC_QUANT[clamp(q + y2AcDelta, 127)] * 155 / 100, 8);
            // RFC 6386 section 14.1 caps the chroma DC factor at 132, the entry for index 117.
            m[4] = Vp8Tables.DC_QUANT[clamp(q + uvDcDelta, 117)];
            m[5] = Vp8Tables.AC_QUANT[clamp(q + uvAcDelta, 127)];
        }
    }

    private static int clamp(int value, int max) {
        return value < 0 ? 0 : Math.min(value, max);
    }

    private void decodeMacroblocks(Vp8BoolDecoder modes, Vp8BoolDecoder[] partitions,
            Frame frame, int[] filterParameters) {
        int[] modeAbove = new int[mbWidth * 4];
        int[] modeLeft = new int[4];
        int[] subblockModes = new int[16];
        int[] edge = new int[13];
        nonZeroAbove = new int[mbWidth];
        nonZeroAboveY2 = new int[mbWidth];
        for (int mbY = 0; mbY < mbHeight; mbY++) {
            Arrays.fill(modeLeft, Vp8Intra.B_DC);
            nonZeroLeft = 0;
            nonZeroLeftY2 = 0;
            Vp8BoolDecoder tokens = partitions[mbY % partitions.length];
            for (int mbX = 0; mbX < mbWidth; mbX++) {
                int segment = 0;
                if (updateSegmentMap) {
                    segment = !modes.readBool(segmentProbabilities[0])
                            ? modes.readBit(segmentProbabilities[1])
                            : 2 + modes.readBit(segmentProbabilities[2]);
                }
                boolean skip = skipEnabled && modes.readBool(skipProbability);
                boolean subblocks = !modes.readBool(145);
                int lumaMode = -1;
                if (subblocks) {
                    readSubblockModes(modes, modeAbove, modeLeft, mbX, subblockModes);
                } else {
                    lumaMode = readLumaMode(modes);
                    Arrays.fill(modeAbove, mbX * 4, mbX * 4 + 4, lumaMode);
                    Arrays.fill(modeLeft, lumaMode);
                }
                int chromaMode = readChromaMode(modes);

                Arrays.fill(coefficients, 0);
                boolean hasCoefficients = false;
                if (skip) {
                    clearNonZeroContexts(mbX, subblocks);
                } else {
                    hasCoefficients = readResiduals(tokens, mbX, dequant[segment], subblocks);
                }
                tokens.checkOverrun();
                modes.checkOverrun();

                reconstruct(frame, mbX, mbY, subblocks, lumaMode, subblockModes, chromaMode,
                        edge);
                filterParameters[mbY * mbWidth + mbX] =
                        filterParameters(segment, subblocks, subblocks || hasCoefficients);
            }
        }
    }

    /** Records a macroblock without coefficients in the contexts of its neighbours. */
    private void clearNonZeroContexts(int mbX, boolean subblocks) {
        nonZeroAbove[mbX] = 0;
        nonZeroLeft = 0;
        if (!subblocks) {
            // A macroblock without a Y2 block leaves the Y2 contexts as they were.
            nonZeroAboveY2[mbX] = 0;
            nonZeroLeftY2 = 0;
        }
    }

    /**
     * Reads the coefficients of one macroblock into {@link #coefficients}, updates the non-zero
     * contexts and returns whether any block has coefficients.
     */
    private boolean readResiduals(Vp8BoolDecoder tokens, int mbX, int[] dq, boolean subblocks) {
        boolean anyNonZero = false;
        int firstCoefficient = 0;
        int lumaType = TYPE_Y_WITH_DC;
        if (!subblocks) {
            int context = nonZeroAboveY2[mbX] + nonZeroLeftY2;
            int end = readBlock(tokens, TYPE_Y2, context, dq[2], dq[3], 0, Y2_BLOCK * 16);
            int flag = end > 0 ? 1 : 0;
            nonZeroAboveY2[mbX] = flag;
            nonZeroLeftY2 = flag;
            anyNonZero = Vp8Transforms.inverseWalshHadamard(coefficients, Y2_BLOCK * 16);
            firstCoefficient = 1;
            lumaType = TYPE_Y_AFTER_Y2;
        }

        // Bits 0-3 are the four luma columns (above) or rows (left), 4-5 are U and 6-7 are V.
        int above = nonZeroAbove[mbX];
        int left = nonZeroLeft;
        int newAbove = above & 0xF;
        int newLeft = 0;
        for (int by = 0; by < 4; by++) {
            int leftFlag = (left >> by) & 1;
            for (int bx = 0; bx < 4; bx++) {
                int aboveFlag = (newAbove >> bx) & 1;
                int end = readBlock(tokens, lumaType, aboveFlag + leftFlag, dq[0], dq[1],
                        firstCoefficient, (by * 4 + bx) * 16);
                int flag = end > firstCoefficient ? 1 : 0;
                anyNonZero |= flag != 0;
                newAbove = (newAbove & ~(1 << bx)) | flag << bx;
                leftFlag = flag;
            }
            newLeft |= leftFlag << by;
        }
        for (int plane = 0; plane < 2; plane++) {
            int shift = 4 + 2 * plane;
            int aboveBits = (above >> shift) & 3;
            int leftBits = (left >> shift) & 3;
            for (int by = 0; by < 2; by++) {
                int leftFlag = (leftBits >> by) & 1;
                for (int bx = 0; bx < 2; bx++) {
                    int aboveFlag = (aboveBits >> bx) & 1;
                    int block = 16 + plane * 4 + by * 2 + bx;
                    int end = readBlock(tokens, TYPE_CHROMA, aboveFlag + leftFlag, dq[4], dq[5],
                            0, block * 16);
                    int flag = end > 0 ? 1 : 0;
                    anyNonZero |= flag != 0;
                    aboveBits = (aboveBits & ~(1 << bx)) | flag << bx;
                    leftFlag = flag;
                }
                leftBits = (leftBits & ~(1 << by)) | leftFlag << by;
            }
            newAbove |= aboveBits << shift;
            newLeft |= leftBits << shift;
        }
        nonZeroAbove[mbX] = newAbove;
        nonZeroLeft = newLeft;
        return anyNonZero;
    }

    private void readSubblockModes(Vp8BoolDecoder d, int[] modeAbove, int[] modeLeft, int mbX,
            int[] subblockModes) {
        for (int by = 0; by < 4; by++) {
            for (int bx = 0; bx < 4; bx++) {
                int above = modeAbove[mbX * 4 + bx];
                int[] p = Vp8Tables.SUBBLOCK_MODE_PROBABILITIES[above][modeLeft[by]];
                int mode;
                if (!d.readBool(p[0])) {
                    mode = Vp8Intra.B_DC;
                } else if (!d.readBool(p[1])) {
                    mode = Vp8Intra.B_TM;
                } else if (!d.readBool(p[2])) {
                    mode = Vp8Intra.B_VE;
                } else if (!d.readBool(p[3])) {
                    if (!d.readBool(p[4])) {
                        mode = Vp8Intra.B_HE;
                    } else {
                        mode = d.readBool(p[5]) ? Vp8Intra.B_VR : Vp8Intra.B_RD;
                    }
                } else if (!d.readBool(p[6])) {
                    mode = Vp8Intra.B_LD;
                } else if (!d.readBool(p[7])) {
                    mode = Vp8Intra.B_VL;
                } else {
                    mode = d.readBool(p[8]) ? Vp8Intra.B_HU : Vp8Intra.B_HD;
                }
                subblockModes[by * 4 + bx] = mode;
                modeAbove[mbX * 4 + bx] = mode;
                modeLeft[by] = mode;
            }
        }
    }

    private static int readLumaMode(Vp8BoolDecoder d) {
        if (d.readBool(156)) {
            return d.readBool(128) ? Vp8Intra.TM : Vp8Intra.HORIZONTAL;
        }
        return d.readBool(163) ? Vp8Intra.VERTICAL : Vp8Intra.DC;
    }

    private static int readChromaMode(Vp8BoolDecoder d) {
        if (!d.readBool(142)) {
            return Vp8Intra.DC;
        }
        if (!d.readBool(114)) {
            return Vp8Intra.VERTICAL;
        }
        return d.readBool(183) ? Vp8Intra.TM : Vp8Intra.HORIZONTAL;
    }

    /**
     * Reads the tokens of one 4x4 block into {@code coefficients[offset, offset + 16)}, in raster
     * order and dequantized. Returns the position after the last token before end-of-block, or
     * 16 when the block runs to its last coefficient.
     */
    private int readBlock(Vp8BoolDecoder d, int type, int context, int dcFactor, int acFactor,
            int first, int offset) {
        int[] probabilities = tokenProbabilities;
        int n = first;
        boolean afterZero = false;
        while (n < 16) {
            int p = ((type * 8 + Vp8Tables.BANDS[n]) * 3 + context)
                    * Vp8Tables.TOKEN_PROBABILITIES;
            if (!afterZero && !d.readBool(probabilities[p])) {
                return n; // end of block
            }
            if (!d.readBool(probabilities[p + 1])) {
                afterZero = true;
                context = 0;
                n++;
                continue;
            }
            afterZero = false;
            int magnitude;
            if (!d.readBool(probabilities[p + 2])) {
                magnitude = 1;
                context = 1;
            } else {
                magnitude = readLargeMagnitude(d, probabilities, p);
                context = 2;
            }
            int value = d.readBool(128) ? -magnitude : magnitude;
            // Coefficients are 16-bit (RFC 6386 section 14.1); valid streams never wrap.
            int factor = n > 0 ? acFactor : dcFactor;
            coefficients[offset + Vp8Tables.ZIGZAG[n]] = (short) (value * factor);
            n++;
        }
        return 16;
    }

    private static int readLargeMagnitude(Vp8BoolDecoder d, int[] probabilities, int p) {
        if (!d.readBool(probabilities[p + 3])) {
            if (!d.readBool(probabilities[p + 4])) {
                return 2;
            }
            return 3 + d.readBit(probabilities[p + 5]);
        }
        int category;
        if (!d.readBool(probabilities[p + 6])) {
            category = d.readBit(probabilities[p + 7]);
        } else {
            int high = d.readBit(probabilities[p + 8]);
            category = 2 + 2 * high + d.readBit(probabilities[p + 9 + high]);
        }
        int extra = 0;
        for (int probability : Vp8Tables.CATEGORY_PROBABILITIES[category]) {
            extra = (extra << 1) | d.readBit(probability);
        }
        return Vp8Tables.CATEGORY_BASES[category] + extra;
    }

    private void reconstruct(Frame frame, int mbX, int mbY, boolean subblocks, int lumaMode,
            int[] subblockModes, int chromaMode, int[] edge) {
        int stride = frame.yStride();
        int x0 = mbX * 16;
        int y0 = mbY * 16;
        if (subblocks) {
            for (int by = 0; by < 4; by++) {
                for (int bx = 0; bx < 4; bx++) {
                    fillSubblockEdge(frame.y(), stride, mbX, mbY, bx, by, edge);
                    int px = x0 + bx * 4;
                    int py = y0 + by * 4;
                    Vp8Intra.predictSubblock(frame.y(), stride, px, py,
                            subblockModes[by * 4 + bx], edge);
                    Vp8Transforms.inverseDctAdd(coefficients, (by * 4 + bx) * 16, frame.y(),
                            py * stride + px, stride);
                }
            }
        } else {
            Vp8Intra.predictBlock(frame.y(), stride, x0, y0, 16, lumaMode);
            for (int b = 0; b < 16; b++) {
                int at = (y0 + (b >> 2) * 4) * stride + x0 + (b & 3) * 4;
                Vp8Transforms.inverseDctAdd(coefficients, b * 16, frame.y(), at, stride);
            }
        }
        int uvStride = frame.uvStride();
        byte[][] chroma = {frame.u(), frame.v()};
        for (int plane = 0; plane < 2; plane++) {
            Vp8Intra.predictBlock(chroma[plane], uvStride, mbX * 8, mbY * 8, 8, chromaMode);
            for (int b = 0; b < 4; b++) {
                int at = (mbY * 8 + (b >> 1) * 4) * uvStride + mbX * 8 + (b & 1) * 4;
                Vp8Transforms.inverseDctAdd(coefficients, (16 + plane * 4 + b) * 16, chroma[plane],
                        at, uvStride);
            }
        }
    }

    /** Gathers the 13 neighbours of a luma sub-block in the layout of {@link Vp8Intra}. */
    private void fillSubblockEdge(byte[] y, int stride, int mbX, int mbY, int bx, int by,
            int[] edge) {
        int px = mbX * 16 + bx * 4;
        int py = mbY * 16 + by * 4;
        for (int r = 0; r < 4; r++) {
            edge[3 - r] = px > 0 ? y[(py + r) * stride + px - 1] & 0xFF : Vp8Intra.LEFT_OUTSIDE;
        }
        if (py == 0) {
            edge[4] = Vp8Intra.ABOVE_OUTSIDE;
        } else if (px == 0) {
            edge[4] = Vp8Intra.LEFT_OUTSIDE;
        } else {
            edge[4] = y[(py - 1) * stride + px - 1] & 0xFF;
        }
        for (int i = 0; i < 4; i++) {
            edge[5 + i] = py > 0 ? y[(py - 1) * stride + px + i] & 0xFF : Vp8Intra.ABOVE_OUTSIDE;
        }
        // Sub-blocks in the right column take their above-right pixels from the macroblock row
        // above, as the top row does. The last macroblock of a row repeats its above pixel 15.
        for (int i = 0; i < 4; i++) {
            int value;
            if (bx < 3 && by > 0) {
                value = y[(py - 1) * stride + px + 4 + i] & 0xFF;
            } else if (mbY == 0) {
                value = Vp8Intra.ABOVE_OUTSIDE;
            } else if (bx < 3) {
                value = y[(py - 1) * stride + px + 4 + i] & 0xFF;
            } else {
                int aboveRow = (mbY * 16 - 1) * stride;
                value = mbX < mbWidth - 1 ? y[aboveRow + mbX * 16 + 16 + i] & 0xFF
                        : y[aboveRow + mbX * 16 + 15] & 0xFF;
            }
            edge[9 + i] = value;
        }
    }

    /**
     * Packs the loop filter parameters of one macroblock into an int. Bits 0-5 are the filter
     * level (0 disables the filter) and bits 8-13 the interior limit. Bits 16-17 are the high
     * edge variance threshold, and bit 24 is set when the inner edges are filtered.
     */
    private int filterParameters(int segment, boolean subblocks, boolean inner) {
        int level = filterLevel;
        if (segmentationEnabled) {
            level = absoluteSegmentValues ? segmentFilterLevel[segment]
                    : level + segmentFilterLevel[segment];
        }
        if (filterDeltasEnabled) {
            level += referenceFilterDelta[0]; // the intra frame's reference delta
            if (subblocks) {
                level += modeFilterDelta[0]; // the delta of the B_PRED mode
            }
        }
        level = clamp(level, 63);
        if (level == 0) {
            return 0;
        }
        int interior = level;
        if (sharpness > 0) {
            interior >>= sharpness > 4 ? 2 : 1;
            interior = Math.min(interior, 9 - sharpness);
        }
        interior = Math.max(interior, 1);
        int hevThreshold = 0;
        if (level >= 40) {
            hevThreshold = 2;
        } else if (level >= 15) {
            hevThreshold = 1;
        }
        return level | interior << 8 | hevThreshold << 16 | (inner ? 1 << 24 : 0);
    }
}
