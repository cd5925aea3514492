package dev.jonnx.text.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The special tokens placed around a single sequence, such as {@code [CLS] A [SEP]}, read from a
 * {@code TemplateProcessing} or {@code BertProcessing} post-processor. Pair templates are not
 * used, because the embedding job encodes one text at a time.
 */
record PostProcessor(List<Piece> template) {

    /** One item of the template: special token ids, or the sequence itself when ids is null. */
    record Piece(int[] ids, String[] tokens, int typeId) {
        boolean isSequence() {
            return ids == null;
        }
    }

    static final PostProcessor NONE = new PostProcessor(List.of(new Piece(null, null, 0)));

    static PostProcessor fromConfig(Object config) {
        if (config == null) {
            return NONE;
        }
        Map<String, Object> map = TokenizerConfig.object(config, "post_processor");
        String type = TokenizerConfig.string(map, "type", "post_processor");
        return switch (type) {
            case "TemplateProcessing" -> template(map);
            case "BertProcessing" -> bert(map);
            default -> throw new IllegalArgumentException("post-processor type '" + type
                    + "' is not supported; supported: TemplateProcessing, BertProcessing");
        };
    }

    private static PostProcessor bert(Map<String, Object> map) {
        List<?> cls = TokenizerConfig.list(map, "cls", "post_processor");
        List<?> sep = TokenizerConfig.list(map, "sep", "post_processor");
        return new PostProcessor(List.of(
                special(cls, "post_processor.cls"),
                new Piece(null, null, 0),
                special(sep, "post_processor.sep")));
    }

    private static Piece special(List<?> tokenAndId, String what) {
        if (tokenAndId.size() != 2) {
            throw new IllegalArgumentException(what + " must be [token, id], found " + tokenAndId);
        }
        String token = TokenizerConfig.string(tokenAndId.get(0), what + "[0]");
        int id = TokenizerConfig.integer(tokenAndId.get(1), what + "[1]");
        return new Piece(new int[] {id}, new String[] {token}, 0);
    }

    private static PostProcessor template(Map<String, Object> map) {
        Map<String, Object> specials = map.get("special_tokens") == null ? Map.of()
                : TokenizerConfig.object(map, "special_tokens", "post_processor");
        List<Piece> pieces = new ArrayList<>();
        int sequences = 0;
        for (Object item : TokenizerConfig.list(map, "single", "post_processor")) {
            Map<String, Object> entry = TokenizerConfig.object(item, "post_processor.single[]");
            if (entry.containsKey("Sequence")) {
                Map<String, Object> sequence = TokenizerConfig.object(entry, "Sequence",
                        "post_processor.single[]");
                String id = TokenizerConfig.string(sequence, "id", "post_processor.single[].Sequence");
                if (!id.equals("A")) {
                    throw new IllegalArgumentException("post_processor.single refers to sequence '"
                            + id + "'; a single-sequence template can only contain A");
                }
                pieces.add(new Piece(null, null, typeId(sequence)));
                sequences++;
            } else if (entry.containsKey("SpecialToken")) {
                Map<String, Object> special = TokenizerConfig.object(entry, "SpecialToken",
                        "post_processor.single[]");
                String id = TokenizerConfig.string(special, "id", "post_processor.single[].SpecialToken");
                Object definition = specials.get(id);
                if (definition == null) {
                    throw new IllegalArgumentException("post_processor.single uses special token '"
                            + id + "', which post_processor.special_tokens does not define");
                }
                Map<String, Object> tokenMap = TokenizerConfig.object(definition,
                        "post_processor.special_tokens['" + id + "']");
                List<?> ids = TokenizerConfig.list(tokenMap, "ids", "post_processor.special_tokens");
                List<?> tokens = TokenizerConfig.list(tokenMap, "tokens", "post_processor.special_tokens");
                int[] idArray = new int[ids.size()];
                String[] tokenArray = new String[ids.size()];
                for (int i = 0; i < idArray.length; i++) {
                    idArray[i] = TokenizerConfig.integer(ids.get(i), "special token id");
                    tokenArray[i] = i < tokens.size() ? TokenizerConfig.string(tokens.get(i), "special token")
                            : id;
                }
                pieces.add(new Piece(idArray, tokenArray, typeId(special)));
            } else {
                throw new IllegalArgumentException("post_processor.single contains " + entry
                        + "; expected Sequence or SpecialToken");
            }
        }
        if (sequences != 1) {
            throw new IllegalArgumentException("post_processor.single must contain sequence A"
                    + " exactly once, found " + sequences);
        }
        return new PostProcessor(List.copyOf(pieces));
    }

    private static int typeId(Map<String, Object> entry) {
        return entry.get("type_id") == null ? 0 : TokenizerConfig.integer(entry, "type_id", "template");
    }

    /** The number of special tokens the template adds around the sequence. */
    int addedTokenCount() {
        int count = 0;
        for (Piece piece : template) {
            if (!piece.isSequence()) {
                count += piece.ids().length;
            }
        }
        return count;
    }
}
