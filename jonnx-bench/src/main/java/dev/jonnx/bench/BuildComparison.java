package dev.jonnx.bench;

import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.OperatorSetIdProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.RunOptions;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * Compares two builds of jonnx-runtime in one process by the CPU time of the calling thread,
 * so that both see the same load on a shared machine. Each build is loaded with the bench
 * classes and the other jars of {@code target/lib} in a class loader of its own. The runs
 * alternate between the builds, and the report gives each build's median and the median of
 * the per-round ratios (B over A), each round being the median of {@code ITERATIONS} runs.
 *
 * <p>Workloads, all on one thread:
 * <ul>
 *   <li>{@code attention B S H D}: one dev.jonnx FusedAttention node on random Q, K and V of
 *       shape [B, S, H*D] with a zero mask of shape [B, 1, 1, S], as MiniLM feeds it.
 *   <li>{@code model PATH [NAME=D0,D1 ...] [op=TYPE]}: a model file, with inputs chosen as in
 *       {@link SideBySide}. With {@code op=TYPE} the time is that of the nodes of that operator
 *       type alone: each node is charged the thread's CPU time since the previous node ended,
 *       which includes the engine's short step between two nodes.
 * </ul>
 *
 * <pre>java ... dev.jonnx.bench.BuildComparison RUNTIME_JAR_A RUNTIME_JAR_B ROUNDS ITERATIONS WORKLOAD ...</pre>
 */
public final class BuildComparison {
    private BuildComparison() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: BuildComparison RUNTIME_JAR_A RUNTIME_JAR_B ROUNDS ITERATIONS"
                    + " (attention B S H D | model PATH [NAME=D0,D1 ...])");
            System.exit(2);
        }
        int rounds = Integer.parseInt(args[2]);
        int iterations = Integer.parseInt(args[3]);
        String[] workload = Arrays.copyOfRange(args, 4, args.length);
        LongSupplier a = load(Path.of(args[0]), workload);
        LongSupplier b = load(Path.of(args[1]), workload);

        // Warm up for at least 20 runs and 20 seconds: on a busy 2-vCPU machine C2 took about 14
        // seconds to compile the attention kernels of both builds.
        long warmupEnd = System.nanoTime() + 20_000_000_000L;
        for (int i = 0; i < 20 || System.nanoTime() < warmupEnd; i++) {
            a.getAsLong();
            b.getAsLong();
        }
        double[] ratios = new double[rounds];
        long[] allA = new long[rounds * iterations];
        long[] allB = new long[rounds * iterations];
        for (int round = 0; round < rounds; round++) {
            long[] timesA = new long[iterations];
            long[] timesB = new long[iterations];
            for (int i = 0; i < iterations; i++) {
                // Alternate which build runs first, so that neither always follows the other.
                if ((i & 1) == 0) {
                    timesA[i] = a.getAsLong();
                    timesB[i] = b.getAsLong();
                } else {
                    timesB[i] = b.getAsLong();
                    timesA[i] = a.getAsLong();
                }
            }
            System.arraycopy(timesA, 0, allA, round * iterations, iterations);
            System.arraycopy(timesB, 0, allB, round * iterations, iterations);
            ratios[round] = (double) median(timesB) / median(timesA);
            System.out.printf("round %2d: A med %8.3f ms  B med %8.3f ms  B/A %.3f%n", round, median(timesA) / 1e6,
                    median(timesB) / 1e6, ratios[round]);
        }

        Arrays.sort(ratios);
        Arrays.sort(allA);
        Arrays.sort(allB);
        System.out.printf("%s: A min %.3f med %.3f ms | B min %.3f med %.3f ms | B/A median of %d round ratios %.3f"
                + " (range %.3f to %.3f)%n", String.join(" ", workload), allA[0] / 1e6, median(allA) / 1e6,
                allB[0] / 1e6, median(allB) / 1e6, rounds, ratios[rounds / 2], ratios[0], ratios[rounds - 1]);
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /**
     * Returns {@link #workload} of a class loader containing the bench classes, {@code runtimeJar}
     * and every jar of the bench's lib folder except jonnx-runtime.
     */
    private static LongSupplier load(Path runtimeJar, String[] workload) throws Exception {
        if (!Files.isRegularFile(runtimeJar)) {
            throw new IllegalArgumentException("runtime jar not found: " + runtimeJar);
        }
        List<URL> urls = new ArrayList<>();
        urls.add(benchLocation().toUri().toURL());
        urls.add(runtimeJar.toUri().toURL());
        Path lib = benchLocation().resolveSibling("lib");
        try (Stream<Path> jars = Files.list(lib)) {
            for (Path jar : jars.sorted().toList()) {
                if (!jar.getFileName().toString().startsWith("jonnx-runtime")) {
                    urls.add(jar.toUri().toURL());
                }
            }
        }
        URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        Method create = loader.loadClass(BuildComparison.class.getName()).getMethod("workload", String[].class);
        return (LongSupplier) create.invoke(null, (Object) workload);
    }

    /** Returns the jar or class folder this class was loaded from. */
    private static Path benchLocation() throws URISyntaxException {
        return Path.of(BuildComparison.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /**
     * Opens the workload's session and returns a task that runs it once and returns the CPU
     * time of the calling thread, in nanoseconds. Called in each build's class loader.
     */
    public static LongSupplier workload(String[] args) throws IOException {
        Session session;
        Map<String, Value> feeds;
        String operator = null;
        SessionOptions options = SessionOptions.builder().threads(1).build();
        switch (args[0]) {
            case "attention" -> {
                int batch = Integer.parseInt(args[1]);
                int sequence = Integer.parseInt(args[2]);
                int heads = Integer.parseInt(args[3]);
                int depth = Integer.parseInt(args[4]);
                session = Session.open(attentionModel(heads, (float) (1 / Math.sqrt(depth))).toByteArray(), options);
                Random random = new Random(1);
                int[] shape = {batch, sequence, heads * depth};
                feeds = new LinkedHashMap<>();
                for (String name : List.of("q", "k", "v")) {
                    feeds.put(name, Tensor.of(gaussian(random, Tensor.sizeOf(shape)), shape));
                }
                feeds.put("mask", Tensor.of(new float[batch * sequence], batch, 1, 1, sequence));
            }
            case "model" -> {
                Map<String, String> shapes = new LinkedHashMap<>();
                for (int i = 2; i < args.length; i++) {
                    String[] pair = args[i].split("=", 2);
                    if (pair[0].equals("op")) {
                        operator = pair[1];
                    } else {
                        shapes.put(pair[0], pair[1]);
                    }
                }
                session = Session.open(Path.of(args[1]), options);
                feeds = SideBySide.inputs(session, shapes, Map.of());
            }
            default -> throw new IllegalArgumentException("unknown workload '" + args[0]
                    + "', expected 'attention' or 'model'");
        }
        return operator == null ? runTime(session, feeds) : operatorTime(session, feeds, operator);
    }

    /** Returns a task that runs the session once and returns the thread's CPU time for it. */
    private static LongSupplier runTime(Session session, Map<String, Value> feeds) {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        return () -> {
            long start = bean.getCurrentThreadCpuTime();
            session.run(feeds).close();
            return bean.getCurrentThreadCpuTime() - start;
        };
    }

    /**
     * Returns a task that runs the session once and returns the thread's CPU time spent in the
     * nodes of one operator type. With one thread every node runs on the calling thread, so the
     * CPU time between two calls of the profiler is the later node's.
     */
    private static LongSupplier operatorTime(Session session, Map<String, Value> feeds, String type) {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        long[] lastReading = new long[1];
        long[] total = new long[1];
        RunOptions profiled = RunOptions.profiled((node, startNanos, endNanos, nested) -> {
            long now = bean.getCurrentThreadCpuTime();
            if (!nested && node.opType().equals(type)) {
                total[0] += now - lastReading[0];
            }
            lastReading[0] = now;
        });
        return () -> {
            total[0] = 0;
            lastReading[0] = bean.getCurrentThreadCpuTime();
            session.run(feeds, profiled).close();
            return total[0];
        };
    }

    private static float[] gaussian(Random random, int size) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /** Builds a model of one dev.jonnx FusedAttention node with inputs q, k, v and mask. */
    private static ModelProto attentionModel(int heads, float scale) {
        GraphProto.Builder graph = GraphProto.newBuilder().setName("attention");
        for (String name : List.of("q", "k", "v", "mask")) {
            graph.addInput(ValueInfoProto.newBuilder().setName(name));
        }
        graph.addOutput(ValueInfoProto.newBuilder().setName("y"));
        graph.addNode(NodeProto.newBuilder().setDomain("dev.jonnx").setOpType("FusedAttention")
                .addAllInput(List.of("q", "k", "v", "mask")).addOutput("y")
                .addAttribute(AttributeProto.newBuilder().setName("num_heads")
                        .setType(AttributeProto.AttributeType.INT).setI(heads))
                .addAttribute(AttributeProto.newBuilder().setName("scale")
                        .setType(AttributeProto.AttributeType.FLOAT).setF(scale)));
        return ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("dev.jonnx").setVersion(1))
                .build();
    }
}
