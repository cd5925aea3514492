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
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.runtime.ops.Operators;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.SequenceValue;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Buffer recycling in the executor, with test kernels that take every output from
 * {@code RunContext.newFloats}, so a wrongly recycled array gets overwritten by a later node and
 * shows up as a wrong value.
 */
class MemoryReuseTest {

    /** Every array the test kernels got from newFloats, by identity. */
    private final Set<float[]> handedOut = Collections.synchronizedSet(
            Collections.newSetFromMap(new IdentityHashMap<>()));

    /**
     * Builds the test operators: AddC (x + attribute c), Sum (a + b), View (the input's array
     * under a new tensor, as Reshape does) and Check (copies x, failing when x[0] is negative).
     * SeqOf wraps a tensor in a one-element sequence and SeqFirst unwraps it. If, Loop and
     * Identity are the real kernels.
     */
    private OpRegistry registry() {
        OpRegistry standard = Operators.registry();
        return TestGraphs.arithmetic(handedOut::add, output -> { })
                .add("", "View", 1, node -> (inputs, ctx) -> {
                    Tensor x = (Tensor) inputs[0];
                    return new Value[] {Tensor.of(DataType.FLOAT, new int[] {x.size()}, x.floats())};
                })
                .add("", "Scratch", 1, node -> (inputs, ctx) -> {
                    // Takes a scratch array, fills it with garbage, and returns x + 1 in another.
                    Tensor x = (Tensor) inputs[0];
                    float[] scratch = TestGraphs.newFloats(ctx, x.size(), handedOut::add);
                    Arrays.fill(scratch, -12345f);
                    float[] out = TestGraphs.newFloats(ctx, x.size(), handedOut::add);
                    for (int i = 0; i < out.length; i++) {
                        out[i] = x.floats()[i] + 1 + scratch[i] - scratch[i];
                    }
                    return new Value[] {Tensor.of(DataType.FLOAT, x.shape(), out)};
                })
                .add("", "Wrap", 1, node -> {
                    // Copies x into an array taken before its body runs, and checks the array
                    // after the body, as Scan does with the output it fills over iterations.
                    Subgraph body = node.getSubgraph("body");
                    return (inputs, ctx) -> {
                        Tensor x = (Tensor) inputs[0];
                        float[] out = TestGraphs.newFloats(ctx, x.size(), handedOut::add);
                        System.arraycopy(x.floats(), 0, out, 0, out.length);
                        Value[] bodyOut = body.run(new Value[0], ctx);
                        for (int i = 0; i < out.length; i++) {
                            if (out[i] != x.floats()[i]) {
                                throw new IllegalStateException("the body overwrote the array of Wrap");
                            }
                            out[i] += ((Tensor) bodyOut[0]).floats()[i];
                        }
                        return new Value[] {Tensor.of(DataType.FLOAT, x.shape(), out)};
                    };
                })
                .add("", "SeqOf", 1, node -> (inputs, ctx) -> new Value[] {SequenceValue.of(List.of(inputs[0]))})
                .add("", "SeqFirst", 1, node -> (inputs, ctx) -> new Value[] {((SequenceValue) inputs[0]).get(0)})
                .add("", "If", 13, standard.lookup("", "If", 13).orElseThrow())
                .add("", "Loop", 13, standard.lookup("", "Loop", 13).orElseThrow())
                .add("", "Identity", 13, standard.lookup("", "Identity", 13).orElseThrow())
                .build();
    }

    private Session session(GraphProto graph, boolean reuse) {
        return Session.open(TestGraphs.model(graph), SessionOptions.builder().registry(registry()).memoryReuse(reuse)
                .optimizationLevel(SessionOptions.OptimizationLevel.NONE).build());
    }

    private static float[] plus(float[] x, float c) {
        float[] out = x.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += c;
        }
        return out;
    }

    /** x -> a -> b -> c -> d -> e through AddC(1) each; only e is an output. */
    private static GraphProto chain() {
        return graph("chain", List.of(addC("x", 1, "a"), addC("a", 1, "b"), addC("b", 1, "c"),
                addC("c", 1, "d"), addC("d", 1, "e")), List.of("x"), List.of("e"));
    }

    @Test
    void chainReusesReleasedArrays() {
        try (Session s = session(chain(), true)) {
            float[] x = {1, 2, 3};
            assertThat(s.run(Map.of("x", vector(x))).tensor("e").floats()).containsExactly(plus(x, 5));
            // Each node's output can take the array its input's producer used two steps back.
            assertThat(handedOut).hasSize(2);
            for (int run = 2; run <= 4; run++) {
                assertThat(s.run(Map.of("x", vector(x))).tensor("e").floats())
                        .containsExactly(plus(x, 5));
                // The output leaves with the caller, so each later run allocates one array.
                assertThat(handedOut).hasSize(run + 1);
            }
            assertThat(s.retainedBufferBytes()).isEqualTo(4L * x.length);
        }
    }

    @Test
    void chainWithoutReuseAllocatesEveryOutput() {
        assertThat(SessionOptions.defaults().memoryReuse()).isTrue();
        try (Session s = session(chain(), false)) {
            float[] x = {1, 2, 3};
            s.run(Map.of("x", vector(x)));
            s.run(Map.of("x", vector(x)));
            assertThat(handedOut).hasSize(10);
            assertThat(s.retainedBufferBytes()).isZero();
        }
    }

    @Test
    void shapeChangeDropsUnusedBuffers() {
        try (Session s = session(chain(), true)) {
            s.run(Map.of("x", vector(1, 2, 3)));
            assertThat(s.retainedBufferBytes()).isEqualTo(12);
            s.run(Map.of("x", vector(1, 2, 3, 4, 5)));
            assertThat(s.retainedBufferBytes()).isEqualTo(20);
        }
    }

    @Test
    void aliasKeepsValuesAfterSourceRelease() {
        // a's last reader is b, but v shares a's array and is read after c is allocated.
        GraphProto g = graph("alias", List.of(addC("x", 1, "a"), node("View", List.of("a"), "v"),
                addC("a", 1, "b"), addC("b", 1, "c"), node("Sum", List.of("v", "c"), "y")),
                List.of("x"), List.of("y", "v"));
        try (Session s = session(g, true)) {
            float[] x = {1, 2, 3, 4};
            for (int run = 0; run < 3; run++) {
                Result r = s.run(Map.of("x", vector(x)));
                assertThat(r.tensor("y").floats()).containsExactly(6, 8, 10, 12);
                assertThat(r.tensor("v").floats()).containsExactly(plus(x, 1));
            }
        }
    }

    @Test
    void outputsOfEarlierRunStayUnchanged() {
        GraphProto g = graph("outputs", List.of(addC("x", 1, "a"), node("View", List.of("a"), "v"),
                addC("a", 10, "b"), addC("b", 1, "c")), List.of("x"), List.of("v", "c"));
        try (Session s = session(g, true)) {
            Result first = s.run(Map.of("x", vector(1, 2)));
            for (int run = 0; run < 3; run++) {
                s.run(Map.of("x", vector(-5, -7)));
            }
            assertThat(first.tensor("v").floats()).containsExactly(2, 3);
            assertThat(first.tensor("c").floats()).containsExactly(13, 14);
        }
    }

    @Test
    void callerInputsAreNeverRecycled() {
        // The output of one run is fed back as the next run's input, as recurrent state is.
        GraphProto g = graph("feedback", List.of(node("View", List.of("x"), "v"), addC("v", 1, "a"),
                addC("a", 1, "b"), addC("b", 1, "c"), addC("c", 1, "y")), List.of("x"), List.of("y"));
        try (Session s = session(g, true)) {
            Tensor state = vector(0, 0, 0);
            for (int run = 1; run <= 4; run++) {
                Tensor fed = state;
                float[] before = fed.floats().clone();
                state = s.run(Map.of("x", fed)).tensor("y");
                assertThat(fed.floats()).containsExactly(before);
                assertThat(state.floats()).containsExactly(plus(before, 4));
            }
        }
    }

    @Test
    void sequenceElementIsNotRecycled() {
        GraphProto g = graph("sequence", List.of(addC("x", 1, "a"), node("SeqOf", List.of("a"), "s"),
                addC("x", 5, "b"), addC("b", 0, "b2"), node("SeqFirst", List.of("s"), "e"),
                node("Sum", List.of("e", "b2"), "y")), List.of("x"), List.of("y"));
        try (Session s = session(g, true)) {
            for (int run = 0; run < 3; run++) {
                assertThat(s.run(Map.of("x", vector(1, 2))).tensor("y").floats()).containsExactly(8, 10);
            }
        }
    }

    /**
     * Outer graph: a = x + 1, then an If whose branches read a and x from the outer scope and
     * allocate several temporaries, then y = a + branch output, so a must survive the branch.
     */
    private static GraphProto ifGraph() {
        GraphProto then = graph("then", List.of(addC("a", 1, "t1"), node("View", List.of("t1"), "t2"),
                addC("t1", 1, "t3"), addC("t3", 1, "t4"), node("Sum", List.of("t2", "t4"), "out")),
                List.of(), List.of("out"));
        GraphProto otherwise = graph("else", List.of(addC("x", 100, "e1"), addC("e1", 1, "out2")),
                List.of(), List.of("out2"));
        NodeProto ifNode = NodeProto.newBuilder().setOpType("If").setName("if").addInput("cond")
                .addOutput("r")
                .addAttribute(AttributeProto.newBuilder().setName("then_branch")
                        .setType(AttributeProto.AttributeType.GRAPH).setG(then))
                .addAttribute(AttributeProto.newBuilder().setName("else_branch")
                        .setType(AttributeProto.AttributeType.GRAPH).setG(otherwise))
                .build();
        return graph("if", List.of(addC("x", 1, "a"), ifNode, node("Sum", List.of("a", "r"), "y")),
                List.of("x", "cond"), List.of("y"));
    }

    private static float[] expectedIf(float[] x, boolean cond) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            float a = x[i] + 1;
            y[i] = a + (cond ? (a + 1) + (a + 3) : x[i] + 101);
        }
        return y;
    }

    @Test
    void subgraphKeepsOuterValues() {
        try (Session s = session(ifGraph(), true)) {
            float[] x = {1, 2, 3};
            for (boolean cond : new boolean[] {true, false, true, true}) {
                Result r = s.run(Map.of("x", vector(x), "cond", Tensor.scalar(cond)));
                assertThat(r.tensor("y").floats()).containsExactly(expectedIf(x, cond));
            }
        }
    }

    @Test
    void loopCarriedValuesSurviveIterations() {
        // Body: w = View(v), v' = w + (w + 1 + 1). The carried value's alias w is read after new
        // arrays of its length are taken.
        GraphProto body = graph("body", List.of(
                node("View", List.of("v"), "w"), addC("w", 1, "p"), addC("p", 1, "q"),
                node("Sum", List.of("w", "q"), "sum"), addC("sum", 0, "v_next"),
                node("Identity", List.of("cond_in"), "cond_out")),
                List.of("iter", "cond_in", "v"), List.of("cond_out", "v_next"));
        NodeProto loop = NodeProto.newBuilder().setOpType("Loop").setName("loop").addInput("m")
                .addInput("").addInput("x").addOutput("y")
                .addAttribute(AttributeProto.newBuilder().setName("body")
                        .setType(AttributeProto.AttributeType.GRAPH).setG(body))
                .build();
        GraphProto g = graph("loop", List.of(loop), List.of("m", "x"), List.of("y"));
        try (Session s = session(g, true)) {
            for (int run = 0; run < 3; run++) {
                // Each iteration maps v to 2v + 2: 1 -> 4 -> 10 -> 22.
                Result r = s.run(Map.of("m", Tensor.scalar(3L), "x", vector(1, 1)));
                assertThat(r.tensor("y").floats()).containsExactly(22, 22);
            }
        }
    }

    @Test
    void failedRunLeavesSessionUsable() {
        GraphProto g = graph("fails", List.of(addC("x", 1, "a"), addC("a", 1, "b"),
                node("Check", List.of("x"), "checked"), addC("b", 1, "c"), node("Sum", List.of("c", "checked"), "y")),
                List.of("x"), List.of("y"));
        try (Session s = session(g, true)) {
            assertThat(s.run(Map.of("x", vector(1, 2))).tensor("y").floats()).containsExactly(5, 7);
            assertThatThrownBy(() -> s.run(Map.of("x", vector(-1, 2))))
                    .isInstanceOf(RunException.class)
                    .hasMessageContaining("must start with a value >= 0");
            for (int run = 0; run < 3; run++) {
                assertThat(s.run(Map.of("x", vector(2, 3))).tensor("y").floats()).containsExactly(7, 9);
            }
        }
    }

    @Test
    void concurrentRunsMatchSingleThreaded() throws Exception {
        int threads = 8;
        int runsPerThread = 40;
        try (Session s = session(ifGraph(), true)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<String>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int id = t;
                    results.add(pool.submit(() -> {
                        for (int run = 0; run < runsPerThread; run++) {
                            int length = 1 + (id + run) % 5;
                            float[] x = new float[length];
                            for (int i = 0; i < length; i++) {
                                x[i] = id * 1000 + run * 10 + i;
                            }
                            boolean cond = (id + run) % 3 != 0;
                            float[] y = s.run(Map.of("x", vector(x), "cond", Tensor.scalar(cond)))
                                    .tensor("y").floats();
                            if (!Arrays.equals(y, expectedIf(x, cond))) {
                                return "thread " + id + " run " + run + ": got " + Arrays.toString(y)
                                        + ", expected " + Arrays.toString(expectedIf(x, cond));
                            }
                        }
                        return "";
                    }));
                }
                for (Future<String> f : results) {
                    assertThat(f.get()).isEmpty();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static void retain(BufferArena arena, Value value) {
        synchronized (arena) {
            arena.retain(value);
        }
    }

    private static void release(BufferArena arena, Value value, boolean recycle) {
        synchronized (arena) {
            arena.release(value, recycle);
        }
    }

    @Test
    void arenaRecyclesOnlyAfterLastReference() {
        BufferArena arena = new BufferArena();
        float[] a = arena.newFloats(8);
        Tensor t = Tensor.of(a, 8);
        Tensor alias = Tensor.of(a, 2, 4);
        retain(arena, t);
        retain(arena, alias);
        release(arena, t, true);
        assertThat(arena.newFloats(8)).isNotSameAs(a);
        release(arena, alias, true);
        assertThat(arena.newFloats(8)).isSameAs(a);
    }

    @Test
    void arenaIgnoresForeignArrays() {
        BufferArena arena = new BufferArena();
        float[] foreign = new float[8];
        Tensor t = Tensor.of(foreign, 8);
        retain(arena, t);
        release(arena, t, true);
        assertThat(arena.freeBytes()).isZero();
        assertThat(arena.newFloats(8)).isNotSameAs(foreign);
    }

    @Test
    void arenaForgetsOwnershipAtEndOfRun() {
        BufferArena arena = new BufferArena();
        float[] output = arena.newFloats(4);
        arena.endRun();
        Tensor fedBack = Tensor.of(output, 4);
        retain(arena, fedBack);
        release(arena, fedBack, true);
        assertThat(arena.freeBytes()).isZero();
    }

    @Test
    void arenaHandsOutDistinctArraysAcrossThreads() throws Exception {
        BufferArena arena = new BufferArena();
        int count = 4000;
        for (int i = 0; i < count; i++) {
            Tensor t = Tensor.of(arena.newFloats(4), 4);
            retain(arena, t);
            release(arena, t, true);
        }
        // The loop above recycled one array over and over; build a deep free list instead.
        List<Tensor> live = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Tensor t = Tensor.of(arena.newFloats(4), 4);
            retain(arena, t);
            live.add(t);
        }
        live.forEach(t -> release(arena, t, true));
        assertThat(arena.freeBytes()).isEqualTo(16L * count);

        Set<float[]> handedOutConcurrently = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < count / 4; i++) {
                        handedOutConcurrently.add(arena.newFloats(4));
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(handedOutConcurrently).hasSize(count);
        assertThat(arena.freeBytes()).isZero();
    }

    @Test
    void poolKeepsAtMostMaxIdle() {
        ArenaPool pool = new ArenaPool(2);
        BufferArena[] borrowed = {pool.borrow(), pool.borrow(), pool.borrow()};
        for (BufferArena arena : borrowed) {
            pool.giveBack(arena);
        }
        assertThat(pool.idleCount()).isEqualTo(2);
        // The third arena found the pool full and was dropped; the last one kept comes first.
        assertThat(pool.borrow()).isSameAs(borrowed[1]);
    }

    @Test
    void scratchArraysAreReused() {
        GraphProto g = graph("scratch", List.of(node("Scratch", List.of("x"), "a"),
                node("Scratch", List.of("a"), "b"), node("Scratch", List.of("b"), "c")),
                List.of("x"), List.of("c"));
        try (Session s = session(g, true)) {
            for (int run = 0; run < 4; run++) {
                assertThat(s.run(Map.of("x", vector(1, 2))).tensor("c").floats())
                        .as("run " + run).containsExactly(4, 5);
            }
            // Run 1 takes three arrays: the scratch array of each node is reused by the next
            // node's scratch or output. Each later run takes one, for the output it returns.
            assertThat(handedOut).hasSize(3 + 3);
        }
    }

    @Test
    void arrayTakenBeforeBodyIsKept() {
        // The body's nodes take and free arrays of Wrap's length while Wrap's array is in use.
        GraphProto body = graph("body", List.of(node("Scratch", List.of("x"), "p"),
                node("Scratch", List.of("p"), "q"), node("Scratch", List.of("q"), "r")),
                List.of(), List.of("r"));
        NodeProto wrap = NodeProto.newBuilder().setOpType("Wrap").setName("wrap").addInput("x")
                .addOutput("y").addAttribute(AttributeProto.newBuilder().setName("body")
                        .setType(AttributeProto.AttributeType.GRAPH).setG(body)).build();
        GraphProto g = graph("wrap", List.of(node("Scratch", List.of("x"), "w"), wrap),
                List.of("x"), List.of("y", "w"));
        try (Session s = session(g, true)) {
            for (int run = 0; run < 3; run++) {
                Result r = s.run(Map.of("x", vector(1, 2, 3)));
                assertThat(r.tensor("y").floats()).as("run " + run).containsExactly(5, 7, 9);
                assertThat(r.tensor("w").floats()).as("run " + run).containsExactly(2, 3, 4);
            }
        }
    }
}
