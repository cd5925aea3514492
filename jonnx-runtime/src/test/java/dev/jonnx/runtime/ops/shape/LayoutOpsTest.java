package dev.jonnx.runtime.ops.shape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LayoutOpsTest {

    @Test
    void transposeInt4ByDefaultPermutation() {
        Tensor x = Tensor.of(DataType.INT4, new int[] {2, 3}, new byte[] {-8, -1, 0, 1, 2, 7});
        Tensor y = NodeRunner.op("Transpose", 21).run(x);
        assertThat(y.type()).isEqualTo(DataType.INT4);
        assertThat(y.shape()).containsExactly(3, 2);
        assertThat(y.bytes()).containsExactly(-8, 1, -1, 2, 0, 7);
    }

    @Test
    void transposeComplexKeepsPairs() {
        Tensor x = Tensor.of(DataType.COMPLEX64, new int[] {2, 2},
                new float[] {1, 10, 2, 20, 3, 30, 4, 40});
        Tensor y = NodeRunner.op("Transpose", 13).attr("perm", new long[] {1, 0}).run(x);
        assertThat(y.floats()).containsExactly(1, 10, 3, 30, 2, 20, 4, 40);
    }

    @Test
    void transposeRejectsBadPermutation() {
        Tensor x = Tensor.of(new float[6], 2, 3);
        assertThatThrownBy(() -> NodeRunner.op("Transpose", 13).attr("perm", new long[] {0})
                .run(x)).hasMessageContaining("expected the input rank 2");
        assertThatThrownBy(() -> NodeRunner.op("Transpose", 13).attr("perm", new long[] {1, 1})
                .run(x)).hasMessageContaining("twice");
    }

    @Test
    void tileStringsOnBothAxes() {
        Tensor x = Tensor.of(new String[] {"a", "b"}, 1, 2);
        Tensor y = NodeRunner.op("Tile", 13).run(x, Tensor.of(new long[] {2, 2}, 2));
        assertThat(y.shape()).containsExactly(2, 4);
        assertThat(y.strings()).containsExactly("a", "b", "a", "b", "a", "b", "a", "b");
    }

    @Test
    void tileOpset1UsesTilesAndAxis() {
        Tensor y = NodeRunner.op("Tile", 1).run(Tensor.of(new float[] {1, 2}, 2),
                Tensor.scalar(3L), Tensor.scalar(0L));
        assertThat(y.floats()).containsExactly(1, 2, 1, 2, 1, 2);
    }

    @Test
    void tileWithZeroRepeatsIsEmpty() {
        Tensor y = NodeRunner.op("Tile", 13).run(Tensor.of(new float[] {1, 2}, 2),
                Tensor.of(new long[] {0}, 1));
        assertThat(y.shape()).containsExactly(0);
    }

    @Test
    void expandBroadcastsBothWays() {
        Tensor x = Tensor.of(new boolean[] {true, false}, 2);
        Tensor y = NodeRunner.op("Expand", 13).run(x, Tensor.of(new long[] {2, 1}, 2));
        assertThat(y.shape()).containsExactly(2, 2);
        assertThat(y.booleans()).containsExactly(true, false, true, false);

        Tensor column = Tensor.of(new long[] {1, 2}, 2, 1);
        Tensor z = NodeRunner.op("Expand", 8).run(column, Tensor.of(new long[] {3}, 1));
        assertThat(z.shape()).containsExactly(2, 3);
        assertThat(z.longs()).containsExactly(1, 1, 1, 2, 2, 2);

        assertThatThrownBy(() -> NodeRunner.op("Expand", 13).run(x, Tensor.of(new long[] {3}, 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reverseSequenceTimeMajor() {
        Tensor x = Tensor.of(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, 4, 2);
        Tensor y = NodeRunner.op("ReverseSequence", 10).attr("time_axis", 0L)
                .attr("batch_axis", 1L).run(x, Tensor.of(new long[] {3, 1}, 2));
        assertThat(y.ints()).containsExactly(4, 1, 2, 3, 0, 5, 6, 7);
    }

    @Test
    void reverseSequenceBatchMajorRejectsLongSequence() {
        Tensor x = Tensor.of(new int[] {0, 1, 2, 3}, 2, 2);
        Tensor y = NodeRunner.op("ReverseSequence", 10).attr("time_axis", 1L)
                .attr("batch_axis", 0L).run(x, Tensor.of(new long[] {2, 0}, 2));
        assertThat(y.ints()).containsExactly(1, 0, 2, 3);
        assertThatThrownBy(() -> NodeRunner.op("ReverseSequence", 10).run(x,
                Tensor.of(new long[] {3, 0}, 2))).hasMessageContaining("outside [0, 2]");
    }

    @Test
    void triluUpperAndLowerWithOffsets() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3);
        assertThat(NodeRunner.op("Trilu", 14).run(x, Tensor.scalar(1L)).floats())
                .containsExactly(0, 2, 3, 0, 0, 6, 0, 0, 0);
        assertThat(NodeRunner.op("Trilu", 14).attr("upper", 0L).run(x, Tensor.scalar(-1L))
                .floats()).containsExactly(0, 0, 0, 4, 0, 0, 7, 8, 0);
        assertThat(NodeRunner.op("Trilu", 14).attr("upper", 0L).run(x, Tensor.scalar(-5L))
                .floats()).containsOnly(0f);
    }

    @Test
    void triluBatchWithoutK() {
        Tensor x = Tensor.of(new long[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2);
        assertThat(NodeRunner.op("Trilu", 14).run(x).longs())
                .containsExactly(1, 2, 0, 4, 5, 6, 0, 8);
        assertThat(x.longs()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    }
}
