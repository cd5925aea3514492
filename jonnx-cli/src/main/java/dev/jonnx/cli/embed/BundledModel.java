package dev.jonnx.cli.embed;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The sentence-embedding models whose ONNX file and {@code tokenizer.json} ship as classpath
 * resources in the langchain4j embedding jars (dev.langchain4j:langchain4j-embeddings-*).
 */
public enum BundledModel {
    /** sentence-transformers all-MiniLM-L6-v2, float32: 384 dimensions. */
    ALL_MINILM_L6_V2("all-minilm-l6-v2", "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json"),
    /** all-MiniLM-L6-v2 with int8 dynamically quantized matrix multiplications. */
    ALL_MINILM_L6_V2_Q("all-minilm-l6-v2-q", "all-minilm-l6-v2-q.onnx",
            "all-minilm-l6-v2-q-tokenizer.json"),
    /** intfloat e5-small-v2, int8 quantized: 384 dimensions; texts should start "query: " or "passage: ". */
    E5_SMALL_V2_Q("e5-small-v2-q", "e5-small-v2-q.onnx", "e5-small-v2-q-tokenizer.json");

    private final String id;
    private final String modelResource;
    private final String tokenizerResource;

    BundledModel(String id, String modelResource, String tokenizerResource) {
        this.id = id;
        this.modelResource = modelResource;
        this.tokenizerResource = tokenizerResource;
    }

    /** The name given to {@code jonnx embed --model}. */
    public String id() {
        return id;
    }

    public String modelResource() {
        return modelResource;
    }

    public String tokenizerResource() {
        return tokenizerResource;
    }

    /** Returns the model named {@code id}, or null when no bundled model has that name. */
    public static BundledModel find(String id) {
        for (BundledModel model : values()) {
            if (model.id.equals(id)) {
                return model;
            }
        }
        return null;
    }

    /** The names of all bundled models, comma-separated, for help text and messages. */
    public static String ids() {
        return Arrays.stream(values()).map(BundledModel::id).collect(Collectors.joining(", "));
    }

    /** Reads the bytes of the model's ONNX file from the classpath. */
    public byte[] readModel() {
        return read(modelResource);
    }

    /** Reads the bytes of the model's tokenizer.json from the classpath. */
    public byte[] readTokenizer() {
        return read(tokenizerResource);
    }

    private byte[] read(String resource) {
        try (InputStream in = BundledModel.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " of model " + id
                        + " is not on the classpath; the langchain4j-embeddings-" + id
                        + " jar is missing");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + resource + ": " + e.getMessage(), e);
        }
    }
}
