package dev.jonnx.runtime.ops.shape;

import static dev.jonnx.runtime.testing.TestTensors.longs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import org.junit.jupiter.api.Test;

/** Movement operators on tensors with a zero-size dimension. */
class EmptyTensorsTest {
    private static final Tensor EMPTY = Tensor.of(new float[0], 0, 3);

    @Test
    void transposeAndTileOfEmpty() {
        assertThat(NodeRunner.op("Transpose", 13).run(EMPTY).shape()).containsExactly(3, 0);
        assertThat(NodeRunner.op("Tile", 13).run(EMPTY, longs(2, 2)).shape())
                .containsExactly(0, 6);
    }

    @Test
    void gatherWithEmptyIndicesAndFromEmpty() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2);
        assertThat(NodeRunner.op("Gather", 13).run(x, Tensor.of(new long[0], 0)).shape())
                .containsExactly(0);
        assertThat(NodeRunner.op("Gather", 13).attr("axis", 1L).run(EMPTY, longs(2, 0)).shape())
                .containsExactly(0, 2);
    }

    @Test
    void concatOfEmptyInputs() {
        Tensor y = NodeRunner.op("Concat", 13).attr("axis", 0L).run(EMPTY, EMPTY);
        assertThat(y.shape()).containsExactly(0, 3);
    }

    @Test
    void padEmptyWithConstant() {
        Tensor y = NodeRunner.op("Pad", 11).run(EMPTY, longs(1, 0, 0, 0), Tensor.scalar(4f));
        assertThat(y.shape()).containsExactly(1, 3);
        assertThat(y.floats()).containsExactly(4, 4, 4);
    }

    @Test
    void uniqueAndNonZeroOfEmpty() {
        Value[] out = NodeRunner.op("Unique", 11).outputs(4).runAll(EMPTY);
        assertThat(((Tensor) out[0]).shape()).containsExactly(0);
        assertThat(((Tensor) out[2]).shape()).containsExactly(0);
        assertThat(NodeRunner.op("NonZero", 13).run(EMPTY).shape()).containsExactly(2, 0);
    }

    @Test
    void expandAndSliceToEmpty() {
        Tensor one = Tensor.of(new float[] {1}, 1);
        assertThat(NodeRunner.op("Expand", 13).run(one, longs(0)).shape()).containsExactly(0);
        assertThat(NodeRunner.op("Slice", 13).run(EMPTY, longs(0), longs(2), longs(1)).shape())
                .containsExactly(0, 2);
    }

    @Test
    void scatterNdWithNoUpdates() {
        Tensor data = Tensor.of(new float[] {1, 2}, 2);
        Tensor y = NodeRunner.op("ScatterND", 11).run(data, Tensor.of(new long[0], 0, 1),
                Tensor.of(new float[0], 0));
        assertThat(y.floats()).containsExactly(1, 2);
    }
}
