package dev.jonnx.runtime.conformance;

import dev.jonnx.UnsupportedOperatorException;
import dev.jonnx.io.ValueProtos;
import dev.jonnx.model.ModelIO;
import dev.jonnx.model.OnnxModel;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.Result;
import dev.jonnx.runtime.RunOptions;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.tensor.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs ONNX backend test cases: a folder with {@code model.onnx} and
 * {@code test_data_set_N/{input,output}_K.pb}. Inputs feed the graph inputs in order; outputs
 * are compared with {@link ValueComparator}.
 */
public final class SuiteRunner {
    /** How a case ended. SKIPPED: the case folder has no test data set to run. */
    public enum Status { PASSED, FAILED, SKIPPED }

    /** The outcome of one case; {@code operators} lists the op types of the model's nodes. */
    public record CaseResult(String suite, String name, Status status, Set<String> operators,
            String reason, long millis) {

        /** "suite/name", the key used in the known-failures file. */
        public String id() {
            return suite + "/" + name;
        }
    }

    private final SessionOptions options;
    private final Duration timeout;
    private final int jobs;

    public SuiteRunner(SessionOptions options, Duration timeout, int jobs) {
        this.options = options;
        this.timeout = timeout;
        this.jobs = Math.max(1, jobs);
    }

    /** Finds the case folders under each root: the root itself if it contains a model.onnx. */
    public static List<Path> findCases(List<Path> roots, Pattern filter) throws IOException {
        List<Path> cases = new ArrayList<>();
        for (Path root : roots) {
            if (Files.isRegularFile(root.resolve("model.onnx"))) {
                cases.add(root);
                continue;
            }
            if (!Files.isDirectory(root)) {
                throw new IOException("not a test case or folder of test cases: " + root);
            }
            try (Stream<Path> children = Files.list(root)) {
                children.filter(p -> Files.isRegularFile(p.resolve("model.onnx")))
                        .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                        .forEach(cases::add);
            }
        }
        if (filter != null) {
            cases.removeIf(p -> !filter.matcher(p.getFileName().toString()).find());
        }
        return cases;
    }

    /** Runs the cases, {@code jobs} at a time, and returns the results in case order. */
    public List<CaseResult> run(List<Path> cases) {
        ExecutorService executor = Executors.newFixedThreadPool(jobs, r -> {
            Thread t = new Thread(null, r, "suite-runner", 256L << 20);
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<CaseResult>> futures = new ArrayList<>();
            for (Path c : cases) {
                futures.add(executor.submit(() -> runCase(c)));
            }
            List<CaseResult> results = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                try {
                    results.add(futures.get(i).get());
                } catch (ExecutionException e) {
                    Path c = cases.get(i);
                    results.add(new CaseResult(suiteOf(c), c.getFileName().toString(), Status.FAILED,
                            Set.of(), "runner error: " + e.getCause(), 0));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            return results;
        } finally {
            executor.shutdownNow();
        }
    }

    private static String suiteOf(Path caseDir) {
        Path parent = caseDir.toAbsolutePath().normalize().getParent();
        return parent == null || parent.getFileName() == null ? "" : parent.getFileName().toString();
    }

    /** Runs one case folder. */
    public CaseResult runCase(Path caseDir) {
        String suite = suiteOf(caseDir);
        String name = caseDir.getFileName().toString();
        long start = System.nanoTime();
        Set<String> operators = new LinkedHashSet<>();
        try {
            List<Path> dataSets;
            try (Stream<Path> s = Files.list(caseDir)) {
                dataSets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set_"))
                        .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                        .toList();
            }
            OnnxModel model = ModelIO.load(caseDir.resolve("model.onnx"));
            for (NodeProto n : model.proto().getGraph().getNodeList()) {
                operators.add(n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx")
                        ? n.getOpType() : n.getDomain() + "." + n.getOpType());
            }
            if (dataSets.isEmpty()) {
                model.close();
                return new CaseResult(suite, name, Status.SKIPPED, operators, "no test_data_set folder",
                        elapsed(start));
            }
            try (Session session = Session.open(model, options)) {
                for (Path dataSet : dataSets) {
                    String failure = runDataSet(session, dataSet);
                    if (failure != null) {
                        return new CaseResult(suite, name, Status.FAILED, operators,
                                dataSet.getFileName() + ": " + failure, elapsed(start));
                    }
                }
            }
            return new CaseResult(suite, name, Status.PASSED, operators, null, elapsed(start));
        } catch (UnsupportedOperatorException e) {
            return new CaseResult(suite, name, Status.FAILED, operators, e.getMessage(), elapsed(start));
        } catch (IOException | RuntimeException e) {
            return new CaseResult(suite, name, Status.FAILED, operators,
                    e.getClass().getSimpleName() + ": " + e.getMessage(), elapsed(start));
        } catch (StackOverflowError | OutOfMemoryError e) {
            return new CaseResult(suite, name, Status.FAILED, operators, e.toString(), elapsed(start));
        }
    }

    private String runDataSet(Session session, Path dataSet) throws IOException {
        List<ValueInfoProto> declaredInputs = session.graph().inputInfos();
        List<ValueInfoProto> declaredOutputs = session.graph().outputInfos();
        List<Path> inputFiles = numbered(dataSet, "input_");
        List<Path> outputFiles = numbered(dataSet, "output_");
        Map<String, Value> feeds = new HashMap<>();
        for (int i = 0; i < inputFiles.size(); i++) {
            if (i >= declaredInputs.size()) {
                return "the test data has " + inputFiles.size() + " inputs, the model declares "
                        + declaredInputs.size();
            }
            ValueInfoProto in = declaredInputs.get(i);
            feeds.put(in.getName(), ValueProtos.read(inputFiles.get(i), in.getType()));
        }
        List<Value> expected = new ArrayList<>();
        for (int i = 0; i < outputFiles.size(); i++) {
            var type = i < declaredOutputs.size() ? declaredOutputs.get(i).getType() : null;
            expected.add(ValueProtos.read(outputFiles.get(i), type));
        }
        try (Result result = session.run(feeds, RunOptions.withTimeout(timeout))) {
            if (result.size() < expected.size()) {
                return "expected " + expected.size() + " outputs, got " + result.size();
            }
            ValueComparator comparator = ValueComparator.suiteDefault();
            for (int i = 0; i < expected.size(); i++) {
                String diff = comparator.compare(expected.get(i), result.get(i));
                if (diff != null) {
                    return "output " + i + " '" + result.names().get(i) + "': " + diff;
                }
            }
        }
        return null;
    }

    private static List<Path> numbered(Path dir, String prefix) throws IOException {
        TreeMap<Integer, Path> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> {
                String f = p.getFileName().toString();
                if (f.startsWith(prefix) && f.endsWith(".pb")) {
                    try {
                        files.put(Integer.parseInt(f.substring(prefix.length(), f.length() - 3)), p);
                    } catch (NumberFormatException ignored) {
                        // Not a numbered data file; the suite has none, but stray files are left alone.
                    }
                }
            });
        }
        return List.copyOf(files.values());
    }

    private static long elapsed(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** One line for a case that did not pass: the case, its operators and why. */
    public static String describe(CaseResult r) {
        String reason = r.reason() == null ? "" : r.reason().replace('\n', ' ');
        if (reason.length() > 400) {
            reason = reason.substring(0, 400) + "...";
        }
        return r.status() + " " + r.id() + " " + r.operators() + ": " + reason;
    }

    /** The closing line: {@code N passed, N failed, N skipped}. */
    public static String summary(List<CaseResult> results) {
        long passed = results.stream().filter(r -> r.status() == Status.PASSED).count();
        long failed = results.stream().filter(r -> r.status() == Status.FAILED).count();
        long skipped = results.stream().filter(r -> r.status() == Status.SKIPPED).count();
        return passed + " passed, " + failed + " failed, " + skipped + " skipped";
    }

    /** A Markdown report: totals, counts per operator and every case that did not pass. */
    public static String markdown(List<CaseResult> results) {
        StringBuilder md = new StringBuilder("# ONNX backend suite results\n\n");
        md.append(summary(results)).append("\n\n## Per operator\n\n");
        md.append("| operator | passed | failed | skipped |\n|---|---:|---:|---:|\n");
        TreeMap<String, long[]> perOp = new TreeMap<>();
        for (CaseResult r : results) {
            for (String op : r.operators().isEmpty() ? Set.of("(none)") : r.operators()) {
                perOp.computeIfAbsent(op, k -> new long[3])[r.status().ordinal()]++;
            }
        }
        perOp.forEach((op, c) -> md.append("| ").append(op).append(" | ").append(c[0]).append(" | ")
                .append(c[1]).append(" | ").append(c[2]).append(" |\n"));
        md.append("\n## Cases that did not pass\n\n");
        for (CaseResult r : results) {
            if (r.status() != Status.PASSED) {
                md.append("- `").append(r.id()).append("` ").append(r.status()).append(": ")
                        .append(r.reason() == null ? "" : r.reason().replace('\n', ' ').replace("|", "\\|"))
                        .append('\n');
            }
        }
        return md.toString();
    }
}
