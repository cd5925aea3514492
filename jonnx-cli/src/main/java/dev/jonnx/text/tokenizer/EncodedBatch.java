package dev.jonnx.text.tokenizer;

/**
 * Several encodings padded on the right to the same length, as row-major {@code [size, length]}
 * arrays in the int64 form that BERT-style ONNX models take.
 *
 * @param size the number of texts
 * @param length the tokens per row, the longest encoding's length
 * @param inputIds token ids, with the pad id after each row's tokens
 * @param attentionMask 1 for a token and 0 for padding
 * @param tokenTypeIds segment ids, with the pad type id after each row's tokens
 */
public record EncodedBatch(int size, int length, long[] inputIds, long[] attentionMask,
        long[] tokenTypeIds) {}
