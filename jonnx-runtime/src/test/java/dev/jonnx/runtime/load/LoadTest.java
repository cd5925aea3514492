package dev.jonnx.runtime.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.RunException;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.OperatorSetIdProto;
import dev.jonnx.onnx.TypeProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.Result;
import dev.jonnx.runtime.RunOptions;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * A session under load: many threads at once, cancellation and deadlines, and a soak of
 * repeated runs. The model is a recurrent LinearAttention node (opset 27), whose result
 * depends on every input element, built in code so the test needs no files.
 */
class LoadTest {
    static final int HEADS = 2;
    static final int HEAD_SIZE = 8;

    static ValueInfoProto floatValue(String name) {
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(DataType.FLOAT.code())))
                .build();
    }

    static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT)
                .setI(value).build();
    }

    /** A chain of {@code layers} LinearAttention nodes; each feeds its output to the next as query. */
    static byte[] model(int layers) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("load")
                .addInput(floatValue("q")).addInput(floatValue("k")).addInput(floatValue("v"));
        String query = "q";
        for (int i = 0; i < layers; i++) {
            String out = "y" + i;
            g.addNode(NodeProto.newBuilder().setOpType("LinearAttention").setName("attention" + i)
                    .addInput(query).addInput("k").addInput("v").addOutput(out).addOutput("state" + i)
                    .addAttribute(intAttribute("q_num_heads", HEADS))
                    .addAttribute(intAttribute("kv_num_heads", HEADS))
                    .addAttribute(AttributeProto.newBuilder().setName("update_rule")
                            .setType(AttributeProto.AttributeType.STRING)
                            .setS(com.google.protobuf.ByteString.copyFromUtf8("linear"))));
            query = out;
        }
        g.addOutput(floatValue(query));
        return ModelProto.newBuilder().setIrVersion(10)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(27))
                .setGraph(g).build().toByteArray();
    }

    static Map<String, Value> inputs(long seed, int steps) {
        Random random = new Random(seed);
        int width = HEADS * HEAD_SIZE;
        float[][] data = new float[3][steps * width];
        for (float[] d : data) {
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) random.nextGaussian() * 0.1f;
            }
        }
        return Map.of("q", Tensor.of(data[0], 1, steps, width), "k", Tensor.of(data[1], 1, steps, width),
                "v", Tensor.of(data[2], 1, steps, width));
    }

    static float[] run(Session session, Map<String, Value> feeds) {
        try (Result r = session.run(feeds)) {
            return ((Tensor) r.get(0)).floats();
        }
    }

    @Test
    void concurrentCallsMatchSingleThreadedRuns() throws Exception {
        int threads = 16;
        int callsPerThread = 250;
        int distinctInputs = 64;
        try (Session session = Session.open(model(3), SessionOptions.defaults())) {
            List<Map<String, Value>> feeds = new ArrayList<>();
            List<float[]> expected = new ArrayList<>();
            for (int i = 0; i < distinctInputs; i++) {
                feeds.add(inputs(i, 4 + i % 5));
                expected.add(run(session, feeds.get(i)));
            }
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t;
                results.add(pool.submit(() -> {
                    start.await();
                    int mismatches = 0;
                    for (int c = 0; c < callsPerThread; c++) {
                        int which = (offset * 31 + c * 7) % distinctInputs;
                        if (!java.util.Arrays.equals(run(session, feeds.get(which)), expected.get(which))) {
                            mismatches++;
                        }
                    }
                    return mismatches;
                }));
            }
            start.countDown();
            int mismatches = 0;
            for (Future<Integer> f : results) {
                mismatches += f.get();
            }
            pool.shutdown();
            System.out.println("concurrency: " + threads * callsPerThread + " calls on " + threads
                    + " threads, " + mismatches + " mismatches");
            assertThat(mismatches).isZero();
        }
    }

    @Test
    void cancelStopsRunAndSessionStaysUsable() throws Exception {
        try (Session session = Session.open(model(4000), SessionOptions.defaults())) {
            Map<String, Value> feeds = inputs(1, 64);
            RunOptions options = RunOptions.none();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            long started = System.nanoTime();
            Future<?> running = pool.submit(() -> session.run(feeds, options).close());
            Thread.sleep(100);
            options.cancel();
            assertThatThrownBy(running::get).hasCauseInstanceOf(RunException.class)
                    .hasMessageContaining("cancelled");
            double seconds = (System.nanoTime() - started) / 1e9;
            assertThat(seconds).as("seconds from start to the cancelled run's end").isLessThan(5);
            pool.shutdown();
            Map<String, Value> small = inputs(2, 2);
            assertThat(run(session, small)).hasSize(2 * HEADS * HEAD_SIZE);
        }
    }

    @Test
    void deadlineStopsLongRun() {
        try (Session session = Session.open(model(4000), SessionOptions.defaults())) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> session.run(inputs(1, 64), RunOptions.withTimeout(Duration.ofMillis(50))))
                    .isInstanceOf(RunException.class)
                    .hasMessageContaining("timed out");
            assertThat((System.nanoTime() - started) / 1e9).isLessThan(5);
        }
    }

    @Test
    void soakShowsNoHeapOrThreadGrowth() {
        int runs = 10_000;
        try (Session session = Session.open(model(2), SessionOptions.defaults())) {
            Map<String, Value> feeds = inputs(3, 8);
            for (int i = 0; i < 500; i++) {
                run(session, feeds);
            }
            long heapBefore = usedHeapAfterGc();
            int threadsBefore = Thread.activeCount();
            for (int i = 0; i < runs; i++) {
                run(session, feeds);
            }
            long heapAfter = usedHeapAfterGc();
            int threadsAfter = Thread.activeCount();
            System.out.printf("soak: %d runs, heap after GC %.1f MiB -> %.1f MiB, threads %d -> %d%n", runs,
                    heapBefore / 1048576.0, heapAfter / 1048576.0, threadsBefore, threadsAfter);
            assertThat(heapAfter - heapBefore).as("heap growth in bytes").isLessThan(8L << 20);
            assertThat(threadsAfter).isLessThanOrEqualTo(threadsBefore);
        }
    }

    @Test
    void closingSessionsReleasesPoolThreads() throws Exception {
        int threadsBefore = Thread.activeCount();
        byte[] bytes = model(1);
        for (int i = 0; i < 200; i++) {
            try (Session session = Session.open(bytes, SessionOptions.builder().threads(2).build())) {
                run(session, inputs(i, 2));
            }
        }
        Thread.sleep(200);
        assertThat(Thread.activeCount()).as("live threads after closing 200 sessions")
                .isLessThanOrEqualTo(threadsBefore + 2);
    }

    static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
