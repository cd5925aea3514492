package dev.jonnx.cli;

import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.Result;
import dev.jonnx.runtime.RunOptions;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.runtime.ValueInfo;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.NodeProfiler;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Times a model on generated or given inputs and can write a per-node Chrome trace. */
@Command(name = "bench", description = "Time a model: latency (min, median, p90), throughput"
        + " and peak memory, on random inputs of the declared shapes or on given input files.")
final class BenchCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file.")
    Path model;

    @Option(names = "--threads", defaultValue = "1", description = "Intra-op threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--inter-op-threads", defaultValue = "1",
            description = "Threads that run independent nodes at the same time; 1 runs the nodes"
                    + " one after another (default: ${DEFAULT-VALUE}).")
    int interOpThreads;

    @Option(names = "--warmup", defaultValue = "10", description = "Untimed runs first; the time of the first"
            + " one is printed on its own, and with 0 one run still precedes the timed runs"
            + " (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--iterations", defaultValue = "50", description = "Timed runs (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--warmup-report",
            description = "Print the CPU time, wall time and allocated heap of each warm-up run,"
                    + " and the run from which the warm-up runs stay within 10% of the median"
                    + " CPU time of the timed runs.")
    boolean warmupReport;

    @Option(names = "--shape", paramLabel = "NAME=D0,D1,...",
            description = "The shape of an input with symbolic dimensions; repeat per input."
                    + " Unset symbolic dimensions are 1.")
    List<String> shapeOptions = new ArrayList<>();

    @Option(names = {"-i", "--input"}, paramLabel = "NAME=FILE",
            description = "Use this .npy or .pb file for an input instead of random values.")
    List<String> inputOptions = new ArrayList<>();

    @Option(names = "--value", paramLabel = "NAME=V",
            description = "Fill an input with this one value instead of random values (for"
                    + " inputs such as a sample rate); repeat per input.")
    List<String> valueOptions = new ArrayList<>();

    private Map<String, int[]> shapes;
    private Map<String, Path> inputFiles;
    private Map<String, Double> values;

    @Option(names = "--profile", paramLabel = "FILE",
            description = "Write a Chrome trace (chrome://tracing, Perfetto) of the timed runs,"
                    + " one span per node, and print a table of time per operator type.")
    Path profile;

    @Option(names = "--optimization", defaultValue = "ALL", description = "NONE, BASIC or ALL (default: ${DEFAULT-VALUE}).")
    SessionOptions.OptimizationLevel optimization;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random inputs (default: ${DEFAULT-VALUE}).")
    long seed;

    private record Span(String name, String op, long start, long end, long thread, boolean nested) {}

    @Override
    public Integer call() throws IOException {
        shapes = KeyValues.parse("--shape", shapeOptions, BenchCommand::parseShape);
        inputFiles = KeyValues.parse("--input", inputOptions, RunCommand::inputFile);
        values = KeyValues.parse("--value", valueOptions, BenchCommand::parseValue);
        OptionValues.checkAtLeast("--iterations", iterations, 1);
        OptionValues.checkAtLeast("--warmup", warmup, 0);
        OptionValues.checkThreads("--threads", threads);
        OptionValues.checkThreads("--inter-op-threads", interOpThreads);
        SessionOptions options = SessionOptions.builder().threads(threads)
                .interOpThreads(interOpThreads).optimizationLevel(optimization).build();
        try (OutputFile trace = profile == null ? null : OutputFile.open("--profile", profile, "trace.json");
                Session session = Session.open(model, options)) {
            List<String> names = session.inputs().stream().map(ValueInfo::name).toList();
            for (String name : concat(shapes.keySet(), values.keySet(), inputFiles.keySet())) {
                if (!names.contains(name)) {
                    throw new UsageException("'" + name + "' is not an input of the model;"
                            + " its inputs are " + names);
                }
            }
            Map<String, Value> feeds = inputs(session);
            // The first run is timed on its own: until the JIT compiles the kernels, the
            // first runs are several times slower than the steady state.
            int warmupRuns = Math.max(1, warmup);
            long[] warmupNanos = new long[warmupRuns];
            long[] warmupCpuNanos = new long[warmupRuns];
            long[] warmupAllocated = new long[warmupRuns];
            for (int i = 0; i < warmupRuns; i++) {
                long allocatedStart = allocatedBytes();
                long cpuStart = THREADS.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                session.run(feeds).close();
                warmupNanos[i] = System.nanoTime() - start;
                warmupCpuNanos[i] = THREADS.getCurrentThreadCpuTime() - cpuStart;
                warmupAllocated[i] = allocatedBytes() - allocatedStart;
            }
            long firstNanos = warmupNanos[0];
            resetPeaks();
            ConcurrentLinkedQueue<Span> spans = new ConcurrentLinkedQueue<>();
            NodeProfiler profiler = profile == null ? null
                    : (NodeContext node, long start, long end, boolean nested) -> spans.add(new Span(
                            node.name(), node.opType(), start, end, Thread.currentThread().threadId(), nested));
            RunOptions runOptions = profiler == null ? RunOptions.none() : RunOptions.profiled(profiler);
            long[] nanos = new long[iterations];
            long[] cpuNanos = new long[iterations];
            long allocatedBefore = allocatedBytes();
            long total = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                long cpuStart = THREADS.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                try (Result r = session.run(feeds, runOptions)) {
                    nanos[i] = System.nanoTime() - start;
                }
                cpuNanos[i] = THREADS.getCurrentThreadCpuTime() - cpuStart;
            }
            total = System.nanoTime() - total;
            long allocated = allocatedBytes() - allocatedBefore;
            report(nanos, cpuNanos, total, feeds);
            System.out.printf("first run:  %.3f ms (before the JIT compiled anything; the steady"
                    + " state is the median above)%n", firstNanos / 1e6);
            System.out.printf("allocated:  %s per run (Java heap, all threads%s)%n",
                    bytes(allocated / (double) iterations),
                    profiler == null ? "" : ", including the profiler's records");
            if (trace != null) {
                writeTrace(trace, new ArrayList<>(spans));
            }
            if (warmupReport) {
                long[] cpuSorted = cpuNanos.clone();
                Arrays.sort(cpuSorted);
                printWarmupReport(warmupNanos, warmupCpuNanos, warmupAllocated,
                        percentile(cpuSorted, 50));
            }
        }
        return 0;
    }

    /** Runs per window when finding where the warm-up settled. A median of 5 ignores lone spikes. */
    private static final int SETTLE_WINDOW = 5;

    /**
     * Prints one line per warm-up run and the settled run: the first run that is within 10% of
     * {@code steadyCpuNanos}, the median CPU time of the timed runs, and from which the median of
     * every window of {@link #SETTLE_WINDOW} warm-up runs stays within 10% of it.
     */
    private static void printWarmupReport(long[] nanos, long[] cpuNanos, long[] allocated,
            long steadyCpuNanos) {
        System.out.println("warm-up:    run  cpu ms  wall ms  allocated  (cpu of the calling thread,"
                + " heap of all threads)");
        for (int i = 0; i < nanos.length; i++) {
            System.out.printf("warm-up: %6d %7.3f %8.3f  %s%n", i + 1, cpuNanos[i] / 1e6,
                    nanos[i] / 1e6, bytes(allocated[i]));
        }
        long limit = steadyCpuNanos + steadyCpuNanos / 10;
        int settled = -1;
        for (int start = nanos.length - SETTLE_WINDOW; start >= 0; start--) {
            long[] window = Arrays.copyOfRange(cpuNanos, start, start + SETTLE_WINDOW);
            Arrays.sort(window);
            if (window[SETTLE_WINDOW / 2] > limit) {
                break;
            }
            // A window's median hides its first two runs, so the settled run must pass alone.
            if (cpuNanos[start] <= limit) {
                settled = start + 1;
            }
        }
        long totalCpu = Arrays.stream(cpuNanos).sum();
        System.out.printf("warm-up:    %d runs, %.1f ms of CPU, %s allocated%n", nanos.length,
                totalCpu / 1e6, bytes(Arrays.stream(allocated).sum()));
        if (settled < 0) {
            System.out.printf("settled:    not within the %d warm-up runs (%.1f ms of CPU); steady"
                    + " state %.3f cpu ms%n", nanos.length, totalCpu / 1e6, steadyCpuNanos / 1e6);
        } else {
            long before = Arrays.stream(cpuNanos, 0, settled - 1).sum();
            System.out.printf("settled:    at run %d, after %.1f ms of CPU in the runs before it;"
                    + " steady state %.3f cpu ms%n", settled, before / 1e6, steadyCpuNanos / 1e6);
        }
    }

    private Map<String, Value> inputs(Session session) {
        Map<String, Value> feeds = new LinkedHashMap<>();
        Random random = new Random(seed);
        List<ValueInfoProto> declared = session.graph().inputInfos();
        for (int i = 0; i < declared.size(); i++) {
            ValueInfo info = session.inputs().get(i);
            Path file = inputFiles.get(info.name());
            if (file != null) {
                feeds.put(info.name(), RunCommand.readInput(info.name(), file, declared.get(i).getType()));
                continue;
            }
            if (session.graph().defaultOf(i) != null) {
                continue; // an initializer gives this input a value
            }
            if (!info.kind().equals("tensor") || info.elementType() == null) {
                throw new UsageException("input '" + info.name() + "' is a " + info.describe()
                        + "; give it with --input NAME=FILE");
            }
            feeds.put(info.name(), random(info, random));
            if (!values.containsKey(info.name()) && info.elementType() != null && info.elementType().isInteger()) {
                System.out.println("note: integer input '" + info.name() + "' gets random values"
                        + " in [0, 100); set one with --value " + info.name() + "=V or --input");
            }
        }
        return feeds;
    }

    private static List<String> concat(java.util.Collection<String> a, java.util.Collection<String> b,
            java.util.Collection<String> c) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        return all;
    }

    /** Converts the dimensions of a --shape entry, such as "1,128". */
    private static int[] parseShape(String text) {
        int[] shape;
        try {
            shape = Arrays.stream(text.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected comma-separated whole numbers such as 1,128");
        }
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("dimensions must not be negative");
            }
        }
        return shape;
    }

    /** Converts the value of a --value entry. */
    private static double parseValue(String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a number such as 16000 or 0.5");
        }
    }

    private Tensor random(ValueInfo info, Random random) {
        int[] shape = shapes.get(info.name());
        if (shape == null) {
            if (info.dims() == null) {
                throw new UsageException("input '" + info.name() + "' has no declared shape;"
                        + " give one with --shape " + info.name() + "=D0,D1,...");
            }
            shape = new int[info.dims().size()];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = info.dims().get(d) instanceof Long l ? l.intValue() : 1;
            }
        }
        int size = Tensor.sizeOf(shape);
        DataType type = info.elementType();
        boolean mask = info.name().toLowerCase().contains("mask");
        if (type == DataType.BOOL) {
            boolean[] values = new boolean[size];
            Arrays.fill(values, true);
            return Tensor.of(values, shape);
        }
        if (type == DataType.STRING) {
            String[] values = new String[size];
            Arrays.fill(values, "jonnx");
            return Tensor.of(values, shape);
        }
        double[] values = new double[size];
        for (int i = 0; i < size; i++) {
            if (this.values.containsKey(info.name())) {
                values[i] = this.values.get(info.name());
            } else if (mask) {
                values[i] = 1;
            } else if (type.isInteger()) {
                values[i] = info.name().toLowerCase().contains("type") ? 0 : random.nextInt(100);
            } else {
                values[i] = random.nextGaussian();
            }
        }
        return Tensor.fromDoubles(type, shape, values);
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * Returns the bytes of Java heap allocated so far by all live threads, which includes the
     * calling thread and the session's worker threads.
     */
    private static long allocatedBytes() {
        return THREADS.getTotalThreadAllocatedBytes();
    }

    private static String bytes(double count) {
        if (count < 10 * 1024) {
            return String.format("%.0f bytes", count);
        }
        return count < 10 * 1048576 ? String.format("%.1f KiB", count / 1024)
                : String.format("%.1f MiB", count / 1048576);
    }

    private void report(long[] nanos, long[] cpuNanos, long totalNanos, Map<String, Value> feeds) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(nanos).average().orElse(0) / 1e6;
        System.out.println("model:      " + model);
        StringBuilder shapesText = new StringBuilder();
        feeds.forEach((k, v) -> shapesText.append(shapesText.isEmpty() ? "" : ", ").append(k).append(' ').append(v.describe()));
        System.out.println("inputs:     " + shapesText);
        System.out.printf("threads:    %d intra-op, %d inter-op, warmup %d, iterations %d%n", threads,
                interOpThreads, warmup, iterations);
        System.out.printf("latency ms: min %.3f  median %.3f  p90 %.3f  mean %.3f  max %.3f%n",
                sorted[0] / 1e6, percentile(sorted, 50) / 1e6, percentile(sorted, 90) / 1e6, mean,
                sorted[sorted.length - 1] / 1e6);
        long[] cpuSorted = cpuNanos.clone();
        Arrays.sort(cpuSorted);
        System.out.printf("cpu ms:     min %.3f  median %.3f (CPU time of the calling thread only)%n",
                cpuSorted[0] / 1e6, percentile(cpuSorted, 50) / 1e6);
        System.out.printf("throughput: %.2f runs/s%n", iterations / (totalNanos / 1e9));
        long heapPeak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                heapPeak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf("memory:     peak heap %.1f MiB (sum of pool peaks), peak RSS %s%n",
                heapPeak / 1048576.0, peakRss());
    }

    private static long percentile(long[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
    }

    /** The process's peak resident set size from /proc, or "unknown" where there is no /proc. */
    private static String peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format("%.1f MiB", kb / 1024.0);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return "unknown";
        }
        return "unknown";
    }

    private void writeTrace(OutputFile trace, List<Span> spans) throws IOException {
        long origin = spans.stream().mapToLong(Span::start).min().orElse(0);
        StringBuilder json = new StringBuilder("{\"traceEvents\":[\n");
        TreeMap<String, long[]> perOp = new TreeMap<>();
        for (int i = 0; i < spans.size(); i++) {
            Span s = spans.get(i);
            json.append(i == 0 ? "" : ",\n")
                    .append("{\"name\":\"").append(escape(s.name().isEmpty() ? s.op() : s.name()))
                    .append("\",\"cat\":\"").append(escape(s.op()))
                    .append("\",\"ph\":\"X\",\"pid\":1,\"tid\":").append(s.thread())
                    .append(",\"ts\":").append(String.format("%.3f", (s.start() - origin) / 1e3))
                    .append(",\"dur\":").append(String.format("%.3f", (s.end() - s.start()) / 1e3))
                    .append('}');
            // Nodes inside subgraphs get their own rows, outside the total: the span of the
            // node that ran the subgraph already counts their time.
            long[] acc = perOp.computeIfAbsent(s.nested() ? s.op() + " (in subgraphs)" : s.op(),
                    k -> new long[2]);
            acc[0] += s.end() - s.start();
            acc[1]++;
        }
        json.append("\n]}\n");
        trace.write(json.toString());
        long all = perOp.entrySet().stream().filter(e -> !e.getKey().endsWith(" (in subgraphs)"))
                .mapToLong(e -> e.getValue()[0]).sum();
        System.out.println("profile:    " + profile + " (" + spans.size() + " node spans)");
        System.out.printf("%-28s %10s %8s %12s %7s%n", "operator", "total ms", "calls", "ms per run", "share");
        perOp.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
                .forEach(e -> System.out.printf("%-28s %10.2f %8d %12.3f %6.1f%%%n", e.getKey(),
                        e.getValue()[0] / 1e6, e.getValue()[1], e.getValue()[0] / 1e6 / iterations,
                        100.0 * e.getValue()[0] / Math.max(1, all)));
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
