package dev.jonnx.runtime.graph;

import static dev.jonnx.runtime.graph.TestGraphs.addC;
import static dev.jonnx.runtime.graph.TestGraphs.graph;
import static dev.jonnx.runtime.graph.TestGraphs.node;
import static dev.jonnx.runtime.testing.TestTensors.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.RunException;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.runtime.Result;
import dev.jonnx.runtime.RunOptions;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.runtime.ops.Operators;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Inter-op parallelism: independent nodes of the main graph running on several threads. */
class InterOpTest {

    /** Counted down by each Meet node; a Meet returns only once both have arrived. */
    private final CountDownLatch meeting = new CountDownLatch(2);
    /** The threads that ran each node, by output name. */
    private final Map<String, Set<Thread>> threadsByNode = new ConcurrentHashMap<>();
    /** The options of the run that the Cancel test operator cancels. */
    private final AtomicReference<RunOptions> cancelTarget = new AtomicReference<>();

    /**
     * Builds the test operators beside the real If. AddC returns x + attribute c in an array
     * from newFloats, so a wrongly recycled buffer shows as a wrong value. Sum returns a + b.
     * Slow sleeps and then copies x, so it reads its input after faster readers finished. Meet
     * copies x once the other Meet node has started too; run one after another, the first Meet
     * times out. Check copies x and fails when x[0] is negative. Cancel cancels the run.
     */
    private OpRegistry registry() {
        OpRegistry standard = Operators.registry();
        return TestGraphs.arithmetic(array -> { }, output -> threadsByNode
                        .computeIfAbsent(output, k -> ConcurrentHashMap.newKeySet())
                        .add(Thread.currentThread()))
                .add("", "Slow", 1, node -> (inputs, ctx) -> {
                    sleep(50);
                    return new Value[] {copy((Tensor) inputs[0], ctx)};
                })
                .add("", "Meet", 1, node -> (inputs, ctx) -> {
                    meeting.countDown();
                    try {
                        if (!meeting.await(10, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("the other Meet node never started");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    }
                    return new Value[] {copy((Tensor) inputs[0], ctx)};
                })
                .add("", "Cancel", 1, node -> (inputs, ctx) -> {
                    cancelTarget.get().cancel();
                    return new Value[] {copy((Tensor) inputs[0], ctx)};
                })
                .add("", "If", 13, standard.lookup("", "If", 13).orElseThrow())
                .build();
    }

    private static Tensor copy(Tensor x, RunContext ctx) {
        return TestGraphs.copy(x, ctx, array -> { });
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Session session(GraphProto graph, int interOpThreads) {
        return Session.open(TestGraphs.model(graph), SessionOptions.builder().registry(registry())
                .interOpThreads(interOpThreads)
                .optimizationLevel(SessionOptions.OptimizationLevel.NONE).build());
    }

    /**
     * Four branches from x, each a chain of three AddC nodes, summed pairwise into y:
     * y = 4x + (1+2+3) + (10+20+30) + (100+200+300) + (1000+2000+3000).
     */
    private static GraphProto fourBranches() {
        List<NodeProto> nodes = new ArrayList<>();
        for (int b = 0; b < 4; b++) {
            float scale = (float) Math.pow(10, b);
            String prefix = "b" + b + "_";
            nodes.add(addC("x", scale, prefix + "1"));
            nodes.add(addC(prefix + "1", 2 * scale, prefix + "2"));
            nodes.add(addC(prefix + "2", 3 * scale, prefix + "3"));
        }
        nodes.add(node("Sum", List.of("b0_3", "b1_3"), "s01"));
        nodes.add(node("Sum", List.of("b2_3", "b3_3"), "s23"));
        nodes.add(node("Sum", List.of("s01", "s23"), "y"));
        return graph("branches", nodes, List.of("x"), List.of("y"));
    }

    @Test
    void interOpDefaultIsOne() {
        assertThat(SessionOptions.defaults().interOpThreads()).isEqualTo(1);
        assertThatThrownBy(() -> SessionOptions.builder().interOpThreads(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("from 1 to " + SessionOptions.MAX_THREADS + ", got 0");
    }

    @Test
    void branchesMatchSequential() {
        float[] x = {1, -2, 3.5f, 0};
        try (Session sequential = session(fourBranches(), 1);
                Session parallel = session(fourBranches(), 3)) {
            float[] expected = sequential.run(Map.of("x", vector(x))).tensor("y").floats();
            assertThat(expected[0]).isEqualTo(4 * 1 + 6666);
            for (int run = 0; run < 50; run++) {
                assertThat(parallel.run(Map.of("x", vector(x))).tensor("y").floats())
                        .as("run " + run).containsExactly(expected);
            }
        }
    }

    @Test
    void independentNodesRunAtOnce() {
        // Each Meet waits for the other, so this run finishes only when both run concurrently.
        GraphProto g = graph("meet", List.of(node("Meet", List.of("x"), "a"),
                node("Meet", List.of("x"), "b"), node("Sum", List.of("a", "b"), "y")),
                List.of("x"), List.of("y"));
        try (Session s = session(g, 2)) {
            assertThat(s.run(Map.of("x", vector(1, 2))).tensor("y").floats())
                    .containsExactly(2, 4);
        }
    }

    @Test
    void chainRunsOnCallingThread() {
        // A chain has nothing to run in parallel, so the caller runs it as with one thread.
        GraphProto g = graph("chain", List.of(addC("x", 1, "a"), addC("a", 1, "b")),
                List.of("x"), List.of("b"));
        try (Session s = session(g, 4)) {
            assertThat(s.run(Map.of("x", vector(1))).tensor("b").floats()).containsExactly(3);
            assertThat(threadsByNode.get("a")).containsExactly(Thread.currentThread());
            assertThat(threadsByNode.get("b")).containsExactly(Thread.currentThread());
        }
    }

    @Test
    void slowReaderKeepsItsBuffer() {
        // a has a slow and a fast reader. The fast branch allocates arrays of a's length after
        // reading a; if a's array were recycled then, Slow would copy a's overwritten array.
        GraphProto g = graph("readers", List.of(addC("x", 1, "a"),
                node("Slow", List.of("a"), "s"), addC("a", 10, "f1"), addC("f1", 10, "f2"),
                addC("f2", 10, "f3"), addC("f3", 10, "f4")),
                List.of("x"), List.of("s", "f4"));
        try (Session s = session(g, 2)) {
            for (int run = 0; run < 5; run++) {
                Result r = s.run(Map.of("x", vector(1, 2, 3)));
                assertThat(r.tensor("s").floats()).as("run " + run).containsExactly(2, 3, 4);
                assertThat(r.tensor("f4").floats()).as("run " + run).containsExactly(42, 43, 44);
            }
        }
    }

    @Test
    void branchErrorNamesNode() {
        GraphProto g = graph("failing", List.of(addC("x", -100, "neg"),
                node("Check", List.of("neg"), "checked"), node("Slow", List.of("x"), "slow"),
                node("Sum", List.of("checked", "slow"), "y")), List.of("x"), List.of("y"));
        try (Session s = session(g, 2)) {
            assertThatThrownBy(() -> s.run(Map.of("x", vector(1, 2))))
                    .isInstanceOf(RunException.class)
                    .hasMessageContaining("checked_node")
                    .hasMessageContaining("Check")
                    .hasMessageContaining("must start with a value >= 0, got -99.0");
            // The session stays usable after a failed run: y = (x - 100) + x.
            assertThat(s.run(Map.of("x", vector(200, 1))).tensor("y").floats())
                    .containsExactly(300, -98);
        }
    }

    @Test
    void errorsInTwoBranchesReportOne() {
        GraphProto g = graph("two-failing", List.of(addC("x", -100, "neg1"), addC("x", -200, "neg2"),
                node("Check", List.of("neg1"), "checked1"), node("Check", List.of("neg2"), "checked2"),
                node("Sum", List.of("checked1", "checked2"), "y")), List.of("x"), List.of("y"));
        for (int threads : new int[] {2, 4}) {
            try (Session s = session(g, threads)) {
                for (int run = 0; run < 50; run++) {
                    assertThatThrownBy(() -> s.run(Map.of("x", vector(1, 2))))
                            .as("threads %d, run %d", threads, run)
                            .isInstanceOf(RunException.class)
                            .hasMessageContaining("Check")
                            .hasMessageContaining("must start with a value >= 0");
                }
                assertThat(s.run(Map.of("x", vector(300, 1))).tensor("y").floats()).containsExactly(300, -298);
            }
        }
    }

    @Test
    void cancelStopsLaterNodes() {
        GraphProto g = graph("cancel", List.of(node("Cancel", List.of("x"), "c"),
                node("Slow", List.of("x"), "slow"), addC("c", 1, "after"),
                node("Sum", List.of("after", "slow"), "y")), List.of("x"), List.of("y"));
        try (Session s = session(g, 2)) {
            RunOptions options = RunOptions.none();
            cancelTarget.set(options);
            assertThatThrownBy(() -> s.run(Map.of("x", vector(1)), options))
                    .isInstanceOf(RunException.class)
                    .hasMessageContaining("cancelled");
            assertThat(threadsByNode).doesNotContainKey("after");
        }
    }

    @Test
    void ifBranchBesideParallelWork() {
        // The If reads a from the enclosing graph, while a Slow node reads a beside it.
        AttributeProto thenBranch = AttributeProto.newBuilder().setName("then_branch")
                .setType(AttributeProto.AttributeType.GRAPH)
                .setG(graph("then", List.of(addC("a", 100, "t")), List.of(), List.of("t"))).build();
        AttributeProto elseBranch = AttributeProto.newBuilder().setName("else_branch")
                .setType(AttributeProto.AttributeType.GRAPH)
                .setG(graph("else", List.of(addC("a", -100, "e")), List.of(), List.of("e"))).build();
        NodeProto ifNode = NodeProto.newBuilder().setOpType("If").setName("if_node")
                .addInput("cond").addOutput("chosen").addAttribute(thenBranch)
                .addAttribute(elseBranch).build();
        GraphProto g = graph("with-if", List.of(addC("x", 1, "a"), node("Slow", List.of("a"), "s"),
                ifNode, node("Sum", List.of("chosen", "s"), "y")), List.of("x", "cond"),
                List.of("y"));
        try (Session sequential = session(g, 1); Session parallel = session(g, 2)) {
            for (boolean cond : new boolean[] {true, false}) {
                Map<String, Value> feeds = Map.of("x", vector(1, 2), "cond",
                        Tensor.of(new boolean[] {cond}, 1));
                float[] expected = sequential.run(feeds).tensor("y").floats();
                assertThat(expected).containsExactly(cond ? 104 : -96, cond ? 106 : -94);
                assertThat(parallel.run(feeds).tensor("y").floats()).containsExactly(expected);
            }
        }
    }

    @Test
    void sharedSessionManyCallers() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(6);
        try (Session s = session(fourBranches(), 2)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                float base = t * 1000;
                futures.add(callers.submit(() -> {
                    for (int run = 0; run < 40; run++) {
                        float v = base + run;
                        float[] y = s.run(Map.of("x", vector(v, -v, 0))).tensor("y").floats();
                        assertThat(y).as("x = " + v).containsExactly(4 * v + 6666, -4 * v + 6666,
                                6666);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
        }
    }
}
