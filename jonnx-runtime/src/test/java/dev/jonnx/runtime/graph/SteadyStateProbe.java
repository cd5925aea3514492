package dev.jonnx.runtime.graph;

import dev.jonnx.io.TensorProtos;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.OperatorSetIdProto;
import dev.jonnx.onnx.TensorShapeProto;
import dev.jonnx.onnx.TypeProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.Result;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures the heap that the calling thread allocates per steady run of a model, in a JVM of its
 * own. {@link SteadyStateAllocationTest} starts it as a child process, because in the test JVM,
 * after a few hundred other tests had run, MiniLM at 32 tokens allocated 32 MB per run even
 * after three minutes of runs, against 85 KB in a fresh JVM.
 *
 * <p>NOTE: why the long-lived JVM allocates that much is not known. The JFR samples of such
 * runs are dominated by boxed Vector API vectors, which points at kernels that C2 compiled
 * without intrinsifying them.
 *
 * <p>Arguments: {@code synthetic}, or a model path, the limit in bytes beyond the outputs, and
 * the time budget in seconds. Prints one line per measurement: a label, the bytes per run and
 * the output bytes.
 */
final class SteadyStateProbe {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** Runs per measured round; a round's bytes are averaged over its runs. */
    private static final int RUNS_PER_ROUND = 5;

    private SteadyStateProbe() {}

    public static void main(String[] args) {
        long extra = Long.parseLong(args[1]);
        long budgetNanos = Long.parseLong(args[2]) * 1_000_000_000L;
        if (args[0].equals("synthetic")) {
            for (SessionOptions.OptimizationLevel level : SessionOptions.OptimizationLevel.values()) {
                try (Session session = Session.open(syntheticModel(), SessionOptions.builder().threads(1)
                        .optimizationLevel(level).build())) {
                    measure("synthetic-" + level, session, Map.of("x", ramp(1f, 1, 4, 32, 32)), extra,
                            budgetNanos);
                }
            }
            return;
        }
        Path model = Path.of(args[0]);
        try (Session session = Session.open(model, SessionOptions.builder().threads(1).build())) {
            measure(model.getFileName().toString(), session, feeds(model.getFileName().toString(), 0),
                    extra, budgetNanos);
        }
    }

    private static void measure(String label, Session session, Map<String, Value> feeds, long extra,
            long budgetNanos) {
        long outputs = outputBytes(session, feeds);
        long perRun = steadyBytesPerRun(session, feeds, outputs + extra, budgetNanos);
        System.out.println(label + " " + perRun + " " + outputs);
    }

    /**
     * Returns the smallest average of bytes the calling thread allocated per run over rounds of
     * {@link #RUNS_PER_ROUND} runs, stopping at the first round whose average is at most
     * {@code limit} or when the budget is spent. Until C2 has compiled a kernel, the Vector API
     * boxes every vector and escape analysis has not removed short-lived objects, so early
     * rounds allocate far more (the VAD model over 800 KB per run for its first few hundred
     * runs). A loaded machine therefore only makes the measurement slower.
     */
    static long steadyBytesPerRun(Session session, Map<String, Value> feeds, long limit,
            long budgetNanos) {
        long thread = Thread.currentThread().threadId();
        long best = Long.MAX_VALUE;
        long start = System.nanoTime();
        while (best > limit && System.nanoTime() - start < budgetNanos) {
            long before = THREADS.getThreadAllocatedBytes(thread);
            for (int i = 0; i < RUNS_PER_ROUND; i++) {
                session.run(feeds).close();
            }
            long perRun = (THREADS.getThreadAllocatedBytes(thread) - before) / RUNS_PER_ROUND;
            best = Math.min(best, perRun);
        }
        return best;
    }

    /** Returns the bytes of the element arrays of the run's output tensors. */
    static long outputBytes(Session session, Map<String, Value> feeds) {
        long total = 0;
        try (Result result = session.run(feeds)) {
            for (Map.Entry<String, Value> output : result) {
                Tensor t = (Tensor) output.getValue();
                total += (long) t.size() * t.type().byteSize();
            }
        }
        return total;
    }

    static Tensor ramp(float scale, int... shape) {
        float[] v = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = scale * (((i * 37) % 64) / 16f - 2f);
        }
        return Tensor.of(DataType.FLOAT, shape, v);
    }

    /** Inputs for a benchmark model; {@code variant} 0 and 1 give two different inputs. */
    static Map<String, Value> feeds(String model, int variant) {
        Map<String, Value> feeds = new LinkedHashMap<>();
        float scale = variant == 0 ? 1f : -0.5f;
        switch (model) {
            case "silero_vad_v5.onnx" -> {
                feeds.put("input", ramp(0.25f * scale, 1, 512));
                feeds.put("state", Tensor.zeros(DataType.FLOAT, 2, 1, 128));
                feeds.put("sr", Tensor.scalar(16000L));
            }
            case "ocr-cls.onnx" -> feeds.put("x", ramp(scale, 1, 3, 48, 192));
            case "all-minilm-l6-v2.onnx" -> {
                int tokens = 32;
                long[] ids = new long[tokens];
                long[] mask = new long[tokens];
                for (int i = 0; i < tokens; i++) {
                    ids[i] = 1000 + (i * 131 + 17 * variant) % 20000;
                    mask[i] = 1;
                }
                // BERT's [CLS] and [SEP] ids around the word-piece ids.
                ids[0] = 101;
                ids[tokens - 1] = 102;
                feeds.put("input_ids", Tensor.of(ids, 1, tokens));
                feeds.put("attention_mask", Tensor.of(mask, 1, tokens));
                feeds.put("token_type_ids", Tensor.of(new long[tokens], 1, tokens));
            }
            default -> throw new IllegalArgumentException(model);
        }
        return feeds;
    }

    private static NodeProto node(String op, List<String> inputs, String output,
            AttributeProto... attributes) {
        return NodeProto.newBuilder().setOpType(op).setName(output + "_node").addAllInput(inputs)
                .addOutput(output).addAllAttribute(List.of(attributes)).build();
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    private static ValueInfoProto info(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(DataType.FLOAT.code())
                        .setShape(shape))).build();
    }

    /**
     * Builds a small image classifier head of standard operators: Conv with bias, Relu, MaxPool,
     * GlobalAveragePool, Reshape, MatMul, Add, LayerNormalization (with its statistics) and
     * Softmax. Each of them took a new output or scratch array per run before it used the arena.
     */
    static byte[] syntheticModel() {
        GraphProto graph = GraphProto.newBuilder().setName("head")
                .addInput(info("x", 1, 4, 32, 32))
                .addOutput(info("y", 1, 16))
                .addInitializer(TensorProtos.toProto(ramp(0.1f, 8, 4, 3, 3), "w"))
                .addInitializer(TensorProtos.toProto(ramp(0.5f, 8), "b"))
                .addInitializer(TensorProtos.toProto(ramp(0.2f, 8, 16), "m"))
                .addInitializer(TensorProtos.toProto(ramp(0.3f, 16), "c"))
                .addInitializer(TensorProtos.toProto(ramp(0.4f, 16), "scale"))
                .addInitializer(TensorProtos.toProto(Tensor.of(new long[] {1, 8}, 2), "flat"))
                .addNode(node("Conv", List.of("x", "w", "b"), "conv", ints("pads", 1, 1, 1, 1)))
                .addNode(node("Relu", List.of("conv"), "relu"))
                .addNode(node("MaxPool", List.of("relu"), "pool", ints("kernel_shape", 2, 2),
                        ints("strides", 2, 2)))
                .addNode(node("GlobalAveragePool", List.of("pool"), "gap"))
                .addNode(node("Reshape", List.of("gap", "flat"), "rows"))
                .addNode(node("MatMul", List.of("rows", "m"), "product"))
                .addNode(node("Add", List.of("product", "c"), "sum"))
                .addNode(node("LayerNormalization", List.of("sum", "scale"), "norm"))
                .addNode(node("Softmax", List.of("norm"), "y"))
                .build();
        return ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(graph).build().toByteArray();
    }
}
