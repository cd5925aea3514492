package dev.jonnx.runtime.ops.shape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import org.junit.jupiter.api.Test;

class SearchOpsTest {

    @Test
    void nonZeroListsCoordinatesPerAxis() {
        Tensor y = NodeRunner.op("NonZero", 13).run(Tensor.of(new float[] {1, 0, 0, 3}, 2, 2));
        assertThat(y.shape()).containsExactly(2, 2);
        assertThat(y.longs()).containsExactly(0, 1, 0, 1);
    }

    @Test
    void nonZeroOfScalarAndEmpty() {
        Tensor scalar = NodeRunner.op("NonZero", 13).run(Tensor.scalar(true));
        assertThat(scalar.shape()).containsExactly(1, 1);
        Tensor none = NodeRunner.op("NonZero", 13).run(Tensor.of(new int[3], 3));
        assertThat(none.shape()).containsExactly(1, 0);
        Tensor nan = NodeRunner.op("NonZero", 9).run(Tensor.of(new double[] {Double.NaN, -0.0}, 2));
        assertThat(nan.longs()).containsExactly(0);
    }

    @Test
    void uniqueUnsortedKeepsFirstOccurrenceOrder() {
        Value[] out = NodeRunner.op("Unique", 11).attr("sorted", 0L).outputs(4)
                .runAll(Tensor.of(new float[] {2, 1, 1, 3, 4, 3}, 6));
        assertThat(((Tensor) out[0]).floats()).containsExactly(2, 1, 3, 4);
        assertThat(((Tensor) out[1]).longs()).containsExactly(0, 1, 3, 4);
        assertThat(((Tensor) out[2]).longs()).containsExactly(0, 1, 1, 2, 3, 2);
        assertThat(((Tensor) out[3]).longs()).containsExactly(1, 2, 2, 1);
    }

    @Test
    void uniqueSortedFlattens() {
        Value[] out = NodeRunner.op("Unique", 11).outputs(4)
                .runAll(Tensor.of(new long[] {2, 1, 1, 3, 4, 3}, 2, 3));
        assertThat(((Tensor) out[0]).longs()).containsExactly(1, 2, 3, 4);
        assertThat(((Tensor) out[1]).longs()).containsExactly(1, 0, 3, 4);
        assertThat(((Tensor) out[2]).longs()).containsExactly(1, 0, 0, 2, 3, 2);
        assertThat(((Tensor) out[3]).longs()).containsExactly(2, 1, 2, 1);
    }

    @Test
    void uniqueRowsAlongAxis() {
        Value[] out = NodeRunner.op("Unique", 11).attr("axis", 0L).outputs(4)
                .runAll(Tensor.of(new int[] {1, 0, 1, 0, 0, 1}, 3, 2));
        assertThat(((Tensor) out[0]).shape()).containsExactly(2, 2);
        assertThat(((Tensor) out[0]).ints()).containsExactly(0, 1, 1, 0);
        assertThat(((Tensor) out[1]).longs()).containsExactly(2, 0);
        assertThat(((Tensor) out[2]).longs()).containsExactly(1, 1, 0);
        assertThat(((Tensor) out[3]).longs()).containsExactly(1, 2);
    }

    @Test
    void uniqueTreatsSignedZerosAsEqual() {
        Value[] out = NodeRunner.op("Unique", 11).outputs(4)
                .runAll(Tensor.of(new double[] {0.0, -0.0, 1.0}, 3));
        assertThat(((Tensor) out[0]).size()).isEqualTo(2);
        assertThat(((Tensor) out[3]).longs()).containsExactly(2, 1);
    }

    @Test
    void uniqueStrings() {
        Value[] out = NodeRunner.op("Unique", 11).outputs(4)
                .runAll(Tensor.of(new String[] {"b", "a", "b"}, 3));
        assertThat(((Tensor) out[0]).strings()).containsExactly("a", "b");
        assertThat(((Tensor) out[2]).longs()).containsExactly(1, 0, 1);
    }
}
