package dev.jonnx.runtime.ops.image.jpeg2000;

/**
 * Reads packet header bits (ITU-T T.800 B.10.1): most significant bit first, with a stuffed 0
 * bit at the top of each byte that follows a 0xFF byte.
 */
final class PacketHeaderBits {
    private final byte[] data;
    private int position;
    private final int end;
    private int current;
    private int bitsLeft;

    PacketHeaderBits(byte[] data, int start, int end) {
        this.data = data;
        this.position = start;
        this.end = end;
    }

    int bit() {
        if (bitsLeft == 0) {
            if (position >= end) {
                throw Codestream.invalid("a packet header runs past the end of the tile data"
                        + " (the codestream is truncated or corrupt)");
            }
            bitsLeft = current == 0xFF ? 7 : 8;
            current = data[position++] & 0xFF;
        }
        bitsLeft--;
        return (current >> bitsLeft) & 1;
    }

    int bits(int count) {
        int value = 0;
        for (int i = 0; i < count; i++) {
            value = value << 1 | bit();
        }
        return value;
    }

    /** Ends the header on a byte boundary and returns the offset of the packet body. */
    int finish() {
        if (current == 0xFF) {
            // The byte after a final 0xFF carries the stuffed bit and padding only.
            if (position >= end) {
                throw Codestream.invalid("a packet header runs past the end of the tile data");
            }
            position++;
        }
        return position;
    }
}
