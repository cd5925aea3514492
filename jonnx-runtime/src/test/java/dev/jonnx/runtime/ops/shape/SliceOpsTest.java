package dev.jonnx.runtime.ops.shape;

import static dev.jonnx.runtime.testing.TestTensors.longs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import org.junit.jupiter.api.Test;

class SliceOpsTest {

    private static Tensor range(int n) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return Tensor.of(v, n);
    }

    @Test
    void sliceNegativeStepClampsEnd() {
        Tensor y = NodeRunner.op("Slice", 13).run(range(10), longs(-1), longs(-100), null,
                longs(-3));
        assertThat(y.longs()).containsExactly(9, 6, 3, 0);
    }

    @Test
    void sliceClampsStartPastEndForNegativeStep() {
        Tensor y = NodeRunner.op("Slice", 13).run(range(4), longs(100), longs(0), longs(0),
                longs(-1));
        assertThat(y.longs()).containsExactly(3, 2, 1);
    }

    @Test
    void sliceOpset1UsesAttributes() {
        Tensor x = range(12).reshape(3, 4);
        Tensor y = NodeRunner.op("Slice", 1).attr("starts", new long[] {1})
                .attr("ends", new long[] {1000}).attr("axes", new long[] {1}).run(x);
        assertThat(y.shape()).containsExactly(3, 3);
        assertThat(y.longs()).containsExactly(1, 2, 3, 5, 6, 7, 9, 10, 11);
    }

    @Test
    void sliceEmptyAndHugeStep() {
        assertThat(NodeRunner.op("Slice", 13).run(range(10), longs(5), longs(2)).shape())
                .containsExactly(0);
        Tensor y = NodeRunner.op("Slice", 13).run(range(10), longs(2), longs(10), longs(-1),
                longs(Long.MAX_VALUE));
        assertThat(y.longs()).containsExactly(2);
    }

    @Test
    void sliceRejectsZeroStepAndLengthMismatch() {
        assertThatThrownBy(() -> NodeRunner.op("Slice", 13).run(range(3), longs(0), longs(3),
                null, longs(0))).hasMessageContaining("must not contain 0");
        assertThatThrownBy(() -> NodeRunner.op("Slice", 13).run(range(3), longs(0, 1), longs(3)))
                .hasMessageContaining("same length");
    }

    @Test
    void splitUnevenWithNumOutputs() {
        Value[] parts = NodeRunner.op("Split", 18).attr("num_outputs", 3L).outputs(3)
                .runAll(range(7));
        assertThat(((Tensor) parts[0]).longs()).containsExactly(0, 1, 2);
        assertThat(((Tensor) parts[1]).longs()).containsExactly(3, 4, 5);
        assertThat(((Tensor) parts[2]).longs()).containsExactly(6);
    }

    @Test
    void splitAttributeInputAndZeroSizes() {
        Tensor x = Tensor.of(new String[] {"a", "b", "c"}, 3);
        Value[] v2 = NodeRunner.op("Split", 2).attr("split", new long[] {1, 2}).outputs(2)
                .runAll(x);
        assertThat(((Tensor) v2[1]).strings()).containsExactly("b", "c");

        Value[] v13 = NodeRunner.op("Split", 13).outputs(3).runAll(x, longs(2, 0, 1));
        assertThat(((Tensor) v13[0]).strings()).containsExactly("a", "b");
        assertThat(((Tensor) v13[1]).shape()).containsExactly(0);
        assertThat(((Tensor) v13[2]).strings()).containsExactly("c");

        Value[] v1 = NodeRunner.op("Split", 1).attr("axis", 0L).outputs(2).runAll(x, longs(2, 1));
        assertThat(((Tensor) v1[1]).strings()).containsExactly("c");
    }

    @Test
    void splitOnSecondAxis() {
        Value[] parts = NodeRunner.op("Split", 13).attr("axis", -1L).outputs(2)
                .runAll(range(8).reshape(2, 4));
        assertThat(((Tensor) parts[0]).longs()).containsExactly(0, 1, 4, 5);
        assertThat(((Tensor) parts[1]).longs()).containsExactly(2, 3, 6, 7);
    }

    @Test
    void splitRejectsUnevenAndWrongSum() {
        assertThatThrownBy(() -> NodeRunner.op("Split", 11).outputs(2).runAll(range(5)))
                .hasMessageContaining("cannot be split evenly");
        assertThatThrownBy(() -> NodeRunner.op("Split", 13).outputs(2).runAll(range(5),
                longs(2, 2))).hasMessageContaining("sums to 4");
    }

    @Test
    void concatStringsWithEmptyInput() {
        Tensor a = Tensor.of(new String[] {"a"}, 1, 1);
        Tensor b = Tensor.of(new String[] {"b", "c"}, 1, 2);
        Tensor empty = Tensor.of(new String[0], 1, 0);
        Tensor y = NodeRunner.op("Concat", 13).attr("axis", -1L).run(a, empty, b);
        assertThat(y.shape()).containsExactly(1, 3);
        assertThat(y.strings()).containsExactly("a", "b", "c");
    }

    @Test
    void concatOnFirstAxisAndMismatch() {
        Tensor y = NodeRunner.op("Concat", 4).attr("axis", 0L).run(range(4).reshape(2, 2),
                range(2).reshape(1, 2));
        assertThat(y.shape()).containsExactly(3, 2);
        assertThat(y.longs()).containsExactly(0, 1, 2, 3, 0, 1);
        assertThatThrownBy(() -> NodeRunner.op("Concat", 13).attr("axis", 0L)
                .run(range(4).reshape(2, 2), range(3).reshape(1, 3)))
                .hasMessageContaining("does not match");
    }

    @Test
    void concatAndSplitRejectScalars() {
        assertThatThrownBy(() -> NodeRunner.op("Concat", 13).attr("axis", 0L)
                .run(Tensor.scalar(1f), Tensor.scalar(2f))).hasMessageContaining("scalar");
        assertThatThrownBy(() -> NodeRunner.op("Split", 13).outputs(1).runAll(Tensor.scalar(1f)))
                .hasMessageContaining("scalar");
    }

    @Test
    void concatRequiresAxisFromOpset4() {
        assertThatThrownBy(() -> NodeRunner.op("Concat", 4).kernel(new Value[1]))
                .hasMessageContaining("'axis' is missing");
    }

    @Test
    void compressFlattenedAndAlongAxis() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor flat = NodeRunner.op("Compress", 11).run(x,
                Tensor.of(new boolean[] {false, true, true}, 3));
        assertThat(flat.floats()).containsExactly(2, 3);
        Tensor columns = NodeRunner.op("Compress", 11).attr("axis", -1L).run(x,
                Tensor.of(new boolean[] {false, true}, 2));
        assertThat(columns.shape()).containsExactly(2, 1);
        assertThat(columns.floats()).containsExactly(2, 4);
        assertThatThrownBy(() -> NodeRunner.op("Compress", 11).attr("axis", 0L).run(x,
                Tensor.of(new boolean[3], 3))).hasMessageContaining("more than the size 2");
    }
}
