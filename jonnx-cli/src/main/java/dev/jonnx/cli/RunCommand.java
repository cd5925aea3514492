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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
            description = "Write each output to DIR/NAME.npy (tensors NumPy can hold) or DIR/NAME.pb.")
    Path outputDir;

    @Option(names = "--threads", defaultValue = "1", description = "Intra-op threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--inter-op-threads", defaultValue = "1",
            description = "Threads that run independent nodes at the same time; 1 runs the nodes"
                    + " one after another (default: ${DEFAULT-VALUE}).")
    int interOpThreads;

    @Override
    public Integer call() throws IOException {
        if (threads < 1) {
            throw new UsageException("--threads must be at least 1, got " + threads);
        }
        if (interOpThreads < 1) {
            throw new UsageException("--inter-op-threads must be at least 1, got " + interOpThreads);
        }
        SessionOptions options = SessionOptions.builder().threads(threads)
                .interOpThreads(interOpThreads).build();
        try (Session session = Session.open(model, options)) {
            Map<String, Value> feeds = new LinkedHashMap<>();
            List<ValueInfoProto> declared = session.graph().inputInfos();
            for (Map.Entry<String, Path> e : KeyValues.parse("--input", inputs, Path::of).entrySet()) {
                TypeProto type = declared.stream().filter(d -> d.getName().equals(e.getKey()))
                        .map(ValueInfoProto::getType).findFirst().orElse(null);
                if (declared.stream().noneMatch(d -> d.getName().equals(e.getKey()))) {
                    throw new IllegalArgumentException("--input " + e.getKey() + ": not an input of the"
                            + " model; its inputs are " + declared.stream().map(ValueInfoProto::getName).toList());
                }
                try {
                    feeds.put(e.getKey(), read(e.getValue(), type));
                } catch (RuntimeException failure) {
                    throw new IllegalArgumentException("input '" + e.getKey() + "' from " + e.getValue()
                            + ": " + (java.nio.file.Files.exists(e.getValue()) ? failure.getMessage()
                            : "file not found"), failure);
                }
            }
            long start = System.nanoTime();
            try (Result result = session.run(feeds)) {
                double ms = (System.nanoTime() - start) / 1e6;
                if (outputDir != null) {
                    Files.createDirectories(outputDir);
                }
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

    private static Value read(Path file, TypeProto type) {
        String name = file.getFileName().toString();
        if (name.endsWith(".npy")) {
            return Npy.read(file);
        }
        if (name.endsWith(".pb")) {
            return ValueProtos.read(file, type);
        }
        throw new IllegalArgumentException("input file " + file + " must end in .npy or .pb");
    }

    private void write(String name, Value value) throws IOException {
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        if (value instanceof Tensor t) {
            try {
                Npy.write(t, outputDir.resolve(safe + ".npy"));
                return;
            } catch (IllegalArgumentException noNumpyType) {
                // Types NumPy lacks (bfloat16, float8, int4) are written as TensorProto below.
            }
        }
        Files.write(outputDir.resolve(safe + ".pb"), ValueProtos.toProto(value, name).toByteArray());
    }
}
