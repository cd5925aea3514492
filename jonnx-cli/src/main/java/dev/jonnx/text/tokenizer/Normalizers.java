package dev.jonnx.text.tokenizer;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Builds the text normalizer that a {@code tokenizer.json} declares. Supported types:
 * {@code BertNormalizer}, {@code Lowercase}, {@code StripAccents}, {@code NFC}, {@code NFD},
 * {@code NFKC}, {@code NFKD} and a {@code Sequence} of these.
 */
final class Normalizers {
    private Normalizers() {}

    /** Returns the normalizer for a "normalizer" section, or the identity when it is null. */
    static UnaryOperator<String> fromConfig(Object config) {
        if (config == null) {
            return UnaryOperator.identity();
        }
        Map<String, Object> map = TokenizerConfig.object(config, "normalizer");
        String type = TokenizerConfig.string(map, "type", "normalizer");
        return switch (type) {
            case "BertNormalizer" -> bert(map);
            case "Lowercase" -> Normalizers::lowercase;
            case "StripAccents" -> Normalizers::removeMarks;
            case "NFC" -> text -> Normalizer.normalize(text, Normalizer.Form.NFC);
            case "NFD" -> text -> Normalizer.normalize(text, Normalizer.Form.NFD);
            case "NFKC" -> text -> Normalizer.normalize(text, Normalizer.Form.NFKC);
            case "NFKD" -> text -> Normalizer.normalize(text, Normalizer.Form.NFKD);
            case "Sequence" -> sequence(map);
            default -> throw new IllegalArgumentException("normalizer type '" + type
                    + "' is not supported; supported: BertNormalizer, Lowercase, StripAccents,"
                    + " NFC, NFD, NFKC, NFKD, Sequence");
        };
    }

    private static UnaryOperator<String> sequence(Map<String, Object> map) {
        List<UnaryOperator<String>> steps = new ArrayList<>();
        for (Object step : TokenizerConfig.list(map, "normalizers", "normalizer")) {
            steps.add(fromConfig(step));
        }
        return text -> {
            String result = text;
            for (UnaryOperator<String> step : steps) {
                result = step.apply(result);
            }
            return result;
        };
    }

    private static UnaryOperator<String> bert(Map<String, Object> map) {
        boolean cleanText = TokenizerConfig.bool(map, "clean_text", true);
        boolean chineseChars = TokenizerConfig.bool(map, "handle_chinese_chars", true);
        boolean lowercase = TokenizerConfig.bool(map, "lowercase", true);
        // A null strip_accents follows the lowercase flag, as in BERT's original uncased models.
        Object strip = map.get("strip_accents");
        boolean stripAccents = strip == null ? lowercase : TokenizerConfig.bool(map, "strip_accents", false);
        return text -> {
            String result = text;
            if (cleanText) {
                result = cleanText(result);
            }
            if (chineseChars) {
                result = padChineseChars(result);
            }
            if (stripAccents) {
                result = removeNonspacingMarks(Normalizer.normalize(result, Normalizer.Form.NFD));
            }
            if (lowercase) {
                result = lowercase(result);
            }
            return result;
        };
    }

    /** Removes NUL, U+FFFD and control characters, and turns every whitespace into a space. */
    static String cleanText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (cp == 0 || cp == 0xFFFD || UnicodeChars.isControl(cp)) {
                return;
            }
            if (UnicodeChars.isWhitespace(cp)) {
                out.append(' ');
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    static String padChineseChars(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(cp -> {
            if (UnicodeChars.isChineseChar(cp)) {
                out.append(' ').appendCodePoint(cp).append(' ');
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    /** Drops characters of category Mn, without decomposing first. */
    static String removeNonspacingMarks(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (Character.getType(cp) != Character.NON_SPACING_MARK) {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    /**
     * Drops characters of categories Mn, Mc and Me, as the standalone StripAccents normalizer does
     * (unlike BertNormalizer, which drops Mn only).
     */
    static String removeMarks(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            int type = Character.getType(cp);
            if (type != Character.NON_SPACING_MARK && type != Character.COMBINING_SPACING_MARK
                    && type != Character.ENCLOSING_MARK) {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    static String lowercase(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> UnicodeChars.appendLowercase(out, cp));
        return out.toString();
    }
}
