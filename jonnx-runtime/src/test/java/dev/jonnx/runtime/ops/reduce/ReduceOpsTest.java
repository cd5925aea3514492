package dev.jonnx.runtime.ops.reduce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import org.junit.jupiter.api.Test;

class ReduceOpsTest {

    private static final Tensor MATRIX = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);

    @Test
    void reduceSumAxesAttributeBeforeOpset13() {
        Tensor y = NodeRunner.op("ReduceSum", 11).attr("axes", new long[] {1}).attr("keepdims", 0)
                .run(MATRIX);
        assertThat(y.shape()).containsExactly(2);
        assertThat(y.floats()).containsExactly(6, 15);
    }

    @Test
    void reduceSumAxesInputFromOpset13() {
        Tensor y = NodeRunner.op("ReduceSum", 13).run(MATRIX, Tensor.of(new long[] {-2}, 1));
        assertThat(y.shape()).containsExactly(1, 3);
        assertThat(y.floats()).containsExactly(5, 7, 9);
    }

    @Test
    void reduceMeanAllAxesWithoutAxes() {
        Tensor y = NodeRunner.op("ReduceMean", 18).attr("keepdims", 0).run(MATRIX);
        assertThat(y.rank()).isZero();
        assertThat(y.floats()).containsExactly(3.5f);
    }

    @Test
    void noopWithEmptyAxesStillSquares() {
        Tensor y = NodeRunner.op("ReduceSumSquare", 18).attr("noop_with_empty_axes", 1)
                .run(Tensor.of(new float[] {-2, 3}, 2), Tensor.of(new long[0], 0));
        assertThat(y.shape()).containsExactly(2);
        assertThat(y.floats()).containsExactly(4, 9);
    }

    @Test
    void emptySetReductionsGiveIdentities() {
        Tensor empty = Tensor.of(new float[0], 2, 0);
        Tensor axes = Tensor.of(new long[] {1}, 1);
        assertThat(NodeRunner.op("ReduceSum", 13).run(empty, axes).floats()).containsExactly(0, 0);
        assertThat(NodeRunner.op("ReduceProd", 18).run(empty, axes).floats()).containsExactly(1, 1);
        assertThat(NodeRunner.op("ReduceMax", 18).run(empty, axes).floats())
                .containsExactly(Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY);
        assertThat(NodeRunner.op("ReduceMin", 18).run(empty, axes).floats())
                .containsExactly(Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY);
        assertThat(NodeRunner.op("ReduceLogSumExp", 18).run(empty, axes).floats())
                .containsExactly(Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY);
    }

    @Test
    void reduceMaxOfEmptyIntegersIsTypeMinimum() {
        Tensor empty = Tensor.of(DataType.INT32, new int[] {0}, new int[0]);
        Tensor y = NodeRunner.op("ReduceMax", 18).attr("keepdims", 0).run(empty);
        assertThat(y.ints()).containsExactly(Integer.MIN_VALUE);
    }

    @Test
    void reduceSumInt32WrapsAround() {
        Tensor x = Tensor.of(new int[] {Integer.MAX_VALUE, 1}, 2);
        Tensor y = NodeRunner.op("ReduceSum", 13).attr("keepdims", 0).run(x);
        assertThat(y.ints()).containsExactly(Integer.MIN_VALUE);
    }

    @Test
    void reduceMaxUint8ReadsUnsigned() {
        Tensor x = Tensor.of(DataType.UINT8, new int[] {3}, new byte[] {1, (byte) 200, 7});
        Tensor y = NodeRunner.op("ReduceMax", 18).attr("keepdims", 0).run(x);
        assertThat(y.getLong(0)).isEqualTo(200);
    }

    @Test
    void reduceMaxBoolFromOpset20() {
        Tensor x = Tensor.of(new boolean[] {false, true, false, false}, 2, 2);
        Tensor y = NodeRunner.op("ReduceMax", 20).run(x, Tensor.of(new long[] {1}, 1));
        assertThat(y.booleans()).containsExactly(true, false);
    }

    @Test
    void reduceMaxPropagatesNaN() {
        Tensor x = Tensor.of(new float[] {1, Float.NaN, 3}, 3);
        assertThat(NodeRunner.op("ReduceMax", 18).run(x).floats()[0]).isNaN();
    }

    @Test
    void reduceLogSumExpAvoidsOverflow() {
        Tensor x = Tensor.of(new double[] {1000, 1000}, 2);
        double y = NodeRunner.op("ReduceLogSumExp", 18).run(x).doubles()[0];
        assertThat(y).isCloseTo(1000 + Math.log(2), within(1e-9));
    }

    @Test
    void reduceL2AndLogSum() {
        Tensor x = Tensor.of(new float[] {3, 4}, 2);
        assertThat(NodeRunner.op("ReduceL2", 18).run(x).floats()).containsExactly(5);
        assertThat(NodeRunner.op("ReduceL1", 18).run(Tensor.of(new float[] {-3, 4}, 2)).floats())
                .containsExactly(7);
        assertThat(NodeRunner.op("ReduceLogSum", 18).run(x).floats()[0])
                .isCloseTo((float) Math.log(7), within(1e-6f));
    }

    @Test
    void duplicateAxisIsRejected() {
        assertThatThrownBy(() -> NodeRunner.op("ReduceSum", 13).run(MATRIX, Tensor.of(new long[] {1, -1}, 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("twice");
    }

    @Test
    void outOfRangeAxisIsRejected() {
        assertThatThrownBy(() -> NodeRunner.op("ReduceSum", 13).run(MATRIX, Tensor.of(new long[] {2}, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out of range");
    }

    @Test
    void argMaxTiesPickFirstOrLast() {
        Tensor x = Tensor.of(new float[] {2, 5, 5, 1}, 4);
        Tensor first = NodeRunner.op("ArgMax", 13).attr("keepdims", 0).run(x);
        Tensor last = NodeRunner.op("ArgMax", 13).attr("keepdims", 0).attr("select_last_index", 1)
                .run(x);
        assertThat(first.longs()).containsExactly(1);
        assertThat(last.longs()).containsExactly(2);
    }

    @Test
    void argMinAlongNegativeAxisKeepsDims() {
        Tensor x = Tensor.of(new int[] {4, 1, 9, 0, 7, 7}, 2, 3);
        Tensor y = NodeRunner.op("ArgMin", 13).attr("axis", -1).run(x);
        assertThat(y.shape()).containsExactly(2, 1);
        assertThat(y.longs()).containsExactly(1, 0);
    }

    @Test
    void cumSumExclusiveReverse() {
        Tensor x = Tensor.of(new double[] {1, 2, 3}, 3);
        Tensor axis = Tensor.of(new int[] {0});
        Tensor y = NodeRunner.op("CumSum", 14).attr("exclusive", 1).attr("reverse", 1)
                .run(x, axis);
        assertThat(y.doubles()).containsExactly(5, 3, 0);
    }

    @Test
    void cumSumAlongColumns() {
        Tensor y = NodeRunner.op("CumSum", 14).run(MATRIX, Tensor.scalar(1L));
        assertThat(y.floats()).containsExactly(1, 3, 6, 4, 9, 15);
    }

    @Test
    void cumProdExclusive() {
        Tensor x = Tensor.of(new long[] {2, 3, 4}, 3);
        Tensor y = NodeRunner.op("CumProd", 26).attr("exclusive", 1).run(x, Tensor.scalar(0L));
        assertThat(y.longs()).containsExactly(1, 2, 6);
    }

    @Test
    void topKLargestKeepsIndexOrderOnTies() {
        Tensor x = Tensor.of(new float[] {3, 7, 3, 7, 1}, 5);
        Value[] out = NodeRunner.op("TopK", 11).outputs(2).runAll(x, Tensor.of(new long[] {3}, 1));
        assertThat(((Tensor) out[0]).floats()).containsExactly(7, 7, 3);
        assertThat(((Tensor) out[1]).longs()).containsExactly(1, 3, 0);
    }

    @Test
    void topKSmallestWithAttributeK() {
        Tensor x = Tensor.of(new float[] {5, 1, 4, 2, 0, 9}, 2, 3);
        Value[] out = NodeRunner.op("TopK", 1).attr("k", 1).outputs(2).runAll(x);
        assertThat(((Tensor) out[0]).floats()).containsExactly(5, 9);
        Value[] smallest = NodeRunner.op("TopK", 11).attr("largest", 0).outputs(2)
                .runAll(x, Tensor.of(new long[] {2}, 1));
        assertThat(((Tensor) smallest[0]).floats()).containsExactly(1, 4, 0, 2);
        assertThat(((Tensor) smallest[1]).longs()).containsExactly(1, 2, 1, 0);
    }

    @Test
    void topKRejectsKLargerThanAxis() {
        assertThatThrownBy(() -> NodeRunner.op("TopK", 11).outputs(2).runAll(MATRIX, Tensor.of(new long[] {4}, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'K'");
    }

    @Test
    void scalarInputsReduceToThemselves() {
        Tensor x = Tensor.scalar(4f);
        Tensor sum = NodeRunner.op("ReduceSum", 13).run(x);
        assertThat(sum.rank()).isZero();
        assertThat(sum.floats()).containsExactly(4);
        Tensor arg = NodeRunner.op("ArgMax", 13).run(x);
        assertThat(arg.rank()).isZero();
        assertThat(arg.longs()).containsExactly(0);
    }

    @Test
    void reduceMeanInt64TruncatesTowardZero() {
        Tensor x = Tensor.of(new long[] {-3, -4}, 2);
        assertThat(NodeRunner.op("ReduceMean", 18).run(x).longs()).containsExactly(-3);
    }

    @Test
    void argMaxOfEmptyAxisIsRejected() {
        Tensor x = Tensor.of(new float[0], 2, 0);
        assertThatThrownBy(() -> NodeRunner.op("ArgMax", 13).attr("axis", 1L).run(x))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no elements");
    }
}
