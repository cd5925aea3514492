package dev.jonnx.runtime.ops.image.jpeg2000;

/**
 * Tier-1 decoding of one code-block (EBCOT, ITU-T T.800 Annex D): significance propagation,
 * magnitude refinement and cleanup passes over stripes of four rows, with the MQ decoder or,
 * in arithmetic-coding bypass mode, raw bits.
 *
 * <p>Coefficients come out at twice their scale, with the reconstruction point half-way up the
 * last decoded bit-plane. A coefficient whose bits were decoded down to bit-plane q comes out
 * as {@code 2 * magnitude + 2^q}. Halving recovers the exact integer after a complete decode
 * and the mid-point (r = 1/2) after a truncated one.
 */
final class CodeBlockDecoder {
    static final int STYLE_BYPASS = 0x01;
    static final int STYLE_RESET = 0x02;
    static final int STYLE_TERMINATE_ALL = 0x04;
    static final int STYLE_VERTICALLY_CAUSAL = 0x08;
    static final int STYLE_SEGMENTATION_SYMBOLS = 0x20;

    /** Largest bit-plane count a code-block may carry so that values fit the doubled scale. */
    static final int MAX_BIT_PLANES = 30;

    private static final int CONTEXT_RUN_LENGTH = 17;
    private static final int CONTEXT_UNIFORM = 18;
    private static final int CONTEXT_COUNT = 19;

    private static final int SIGNIFICANT = 1;
    private static final int NEGATIVE = 2;
    private static final int VISITED = 4;
    private static final int REFINED = 8;

    // Bits of a coefficient's neighborhood word: which of the eight neighbors are significant
    // and which of the four direct ones are negative.
    private static final int WEST = 1;
    private static final int EAST = 2;
    private static final int NORTH = 4;
    private static final int SOUTH = 8;
    private static final int NORTH_WEST = 16;
    private static final int NORTH_EAST = 32;
    private static final int SOUTH_WEST = 64;
    private static final int SOUTH_EAST = 128;
    private static final int WEST_NEGATIVE = 256;
    private static final int EAST_NEGATIVE = 512;
    private static final int NORTH_NEGATIVE = 1024;
    private static final int SOUTH_NEGATIVE = 2048;
    private static final int SIGNIFICANT_NEIGHBORS = 0xFF;
    private static final int BELOW = SOUTH | SOUTH_WEST | SOUTH_EAST | SOUTH_NEGATIVE;

    /** Significance contexts by orientation (LL, HL, LH, HH), then the neighbors' bits. */
    private static final byte[][] SIGNIFICANCE_CONTEXTS = new byte[4][256];

    static {
        for (int bits = 0; bits < 256; bits++) {
            int h = Integer.bitCount(bits & (WEST | EAST));
            int v = Integer.bitCount(bits & (NORTH | SOUTH));
            int d = Integer.bitCount(bits & (NORTH_WEST | NORTH_EAST | SOUTH_WEST | SOUTH_EAST));
            byte lowHorizontal = (byte) lowPassContext(h, v, d);
            SIGNIFICANCE_CONTEXTS[0][bits] = lowHorizontal;
            SIGNIFICANCE_CONTEXTS[2][bits] = lowHorizontal;
            SIGNIFICANCE_CONTEXTS[1][bits] = (byte) lowPassContext(v, h, d);
            SIGNIFICANCE_CONTEXTS[3][bits] = (byte) diagonalContext(h + v, d);
        }
    }

    /** T.800 Table D.1 for the LL and LH sub-bands (HL swaps h and v). */
    private static int lowPassContext(int h, int v, int d) {
        if (h == 2) {
            return 8;
        }
        if (h == 1) {
            if (v >= 1) {
                return 7;
            }
            return d >= 1 ? 6 : 5;
        }
        if (v == 2) {
            return 4;
        }
        if (v == 1) {
            return 3;
        }
        return d >= 2 ? 2 : d;
    }

    /** T.800 Table D.1 for the HH sub-band. */
    private static int diagonalContext(int hv, int d) {
        if (d >= 3) {
            return 8;
        }
        if (d == 2) {
            return hv >= 1 ? 7 : 6;
        }
        if (d == 1) {
            return 3 + Math.min(hv, 2);
        }
        return hv >= 2 ? 2 : hv;
    }

    private final int width;
    private final int height;
    private final int stride;
    private final int orientation;
    private final int style;
    private final int[] flags;
    /** Per coefficient: the neighborhood bits, kept up to date as coefficients turn significant. */
    private final int[] neighbors;
    private final boolean verticallyCausal;
    private final int[] values;
    private final byte[] data;
    private final MqDecoder mq;
    private int rawPosition;
    private int rawEnd;
    private int rawByte;
    private int rawBitsLeft;

    private CodeBlockDecoder(int width, int height, int orientation, int style, byte[] data) {
        this.width = width;
        this.height = height;
        this.stride = width + 2;
        this.orientation = orientation;
        this.style = style;
        this.flags = new int[stride * (height + 2)];
        this.neighbors = new int[stride * (height + 2)];
        this.verticallyCausal = (style & STYLE_VERTICALLY_CAUSAL) != 0;
        this.values = new int[stride * (height + 2)];
        this.data = data;
        this.mq = new MqDecoder(data, CONTEXT_COUNT);
        resetContexts();
    }

    /**
     * Decodes a code-block into {@code out} (row-major, {@code width} wide), in the doubled scale
     * described on the class.
     *
     * @param orientation 0 LL, 1 HL, 2 LH, 3 HH
     * @param planes the bit-planes below the block's missing most significant ones
     * @param data the block's bytes, segment after segment
     * @param segmentLengths the byte length of each codeword segment
     * @param segmentPasses the coding-pass count of each segment
     */
    static void decode(int width, int height, int orientation, int style, int planes, byte[] data,
            int[] segmentLengths, int[] segmentPasses, int segmentCount, int[] out) {
        CodeBlockDecoder decoder = new CodeBlockDecoder(width, height, orientation, style, data);
        decoder.run(planes, segmentLengths, segmentPasses, segmentCount);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = (y + 1) * decoder.stride + x + 1;
                int value = decoder.values[i];
                out[y * width + x] = (decoder.flags[i] & NEGATIVE) != 0 ? -value : value;
            }
        }
    }

    private void resetContexts() {
        for (int i = 0; i < CONTEXT_COUNT; i++) {
            mq.setContext(i, 0);
        }
        mq.setContext(0, 4);
        mq.setContext(CONTEXT_RUN_LENGTH, 3);
        mq.setContext(CONTEXT_UNIFORM, 46);
    }

    private void run(int planes, int[] segmentLengths, int[] segmentPasses, int segmentCount) {
        int pass = 0;
        int offset = 0;
        for (int s = 0; s < segmentCount; s++) {
            int end = offset + segmentLengths[s];
            boolean raw = (style & STYLE_BYPASS) != 0 && pass >= 10 && pass % 3 != 0;
            if (raw) {
                rawPosition = offset;
                rawEnd = end;
                rawBitsLeft = 0;
                rawByte = 0;
            } else {
                mq.start(offset, end);
            }
            for (int k = 0; k < segmentPasses[s]; k++, pass++) {
                // Pass 0 is the cleanup pass of the first bit-plane; then each plane has a
                // significance propagation, a magnitude refinement and a cleanup pass.
                int plane = planes - 1 - (pass + 2) / 3;
                if (plane < 0) {
                    // Passes past the last bit-plane carry no bits; OpenJPEG 2.x skips them too.
                    return;
                }
                switch (pass % 3) {
                    case 1 -> significancePass(plane, raw);
                    case 2 -> refinementPass(plane, raw);
                    default -> cleanupPass(plane);
                }
                if ((style & STYLE_RESET) != 0) {
                    resetContexts();
                }
            }
            offset = end;
        }
    }

    private int rawBit() {
        if (rawBitsLeft == 0) {
            boolean stuffed = rawByte == 0xFF;
            rawByte = rawPosition < rawEnd ? data[rawPosition] & 0xFF : 0xFF;
            rawPosition++;
            rawBitsLeft = stuffed ? 7 : 8;
        }
        rawBitsLeft--;
        return (rawByte >> rawBitsLeft) & 1;
    }

    /**
     * Returns the neighborhood bits of coefficient i in row y. In vertically causal mode the
     * last row of a stripe ignores the stripe below.
     */
    private int neighborhood(int i, int y) {
        int bits = neighbors[i];
        if (verticallyCausal && (y & 3) == 3) {
            bits &= ~BELOW;
        }
        return bits;
    }

    private int significanceContext(int i, int y) {
        return SIGNIFICANCE_CONTEXTS[orientation][neighborhood(i, y) & SIGNIFICANT_NEIGHBORS];
    }

    /** Returns +1, 0 or -1 for a neighbor that is significant positive, not, or negative. */
    private static int signOf(int bits, int significant, int negative) {
        if ((bits & significant) == 0) {
            return 0;
        }
        return (bits & negative) != 0 ? -1 : 1;
    }

    private int decodeSign(int i, int y, boolean raw) {
        if (raw) {
            return rawBit();
        }
        int bits = neighborhood(i, y);
        int h = signOf(bits, WEST, WEST_NEGATIVE) + signOf(bits, EAST, EAST_NEGATIVE);
        int v = signOf(bits, NORTH, NORTH_NEGATIVE) + signOf(bits, SOUTH, SOUTH_NEGATIVE);
        h = Math.clamp(h, -1, 1);
        v = Math.clamp(v, -1, 1);
        // T.800 Table D.3: the context depends on |H| and V * sign(H); a negative H (or a zero
        // H with a negative V) flips the decoded bit.
        int context;
        int flip;
        if (h == 0) {
            context = v == 0 ? 9 : 10;
            flip = v < 0 ? 1 : 0;
        } else {
            context = 12 + v * h;
            flip = h < 0 ? 1 : 0;
        }
        return mq.decode(context) ^ flip;
    }

    private void becomeSignificant(int i, int y, int plane, boolean raw) {
        int negative = decodeSign(i, y, raw);
        flags[i] |= SIGNIFICANT | (negative != 0 ? NEGATIVE : 0);
        values[i] = 3 << plane;
        // This coefficient is the east neighbor of i - 1, the south neighbor of i - stride,
        // and so on. At the block edges the one-sample border takes the bits.
        neighbors[i - 1] |= EAST | (negative != 0 ? EAST_NEGATIVE : 0);
        neighbors[i + 1] |= WEST | (negative != 0 ? WEST_NEGATIVE : 0);
        neighbors[i - stride] |= SOUTH | (negative != 0 ? SOUTH_NEGATIVE : 0);
        neighbors[i + stride] |= NORTH | (negative != 0 ? NORTH_NEGATIVE : 0);
        neighbors[i - stride - 1] |= SOUTH_EAST;
        neighbors[i - stride + 1] |= SOUTH_WEST;
        neighbors[i + stride - 1] |= NORTH_EAST;
        neighbors[i + stride + 1] |= NORTH_WEST;
    }

    private void significancePass(int plane, boolean raw) {
        for (int y0 = 0; y0 < height; y0 += 4) {
            int y1 = Math.min(y0 + 4, height);
            for (int x = 0; x < width; x++) {
                for (int y = y0; y < y1; y++) {
                    int i = (y + 1) * stride + x + 1;
                    if ((flags[i] & SIGNIFICANT) != 0) {
                        continue;
                    }
                    int context = significanceContext(i, y);
                    if (context == 0) {
                        continue;
                    }
                    flags[i] |= VISITED;
                    int bit = raw ? rawBit() : mq.decode(context);
                    if (bit != 0) {
                        becomeSignificant(i, y, plane, raw);
                    }
                }
            }
        }
    }

    private void refinementPass(int plane, boolean raw) {
        for (int y0 = 0; y0 < height; y0 += 4) {
            int y1 = Math.min(y0 + 4, height);
            for (int x = 0; x < width; x++) {
                for (int y = y0; y < y1; y++) {
                    int i = (y + 1) * stride + x + 1;
                    if ((flags[i] & (SIGNIFICANT | VISITED)) != SIGNIFICANT) {
                        continue;
                    }
                    int bit;
                    if (raw) {
                        bit = rawBit();
                    } else if ((flags[i] & REFINED) != 0) {
                        bit = mq.decode(16);
                    } else {
                        int around = neighborhood(i, y) & SIGNIFICANT_NEIGHBORS;
                        bit = mq.decode(around == 0 ? 14 : 15);
                    }
                    values[i] += bit != 0 ? 1 << plane : -(1 << plane);
                    flags[i] |= REFINED;
                }
            }
        }
    }

    private void cleanupPass(int plane) {
        for (int y0 = 0; y0 < height; y0 += 4) {
            int y1 = Math.min(y0 + 4, height);
            for (int x = 0; x < width; x++) {
                int first = y0;
                if (y1 - y0 == 4 && runLengthApplies(x, y0)) {
                    if (mq.decode(CONTEXT_RUN_LENGTH) == 0) {
                        continue;
                    }
                    first = y0 + (mq.decode(CONTEXT_UNIFORM) << 1 | mq.decode(CONTEXT_UNIFORM));
                    becomeSignificant((first + 1) * stride + x + 1, first, plane, false);
                    first++;
                }
                for (int y = first; y < y1; y++) {
                    int i = (y + 1) * stride + x + 1;
                    if ((flags[i] & (SIGNIFICANT | VISITED)) != 0) {
                        continue;
                    }
                    if (mq.decode(significanceContext(i, y)) != 0) {
                        becomeSignificant(i, y, plane, false);
                    }
                }
            }
        }
        for (int i = 0; i < flags.length; i++) {
            flags[i] &= ~VISITED;
        }
        if ((style & STYLE_SEGMENTATION_SYMBOLS) != 0) {
            for (int k = 0; k < 4; k++) {
                mq.decode(CONTEXT_UNIFORM);
            }
        }
    }

    /** Returns whether a full stripe column qualifies for run-length decoding. */
    private boolean runLengthApplies(int x, int y0) {
        for (int y = y0; y < y0 + 4; y++) {
            int i = (y + 1) * stride + x + 1;
            if ((flags[i] & (SIGNIFICANT | VISITED)) != 0
                    || (neighborhood(i, y) & SIGNIFICANT_NEIGHBORS) != 0) {
                return false;
            }
        }
        return true;
    }
}
