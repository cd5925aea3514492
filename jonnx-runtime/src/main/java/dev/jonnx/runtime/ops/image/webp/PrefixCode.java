package dev.jonnx.runtime.ops.image.webp;

/**
 * A canonical prefix (Huffman) code of WebP lossless, built from code lengths (RFC 9649
 * section 3.7.2). Codes are read one bit at a time, first bit most significant in the code,
 * like DEFLATE. A code with a single used symbol takes no bits.
 */
final class PrefixCode {
    static final int MAX_LENGTH = 15;

    /** Codes up to this many bits are decoded with one lookup in {@link #table}. */
    private static final int TABLE_BITS = 8;

    /** Number of codes of each length 0 to 15. */
    private final int[] counts = new int[MAX_LENGTH + 1];
    /** Used symbols sorted by code length, then by symbol. */
    private final int[] symbols;
    private final int singleSymbol;
    /**
     * Lookup of the next {@link #TABLE_BITS} stream bits: {@code symbol << 4 | length} for codes
     * of at most that length, 0 where the code is longer.
     */
    private final int[] table = new int[1 << TABLE_BITS];

    /**
     * Builds the code.
     *
     * @throws IllegalArgumentException if no symbol is used, or the lengths over-subscribe or
     *     leave unused part of the code space (with more than one symbol)
     */
    PrefixCode(int[] lengths, String codeName) {
        int used = 0;
        int lastUsed = -1;
        for (int symbol = 0; symbol < lengths.length; symbol++) {
            if (lengths[symbol] != 0) {
                counts[lengths[symbol]]++;
                used++;
                lastUsed = symbol;
            }
        }
        if (used == 0) {
            throw new IllegalArgumentException(
                    "invalid WebP image: the lossless " + codeName + " prefix code uses no symbol");
        }
        symbols = new int[used];
        if (used == 1) {
            singleSymbol = lastUsed;
            symbols[0] = lastUsed;
            return;
        }
        singleSymbol = -1;
        long remaining = 1;
        for (int length = 1; length <= MAX_LENGTH; length++) {
            remaining = (remaining << 1) - counts[length];
            if (remaining < 0) {
                throw new IllegalArgumentException("invalid WebP image: the lossless " + codeName
                        + " prefix code lengths are over-subscribed");
            }
        }
        if (remaining != 0) {
            throw new IllegalArgumentException("invalid WebP image: the lossless " + codeName
                    + " prefix code lengths are incomplete");
        }
        int[] next = new int[MAX_LENGTH + 2];
        for (int length = 1; length <= MAX_LENGTH; length++) {
            next[length + 1] = next[length] + counts[length];
        }
        for (int symbol = 0; symbol < lengths.length; symbol++) {
            if (lengths[symbol] != 0) {
                symbols[next[lengths[symbol]]++] = symbol;
            }
        }
        fillTable(lengths);
    }

    /**
     * Fills {@link #table}. Canonical codes are assigned in order of length, then symbol. The
     * stream stores a code's first bit in the lowest bit position, so the table is indexed by
     * the code with its bits reversed.
     */
    private void fillTable(int[] lengths) {
        int[] nextCode = new int[MAX_LENGTH + 1];
        int code = 0;
        for (int length = 1; length <= MAX_LENGTH; length++) {
            code = (code + counts[length - 1]) << 1;
            nextCode[length] = code;
        }
        for (int symbol = 0; symbol < lengths.length; symbol++) {
            int length = lengths[symbol];
            if (length == 0) {
                continue;
            }
            int assigned = nextCode[length]++;
            if (length > TABLE_BITS) {
                continue;
            }
            int reversed = Integer.reverse(assigned) >>> (32 - length);
            for (int high = 0; high < 1 << (TABLE_BITS - length); high++) {
                table[reversed | high << length] = symbol << 4 | length;
            }
        }
    }

    /** Reads one symbol. */
    int read(LosslessBitReader reader) {
        if (singleSymbol >= 0) {
            return singleSymbol;
        }
        int entry = table[reader.peekBits(TABLE_BITS)];
        if (entry != 0) {
            reader.skipBits(entry & 0xF);
            return entry >>> 4;
        }
        int code = 0;
        int first = 0;
        int index = 0;
        for (int length = 1; length <= MAX_LENGTH; length++) {
            code |= reader.readBit();
            int count = counts[length];
            if (code - first < count) {
                return symbols[index + code - first];
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        // Unreachable: a complete code always ends within MAX_LENGTH bits.
        throw new IllegalStateException("prefix code exhausted");
    }
}
