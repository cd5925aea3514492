package dev.jonnx.runtime.ops.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import org.junit.jupiter.api.Test;

class VariadicOpsTest {

    @Test
    void maxPropagatesNaN() {
        Tensor y = NodeRunner.op("Max", 13).run(Tensor.of(new float[] {Float.NaN, 1}, 2),
                Tensor.of(new float[] {0, 2}, 2));
        assertThat(y.floats()).containsExactly(Float.NaN, 2f);
    }

    @Test
    void minOfThreeBroadcasts() {
        Tensor y = NodeRunner.op("Min", 13).run(Tensor.of(new long[] {5, 1}, 2),
                Tensor.scalar(3L), Tensor.of(new long[] {4, 4, 0, 9}, 2, 2));
        assertThat(y.shape()).containsExactly(2, 2);
        assertThat(y.longs()).containsExactly(3, 1, 0, 1);
    }

    @Test
    void maxUint32IsUnsigned() {
        Tensor a = Tensor.of(DataType.UINT32, new int[] {1}, new int[] {-1});
        Tensor b = Tensor.of(DataType.UINT32, new int[] {1}, new int[] {1});
        assertThat(NodeRunner.op("Max", 13).run(a, b).ints()).containsExactly(-1);
    }

    @Test
    void meanOfTwo() {
        Tensor y = NodeRunner.op("Mean", 13).run(Tensor.of(new double[] {1, 2}, 2),
                Tensor.of(new double[] {2, 4}, 2));
        assertThat(y.doubles()).containsExactly(1.5, 3.0);
    }

    @Test
    void sumBeforeOpset8NeedsEqualShapes() {
        assertThatThrownBy(() -> NodeRunner.op("Sum", 6).run(Tensor.of(new float[] {1, 2}, 2),
                Tensor.scalar(1f)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("equal shapes");
    }

    @Test
    void sumOfOneInputIsThatInput() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2);
        assertThat(NodeRunner.op("Sum", 13).run(x).floats()).containsExactly(1f, 2f);
    }

    @Test
    void clipWithAttributesBeforeOpset11() {
        Tensor y = NodeRunner.op("Clip", 6).attr("min", -1f).attr("max", 1f)
                .run(Tensor.of(new float[] {-2, 0.5f, 3}, 3));
        assertThat(y.floats()).containsExactly(-1f, 0.5f, 1f);
    }

    @Test
    void clipWithOnlyMaxInput() {
        Tensor y = NodeRunner.op("Clip", 13).run(Tensor.of(new int[] {-5, 5}, 2), null,
                Tensor.of(new int[] {2}));
        assertThat(y.ints()).containsExactly(-5, 2);
    }

    @Test
    void clipMinAboveMaxGivesMax() {
        Tensor y = NodeRunner.op("Clip", 13).run(Tensor.of(new float[] {-1, 0, 9}, 3),
                Tensor.scalar(2f), Tensor.scalar(1f));
        assertThat(y.floats()).containsExactly(1f, 1f, 1f);
    }

    @Test
    void clipRejectsNonScalarBound() {
        assertThatThrownBy(() -> NodeRunner.op("Clip", 13).run(Tensor.of(new float[] {1}, 1),
                Tensor.of(new float[] {0, 1}, 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be a scalar");
    }

    @Test
    void clipUint64UsesUnsignedOrder() {
        Tensor x = Tensor.of(DataType.UINT64, new int[] {2}, new long[] {-1L, 3});
        Tensor max = Tensor.of(DataType.UINT64, new int[] {}, new long[] {10});
        assertThat(NodeRunner.op("Clip", 13).run(x, null, max).longs()).containsExactly(10, 3);
    }

    @Test
    void whereBroadcastsCondition() {
        Tensor y = NodeRunner.op("Where", 16).run(Tensor.of(new boolean[] {true, false}, 2),
                Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), Tensor.scalar(0f));
        assertThat(y.shape()).containsExactly(2, 2);
        assertThat(y.floats()).containsExactly(1f, 0f, 3f, 0f);
    }

    @Test
    void whereRejectsMixedTypes() {
        assertThatThrownBy(() -> NodeRunner.op("Where", 16).run(Tensor.scalar(true),
                Tensor.scalar(1f), Tensor.scalar(1L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("same element type");
    }
}
