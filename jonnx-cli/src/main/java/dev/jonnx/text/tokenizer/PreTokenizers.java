package dev.jonnx.text.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the pre-tokenizer that a {@code tokenizer.json} declares: a function that splits one
 * piece of normalized text into words. Supported types: {@code BertPreTokenizer},
 * {@code WhitespaceSplit}, {@code Whitespace}, {@code Punctuation} (with the default
 * {@code Isolated} behavior) and a {@code Sequence} of these.
 */
final class PreTokenizers {
    /** The pattern of the {@code Whitespace} pre-tokenizer: runs of word or of other characters. */
    private static final Pattern WORDS_OR_SYMBOLS =
            Pattern.compile("\\w+|[^\\w\\s]+", Pattern.UNICODE_CHARACTER_CLASS);

    private PreTokenizers() {}

    static Function<String, List<String>> fromConfig(Object config) {
        if (config == null) {
            return text -> text.isEmpty() ? List.of() : List.of(text);
        }
        Map<String, Object> map = TokenizerConfig.object(config, "pre_tokenizer");
        String type = TokenizerConfig.string(map, "type", "pre_tokenizer");
        return switch (type) {
            case "BertPreTokenizer" -> PreTokenizers::splitBert;
            case "WhitespaceSplit" -> PreTokenizers::splitOnWhitespace;
            case "Whitespace" -> PreTokenizers::splitWordsAndSymbols;
            case "Punctuation" -> punctuation(map);
            case "Sequence" -> sequence(map);
            default -> throw new IllegalArgumentException("pre-tokenizer type '" + type
                    + "' is not supported; supported: BertPreTokenizer, WhitespaceSplit,"
                    + " Whitespace, Punctuation, Sequence");
        };
    }

    private static Function<String, List<String>> punctuation(Map<String, Object> map) {
        Object behavior = map.get("behavior");
        if (behavior != null && !behavior.equals("Isolated")) {
            throw new IllegalArgumentException("Punctuation pre-tokenizer behavior '" + behavior
                    + "' is not supported; only Isolated");
        }
        return PreTokenizers::isolatePunctuation;
    }

    private static Function<String, List<String>> sequence(Map<String, Object> map) {
        List<Function<String, List<String>>> steps = new ArrayList<>();
        for (Object step : TokenizerConfig.list(map, "pretokenizers", "pre_tokenizer")) {
            steps.add(fromConfig(step));
        }
        return text -> {
            List<String> words = List.of(text);
            for (Function<String, List<String>> step : steps) {
                List<String> next = new ArrayList<>();
                for (String word : words) {
                    next.addAll(step.apply(word));
                }
                words = next;
            }
            return words;
        };
    }

    /** Splits on whitespace, which is dropped, then makes every punctuation mark its own word. */
    static List<String> splitBert(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        text.codePoints().forEach(cp -> {
            if (UnicodeChars.isWhitespace(cp)) {
                flush(word, words);
            } else if (UnicodeChars.isPunctuation(cp)) {
                flush(word, words);
                words.add(new String(Character.toChars(cp)));
            } else {
                word.appendCodePoint(cp);
            }
        });
        flush(word, words);
        return words;
    }

    static List<String> splitOnWhitespace(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        text.codePoints().forEach(cp -> {
            if (UnicodeChars.isWhitespace(cp)) {
                flush(word, words);
            } else {
                word.appendCodePoint(cp);
            }
        });
        flush(word, words);
        return words;
    }

    static List<String> isolatePunctuation(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        text.codePoints().forEach(cp -> {
            if (UnicodeChars.isPunctuation(cp)) {
                flush(word, words);
                words.add(new String(Character.toChars(cp)));
            } else {
                word.appendCodePoint(cp);
            }
        });
        flush(word, words);
        return words;
    }

    static List<String> splitWordsAndSymbols(String text) {
        List<String> words = new ArrayList<>();
        Matcher m = WORDS_OR_SYMBOLS.matcher(text);
        while (m.find()) {
            words.add(m.group());
        }
        return words;
    }

    private static void flush(StringBuilder word, List<String> words) {
        if (!word.isEmpty()) {
            words.add(word.toString());
            word.setLength(0);
        }
    }
}
