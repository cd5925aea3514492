package dev.jonnx.runtime.ops.shape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import org.junit.jupiter.api.Test;

class GatherOpsTest {
    private static final Tensor X = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);

    @Test
    void gatherAlongLastAxisWithNegativeIndex() {
        Tensor y = NodeRunner.op("Gather", 13).attr("axis", 1L)
                .run(X, Tensor.of(new long[] {-1, 0}, 2));
        assertThat(y.shape()).containsExactly(2, 2);
        assertThat(y.floats()).containsExactly(3, 1, 6, 4);
    }

    @Test
    void gatherScalarIndexDropsAxis() {
        Tensor y = NodeRunner.op("Gather", 13).run(X, Tensor.of(new int[] {1}));
        assertThat(y.shape()).containsExactly(3);
        assertThat(y.floats()).containsExactly(4, 5, 6);
    }

    @Test
    void gatherKeepsFloat16Bits() {
        Tensor x = Tensor.of(DataType.FLOAT16, new int[] {3}, new short[] {0x3C00, 0x4000, 0x7E00});
        Tensor y = NodeRunner.op("Gather", 13).run(x, Tensor.of(new long[] {2, 2}, 2));
        assertThat(y.type()).isEqualTo(DataType.FLOAT16);
        assertThat(y.shorts()).containsExactly((short) 0x7E00, (short) 0x7E00);
    }

    @Test
    void gatherRejectsOutOfRangeIndex() {
        assertThatThrownBy(() -> NodeRunner.op("Gather", 13).run(X, Tensor.of(new long[] {2}, 1)))
                .hasMessageContaining("indices value 2 is out of range");
    }

    @Test
    void gatherElementsOnBothAxes() {
        Tensor x = Tensor.of(new long[] {1, 2, 3, 4}, 2, 2);
        Tensor byColumn = NodeRunner.op("GatherElements", 13).attr("axis", 1L)
                .run(x, Tensor.of(new long[] {0, 0, 1, 0}, 2, 2));
        assertThat(byColumn.longs()).containsExactly(1, 1, 4, 3);
        Tensor byRow = NodeRunner.op("GatherElements", 13)
                .run(x, Tensor.of(new long[] {1, -2}, 1, 2));
        assertThat(byRow.shape()).containsExactly(1, 2);
        assertThat(byRow.longs()).containsExactly(3, 2);
    }

    @Test
    void gatherNdWithAndWithoutBatchDims() {
        Tensor x = Tensor.of(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, 2, 2, 2);
        Tensor batched = NodeRunner.op("GatherND", 13).attr("batch_dims", 1L)
                .run(x, Tensor.of(new long[] {1, 0}, 2, 1));
        assertThat(batched.shape()).containsExactly(2, 2);
        assertThat(batched.ints()).containsExactly(2, 3, 4, 5);

        Tensor full = NodeRunner.op("GatherND", 11).run(x, Tensor.of(new long[] {1, 0, 1}, 1, 3));
        assertThat(full.shape()).containsExactly(1);
        assertThat(full.ints()).containsExactly(5);

        assertThatThrownBy(() -> NodeRunner.op("GatherND", 11)
                .run(x, Tensor.of(new long[] {1, 0, 1, 0}, 1, 4)))
                .hasMessageContaining("expected 1 to 3");
    }
}
