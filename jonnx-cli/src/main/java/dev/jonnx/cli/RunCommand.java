package dev.jonnx.cli;

import dev.jonnx.io.Npy;
import dev.jonnx.io.ValueProtos;
import dev.jonnx.onnx.TypeProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.Result;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Runs a model on inputs read from .npy or .pb files. */
@Command(name = "run", description = "Run a model on inputs from .npy or .pb (TensorProto,"
        + " SequenceProto, MapProto, OptionalProto) files and print or save its outputs.")
final class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file.")
    Path model;

    @Option(names = {"-i", "--input"}, paramLabel = "NAME=FILE",
            description = "An input value; repeat for each input. FILE ends in .npy or .pb.")
    List<String> inputs = new ArrayList<>();

    @Option(names = {"-o", "--output-dir"}, paramLabel = "DIR",
            description = "Write each output to DIR/NAME.npy (tensors NumPy can hold) or DIR/NAME.pb."
                    + " Characters other than letters, digits, '.', '_' and '-' become '_', and a"
                    + " name that maps to the file name of an earlier output gets the suffix _2, _3, ...")
    Path outputDir;

    /** File names without extension used so far by -o, in lower case for case-insensitive file systems. */
    private final Set<String> usedStems = new HashSet<>();

    @Option(names = "--threads", defaultValue = "1", description = "Intra-op threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--inter-op-threads", defaultValue = "1",
            description = "Threads that run independent nodes at the same time; 1 runs the nodes"
                    + " one after another (default: ${DEFAULT-VALUE}).")
    int interOpThreads;

    @Override
    public Integer call() throws IOException {
        OptionValues.checkThreads("--threads", threads);
        OptionValues.checkThreads("--inter-op-threads", interOpThreads);
        Map<String, Path> inputFiles = KeyValues.parse("--input", inputs, RunCommand::inputFile);
        SessionOptions options = SessionOptions.builder().threads(threads)
                .interOpThreads(interOpThreads).build();
        try (Session session = Session.open(model, options)) {
            Map<String, Value> feeds = new LinkedHashMap<>();
            List<ValueInfoProto> declared = session.graph().inputInfos();
            for (Map.Entry<String, Path> e : inputFiles.entrySet()) {
                TypeProto type = declared.stream().filter(d -> d.getName().equals(e.getKey()))
                        .map(ValueInfoProto::getType).findFirst().orElse(null);
                if (declared.stream().noneMatch(d -> d.getName().equals(e.getKey()))) {
                    throw new UsageException("--input " + e.getKey() + ": not an input of the"
                            + " model; its inputs are " + declared.stream().map(ValueInfoProto::getName).toList());
                }
                feeds.put(e.getKey(), readInput(e.getKey(), e.getValue(), type));
            }
            if (outputDir != null) {
                prepareOutputDir();
            }
            long start = System.nanoTime();
            try (Result result = session.run(feeds)) {
                double ms = (System.nanoTime() - start) / 1e6;
                for (Map.Entry<String, Value> out : result) {
                    System.out.println(out.getKey() + ": " + out.getValue().describe());
                    System.out.println("  " + Preview.of(out.getValue()));
                    if (outputDir != null) {
                        write(out.getKey(), out.getValue());
                    }
                }
                System.out.printf("ran in %.1f ms%n", ms);
            }
        }
        return 0;
    }

    /** Converts the FILE of an --input entry, which must name a .npy or .pb file. */
    static Path inputFile(String text) {
        if (!text.endsWith(".npy") && !text.endsWith(".pb")) {
            throw new IllegalArgumentException("expected a file ending in .npy or .pb");
        }
        return Path.of(text);
    }

    /**
     * Reads the value of input {@code name} from a file checked by {@link #inputFile}.
     *
     * @throws IllegalArgumentException naming the input and the file if the file is missing or
     *     does not hold a value of {@code type}
     */
    static Value readInput(String name, Path file, TypeProto type) {
        try {
            return read(file, type);
        } catch (RuntimeException failure) {
            throw new IllegalArgumentException("input '" + name + "' from " + file + ": "
                    + (Files.exists(file) ? failure.getMessage() : "file not found"), failure);
        }
    }

    private static Value read(Path file, TypeProto type) {
        if (file.getFileName().toString().endsWith(".npy")) {
            return Npy.read(file);
        }
        return ValueProtos.read(file, type);
    }

    /**
     * Creates the output folder and checks that a file can be created in it, so that an
     * unwritable path fails before the model runs.
     */
    private void prepareOutputDir() throws IOException {
        try {
            Files.createDirectories(outputDir);
        } catch (IOException e) {
            throw new IOException("cannot create output folder " + outputDir + " ("
                    + Main.reason(e) + ")", e);
        }
        try {
            Files.delete(Files.createTempFile(outputDir, ".jonnx-write-check", ".tmp"));
        } catch (IOException e) {
            throw new IOException("cannot write to output folder " + outputDir + " ("
                    + Main.reason(e) + ")", e);
        }
    }

    private void write(String name, Value value) throws IOException {
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        String stem = safe;
        for (int n = 2; !usedStems.add(stem.toLowerCase(Locale.ROOT)); n++) {
            stem = safe + "_" + n;
        }
        Path file = outputDir.resolve(stem + ".npy");
        byte[] bytes = value instanceof Tensor t ? npyBytes(t) : null;
        if (bytes == null) {
            file = outputDir.resolve(stem + ".pb");
            bytes = ValueProtos.toProto(value, name).toByteArray();
        }
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new IOException("cannot write output '" + name + "' to " + file + " ("
                    + Main.reason(e) + ")", e);
        }
        if (!stem.equals(safe)) {
            System.out.println("  written to " + file + " because an earlier output took its file name");
        }
    }

    /** Returns the .npy encoding of {@code t}, or null for types NumPy lacks (bfloat16, float8, int4). */
    private static byte[] npyBytes(Tensor t) {
        try {
            return Npy.toBytes(t);
        } catch (IllegalArgumentException noNumpyType) {
            return null;
        }
    }
}
