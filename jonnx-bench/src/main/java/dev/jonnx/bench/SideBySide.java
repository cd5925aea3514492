package dev.jonnx.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.jonnx.runtime.Result;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.runtime.ValueInfo;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Times one model through Jonnx and through ONNX Runtime's Java package in the same process,
 * alternating one run of each so that drift in machine speed hits both alike, and prints the
 * ratio Jonnx / ONNX Runtime of the minimum and median latencies.
 *
 * <pre>
 * java -cp ... dev.jonnx.bench.SideBySide MODEL [--threads N] [--warmup N] [--warmup-seconds S] [--iterations N]
 *     [--shape NAME=D0,D1,...] [--value NAME=V] [--ort-opt all|basic|extended|none] [--ort-spinning on|off]
 *     [--each-run]
 * </pre>
 *
 * <p>{@code --each-run} also prints every measured run in order: both latencies and the heap
 * Jonnx allocated in that run.
 */
public final class SideBySide {
    private SideBySide() {}

    public static void main(String[] args) throws OrtException {
        Map<String, String> shapes = new HashMap<>();
        Map<String, Double> values = new HashMap<>();
        Path model = null;
        int threads = 1;
        int warmup = 10;
        double warmupSeconds = 5;
        boolean ortSpinning = true;
        boolean eachRun = false;
        int iterations = 30;
        String ortOpt = "all";
        String label = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--warmup-seconds" -> warmupSeconds = Double.parseDouble(args[++i]);
                case "--ort-spinning" -> ortSpinning = !args[++i].equals("off");
                case "--each-run" -> eachRun = true;
                case "--iterations" -> iterations = Integer.parseInt(args[++i]);
                case "--ort-opt" -> ortOpt = args[++i];
                case "--label" -> label = args[++i];
                case "--shape" -> {
                    String[] kv = args[++i].split("=", 2);
                    shapes.put(kv[0], kv[1]);
                }
                case "--value" -> {
                    String[] kv = args[++i].split("=", 2);
                    values.put(kv[0], Double.parseDouble(kv[1]));
                }
                default -> {
                    if (args[i].startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + args[i]);
                    }
                    if (model != null) {
                        throw new IllegalArgumentException("more than one MODEL: " + model + " and " + args[i]);
                    }
                    model = Path.of(args[i]);
                }
            }
        }
        if (model == null) {
            throw new IllegalArgumentException("usage: SideBySide MODEL [--threads N] [--warmup N]"
                    + " [--warmup-seconds S]"
                    + " [--iterations N] [--shape NAME=D0,D1] [--value NAME=V] [--ort-opt LEVEL]"
                    + " [--ort-spinning on|off] [--each-run]");
        }
        if (iterations < 1 || warmup < 0) {
            throw new IllegalArgumentException("--iterations must be at least 1 and --warmup at least 0,"
                    + " got " + iterations + " and " + warmup);
        }
        run(model, label == null ? model.getFileName().toString() : label, threads, warmup,
                warmupSeconds, iterations, shapes, values, ortOpt, ortSpinning, eachRun);
    }

    static void run(Path model, String label, int threads, int warmup, double warmupSeconds,
            int iterations,
            Map<String, String> shapes, Map<String, Double> values, String ortOpt, boolean ortSpinning,
            boolean eachRun)
            throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (Session jonnx = Session.open(model, SessionOptions.builder().threads(threads).build());
                OrtSession.SessionOptions ortOptions = new OrtSession.SessionOptions()) {
            ortOptions.setIntraOpNumThreads(threads);
            ortOptions.setInterOpNumThreads(1);
            if (!ortSpinning) {
                // ONNX Runtime's idle workers spin after each run by default. In one process
                // they take a vCPU from the Jonnx run that follows, so they can be turned off.
                ortOptions.addConfigEntry("session.intra_op.allow_spinning", "0");
            }
            ortOptions.setOptimizationLevel(switch (ortOpt) {
                case "none" -> OrtSession.SessionOptions.OptLevel.NO_OPT;
                case "basic" -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
                case "extended" -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
                default -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
            });
            try (OrtSession ort = env.createSession(model.toString(), ortOptions)) {
                Map<String, Value> feeds = inputs(jonnx, shapes, values);
                Map<String, OnnxTensor> ortFeeds = new LinkedHashMap<>();
                for (Map.Entry<String, Value> e : feeds.entrySet()) {
                    ortFeeds.put(e.getKey(), toOrt(env, (Tensor) e.getValue()));
                }
                double diff = maxDifference(jonnx, ort, feeds, ortFeeds);
                // Warm up for at least the given runs and the given time: the JIT compiles the
                // Vector API kernels only after many calls, and until then they run very slowly.
                long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
                for (int i = 0; i < warmup || System.nanoTime() < warmupEnd; i++) {
                    jonnx.run(feeds).close();
                    ort.run(ortFeeds).close();
                }
                long[] a = new long[iterations];
                long[] b = new long[iterations];
                long[] allocated = new long[iterations];
                com.sun.management.ThreadMXBean mx =
                        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
                for (int i = 0; i < iterations; i++) {
                    long allocatedBefore = mx.getTotalThreadAllocatedBytes();
                    long start = System.nanoTime();
                    jonnx.run(feeds).close();
                    a[i] = System.nanoTime() - start;
                    allocated[i] = mx.getTotalThreadAllocatedBytes() - allocatedBefore;
                    start = System.nanoTime();
                    ort.run(ortFeeds).close();
                    b[i] = System.nanoTime() - start;
                }
                if (eachRun) {
                    // In run order, before sorting: shows whether slow runs come in phases, hit
                    // both engines at once, and come with extra allocation (code not yet compiled).
                    for (int i = 0; i < iterations; i++) {
                        System.out.printf("run %3d | jonnx %8.3f ms %8d KiB | ort %8.3f ms%n", i, a[i] / 1e6,
                                allocated[i] / 1024, b[i] / 1e6);
                    }
                }
                Arrays.sort(a);
                Arrays.sort(b);
                double aMin = a[0] / 1e6;
                double bMin = b[0] / 1e6;
                double aMed = a[iterations / 2] / 1e6;
                double bMed = b[iterations / 2] / 1e6;
                System.out.printf("%-28s threads %d | jonnx min %8.3f med %8.3f ms | ort min %8.3f med %8.3f ms"
                        + " | ratio min %5.2f med %5.2f | max |diff| %.2e%n", label, threads, aMin, aMed,
                        bMin, bMed, aMin / bMin, aMed / bMed, diff);
                for (OnnxTensor t : ortFeeds.values()) {
                    t.close();
                }
            }
        }
    }

    private static double maxDifference(Session jonnx, OrtSession ort, Map<String, Value> feeds,
            Map<String, OnnxTensor> ortFeeds) throws OrtException {
        double worst = 0;
        try (Result r = jonnx.run(feeds); OrtSession.Result o = ort.run(ortFeeds)) {
            for (int i = 0; i < r.size(); i++) {
                if (!(r.get(i) instanceof Tensor t) || !t.type().isFloatingPoint()) {
                    continue;
                }
                OnnxValue v = o.get(i);
                if (!(v instanceof OnnxTensor ot) || ot.getFloatBuffer() == null) {
                    continue;
                }
                FloatBuffer fb = ot.getFloatBuffer();
                float[] mine = t.toFloatArray();
                for (int k = 0; k < mine.length && k < fb.limit(); k++) {
                    worst = Math.max(worst, Math.abs(mine[k] - fb.get(k)));
                }
            }
        }
        return worst;
    }

    static Map<String, Value> inputs(Session session, Map<String, String> shapes, Map<String, Double> values) {
        Map<String, Value> feeds = new LinkedHashMap<>();
        Random random = new Random(1);
        for (int i = 0; i < session.inputs().size(); i++) {
            ValueInfo info = session.inputs().get(i);
            if (session.graph().defaultOf(i) != null) {
                continue;
            }
            int[] shape;
            if (shapes.containsKey(info.name())) {
                shape = Arrays.stream(shapes.get(info.name()).split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
            } else {
                List<Object> dims = info.dims() == null ? List.of() : info.dims();
                shape = new int[dims.size()];
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = dims.get(d) instanceof Long l ? l.intValue() : 1;
                }
            }
            int size = Tensor.sizeOf(shape);
            double[] data = new double[size];
            String lower = info.name().toLowerCase();
            for (int k = 0; k < size; k++) {
                if (values.containsKey(info.name())) {
                    data[k] = values.get(info.name());
                } else if (lower.contains("mask")) {
                    data[k] = 1;
                } else if (lower.contains("type")) {
                    data[k] = 0;
                } else if (info.elementType().isInteger()) {
                    data[k] = 1000 + random.nextInt(1000);
                } else {
                    data[k] = random.nextGaussian();
                }
            }
            feeds.put(info.name(), Tensor.fromDoubles(info.elementType(), shape, data));
        }
        return feeds;
    }

    static OnnxTensor toOrt(OrtEnvironment env, Tensor t) throws OrtException {
        long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
        return switch (t.type()) {
            case FLOAT -> OnnxTensor.createTensor(env, FloatBuffer.wrap(t.floats()), shape);
            case DOUBLE -> OnnxTensor.createTensor(env, DoubleBuffer.wrap(t.doubles()), shape);
            case INT64 -> OnnxTensor.createTensor(env, LongBuffer.wrap(t.longs()), shape);
            case INT32 -> OnnxTensor.createTensor(env, IntBuffer.wrap(t.ints()), shape);
            case INT8 -> OnnxTensor.createTensor(env, ByteBuffer.wrap(t.bytes()), shape);
            default -> throw new IllegalArgumentException("no ONNX Runtime conversion for " + t.type());
        };
    }

}
