package dev.jonnx.runtime.ops.control;

import static dev.jonnx.runtime.ops.control.Protos.attr;
import static dev.jonnx.runtime.ops.control.Protos.graph;
import static dev.jonnx.runtime.ops.control.Protos.ints;
import static dev.jonnx.runtime.ops.control.Protos.node;
import static dev.jonnx.runtime.ops.control.Protos.session;
import static dev.jonnx.runtime.ops.control.Protos.tensor;
import static dev.jonnx.runtime.ops.control.Protos.untyped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.ModelCheckException;
import dev.jonnx.RunException;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.runtime.Result;
import dev.jonnx.runtime.RunOptions;
import dev.jonnx.runtime.Session;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.SequenceValue;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** If, Loop and Scan on small graphs built in code, with hand-computed results. */
class ControlOpsTest {

    private static Map<String, Value> feeds(Object... pairs) {
        Map<String, Value> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], (Value) pairs[i + 1]);
        }
        return map;
    }

    // ---- If ----

    /** If whose then-branch adds 1 to the outer value x and whose else-branch returns x as is. */
    private static GraphProto ifGraph(int thenOutputs) {
        GraphProto thenBranch = graph("then",
                List.of(node("Constant", List.of(), List.of("one"), attr("value", Tensor.scalar(1f))),
                        node("Add", List.of("x", "one"), List.of("then_y"))),
                List.of(), thenOutputs == 1 ? List.of(untyped("then_y"))
                        : List.of(untyped("then_y"), untyped("one")));
        GraphProto elseBranch = graph("else", List.of(), List.of(), List.of(untyped("x")));
        NodeProto ifNode = node("If", List.of("cond"), List.of("y"),
                attr("then_branch", thenBranch), attr("else_branch", elseBranch));
        return graph("main", List.of(ifNode),
                List.of(tensor("cond", DataType.BOOL), tensor("x", DataType.FLOAT, 2)),
                List.of(untyped("y")));
    }

    @Test
    void ifRunsTheBranchTheConditionSelects() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2);
        try (Session s = session(ifGraph(1), 16)) {
            try (Result r = s.run(feeds("cond", Tensor.scalar(true), "x", x))) {
                assertThat(r.tensor("y").floats()).containsExactly(2, 3);
            }
            try (Result r = s.run(feeds("cond", Tensor.scalar(false), "x", x))) {
                assertThat(r.tensor("y").floats()).containsExactly(1, 2);
            }
        }
    }

    @Test
    void ifAcceptsOneElementConditionOfRankOne() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2);
        GraphProto g = ifGraph(1).toBuilder().setInput(0, tensor("cond", DataType.BOOL, 1)).build();
        try (Session s = session(g, 16);
                Result r = s.run(feeds("cond", Tensor.of(new boolean[] {true}, 1), "x", x))) {
            assertThat(r.tensor("y").floats()).containsExactly(2, 3);
        }
    }

    @Test
    void ifRejectsConditionWithSeveralElements() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2);
        GraphProto g = ifGraph(1).toBuilder().setInput(0, tensor("cond", DataType.BOOL, 2)).build();
        try (Session s = session(g, 16)) {
            assertThatThrownBy(() -> s.run(feeds("cond", Tensor.of(new boolean[] {true, false}, 2), "x", x)))
                    .isInstanceOf(RunException.class)
                    .hasMessageContaining("input 'cond' must be a tensor with one element");
        }
    }

    @Test
    void ifRejectsBranchesWithDifferentOutputCounts() {
        assertThatThrownBy(() -> session(ifGraph(2), 16))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("then_branch has 2 outputs but else_branch has 1");
    }

    @Test
    void ifReturnsSequenceFromBranch() {
        GraphProto thenBranch = graph("then",
                List.of(node("SequenceConstruct", List.of("x", "x"), List.of("seq"))),
                List.of(), List.of(untyped("seq")));
        GraphProto elseBranch = graph("else",
                List.of(node("SequenceConstruct", List.of("x"), List.of("seq1"))),
                List.of(), List.of(untyped("seq1")));
        GraphProto g = graph("main", List.of(node("If", List.of("cond"), List.of("y"),
                        attr("then_branch", thenBranch), attr("else_branch", elseBranch))),
                List.of(tensor("cond", DataType.BOOL), tensor("x", DataType.FLOAT, 1)),
                List.of(untyped("y")));
        try (Session s = session(g, 16);
                Result r = s.run(feeds("cond", Tensor.scalar(true), "x", Tensor.of(new float[] {5}, 1)))) {
            SequenceValue seq = (SequenceValue) r.get("y");
            assertThat(seq.size()).isEqualTo(2);
            assertThat(seq.elementType()).isEqualTo(DataType.FLOAT);
        }
    }

    // ---- Loop ----

    /**
     * Loop whose body adds 1 to the carried x and emits the new x as a scan output; the body's
     * condition output is {@code i < limit} for an outer-scope {@code limit}.
     */
    private static GraphProto loopGraph(List<String> loopInputs) {
        GraphProto body = graph("body",
                List.of(node("Constant", List.of(), List.of("one"), attr("value", Tensor.scalar(1f))),
                        node("Add", List.of("x_in", "one"), List.of("x_out")),
                        node("Less", List.of("i", "limit"), List.of("cond_out")),
                        node("Identity", List.of("x_out"), List.of("scan_out"))),
                List.of(untyped("i"), untyped("cond_in"), untyped("x_in")),
                List.of(untyped("cond_out"), untyped("x_out"), tensor("scan_out", DataType.FLOAT, 2)));
        return graph("main", List.of(node("Loop", loopInputs, List.of("x_final", "xs"),
                        attr("body", body))),
                List.of(tensor("M", DataType.INT64), tensor("cond", DataType.BOOL),
                        tensor("x", DataType.FLOAT, 2), tensor("limit", DataType.INT64)),
                List.of(untyped("x_final"), untyped("xs")));
    }

    private static Map<String, Value> loopFeeds(long m, boolean cond, long limit) {
        return feeds("M", Tensor.scalar(m), "cond", Tensor.scalar(cond),
                "x", Tensor.of(new float[] {1, 2}, 2), "limit", Tensor.scalar(limit));
    }

    @Test
    void loopRunsTripCountAndStacksScanOutputs() {
        try (Session s = session(loopGraph(List.of("M", "", "x")), 16);
                Result r = s.run(loopFeeds(3, true, 0))) {
            // The body's condition (0 < 0 is false) is ignored because the node omits cond.
            assertThat(r.tensor("x_final").floats()).containsExactly(4, 5);
            assertThat(r.tensor("xs").shape()).containsExactly(3, 2);
            assertThat(r.tensor("xs").floats()).containsExactly(2, 3, 3, 4, 4, 5);
        }
    }

    @Test
    void loopStopsWhenBodyConditionTurnsFalse() {
        // Iterations 0, 1 and 2 run; iteration 2 yields 2 < 2 = false.
        try (Session s = session(loopGraph(List.of("M", "cond", "x")), 16);
                Result r = s.run(loopFeeds(10, true, 2))) {
            assertThat(r.tensor("x_final").floats()).containsExactly(4, 5);
            assertThat(r.tensor("xs").shape()).containsExactly(3, 2);
        }
    }

    @Test
    void loopWithFalseConditionRunsZeroIterations() {
        try (Session s = session(loopGraph(List.of("M", "cond", "x")), 16);
                Result r = s.run(loopFeeds(10, false, 2))) {
            assertThat(r.tensor("x_final").floats()).containsExactly(1, 2);
            assertThat(r.tensor("xs").shape()).containsExactly(0, 2);
            assertThat(r.tensor("xs").type()).isEqualTo(DataType.FLOAT);
        }
    }

    @Test
    void loopWithZeroTripCountRunsZeroIterations() {
        try (Session s = session(loopGraph(List.of("M", "", "x")), 11);
                Result r = s.run(loopFeeds(0, true, 5))) {
            assertThat(r.tensor("x_final").floats()).containsExactly(1, 2);
            assertThat(r.tensor("xs").shape()).containsExactly(0, 2);
        }
    }

    @Test
    void loopWithOnlyConditionActsAsWhileLoop() {
        try (Session s = session(loopGraph(List.of("", "cond", "x")), 13);
                Result r = s.run(loopFeeds(0, true, 1))) {
            assertThat(r.tensor("x_final").floats()).containsExactly(3, 4);
        }
    }

    @Test
    void loopWithoutBoundsEndsAtRunDeadline() {
        try (Session s = session(loopGraph(List.of("", "", "x")), 16)) {
            assertThatThrownBy(() -> s.run(loopFeeds(0, true, 0), RunOptions.withTimeout(Duration.ofMillis(200))))
                    .isInstanceOf(RunException.class)
                    .hasMessageContaining("timed out");
        }
    }

    @Test
    void loopRejectsBodyWithWrongInputCount() {
        GraphProto body = graph("body", List.of(), List.of(untyped("i"), untyped("c")),
                List.of(untyped("c")));
        GraphProto g = graph("main", List.of(node("Loop", List.of("M", "", "x"), List.of("y"),
                        attr("body", body))),
                List.of(tensor("M", DataType.INT64), tensor("x", DataType.FLOAT, 2)),
                List.of(untyped("y")));
        assertThatThrownBy(() -> session(g, 16))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("the body must have 2 + 1 inputs");
    }

    @Test
    void loopInsideIfReadsValuesOfBothEnclosingGraphs() {
        // Main graph: a. Then-branch: b = a + a, then a Loop of 2 trips whose body adds a and b
        // to the carried x. Body values reach two levels up (a) and one level up (b).
        GraphProto body = graph("body",
                List.of(node("Add", List.of("x_in", "a"), List.of("t")),
                        node("Add", List.of("t", "b"), List.of("x_out")),
                        node("Identity", List.of("cond_in"), List.of("cond_out"))),
                List.of(untyped("i"), untyped("cond_in"), untyped("x_in")),
                List.of(untyped("cond_out"), untyped("x_out")));
        GraphProto thenBranch = graph("then",
                List.of(node("Add", List.of("a", "a"), List.of("b")),
                        node("Loop", List.of("M", "", "x"), List.of("x_final"), attr("body", body))),
                List.of(), List.of(untyped("x_final")));
        GraphProto elseBranch = graph("else", List.of(), List.of(), List.of(untyped("x")));
        GraphProto g = graph("main", List.of(node("If", List.of("cond"), List.of("y"),
                        attr("then_branch", thenBranch), attr("else_branch", elseBranch))),
                List.of(tensor("cond", DataType.BOOL), tensor("M", DataType.INT64),
                        tensor("x", DataType.FLOAT, 1), tensor("a", DataType.FLOAT, 1)),
                List.of(untyped("y")));
        try (Session s = session(g, 16);
                Result r = s.run(feeds("cond", Tensor.scalar(true), "M", Tensor.scalar(2L),
                        "x", Tensor.of(new float[] {1}, 1), "a", Tensor.of(new float[] {10}, 1)))) {
            // Each trip adds a + b = 10 + 20.
            assertThat(r.tensor("y").floats()).containsExactly(61);
        }
    }

    @Test
    void loopBodyMayReturnInputsAndOuterValuesDirectly() {
        // The body has no nodes: it passes cond and x through and emits the outer a each trip.
        GraphProto body = graph("body", List.of(),
                List.of(untyped("i"), untyped("cond_in"), untyped("x_in")),
                List.of(untyped("cond_in"), untyped("x_in"), untyped("a")));
        GraphProto g = graph("main", List.of(node("Loop", List.of("M", "cond", "x"),
                        List.of("x_final", "as"), attr("body", body))),
                List.of(tensor("M", DataType.INT64), tensor("cond", DataType.BOOL),
                        tensor("x", DataType.FLOAT, 1), tensor("a", DataType.INT32, 2)),
                List.of(untyped("x_final"), untyped("as")));
        try (Session s = session(g, 16);
                Result r = s.run(feeds("M", Tensor.scalar(2L), "cond", Tensor.scalar(true),
                        "x", Tensor.of(new float[] {7}, 1), "a", Tensor.of(new int[] {1, 2}, 2)))) {
            assertThat(r.tensor("x_final").floats()).containsExactly(7);
            assertThat(r.tensor("as").shape()).containsExactly(2, 2);
            assertThat(r.tensor("as").ints()).containsExactly(1, 2, 1, 2);
        }
    }

    // ---- Scan ----

    /** Scan body: state s accumulates the scan element x; the scan output is the new s. */
    private static GraphProto sumBody() {
        return graph("body",
                List.of(node("Add", List.of("s_in", "x_t"), List.of("s_out")),
                        node("Identity", List.of("s_out"), List.of("y_t"))),
                List.of(untyped("s_in"), untyped("x_t")),
                List.of(untyped("s_out"), tensor("y_t", DataType.FLOAT, 2)));
    }

    private static Result scan9(Tensor x, Object... attributes) {
        List<dev.jonnx.onnx.AttributeProto> attrs = new java.util.ArrayList<>();
        attrs.add(attr("body", sumBody()));
        attrs.add(attr("num_scan_inputs", 1L));
        for (Object a : attributes) {
            attrs.add((dev.jonnx.onnx.AttributeProto) a);
        }
        GraphProto g = graph("main", List.of(node("Scan", List.of("s", "x"), List.of("s_final", "y"),
                        attrs.toArray(new dev.jonnx.onnx.AttributeProto[0]))),
                List.of(tensor("s", DataType.FLOAT, 2), untyped("x")),
                List.of(untyped("s_final"), untyped("y")));
        try (Session s = session(g, 11)) {
            return s.run(feeds("s", Tensor.of(new float[] {0, 0}, 2), "x", x));
        }
    }

    private static final Tensor ROWS = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);

    @Test
    void scanAccumulatesForward() {
        Result r = scan9(ROWS);
        assertThat(r.tensor("s_final").floats()).containsExactly(9, 12);
        assertThat(r.tensor("y").shape()).containsExactly(3, 2);
        assertThat(r.tensor("y").floats()).containsExactly(1, 2, 4, 6, 9, 12);
    }

    @Test
    void scanReadsInputInReverse() {
        Result r = scan9(ROWS, ints("scan_input_directions", 1));
        assertThat(r.tensor("y").floats()).containsExactly(5, 6, 8, 10, 9, 12);
    }

    @Test
    void scanPrependsOutputInReverseOutputDirection() {
        Result r = scan9(ROWS, ints("scan_output_directions", 1));
        assertThat(r.tensor("y").floats()).containsExactly(9, 12, 4, 6, 1, 2);
    }

    @Test
    void scanStacksOutputAlongNegativeAxis() {
        Result r = scan9(ROWS, ints("scan_output_axes", -1));
        assertThat(r.tensor("y").shape()).containsExactly(2, 3);
        assertThat(r.tensor("y").floats()).containsExactly(1, 4, 9, 2, 6, 12);
    }

    @Test
    void scanIteratesOverInputAxisOne() {
        Tensor columns = Tensor.of(new float[] {1, 3, 5, 2, 4, 6}, 2, 3);
        Result r = scan9(columns, ints("scan_input_axes", 1));
        assertThat(r.tensor("y").floats()).containsExactly(1, 2, 4, 6, 9, 12);
    }

    @Test
    void scanOverZeroLengthGivesEmptyOutput() {
        Result r = scan9(Tensor.zeros(DataType.FLOAT, 0, 2));
        assertThat(r.tensor("s_final").floats()).containsExactly(0, 0);
        assertThat(r.tensor("y").shape()).containsExactly(0, 2);
    }

    /** Opset-8 Scan summing x over each batch entry's first lens[b] steps, from 0 and 100. */
    private static Result scan8(dev.jonnx.onnx.AttributeProto... extra) {
        GraphProto body = graph("body",
                List.of(node("Add", List.of("s_in", "x_t"), List.of("s_out")),
                        node("Identity", List.of("s_out"), List.of("y_t"))),
                List.of(untyped("s_in"), untyped("x_t")),
                List.of(untyped("s_out"), untyped("y_t")));
        List<dev.jonnx.onnx.AttributeProto> attrs = new java.util.ArrayList<>(List.of(
                attr("body", body), attr("num_scan_inputs", 1L)));
        attrs.addAll(List.of(extra));
        GraphProto g = graph("main", List.of(node("Scan", List.of("lens", "s", "x"),
                        List.of("s_final", "y"), attrs.toArray(new dev.jonnx.onnx.AttributeProto[0]))),
                List.of(tensor("lens", DataType.INT64, 2), tensor("s", DataType.FLOAT, 2, 1),
                        tensor("x", DataType.FLOAT, 2, 3, 1)),
                List.of(untyped("s_final"), untyped("y")));
        try (Session s = session(g, 8)) {
            return s.run(feeds("lens", Tensor.of(new long[] {3, 1}, 2),
                    "s", Tensor.of(new float[] {0, 100}, 2, 1),
                    "x", Tensor.of(new float[] {1, 2, 3, 10, 20, 30}, 2, 3, 1)));
        }
    }

    @Test
    void scan8HonorsBatchAndSequenceLengths() {
        Result r = scan8();
        assertThat(r.tensor("s_final").floats()).containsExactly(6, 110);
        assertThat(r.tensor("y").shape()).containsExactly(2, 3, 1);
        // The second batch entry stops after one step; its padding is zero.
        assertThat(r.tensor("y").floats()).containsExactly(1, 3, 6, 110, 0, 0);
    }

    @Test
    void scan8ReverseStartsAtEachEntrysLength() {
        Result r = scan8(ints("directions", 1));
        assertThat(r.tensor("s_final").floats()).containsExactly(6, 110);
        // The first entry reads 3, 2, 1; the second reads only its one valid step, 10.
        assertThat(r.tensor("y").floats()).containsExactly(3, 5, 6, 110, 0, 0);
    }

    @Test
    void scanRejectsInputsOfDifferentLengths() {
        GraphProto body = graph("body",
                List.of(node("Add", List.of("a_t", "b_t"), List.of("y_t"))),
                List.of(untyped("a_t"), untyped("b_t")), List.of(untyped("y_t")));
        GraphProto g = graph("main", List.of(node("Scan", List.of("a", "b"), List.of("y"),
                        attr("body", body), attr("num_scan_inputs", 2L))),
                List.of(untyped("a"), untyped("b")), List.of(untyped("y")));
        try (Session s = session(g, 16)) {
            assertThatThrownBy(() -> s.run(feeds("a", Tensor.zeros(DataType.FLOAT, 3),
                    "b", Tensor.zeros(DataType.FLOAT, 2))))
                    .isInstanceOf(RunException.class)
                    .hasMessageContaining("same length along its scan axis, got 3 and 2");
        }
    }
}
