package dev.jonnx.runtime.ops.sequence;

import static dev.jonnx.runtime.ops.control.Protos.attr;
import static dev.jonnx.runtime.ops.control.Protos.graph;
import static dev.jonnx.runtime.ops.control.Protos.kernel;
import static dev.jonnx.runtime.ops.control.Protos.node;
import static dev.jonnx.runtime.ops.control.Protos.run;
import static dev.jonnx.runtime.ops.control.Protos.session;
import static dev.jonnx.runtime.ops.control.Protos.untyped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.ModelCheckException;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.runtime.Result;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.ops.control.Protos;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.OptionalValue;
import dev.jonnx.tensor.SequenceValue;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sequence and optional operators, run as single kernels or in small graphs. */
class SequenceOpsTest {
    private static final Tensor A = Tensor.of(new float[] {1, 2}, 2);
    private static final Tensor B = Tensor.of(new float[] {3, 4}, 2);
    private static final Tensor C = Tensor.of(new float[] {5, 6}, 2);

    private static Kernel kernelOf(String op, int inputs, Object... attributes) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < inputs; i++) {
            names.add("in" + i);
        }
        dev.jonnx.onnx.AttributeProto[] attrs = new dev.jonnx.onnx.AttributeProto[attributes.length];
        for (int i = 0; i < attrs.length; i++) {
            attrs[i] = (dev.jonnx.onnx.AttributeProto) attributes[i];
        }
        return kernel(node(op, names, List.of("out"), attrs), 18);
    }

    private static Value one(String op, Value... inputs) {
        return run(kernelOf(op, inputs.length), inputs)[0];
    }

    private static SequenceValue seq(Tensor... tensors) {
        return SequenceValue.of(List.of(tensors));
    }

    private static float[] floatsAt(SequenceValue s, int i) {
        return ((Tensor) s.get(i)).floats();
    }

    // ---- Construction, insert, at, erase, length ----

    @Test
    void sequenceEmptyKeepsDtype() {
        SequenceValue s = (SequenceValue) run(kernelOf("SequenceEmpty", 0,
                attr("dtype", (long) DataType.INT64.code())))[0];
        assertThat(s.size()).isZero();
        assertThat(s.elementType()).isEqualTo(DataType.INT64);
    }

    @Test
    void sequenceEmptyDefaultsToFloat() {
        SequenceValue s = (SequenceValue) run(kernelOf("SequenceEmpty", 0))[0];
        assertThat(s.elementType()).isEqualTo(DataType.FLOAT);
    }

    @Test
    void sequenceConstructKeepsOrder() {
        SequenceValue s = (SequenceValue) one("SequenceConstruct", A, B);
        assertThat(s.size()).isEqualTo(2);
        assertThat(floatsAt(s, 1)).containsExactly(3, 4);
    }

    @Test
    void sequenceConstructRejectsMixedTypes() {
        assertThatThrownBy(() -> one("SequenceConstruct", A, Tensor.scalar(1L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input 1");
    }

    @Test
    void sequenceInsertAppendsByDefault() {
        SequenceValue s = (SequenceValue) one("SequenceInsert", seq(A, B), C);
        assertThat(floatsAt(s, 2)).containsExactly(5, 6);
    }

    @Test
    void sequenceInsertAtNegativePosition() {
        SequenceValue s = (SequenceValue) one("SequenceInsert", seq(A, B), C, Tensor.scalar(-1L));
        assertThat(floatsAt(s, 0)).containsExactly(1, 2);
        assertThat(floatsAt(s, 1)).containsExactly(5, 6);
        assertThat(floatsAt(s, 2)).containsExactly(3, 4);
    }

    @Test
    void sequenceInsertIntoEmptyTypedSequence() {
        SequenceValue empty = new SequenceValue(List.of(), DataType.FLOAT);
        SequenceValue s = (SequenceValue) one("SequenceInsert", empty, A, Tensor.of(new int[] {0}));
        assertThat(s.size()).isEqualTo(1);
    }

    @Test
    void sequenceInsertRejectsPositionOutOfRange() {
        assertThatThrownBy(() -> one("SequenceInsert", seq(A, B), C, Tensor.scalar(3L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be in [-2, 2]");
    }

    @Test
    void sequenceInsertRejectsOtherElementType() {
        assertThatThrownBy(() -> one("SequenceInsert", seq(A), Tensor.scalar(1.0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("element type float32");
    }

    @Test
    void sequenceAtCountsNegativeFromBack() {
        assertThat(((Tensor) one("SequenceAt", seq(A, B, C), Tensor.scalar(-3L))).floats())
                .containsExactly(1, 2);
        assertThat(((Tensor) one("SequenceAt", seq(A, B, C), Tensor.scalar(2L))).floats())
                .containsExactly(5, 6);
    }

    @Test
    void sequenceAtRejectsPositionPastEnd() {
        assertThatThrownBy(() -> one("SequenceAt", seq(A, B), Tensor.scalar(2L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be in [-2, 1]");
    }

    @Test
    void sequenceEraseRemovesLastByDefault() {
        SequenceValue s = (SequenceValue) one("SequenceErase", seq(A, B, C));
        assertThat(s.size()).isEqualTo(2);
        assertThat(floatsAt(s, 1)).containsExactly(3, 4);
    }

    @Test
    void sequenceEraseAtPosition() {
        SequenceValue s = (SequenceValue) one("SequenceErase", seq(A, B, C), Tensor.scalar(0L));
        assertThat(floatsAt(s, 0)).containsExactly(3, 4);
    }

    @Test
    void sequenceEraseRejectsEmptySequence() {
        assertThatThrownBy(() -> one("SequenceErase", new SequenceValue(List.of(), DataType.FLOAT)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is empty");
    }

    @Test
    void sequenceLengthIsInt64Scalar() {
        Tensor n = (Tensor) one("SequenceLength", seq(A, B, C));
        assertThat(n.type()).isEqualTo(DataType.INT64);
        assertThat(n.rank()).isZero();
        assertThat(n.longs()).containsExactly(3);
    }

    // ---- ConcatFromSequence and SplitToSequence ----

    @Test
    void concatFromSequenceAlongExistingAxis() {
        Tensor t = (Tensor) run(kernelOf("ConcatFromSequence", 1, attr("axis", 0L)), seq(A, B))[0];
        assertThat(t.shape()).containsExactly(4);
        assertThat(t.floats()).containsExactly(1, 2, 3, 4);
    }

    @Test
    void concatFromSequenceWithNewAxisAtEnd() {
        Tensor t = (Tensor) run(kernelOf("ConcatFromSequence", 1, attr("axis", 1L),
                attr("new_axis", 1L)), seq(A, B, C))[0];
        assertThat(t.shape()).containsExactly(2, 3);
        assertThat(t.floats()).containsExactly(1, 3, 5, 2, 4, 6);
    }

    @Test
    void concatFromSequenceWithNewAxisNegative() {
        Tensor t = (Tensor) run(kernelOf("ConcatFromSequence", 1, attr("axis", -2L),
                attr("new_axis", 1L)), seq(A, B))[0];
        assertThat(t.shape()).containsExactly(2, 2);
        assertThat(t.floats()).containsExactly(1, 2, 3, 4);
    }

    @Test
    void concatFromSequenceOfScalarsNeedsNewAxis() {
        SequenceValue scalars = seq(Tensor.scalar(1f), Tensor.scalar(2f));
        Tensor t = (Tensor) run(kernelOf("ConcatFromSequence", 1, attr("axis", 0L),
                attr("new_axis", 1L)), scalars)[0];
        assertThat(t.floats()).containsExactly(1, 2);
        assertThatThrownBy(() -> run(kernelOf("ConcatFromSequence", 1, attr("axis", 0L)), scalars))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concatFromSequenceRejectsEmptySequence() {
        assertThatThrownBy(() -> run(kernelOf("ConcatFromSequence", 1, attr("axis", 0L)),
                new SequenceValue(List.of(), DataType.FLOAT)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is empty");
    }

    private static final Tensor MATRIX = Tensor.of(new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 2, 5);

    @Test
    void splitToSequenceDefaultsToSizeOneKeepingDims() {
        SequenceValue s = (SequenceValue) run(kernelOf("SplitToSequence", 1, attr("axis", 1L)), MATRIX)[0];
        assertThat(s.size()).isEqualTo(5);
        assertThat(((Tensor) s.get(4)).shape()).containsExactly(2, 1);
        assertThat(((Tensor) s.get(4)).longs()).containsExactly(5, 10);
    }

    @Test
    void splitToSequenceDropsAxisWithoutKeepdims() {
        SequenceValue s = (SequenceValue) run(kernelOf("SplitToSequence", 1, attr("axis", -2L),
                attr("keepdims", 0L)), MATRIX)[0];
        assertThat(s.size()).isEqualTo(2);
        assertThat(((Tensor) s.get(1)).shape()).containsExactly(5);
        assertThat(((Tensor) s.get(1)).longs()).containsExactly(6, 7, 8, 9, 10);
    }

    @Test
    void splitToSequenceScalarSplitLeavesShorterLastChunk() {
        SequenceValue s = (SequenceValue) run(kernelOf("SplitToSequence", 2, attr("axis", 1L),
                attr("keepdims", 0L)), MATRIX, Tensor.scalar(2L))[0];
        assertThat(s.size()).isEqualTo(3);
        assertThat(((Tensor) s.get(0)).shape()).containsExactly(2, 2);
        assertThat(((Tensor) s.get(2)).shape()).containsExactly(2, 1);
        assertThat(((Tensor) s.get(2)).longs()).containsExactly(5, 10);
    }

    @Test
    void splitToSequenceWithLengths() {
        SequenceValue s = (SequenceValue) run(kernelOf("SplitToSequence", 2, attr("axis", 1L)),
                MATRIX, Tensor.of(new int[] {1, 0, 4}, 3))[0];
        assertThat(s.size()).isEqualTo(3);
        assertThat(((Tensor) s.get(1)).shape()).containsExactly(2, 0);
        assertThat(((Tensor) s.get(2)).longs()).containsExactly(2, 3, 4, 5, 7, 8, 9, 10);
    }

    @Test
    void splitToSequenceRejectsLengthsWithWrongSum() {
        assertThatThrownBy(() -> run(kernelOf("SplitToSequence", 2, attr("axis", 1L)),
                MATRIX, Tensor.of(new long[] {1, 2}, 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("add up to 3");
    }

    @Test
    void splitToSequenceKeepsStrings() {
        Tensor words = Tensor.of(new String[] {"a", "b", "c"}, 3);
        SequenceValue s = (SequenceValue) run(kernelOf("SplitToSequence", 1), words)[0];
        assertThat(s.elementType()).isEqualTo(DataType.STRING);
        assertThat(((Tensor) s.get(2)).strings()).containsExactly("c");
    }

    // ---- Optionals ----

    @Test
    void optionalWrapsInputOrIsEmpty() {
        Kernel wrap = kernelOf("Optional", 1);
        assertThat(((OptionalValue) run(wrap, A)[0]).value()).isSameAs(A);
        Kernel empty = kernel(node("Optional", List.of(), List.of("out"),
                Protos.typeAttr("type", Protos.tensorType(DataType.FLOAT))), 15);
        assertThat(((OptionalValue) run(empty)[0]).isPresent()).isFalse();
    }

    @Test
    void optionalWithoutInputNeedsType() {
        assertThatThrownBy(() -> kernel(node("Optional", List.of(), List.of("out")), 15))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("'type' attribute");
    }

    @Test
    void optionalHasElementCases() {
        assertThat(((Tensor) one("OptionalHasElement", new OptionalValue(A))).booleans()).containsExactly(true);
        assertThat(((Tensor) one("OptionalHasElement", OptionalValue.empty())).booleans()).containsExactly(false);
        assertThat(((Tensor) one("OptionalHasElement", A)).booleans()).containsExactly(true);
        Kernel absent = kernel(node("OptionalHasElement", List.of(""), List.of("out")), 18);
        assertThat(((Tensor) run(absent, (Value) null)[0]).booleans()).containsExactly(false);
    }

    @Test
    void optionalHasElementNeedsInputBeforeOpset18() {
        assertThatThrownBy(() -> kernel(node("OptionalHasElement", List.of(), List.of("out")), 15))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("required before opset 18");
    }

    @Test
    void optionalGetElementUnwrapsOrPassesThrough() {
        assertThat(one("OptionalGetElement", new OptionalValue(seq(A)))).isInstanceOf(SequenceValue.class);
        assertThat(one("OptionalGetElement", A)).isSameAs(A);
        assertThatThrownBy(() -> one("OptionalGetElement", OptionalValue.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty optional");
    }

    // ---- SequenceMap ----

    /** SequenceMap adding a tensor y to every element of the sequence xs. */
    private static GraphProto mapGraph() {
        GraphProto body = graph("body",
                List.of(node("Add", List.of("x", "y"), List.of("z")),
                        node("Shape", List.of("x"), List.of("shape"))),
                List.of(untyped("x"), untyped("y")),
                List.of(Protos.tensor("z", DataType.FLOAT), Protos.tensor("shape", DataType.INT64, 1)));
        NodeProto map = node("SequenceMap", List.of("xs", "y"), List.of("zs", "shapes"), attr("body", body));
        return graph("main", List.of(map), List.of(untyped("xs"), untyped("y")),
                List.of(untyped("zs"), untyped("shapes")));
    }

    @Test
    void sequenceMapAppliesBodyPerElement() {
        SequenceValue xs = seq(A, Tensor.of(new float[] {7}, 1));
        try (Session s = session(mapGraph(), 17);
                Result r = s.run(Map.of("xs", xs, "y", Tensor.scalar(10f)))) {
            SequenceValue zs = (SequenceValue) r.get("zs");
            assertThat(floatsAt(zs, 0)).containsExactly(11, 12);
            assertThat(floatsAt(zs, 1)).containsExactly(17);
            SequenceValue shapes = (SequenceValue) r.get("shapes");
            assertThat(((Tensor) shapes.get(0)).longs()).containsExactly(2);
            assertThat(shapes.elementType()).isEqualTo(DataType.INT64);
        }
    }

    @Test
    void sequenceMapOverEmptySequenceUsesDeclaredTypes() {
        try (Session s = session(mapGraph(), 17);
                Result r = s.run(Map.of("xs", new SequenceValue(List.of(), DataType.FLOAT),
                        "y", Tensor.scalar(10f)))) {
            SequenceValue shapes = (SequenceValue) r.get("shapes");
            assertThat(shapes.size()).isZero();
            assertThat(shapes.elementType()).isEqualTo(DataType.INT64);
        }
    }

    @Test
    void sequenceMapRejectsSequencesOfDifferentLengths() {
        try (Session s = session(mapGraph(), 17)) {
            assertThatThrownBy(() -> s.run(Map.of("xs", seq(A, B), "y", seq(A))))
                    .hasMessageContaining("input 1 is a sequence of 1 elements, but 'input_sequence' has 2");
        }
    }
}
