package dev.jonnx.text.tokenizer;

/**
 * The tokens of one text with their vocabulary ids and token type ids (segment ids), special
 * tokens included. Every token is attended to, so the attention mask is all ones until padded.
 */
public record Encoding(int[] ids, int[] typeIds, String[] tokens) {

    public int length() {
        return ids.length;
    }
}
