package dev.jonnx.cli.embed;

import dev.jonnx.cli.OptionValues;
import dev.jonnx.cli.UsageException;
import dev.jonnx.model.ModelIO;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.text.tokenizer.BertTokenizer;
import dev.jonnx.text.tokenizer.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Prints sentence embeddings of texts as JSON lines. */
@Command(name = "embed", description = {
        "Compute sentence embeddings (mean pooling over the attention mask, then L2"
                + " normalization) and print one JSON object per text:"
                + " {\"text\": ..., \"embedding\": [...]}.",
        "Texts come from the arguments, or one per line from standard input when none is given."})
public final class EmbedCommand implements Callable<Integer> {

    @Parameters(arity = "0..*", paramLabel = "TEXT", description = "Texts to embed.")
    List<String> texts = new ArrayList<>();

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL", defaultValue = "all-minilm-l6-v2",
            description = "A bundled model (all-minilm-l6-v2, all-minilm-l6-v2-q,"
                    + " e5-small-v2-q) or the path of a BERT-style .onnx file"
                    + " (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = {"-t", "--tokenizer"}, paramLabel = "FILE",
            description = "The tokenizer.json for a model given as a path (default: tokenizer.json"
                    + " in the model's folder).")
    Path tokenizer;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
            description = "Texts padded and run together (default: ${DEFAULT-VALUE}).")
    int batchSize;

    /** The position embeddings of the bundled BERT models. */
    private static final int BERT_POSITIONS = 512;

    @Option(names = "--max-length", paramLabel = "TOKENS", defaultValue = "512",
            description = "Tokens kept per text, special tokens included; longer texts are"
                    + " truncated (default: ${DEFAULT-VALUE}, the position limit of BERT models).")
    int maxLength;

    @Option(names = "--prefix", defaultValue = "", paramLabel = "TEXT",
            description = "Text put before every input before tokenizing, such as \"query: \" for"
                    + " e5 models; the JSON output shows the input without it.")
    String prefix;

    @Option(names = "--threads", paramLabel = "N", description = "Intra-op threads (default: the"
            + " number of processors, at most " + SessionOptions.MAX_THREADS + ").")
    int threads = Math.min(Runtime.getRuntime().availableProcessors(), SessionOptions.MAX_THREADS);

    @Override
    public Integer call() throws IOException {
        OptionValues.checkAtLeast("--batch-size", batchSize, 1);
        OptionValues.checkThreads("--threads", threads);
        if (maxLength < 3) {
            throw new UsageException("--max-length must be at least 3 (the [CLS] and [SEP]"
                    + " tokens and one token of text), got " + maxLength);
        }
        int limit = positionLimit();
        if (maxLength > limit) {
            throw new UsageException("--max-length " + maxLength + " exceeds the model's "
                    + limit + " position embeddings; use at most " + limit);
        }
        PrintStream out = System.out;
        try (SentenceEmbedder embedder = openEmbedder()) {
            if (!texts.isEmpty()) {
                for (int start = 0; start < texts.size(); start += batchSize) {
                    List<String> batch = texts.subList(start, Math.min(texts.size(), start + batchSize));
                    write(out, batch, embedder);
                }
            } else {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                List<String> batch = new ArrayList<>(batchSize);
                String line;
                while ((line = in.readLine()) != null) {
                    batch.add(line);
                    if (batch.size() == batchSize) {
                        write(out, batch, embedder);
                        batch.clear();
                    }
                }
                write(out, batch, embedder);
            }
        }
        out.flush();
        return 0;
    }

    /**
     * Returns the number of positions the model embeds: 512 for the bundled BERT models, else
     * {@code max_position_embeddings} from a config.json beside the model, else no limit.
     */
    private int positionLimit() throws IOException {
        if (BundledModel.find(model) != null) {
            return BERT_POSITIONS;
        }
        Path folder = Path.of(model).toAbsolutePath().getParent();
        Path config = folder == null ? null : folder.resolve("config.json");
        if (config == null || !Files.isRegularFile(config)) {
            return Integer.MAX_VALUE;
        }
        Object parsed;
        try {
            parsed = Json.parse(Files.readString(config));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid JSON in " + config + ": " + e.getMessage(), e);
        }
        if (parsed instanceof Map<?, ?> map && map.get("max_position_embeddings") instanceof Number n) {
            return n.intValue();
        }
        return Integer.MAX_VALUE;
    }

    private SentenceEmbedder openEmbedder() throws IOException {
        BundledModel bundled = BundledModel.find(model);
        if (bundled != null) {
            if (tokenizer != null) {
                throw new UsageException("--tokenizer applies only to a model given as a path;"
                        + " the bundled model " + model + " has its own");
            }
            return SentenceEmbedder.open(bundled, threads, maxLength);
        }
        Path modelPath = Path.of(model);
        if (!Files.isRegularFile(modelPath)) {
            throw new IllegalArgumentException("--model '" + model + "' is neither a bundled model ("
                    + BundledModel.ids() + ") nor an existing .onnx file");
        }
        Path tokenizerPath = tokenizer;
        if (tokenizerPath == null) {
            Path folder = modelPath.toAbsolutePath().getParent();
            tokenizerPath = folder.resolve("tokenizer.json");
            if (!Files.isRegularFile(tokenizerPath)) {
                throw new IllegalArgumentException("no tokenizer.json beside " + modelPath
                        + "; pass --tokenizer FILE");
            }
        }
        BertTokenizer bert = BertTokenizer.fromFile(tokenizerPath);
        SessionOptions options = SessionOptions.builder().threads(threads).build();
        return new SentenceEmbedder(Session.open(ModelIO.load(modelPath), options), bert, maxLength);
    }

    private void write(PrintStream out, List<String> batch, SentenceEmbedder embedder) {
        if (batch.isEmpty()) {
            return;
        }
        List<String> inputs = batch;
        if (!prefix.isEmpty()) {
            inputs = batch.stream().map(text -> prefix + text).toList();
        }
        float[][] vectors = embedder.embed(inputs);
        for (int i = 0; i < batch.size(); i++) {
            String line = toJsonLine(batch.get(i), vectors[i]);
            byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            out.write(bytes, 0, bytes.length);
        }
        out.flush();
    }

    /** Formats one output line; floats use Java's shortest decimal form that reads back exactly. */
    static String toJsonLine(String text, float[] vector) {
        StringBuilder line = new StringBuilder(vector.length * 12 + text.length() + 32);
        line.append("{\"text\": ");
        Json.appendString(line, text);
        line.append(", \"embedding\": [");
        for (int k = 0; k < vector.length; k++) {
            if (!Float.isFinite(vector[k])) {
                throw new IllegalStateException("the embedding of \"" + text + "\" has the non-finite"
                        + " value " + vector[k] + " at index " + k);
            }
            if (k > 0) {
                line.append(", ");
            }
            line.append(vector[k]);
        }
        return line.append("]}\n").toString();
    }
}
