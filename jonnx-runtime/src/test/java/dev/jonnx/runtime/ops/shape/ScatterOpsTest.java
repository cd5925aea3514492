package dev.jonnx.runtime.ops.shape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.ModelCheckException;
import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import org.junit.jupiter.api.Test;

class ScatterOpsTest {

    @Test
    void scatterElementsAddsDuplicates() {
        Tensor data = Tensor.of(new int[] {1, 2, 3, 4, 5}, 1, 5);
        Tensor y = NodeRunner.op("ScatterElements", 16).attr("axis", 1L).attr("reduction", "add")
                .run(data, Tensor.of(new long[] {1, 1}, 1, 2), Tensor.of(new int[] {10, 20}, 1, 2));
        assertThat(y.ints()).containsExactly(1, 32, 3, 4, 5);
        assertThat(data.ints()).containsExactly(1, 2, 3, 4, 5);
    }

    @Test
    void scatterElementsLastDuplicateWinsWithoutReduction() {
        Tensor y = NodeRunner.op("ScatterElements", 11).run(Tensor.of(new float[3], 3),
                Tensor.of(new long[] {2, -1}, 2), Tensor.of(new float[] {1, 2}, 2));
        assertThat(y.floats()).containsExactly(0, 0, 2);
    }

    @Test
    void scatterElementsUnsignedMax() {
        Tensor data = Tensor.of(DataType.UINT8, new int[] {2}, new byte[] {(byte) 200, 10});
        Tensor updates = Tensor.of(DataType.UINT8, new int[] {2}, new byte[] {100, (byte) 250});
        Tensor y = NodeRunner.op("ScatterElements", 18).attr("reduction", "max")
                .run(data, Tensor.of(new long[] {0, 1}, 2), updates);
        assertThat(y.getLong(0)).isEqualTo(200);
        assertThat(y.getLong(1)).isEqualTo(250);
    }

    @Test
    void scatterDeprecatedAlongRows() {
        Tensor y = NodeRunner.op("Scatter", 9).run(Tensor.of(new long[4], 2, 2),
                Tensor.of(new long[] {1, 0}, 1, 2), Tensor.of(new long[] {7, 8}, 1, 2));
        assertThat(y.longs()).containsExactly(0, 8, 7, 0);
    }

    @Test
    void scatterReductionNeedsRecentOpset() {
        assertThatThrownBy(() -> NodeRunner.op("ScatterElements", 16).attr("reduction", "max")
                .kernel(new Value[3])).isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("opset 16");
        assertThatThrownBy(() -> NodeRunner.op("ScatterND", 18).attr("reduction", "avg").kernel(new Value[3]))
                .hasMessageContaining("'avg'");
    }

    @Test
    void scatterNdMultipliesAndWritesRows() {
        Tensor y = NodeRunner.op("ScatterND", 16).attr("reduction", "mul")
                .run(Tensor.of(new double[] {1, 2, 3, 4}, 4), Tensor.of(new long[] {1, 1}, 2, 1),
                        Tensor.of(new double[] {3, 5}, 2));
        assertThat(y.doubles()).containsExactly(1, 30, 3, 4);

        Tensor rows = NodeRunner.op("ScatterND", 11).run(Tensor.of(new String[] {"a", "b", "c",
                "d"}, 2, 2), Tensor.of(new long[] {1}, 1, 1),
                Tensor.of(new String[] {"x", "y"}, 1, 2));
        assertThat(rows.strings()).containsExactly("a", "b", "x", "y");
    }

    @Test
    void scatterNdRejectsWrongUpdateShape() {
        assertThatThrownBy(() -> NodeRunner.op("ScatterND", 11).run(Tensor.of(new float[4], 2, 2),
                Tensor.of(new long[] {1}, 1, 1), Tensor.of(new float[3], 1, 3)))
                .hasMessageContaining("must have shape [1, 2]");
    }

    @Test
    void tensorScatterCircularWraps() {
        Tensor past = Tensor.of(new float[4], 1, 4, 1);
        Tensor update = Tensor.of(new float[] {5, 6}, 1, 2, 1);
        Tensor y = NodeRunner.op("TensorScatter", 24).attr("mode", "circular")
                .run(past, update, Tensor.of(new long[] {3}, 1));
        assertThat(y.floats()).containsExactly(6, 0, 0, 5);
        assertThatThrownBy(() -> NodeRunner.op("TensorScatter", 24)
                .run(past, update, Tensor.of(new long[] {3}, 1)))
                .hasMessageContaining("does not fit");
    }

    @Test
    void tensorScatterWithoutWriteIndices() {
        Tensor past = Tensor.of(new long[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor update = Tensor.of(new long[] {9, 8}, 2, 1);
        Tensor y = NodeRunner.op("TensorScatter", 24).attr("axis", 1L).run(past, update);
        assertThat(y.longs()).containsExactly(9, 2, 3, 8, 5, 6);
    }
}
