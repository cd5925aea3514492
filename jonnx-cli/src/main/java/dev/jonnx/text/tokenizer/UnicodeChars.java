package dev.jonnx.text.tokenizer;

/**
 * Character classes as the Hugging Face tokenizers library (Rust) defines them, on Unicode code
 * points. Java's own {@link Character#isWhitespace} differs from Rust's {@code char::is_whitespace}
 * (it excludes no-break spaces), so the classes are spelled out here.
 */
final class UnicodeChars {
    private UnicodeChars() {}

    /** The Unicode White_Space property, which Rust's {@code char::is_whitespace} tests. */
    static boolean isWhitespace(int cp) {
        return switch (cp) {
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F,
                    0x205F, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200A;
        };
    }

    /**
     * Control characters that BERT's clean-text step removes: categories Cc, Cf, Cs and Co, except
     * tab, line feed and carriage return, which count as whitespace. Unassigned code points (Cn)
     * are kept, as the Hugging Face tokenizers library (0.21, in DJL 0.38) keeps them.
     */
    static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE -> true;
            default -> false;
        };
    }

    /** ASCII punctuation (which includes symbols such as {@code $+<=>^`|~}) or category P. */
    static boolean isPunctuation(int cp) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96)
                || (cp >= 123 && cp <= 126)) {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION,
                    Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                    Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** The CJK ideograph blocks that BERT surrounds with spaces, so each becomes its own word. */
    static boolean isChineseChar(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B920 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    /**
     * Appends the full lowercase mapping of one code point, as Rust's {@code char::to_lowercase}
     * does: context-free, so a final capital sigma becomes σ, and U+0130 becomes "i" followed by
     * U+0307, the one unconditional multi-character mapping in Unicode's SpecialCasing.txt.
     */
    static void appendLowercase(StringBuilder out, int cp) {
        if (cp == 0x130) {
            out.append('i').append('\u0307');
        } else {
            out.appendCodePoint(Character.toLowerCase(cp));
        }
    }
}
