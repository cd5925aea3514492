package dev.jonnx.runtime.ops.image.webp;

/** Reads the least-significant-bit-first bit stream of WebP lossless (RFC 9649 section 3). */
final class LosslessBitReader {
    private final byte[] data;
    private final int end;
    private int position;
    private long buffer;
    private int bitsInBuffer;

    LosslessBitReader(byte[] data, int start, int end) {
        this.data = data;
        this.position = start;
        this.end = end;
    }

    /** Reads {@code count} bits (0 to 32) as an unsigned number, first bit least significant. */
    int readBits(int count) {
        if (count == 0) {
            return 0;
        }
        while (bitsInBuffer < count) {
            if (position >= end) {
                throw new IllegalArgumentException(
                        "invalid WebP image: the lossless bitstream is truncated");
            }
            buffer |= (long) (data[position++] & 0xFF) << bitsInBuffer;
            bitsInBuffer += 8;
        }
        int value = (int) (buffer & ((1L << count) - 1));
        buffer >>>= count;
        bitsInBuffer -= count;
        return value;
    }

    int readBit() {
        return readBits(1);
    }

    /**
     * Returns the next {@code count} bits (at most 24) without consuming them. Bits past the end
     * of the data read as zero, and {@link #skipBits} rejects consuming them.
     */
    int peekBits(int count) {
        while (bitsInBuffer < count && position < end) {
            buffer |= (long) (data[position++] & 0xFF) << bitsInBuffer;
            bitsInBuffer += 8;
        }
        return (int) (buffer & ((1L << count) - 1));
    }

    /** Consumes {@code count} bits that {@link #peekBits} returned. */
    void skipBits(int count) {
        if (count > bitsInBuffer) {
            throw new IllegalArgumentException(
                    "invalid WebP image: the lossless bitstream is truncated");
        }
        buffer >>>= count;
        bitsInBuffer -= count;
    }

    boolean readFlag() {
        return readBits(1) == 1;
    }
}
