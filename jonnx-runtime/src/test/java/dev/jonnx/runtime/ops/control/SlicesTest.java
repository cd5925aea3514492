package dev.jonnx.runtime.ops.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Concatenation, stacking and slicing along one axis, for several storage types. */
class SlicesTest {

    @Test
    void concatAlongInnerAxis() {
        Tensor a = Tensor.of(new long[] {1, 2, 3, 4}, 2, 2);
        Tensor b = Tensor.of(new long[] {5, 6}, 2, 1);
        Tensor c = Slices.concat(List.of(a, b), 1);
        assertThat(c.shape()).containsExactly(2, 3);
        assertThat(c.longs()).containsExactly(1, 2, 5, 3, 4, 6);
    }

    @Test
    void concatKeepsStringsAndEmptyParts() {
        Tensor a = Tensor.of(new String[] {"x", "y"}, 2);
        Tensor empty = Tensor.of(new String[0], 0);
        Tensor c = Slices.concat(List.of(empty, a, empty), 0);
        assertThat(c.strings()).containsExactly("x", "y");
    }

    @Test
    void concatMovesBothPartsOfComplexElements() {
        Tensor a = Tensor.of(DataType.COMPLEX64, new int[] {1}, new float[] {1, 2});
        Tensor b = Tensor.of(DataType.COMPLEX64, new int[] {1}, new float[] {3, 4});
        Tensor c = Slices.concat(List.of(a, b), 0);
        assertThat(c.shape()).containsExactly(2);
        assertThat(c.floats()).containsExactly(1, 2, 3, 4);
    }

    @Test
    void concatRejectsMismatchedTypeAndShape() {
        Tensor a = Tensor.of(new float[] {1, 2}, 1, 2);
        assertThatThrownBy(() -> Slices.concat(List.of(a, Tensor.of(new double[] {1, 2}, 1, 2)), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("element type float32");
        assertThatThrownBy(() -> Slices.concat(List.of(a, Tensor.of(new float[] {1, 2, 3}, 1, 3)), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must match in every other dimension");
        assertThatThrownBy(() -> Slices.concat(List.of(), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stackInsertsNewAxis() {
        Tensor a = Tensor.of(new boolean[] {true, false}, 2);
        Tensor b = Tensor.of(new boolean[] {false, false}, 2);
        Tensor first = Slices.stack(List.of(a, b), 0);
        assertThat(first.shape()).containsExactly(2, 2);
        assertThat(first.booleans()).containsExactly(true, false, false, false);
        Tensor last = Slices.stack(List.of(a, b), 1);
        assertThat(last.booleans()).containsExactly(true, false, false, false);
        assertThat(Slices.stack(List.of(a, a, b), 1).booleans())
                .containsExactly(true, true, false, false, false, false);
    }

    @Test
    void stackOfScalarsIsVector() {
        Tensor s = Slices.stack(List.of(Tensor.scalar(1L), Tensor.scalar(2L)), 0);
        assertThat(s.shape()).containsExactly(2);
        assertThat(s.longs()).containsExactly(1, 2);
    }

    @Test
    void stackRejectsDifferentShapes() {
        assertThatThrownBy(() -> Slices.stack(List.of(Tensor.zeros(DataType.FLOAT, 2),
                Tensor.zeros(DataType.FLOAT, 3)), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one shape");
    }

    @Test
    void rangeAndIndexAlongMiddleAxis() {
        Tensor t = Tensor.of(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 2, 3, 2);
        Tensor r = Slices.range(t, 1, 1, 3);
        assertThat(r.shape()).containsExactly(2, 2, 2);
        assertThat(r.ints()).containsExactly(2, 3, 4, 5, 8, 9, 10, 11);
        Tensor i = Slices.index(t, 1, 2);
        assertThat(i.shape()).containsExactly(2, 2);
        assertThat(i.ints()).containsExactly(4, 5, 10, 11);
    }

    @Test
    void emptyAccumulationUsesDeclaredType() {
        var info = Protos.tensor("y", DataType.INT32, 3);
        Tensor first = ControlOps.emptyAccumulation(info, 0, "Loop");
        assertThat(first.type()).isEqualTo(DataType.INT32);
        assertThat(first.shape()).containsExactly(0, 3);
        assertThat(ControlOps.emptyAccumulation(info, 1, "Scan").shape()).containsExactly(3, 0);
        assertThat(ControlOps.emptyAccumulation(info, -1, "Scan").shape()).containsExactly(3, 0);
        assertThatThrownBy(() -> ControlOps.emptyAccumulation(Protos.untyped("y"), 0, "Loop"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("declares none");
    }
}
