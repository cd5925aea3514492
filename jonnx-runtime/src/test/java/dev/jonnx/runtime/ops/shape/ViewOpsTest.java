package dev.jonnx.runtime.ops.shape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.OptionalValue;
import dev.jonnx.tensor.SequenceValue;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

class ViewOpsTest {
    private static final Tensor X234 = Tensor.of(new float[24], 2, 3, 4);

    private static Tensor shape(long... dims) {
        return Tensor.of(dims, dims.length);
    }

    @Test
    void reshapeCopiesZeroAndInfersMinusOne() {
        Tensor y = NodeRunner.op("Reshape", 14).run(X234, shape(0, -1));
        assertThat(y.shape()).containsExactly(2, 12);
    }

    @Test
    void reshapeAllowZeroKeepsLiteralZero() {
        Tensor empty = Tensor.of(new float[0], 0, 3);
        Tensor y = NodeRunner.op("Reshape", 14).attr("allowzero", 1L).run(empty, shape(3, 0));
        assertThat(y.shape()).containsExactly(3, 0);
    }

    @Test
    void reshapeToScalar() {
        Tensor y = NodeRunner.op("Reshape", 13).run(Tensor.of(new float[] {5}, 1, 1), shape());
        assertThat(y.shape()).isEmpty();
        assertThat(y.floats()).containsExactly(5f);
    }

    @Test
    void reshapeOpset1ReadsAttribute() {
        Tensor y = NodeRunner.op("Reshape", 1).attr("shape", new long[] {4, -1}).run(X234);
        assertThat(y.shape()).containsExactly(4, 6);
    }

    @Test
    void reshapeRejectsWrongSize() {
        assertThatThrownBy(() -> NodeRunner.op("Reshape", 13).run(X234, shape(5, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("25 elements");
        assertThatThrownBy(() -> NodeRunner.op("Reshape", 13).run(X234, shape(-1, -1)))
                .hasMessageContaining("more than once");
    }

    @Test
    void flattenAxisZeroAndNegative() {
        assertThat(NodeRunner.op("Flatten", 13).attr("axis", 0L).run(X234).shape())
                .containsExactly(1, 24);
        assertThat(NodeRunner.op("Flatten", 13).attr("axis", -1L).run(X234).shape())
                .containsExactly(6, 4);
        assertThat(NodeRunner.op("Flatten", 13).attr("axis", 3L).run(X234).shape())
                .containsExactly(24, 1);
        assertThat(NodeRunner.op("Flatten", 13).attr("axis", 0L)
                .run(Tensor.scalar(1f)).shape()).containsExactly(1, 1);
    }

    @Test
    void squeezeAllOnesOrGivenAxes() {
        Tensor x = Tensor.of(new int[3], 1, 3, 1);
        assertThat(NodeRunner.op("Squeeze", 13).run(x).shape()).containsExactly(3);
        assertThat(NodeRunner.op("Squeeze", 13).run(x, shape(-1)).shape()).containsExactly(1, 3);
        assertThat(NodeRunner.op("Squeeze", 11).attr("axes", new long[] {0}).run(x).shape())
                .containsExactly(3, 1);
        assertThatThrownBy(() -> NodeRunner.op("Squeeze", 13).run(x, shape(1)))
                .hasMessageContaining("size is not 1");
    }

    @Test
    void unsqueezeWithAttributeAndInput() {
        Tensor x = Tensor.of(new String[] {"a", "b", "c"}, 3);
        assertThat(NodeRunner.op("Unsqueeze", 11).attr("axes", new long[] {0, -1}).run(x).shape())
                .containsExactly(1, 3, 1);
        Tensor y = NodeRunner.op("Unsqueeze", 13).run(x, shape(2, 0));
        assertThat(y.shape()).containsExactly(1, 3, 1);
        assertThat(y.strings()).containsExactly("a", "b", "c");
        assertThatThrownBy(() -> NodeRunner.op("Unsqueeze", 13).run(x, shape(0, 0)))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> NodeRunner.op("Unsqueeze", 13).run(x, shape(2)))
                .hasMessageContaining("outside");
    }

    @Test
    void shapeWithStartAndEnd() {
        assertThat(NodeRunner.op("Shape", 13).run(X234).longs()).containsExactly(2, 3, 4);
        assertThat(NodeRunner.op("Shape", 15).attr("start", -2L).run(X234).longs())
                .containsExactly(3, 4);
        assertThat(NodeRunner.op("Shape", 15).attr("start", -10L).attr("end", 10L).run(X234)
                .longs()).containsExactly(2, 3, 4);
        assertThat(NodeRunner.op("Shape", 15).attr("start", 2L).attr("end", 1L).run(X234)
                .shape()).containsExactly(0);
        assertThat(NodeRunner.op("Shape", 15).run(Tensor.scalar(1.0)).shape()).containsExactly(0);
    }

    @Test
    void sizeCountsElements() {
        Tensor s = NodeRunner.op("Size", 13).run(X234);
        assertThat(s.type()).isEqualTo(DataType.INT64);
        assertThat(s.shape()).isEmpty();
        assertThat(s.longs()).containsExactly(24);
        assertThat(NodeRunner.op("Size", 13).run(Tensor.of(new float[0], 0, 5)).longs())
                .containsExactly(0);
    }

    @Test
    void identityPassesAnyValue() {
        Value seq = SequenceValue.of(List.of(Tensor.scalar(1f)));
        assertThat(NodeRunner.op("Identity", 16).runAll(seq)[0]).isSameAs(seq);
        Value none = OptionalValue.empty();
        assertThat(NodeRunner.op("Identity", 16).runAll(none)[0]).isSameAs(none);
    }
}
