package dev.jonnx.runtime.ops.shape;

import static dev.jonnx.runtime.testing.TestTensors.longs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.ModelCheckException;
import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import org.junit.jupiter.api.Test;

class PadOpsTest {
    private static final Tensor X = Tensor.of(new float[] {1, 2, 3}, 3);

    @Test
    void constantPadWithCrop() {
        Tensor y = NodeRunner.op("Pad", 11).run(X, longs(2, -1), Tensor.scalar(9f));
        assertThat(y.floats()).containsExactly(9, 9, 1, 2);
    }

    @Test
    void reflectEdgeAndWrap() {
        assertThat(NodeRunner.op("Pad", 19).attr("mode", "reflect").run(X, longs(2, 2)).floats())
                .containsExactly(3, 2, 1, 2, 3, 2, 1);
        assertThat(NodeRunner.op("Pad", 19).attr("mode", "edge").run(X, longs(1, 2)).floats())
                .containsExactly(1, 1, 2, 3, 3, 3);
        assertThat(NodeRunner.op("Pad", 19).attr("mode", "wrap").run(X, longs(2, 1)).floats())
                .containsExactly(2, 3, 1, 2, 3, 1);
    }

    @Test
    void reflectPastTheWholeAxis() {
        // Reflection keeps bouncing between the ends: 1 2 | 1 2 1 2 ...
        Tensor x = Tensor.of(new float[] {1, 2}, 2);
        assertThat(NodeRunner.op("Pad", 13).attr("mode", "reflect").run(x, longs(0, 4)).floats())
                .containsExactly(1, 2, 1, 2, 1, 2);
    }

    @Test
    void padSelectedAxes() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor y = NodeRunner.op("Pad", 18).run(x, longs(1, 0), null, longs(-1));
        assertThat(y.shape()).containsExactly(2, 3);
        assertThat(y.floats()).containsExactly(0, 1, 2, 0, 3, 4);
    }

    @Test
    void padAttributesBeforeOpset11() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor y = NodeRunner.op("Pad", 2).attr("pads", new long[] {0, 1, 0, 0})
                .attr("value", 5f).run(x);
        assertThat(y.floats()).containsExactly(5, 1, 2, 5, 3, 4);
        Tensor z = NodeRunner.op("Pad", 1).attr("paddings", new long[] {0, 0, 1, 0}).run(x);
        assertThat(z.shape()).containsExactly(3, 2);
        assertThat(z.floats()).containsExactly(1, 2, 3, 4, 0, 0);
    }

    @Test
    void constantPadOfStringsAndInts() {
        Tensor s = NodeRunner.op("Pad", 11).run(Tensor.of(new String[] {"a"}, 1), longs(1, 0));
        assertThat(s.strings()).containsExactly("", "a");
        Tensor i = NodeRunner.op("Pad", 11).run(Tensor.of(new long[] {7}, 1), longs(0, 2),
                Tensor.scalar(-1L));
        assertThat(i.longs()).containsExactly(7, -1, -1);
    }

    @Test
    void padErrors() {
        assertThatThrownBy(() -> NodeRunner.op("Pad", 13).attr("mode", "edge")
                .run(Tensor.of(new float[0], 0), longs(1, 0)))
                .hasMessageContaining("empty axis");
        assertThatThrownBy(() -> NodeRunner.op("Pad", 13).run(X, longs(1)))
                .hasMessageContaining("expected 2");
        assertThatThrownBy(() -> NodeRunner.op("Pad", 13).run(X, longs(-2, -2)))
                .hasMessageContaining("crop more");
        assertThatThrownBy(() -> NodeRunner.op("Pad", 18).attr("mode", "wrap").kernel(new Value[2]))
                .isInstanceOf(ModelCheckException.class).hasMessageContaining("opset 19");
    }
}
