package dev.jonnx.runtime.ops.image.jpeg2000;

/**
 * The MQ arithmetic decoder of ITU-T T.800 Annex C, reading one terminated segment. Bytes past
 * the end of the segment read as 0xFF, which the decoder treats like a marker and so feeds it
 * 1 bits, as the standard's decoder does at the end of the data.
 */
final class MqDecoder {
    /** Probability estimates Qe, indexed by state (T.800 Table C.2). */
    private static final int[] QE = {
        0x5601, 0x3401, 0x1801, 0x0AC1, 0x0521, 0x0221, 0x5601, 0x5401, 0x4801, 0x3801,
        0x3001, 0x2401, 0x1C01, 0x1601, 0x5601, 0x5401, 0x5101, 0x4801, 0x3801, 0x3401,
        0x3001, 0x2801, 0x2401, 0x2201, 0x1C01, 0x1801, 0x1601, 0x1401, 0x1201, 0x1101,
        0x0AC1, 0x09C1, 0x08A1, 0x0521, 0x0441, 0x02A1, 0x0221, 0x0141, 0x0111, 0x0085,
        0x0049, 0x0025, 0x0015, 0x0009, 0x0005, 0x0001, 0x5601,
    };
    /** Next state after a more probable symbol. */
    private static final byte[] NEXT_MPS = {
        1, 2, 3, 4, 5, 38, 7, 8, 9, 10, 11, 12, 13, 29, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
        25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 45,
        46,
    };
    /** Next state after a less probable symbol. */
    private static final byte[] NEXT_LPS = {
        1, 6, 9, 12, 29, 33, 6, 14, 14, 14, 17, 18, 20, 21, 14, 14, 15, 16, 17, 18, 19, 19, 20,
        21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42,
        43, 46,
    };
    /** States whose less probable symbol swaps the more probable symbol (the SWITCH flag). */
    private static final boolean[] SWITCH = new boolean[47];

    static {
        SWITCH[0] = true;
        SWITCH[6] = true;
        SWITCH[14] = true;
    }

    private final byte[] data;
    private int position;
    private int end;
    private int a;
    private int c;
    private int bitsLeft;
    /** Per context: state index in the low 6 bits, more probable symbol in bit 7. */
    private final byte[] contexts;

    MqDecoder(byte[] data, int contextCount) {
        this.data = data;
        this.contexts = new byte[contextCount];
    }

    /** Sets a context's state and more probable symbol (0). */
    void setContext(int context, int state) {
        contexts[context] = (byte) state;
    }

    /** Starts decoding the segment {@code [start, end)} of the data (INITDEC). */
    void start(int start, int end) {
        this.position = start;
        this.end = end;
        c = byteAt(start) << 16;
        byteIn();
        c <<= 7;
        bitsLeft -= 7;
        a = 0x8000;
    }

    private int byteAt(int index) {
        return index < end ? data[index] & 0xFF : 0xFF;
    }

    private void byteIn() {
        if (byteAt(position) == 0xFF) {
            if (byteAt(position + 1) > 0x8F) {
                c += 0xFF00;
                bitsLeft = 8;
            } else {
                position++;
                c += byteAt(position) << 9;
                bitsLeft = 7;
            }
        } else {
            position++;
            c += byteAt(position) << 8;
            bitsLeft = 8;
        }
    }

    /** Decodes one binary decision in {@code context} (DECODE). */
    int decode(int context) {
        int packed = contexts[context];
        int state = packed & 0x3F;
        int mps = (packed >> 7) & 1;
        int qe = QE[state];
        a -= qe;
        int decision;
        if ((c >>> 16) < qe) {
            if (a < qe) {
                decision = mps;
                state = NEXT_MPS[state];
            } else {
                decision = 1 - mps;
                if (SWITCH[state]) {
                    mps = 1 - mps;
                }
                state = NEXT_LPS[state];
            }
            a = qe;
        } else {
            c -= qe << 16;
            if ((a & 0x8000) != 0) {
                return mps;
            }
            if (a < qe) {
                decision = 1 - mps;
                if (SWITCH[state]) {
                    mps = 1 - mps;
                }
                state = NEXT_LPS[state];
            } else {
                decision = mps;
                state = NEXT_MPS[state];
            }
        }
        contexts[context] = (byte) (state | (mps << 7));
        do {
            if (bitsLeft == 0) {
                byteIn();
            }
            a <<= 1;
            c <<= 1;
            bitsLeft--;
        } while ((a & 0x8000) == 0);
        return decision;
    }
}
