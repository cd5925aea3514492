package dev.jonnx.cli.embed;

import dev.jonnx.model.ModelIO;
import dev.jonnx.runtime.Result;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.runtime.ValueInfo;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import dev.jonnx.text.tokenizer.BertTokenizer;
import dev.jonnx.text.tokenizer.EncodedBatch;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns texts into sentence embeddings with a BERT-style ONNX model: tokenize, run the model on
 * the padded batch, mean-pool the token vectors over the attention mask, and L2-normalize.
 *
 * <p>The model may declare only the inputs {@code input_ids}, {@code attention_mask} and
 * {@code token_type_ids} (int64 or int32), each {@code [batch, sequence]}. Its output is
 * {@code last_hidden_state} or {@code token_embeddings} if one exists, else the first output:
 * {@code [batch, sequence, width]} token vectors are pooled, and {@code [batch, width]} vectors
 * are taken as already pooled. Safe to share between threads.
 */
public final class SentenceEmbedder implements AutoCloseable {
    /** The input names the embedder can fill, the standard names of Hugging Face BERT exports. */
    public static final List<String> KNOWN_INPUTS = List.of("input_ids", "attention_mask", "token_type_ids");

    private final Session session;
    private final BertTokenizer tokenizer;
    private final int maxLength;
    private final String outputName;

    /**
     * Wraps an open session; the embedder closes it when closed.
     *
     * @throws IllegalArgumentException if the model declares an input other than the three known
     *     ones, or has no outputs
     */
    public SentenceEmbedder(Session session, BertTokenizer tokenizer, int maxLength) {
        this.session = session;
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        for (ValueInfo input : session.inputs()) {
            if (!KNOWN_INPUTS.contains(input.name())) {
                session.close();
                throw new IllegalArgumentException("model " + session.model().name() + " declares input '"
                        + input.name() + "'; the embedding job can only feed " + KNOWN_INPUTS);
            }
        }
        this.outputName = chooseOutput(session);
    }

    /** Opens one of the bundled models from the classpath. */
    public static SentenceEmbedder open(BundledModel model, int threads, int maxLength) {
        BertTokenizer tokenizer = BertTokenizer.fromJson(
                new String(model.readTokenizer(), StandardCharsets.UTF_8), model.tokenizerResource());
        SessionOptions options = SessionOptions.builder().threads(threads).build();
        Session session = Session.open(ModelIO.load(model.readModel(), model.modelResource()), options);
        return new SentenceEmbedder(session, tokenizer, maxLength);
    }

    private static String chooseOutput(Session session) {
        List<ValueInfo> outputs = session.outputs();
        for (String preferred : List.of("last_hidden_state", "token_embeddings")) {
            for (ValueInfo output : outputs) {
                if (output.name().equals(preferred)) {
                    return preferred;
                }
            }
        }
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("model " + session.model().name() + " has no outputs");
        }
        return outputs.getFirst().name();
    }

    /** The name of the model output that is pooled. */
    public String outputName() {
        return outputName;
    }

    public BertTokenizer tokenizer() {
        return tokenizer;
    }

    /** Builds the model inputs for a tokenized batch: exactly the inputs the model declares. */
    public Map<String, Value> feeds(EncodedBatch batch) {
        int[] shape = {batch.size(), batch.length()};
        Map<String, Value> feeds = new LinkedHashMap<>();
        for (ValueInfo input : session.inputs()) {
            long[] values = switch (input.name()) {
                case "input_ids" -> batch.inputIds();
                case "attention_mask" -> batch.attentionMask();
                case "token_type_ids" -> batch.tokenTypeIds();
                default -> throw new IllegalStateException("unexpected input " + input.name());
            };
            DataType type = input.elementType() == null ? DataType.INT64 : input.elementType();
            Tensor tensor = type == DataType.INT64 ? Tensor.of(DataType.INT64, shape, values)
                    : Tensor.fromLongs(type, shape, values);
            feeds.put(input.name(), tensor);
        }
        return feeds;
    }

    /**
     * Returns one unit-length embedding per text, in order. The texts run as one padded batch.
     *
     * @throws dev.jonnx.RunException if the model fails
     * @throws IllegalArgumentException if the output has an unexpected shape
     */
    public float[][] embed(List<String> texts) {
        if (texts.isEmpty()) {
            return new float[0][];
        }
        EncodedBatch batch = tokenizer.encodeBatch(texts, maxLength);
        float[][] vectors;
        try (Result result = session.run(feeds(batch))) {
            vectors = pool(result.tensor(outputName), batch);
        }
        for (float[] vector : vectors) {
            Pooling.normalize(vector);
        }
        return vectors;
    }

    /** Mean-pools {@code [batch, sequence, width]} token vectors, or copies {@code [batch, width]} ones. */
    public static float[][] pool(Tensor output, EncodedBatch batch) {
        float[] values = output.toFloatArray();
        int[] shape = output.shape();
        if (shape.length == 3 && shape[0] == batch.size() && shape[1] == batch.length()) {
            return Pooling.meanPool(values, batch.attentionMask(), shape[0], shape[1], shape[2]);
        }
        if (shape.length == 2 && shape[0] == batch.size()) {
            float[][] vectors = new float[shape[0]][];
            for (int b = 0; b < shape[0]; b++) {
                vectors[b] = java.util.Arrays.copyOfRange(values, b * shape[1], (b + 1) * shape[1]);
            }
            return vectors;
        }
        throw new IllegalArgumentException("model output " + output.describe() + " is neither"
                + " [batch " + batch.size() + ", sequence " + batch.length() + ", width] token"
                + " vectors nor [batch, width] sentence vectors");
    }

    @Override
    public void close() {
        session.close();
    }
}
