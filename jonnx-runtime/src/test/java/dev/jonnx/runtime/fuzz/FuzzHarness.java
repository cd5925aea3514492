package dev.jonnx.runtime.fuzz;

import dev.jonnx.OnnxException;
import dev.jonnx.io.ValueProtos;
import dev.jonnx.model.ModelIO;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.RunOptions;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.runtime.conformance.SuiteRunner;
import dev.jonnx.tensor.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Loads and runs a (possibly hostile) model and classifies the outcome. A result or one of
 * Jonnx's own exceptions is acceptable; any other exception, an {@link Error} or a run that
 * does not finish within the time limit is a bug.
 */
final class FuzzHarness {
    /** Stack size of the thread that runs each input: the JVM's usual default, not our -Xss. */
    private static final long STACK_BYTES = 1L << 20;
    private static final Duration RUN_LIMIT = Duration.ofSeconds(5);
    private static final long HANG_SECONDS = 30;

    /** A suite case to mutate: its model bytes and the inputs of its first data set. */
    record Seed(String name, byte[] model, Map<String, Value> feeds) {}

    private FuzzHarness() {}

    /** Loads seeds from case folders; cases whose data cannot be read are left out. */
    static List<Seed> seeds(Path suite, int every) throws IOException {
        List<Path> cases = SuiteRunner.findCases(List.of(suite), null);
        List<Seed> seeds = new ArrayList<>();
        for (int i = 0; i < cases.size(); i += every) {
            Path c = cases.get(i);
            try {
                byte[] model = Files.readAllBytes(c.resolve("model.onnx"));
                ModelProto proto = ModelProto.parseFrom(model);
                Map<String, Value> feeds = new HashMap<>();
                Path data = c.resolve("test_data_set_0");
                List<ValueInfoProto> inputs = proto.getGraph().getInputList();
                for (int k = 0; k < inputs.size(); k++) {
                    Path file = data.resolve("input_" + k + ".pb");
                    if (Files.exists(file)) {
                        feeds.put(inputs.get(k).getName(), ValueProtos.read(file, inputs.get(k).getType()));
                    }
                }
                seeds.add(new Seed(c.getFileName().toString(), model, feeds));
            } catch (IOException | RuntimeException e) {
                // A case the harness cannot read is not a seed; the suite test covers it.
            }
        }
        return seeds;
    }

    static List<Path> caseFolders(Path suite) throws IOException {
        try (Stream<Path> s = Files.list(suite)) {
            return s.sorted().toList();
        }
    }

    /** Returns null when the outcome is acceptable, else a description of the bug. */
    static String check(byte[] model, Map<String, Value> feeds) {
        FutureTask<String> task = new FutureTask<>(() -> runOnce(model, feeds));
        Thread thread = new Thread(null, task, "fuzz-input", STACK_BYTES);
        thread.setDaemon(true);
        thread.start();
        try {
            return task.get(HANG_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            thread.interrupt();
            return "did not finish within " + HANG_SECONDS + " s";
        } catch (ExecutionException e) {
            return "harness failure: " + e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static String runOnce(byte[] model, Map<String, Value> feeds) {
        try (Session session = Session.open(ModelIO.load(model, "fuzzed.onnx"), SessionOptions.defaults())) {
            session.run(feeds, RunOptions.withTimeout(RUN_LIMIT)).close();
            return null;
        } catch (OnnxException e) {
            return null;
        } catch (RuntimeException | Error e) {
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(trace));
            String text = trace.toString();
            return text.length() > 1500 ? text.substring(0, 1500) : text;
        }
    }
}
