package dev.jonnx.text.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A WordPiece tokenizer read from a Hugging Face {@code tokenizer.json}, giving the same ids as
 * the Hugging Face tokenizers library for the components it supports. Encoding runs in this
 * order: split out added tokens such as {@code [MASK]} from the raw text, normalize each
 * remaining piece, pre-tokenize it into words, split each word into WordPiece tokens, truncate,
 * and add the post-processor's special tokens.
 *
 * <p>Components outside the supported set (see {@link Normalizers}, {@link PreTokenizers},
 * {@link PostProcessor}; models other than WordPiece) are rejected when the file is read. The
 * file's own "truncation" and "padding" sections are ignored: callers pass the maximum length,
 * and batches are padded to their longest row.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class BertTokenizer {
    private final UnaryOperator<String> normalizer;
    private final Function<String, List<String>> preTokenizer;
    private final WordPiece model;
    private final PostProcessor postProcessor;
    /** Added tokens matched in the raw text, longest first so that the longest match wins. */
    private final List<AddedToken> addedTokens;
    private final int padId;
    private final int padTypeId;

    private record AddedToken(String content, int id, boolean leftStrip, boolean rightStrip) {}

    private BertTokenizer(Map<String, Object> root) {
        this.model = WordPiece.fromConfig(TokenizerConfig.object(root, "model", "tokenizer.json"));
        this.normalizer = Normalizers.fromConfig(root.get("normalizer"));
        this.preTokenizer = PreTokenizers.fromConfig(root.get("pre_tokenizer"));
        this.postProcessor = PostProcessor.fromConfig(root.get("post_processor"));
        this.addedTokens = readAddedTokens(root.get("added_tokens"));
        Map<String, Object> padding = root.get("padding") == null ? Map.of()
                : TokenizerConfig.object(root.get("padding"), "padding");
        Integer padToken = model.id("[PAD]");
        this.padId = padding.get("pad_id") != null ? TokenizerConfig.integer(padding, "pad_id", "padding")
                : padToken != null ? padToken : 0;
        this.padTypeId = padding.get("pad_type_id") != null
                ? TokenizerConfig.integer(padding, "pad_type_id", "padding") : 0;
    }

    /**
     * Reads a tokenizer from the text of a {@code tokenizer.json}.
     *
     * @throws IllegalArgumentException if the text is not valid JSON, a required field is
     *     missing, or the file uses a component this class does not implement
     */
    public static BertTokenizer fromJson(String json, String sourceName) {
        try {
            return new BertTokenizer(TokenizerConfig.object(Json.parse(json), "tokenizer.json"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tokenizer " + sourceName + ": " + e.getMessage(), e);
        }
    }

    /** Reads a {@code tokenizer.json} file; see {@link #fromJson}. */
    public static BertTokenizer fromFile(Path file) throws IOException {
        return fromJson(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Reads a {@code tokenizer.json} from a stream, which is not closed; see {@link #fromJson}. */
    public static BertTokenizer fromStream(InputStream in, String sourceName) throws IOException {
        return fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), sourceName);
    }

    private List<AddedToken> readAddedTokens(Object config) {
        List<AddedToken> tokens = new ArrayList<>();
        if (config == null) {
            return tokens;
        }
        if (!(config instanceof List<?> list)) {
            throw new IllegalArgumentException("added_tokens must be a JSON array");
        }
        for (Object item : list) {
            Map<String, Object> token = TokenizerConfig.object(item, "added_tokens[]");
            String content = TokenizerConfig.string(token, "content", "added_tokens[]");
            int id = TokenizerConfig.integer(token, "id", "added_tokens[]");
            if (TokenizerConfig.bool(token, "normalized", false)) {
                throw new IllegalArgumentException("added token '" + content + "' has"
                        + " normalized: true, which is not supported; only tokens matched in the"
                        + " raw text are");
            }
            if (TokenizerConfig.bool(token, "single_word", false)) {
                throw new IllegalArgumentException("added token '" + content + "' has"
                        + " single_word: true, which is not supported");
            }
            if (!content.isEmpty()) {
                tokens.add(new AddedToken(content, id, TokenizerConfig.bool(token, "lstrip", false),
                        TokenizerConfig.bool(token, "rstrip", false)));
            }
        }
        tokens.sort(Comparator.comparingInt((AddedToken t) -> t.content().length()).reversed());
        return List.copyOf(tokens);
    }

    /** The id used for padding: the file's padding.pad_id, else the id of [PAD], else 0. */
    public int padId() {
        return padId;
    }

    /** Returns the vocabulary id of {@code token}, or -1 when it has none. */
    public int tokenToId(String token) {
        Integer id = model.id(token);
        return id == null ? -1 : id;
    }

    /** Returns the vocabulary entry of {@code id}, or null when no entry has it. */
    public String idToToken(int id) {
        return model.token(id);
    }

    /**
     * Encodes one text, keeping at most {@code maxLength} tokens including the special tokens;
     * longer texts lose their last tokens.
     *
     * @throws IllegalArgumentException if {@code maxLength} leaves no room beside the special tokens
     */
    public Encoding encode(String text, int maxLength) {
        int added = postProcessor.addedTokenCount();
        if (maxLength <= added) {
            throw new IllegalArgumentException("max length " + maxLength + " leaves no room for"
                    + " text beside the " + added + " special tokens");
        }
        IntList ids = new IntList();
        List<String> tokens = new ArrayList<>();
        tokenizeText(text, ids, tokens);
        int kept = Math.min(ids.size(), maxLength - added);
        int[] sequenceIds = ids.toArray();
        return assemble(sequenceIds, tokens, kept);
    }

    /** Encodes several texts and pads them to the longest; see {@link #encode}. */
    public EncodedBatch encodeBatch(List<String> texts, int maxLength) {
        List<Encoding> encodings = new ArrayList<>(texts.size());
        int length = 0;
        for (String text : texts) {
            Encoding encoding = encode(text, maxLength);
            encodings.add(encoding);
            length = Math.max(length, encoding.length());
        }
        int size = encodings.size();
        long[] inputIds = new long[size * length];
        long[] attentionMask = new long[size * length];
        long[] tokenTypeIds = new long[size * length];
        for (int row = 0; row < size; row++) {
            Encoding encoding = encodings.get(row);
            int base = row * length;
            for (int i = 0; i < length; i++) {
                boolean token = i < encoding.length();
                inputIds[base + i] = token ? encoding.ids()[i] : padId;
                tokenTypeIds[base + i] = token ? encoding.typeIds()[i] : padTypeId;
                attentionMask[base + i] = token ? 1 : 0;
            }
        }
        return new EncodedBatch(size, length, inputIds, attentionMask, tokenTypeIds);
    }

    private Encoding assemble(int[] sequenceIds, List<String> sequenceTokens, int kept) {
        int total = kept + postProcessor.addedTokenCount();
        int[] ids = new int[total];
        int[] typeIds = new int[total];
        String[] tokens = new String[total];
        int n = 0;
        for (PostProcessor.Piece piece : postProcessor.template()) {
            if (piece.isSequence()) {
                System.arraycopy(sequenceIds, 0, ids, n, kept);
                for (int i = 0; i < kept; i++) {
                    tokens[n + i] = sequenceTokens.get(i);
                }
                Arrays.fill(typeIds, n, n + kept, piece.typeId());
                n += kept;
            } else {
                for (int i = 0; i < piece.ids().length; i++) {
                    ids[n] = piece.ids()[i];
                    tokens[n] = piece.tokens()[i];
                    typeIds[n] = piece.typeId();
                    n++;
                }
            }
        }
        return new Encoding(ids, typeIds, tokens);
    }

    /** Splits out added tokens, then runs the normal pipeline on the text between them. */
    private void tokenizeText(String text, IntList ids, List<String> tokens) {
        int segmentStart = 0;
        int i = 0;
        while (i < text.length()) {
            AddedToken match = addedTokenAt(text, i);
            if (match == null) {
                i++;
                continue;
            }
            int segmentEnd = i;
            if (match.leftStrip()) {
                while (segmentEnd > segmentStart
                        && UnicodeChars.isWhitespace(text.codePointBefore(segmentEnd))) {
                    segmentEnd -= Character.charCount(text.codePointBefore(segmentEnd));
                }
            }
            tokenizeSegment(text.substring(segmentStart, segmentEnd), ids, tokens);
            ids.add(match.id());
            tokens.add(match.content());
            i += match.content().length();
            if (match.rightStrip()) {
                while (i < text.length() && UnicodeChars.isWhitespace(text.codePointAt(i))) {
                    i += Character.charCount(text.codePointAt(i));
                }
            }
            segmentStart = i;
        }
        tokenizeSegment(text.substring(segmentStart), ids, tokens);
    }

    private AddedToken addedTokenAt(String text, int index) {
        for (AddedToken token : addedTokens) {
            if (text.startsWith(token.content(), index)) {
                return token;
            }
        }
        return null;
    }

    private void tokenizeSegment(String segment, IntList ids, List<String> tokens) {
        if (segment.isEmpty()) {
            return;
        }
        String normalized = normalizer.apply(segment);
        for (String word : preTokenizer.apply(normalized)) {
            model.tokenize(word, ids, tokens);
        }
    }
}
