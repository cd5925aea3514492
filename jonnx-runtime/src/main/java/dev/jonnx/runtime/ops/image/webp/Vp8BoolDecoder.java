package dev.jonnx.runtime.ops.image.webp;

/**
 * The boolean entropy decoder of VP8 (RFC 6386 section 7). Reading past the end of its
 * partition yields zero bits; {@link #checkOverrun} turns a real overrun into an error.
 */
final class Vp8BoolDecoder {
    /** Bytes the decoder may load ahead of what it has consumed, so not an overrun. */
    private static final int LOOKAHEAD_BYTES = 2;

    private final byte[] data;
    private final int end;
    private final String partition;
    private int position;
    private int value;
    private int range = 255;
    private int bitCount;
    private int bytesPastEnd;

    Vp8BoolDecoder(byte[] data, int start, int end, String partition) {
        this.data = data;
        this.end = end;
        this.partition = partition;
        this.position = start;
        value = (nextByte() << 8) | nextByte();
    }

    private int nextByte() {
        if (position < end) {
            return data[position++] & 0xFF;
        }
        bytesPastEnd++;
        return 0;
    }

    /** Decodes one bool whose probability of being 0 is {@code probability / 256}. */
    boolean readBool(int probability) {
        int split = 1 + (((range - 1) * probability) >> 8);
        int bigSplit = split << 8;
        boolean bit;
        if (value >= bigSplit) {
            range -= split;
            value -= bigSplit;
            bit = true;
        } else {
            range = split;
            bit = false;
        }
        while (range < 128) {
            value <<= 1;
            range <<= 1;
            if (++bitCount == 8) {
                bitCount = 0;
                value |= nextByte();
            }
        }
        return bit;
    }

    int readBit(int probability) {
        return readBool(probability) ? 1 : 0;
    }

    /** Reads an unsigned {@code bits}-bit literal, most significant bit first. */
    int readLiteral(int bits) {
        int result = 0;
        for (int i = 0; i < bits; i++) {
            result = (result << 1) | readBit(128);
        }
        return result;
    }

    /** Reads a {@code bits}-bit magnitude followed by a sign bit. */
    int readSigned(int bits) {
        int magnitude = readLiteral(bits);
        return readBool(128) ? -magnitude : magnitude;
    }

    /** Reads a flag and, when it is set, a signed value; returns 0 when the flag is clear. */
    int readOptionalSigned(int bits) {
        return readBool(128) ? readSigned(bits) : 0;
    }

    /** Throws when the decoder needed more bytes than its partition contains. */
    void checkOverrun() {
        if (bytesPastEnd > LOOKAHEAD_BYTES) {
            throw new IllegalArgumentException("invalid WebP image: the VP8 " + partition
                    + " is truncated (its data ends before the last macroblock)");
        }
    }
}
