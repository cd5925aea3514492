package dev.jonnx.text.tokenizer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The WordPiece model: splits each word into the longest vocabulary entries from the left, with
 * the continuing-subword prefix (usually {@code ##}) on every piece after the first. A word
 * longer than {@code max_input_chars_per_word} code points, or one that cannot be covered by
 * vocabulary entries, becomes the single unknown token.
 */
final class WordPiece {
    private final Map<String, Integer> vocab;
    private final String[] tokensById;
    private final String unknownToken;
    private final int unknownId;
    private final String prefix;
    private final int maxInputCharsPerWord;

    private WordPiece(Map<String, Integer> vocab, String unknownToken, String prefix,
            int maxInputCharsPerWord) {
        this.vocab = vocab;
        this.unknownToken = unknownToken;
        this.prefix = prefix;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
        Integer unknown = vocab.get(unknownToken);
        if (unknown == null) {
            throw new IllegalArgumentException("the WordPiece unknown token '" + unknownToken
                    + "' is not in the vocabulary");
        }
        this.unknownId = unknown;
        int maxId = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
        this.tokensById = new String[maxId + 1];
        vocab.forEach((token, id) -> tokensById[id] = token);
    }

    static WordPiece fromConfig(Map<String, Object> model) {
        String type = TokenizerConfig.string(model, "type", "model");
        if (!type.equals("WordPiece")) {
            throw new IllegalArgumentException("tokenizer model type '" + type
                    + "' is not supported; only WordPiece (BERT-style) tokenizers are");
        }
        Map<String, Object> vocabJson = TokenizerConfig.object(model, "vocab", "model");
        Map<String, Integer> vocab = new HashMap<>(vocabJson.size() * 2);
        vocabJson.forEach((token, id) -> {
            int value = TokenizerConfig.integer(id, "model.vocab['" + token + "']");
            if (value < 0) {
                throw new IllegalArgumentException("model.vocab['" + token + "'] has negative id " + value);
            }
            vocab.put(token, value);
        });
        String unknown = TokenizerConfig.string(model, "unk_token", "model");
        String prefix = model.get("continuing_subword_prefix") == null ? "##"
                : TokenizerConfig.string(model, "continuing_subword_prefix", "model");
        int maxChars = model.get("max_input_chars_per_word") == null ? 100
                : TokenizerConfig.integer(model, "max_input_chars_per_word", "model");
        return new WordPiece(vocab, unknown, prefix, maxChars);
    }

    /** Returns the id of {@code token}, or null when it is not in the vocabulary. */
    Integer id(String token) {
        return vocab.get(token);
    }

    /** Returns the token of {@code id}, or null when no vocabulary entry has it. */
    String token(int id) {
        return id >= 0 && id < tokensById.length ? tokensById[id] : null;
    }

    /** Appends the pieces of one word to {@code ids} and {@code tokens}. */
    void tokenize(String word, IntList ids, List<String> tokens) {
        int length = word.codePointCount(0, word.length());
        if (length > maxInputCharsPerWord) {
            ids.add(unknownId);
            tokens.add(unknownToken);
            return;
        }
        int firstPiece = ids.size();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            Integer found = null;
            String piece = null;
            while (start < end) {
                piece = word.substring(start, end);
                if (start > 0) {
                    piece = prefix + piece;
                }
                found = vocab.get(piece);
                if (found != null) {
                    break;
                }
                end -= Character.charCount(word.codePointBefore(end));
            }
            if (found == null) {
                ids.truncate(firstPiece);
                while (tokens.size() > firstPiece) {
                    tokens.removeLast();
                }
                ids.add(unknownId);
                tokens.add(unknownToken);
                return;
            }
            ids.add(found);
            tokens.add(piece);
            start = end;
        }
    }
}
