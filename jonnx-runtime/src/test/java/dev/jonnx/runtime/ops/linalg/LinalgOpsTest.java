package dev.jonnx.runtime.ops.linalg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.ModelCheckException;
import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LinalgOpsTest {

    private static final Tensor A = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    private static final Tensor B = Tensor.of(new float[] {1, 0, 0, 1, 1, 1}, 3, 2);

    @Test
    void matMulTwoDimensional() {
        Tensor y = NodeRunner.op("MatMul", 13).run(A, B);
        assertThat(y.shape()).containsExactly(2, 2);
        assertThat(y.floats()).containsExactly(4, 5, 10, 11);
    }

    @Test
    void matMulVectorOperandsDropTheirDimension() {
        Tensor v = Tensor.of(new float[] {1, 1}, 2);
        Tensor left = NodeRunner.op("MatMul", 13).run(v, A);
        assertThat(left.shape()).containsExactly(3);
        assertThat(left.floats()).containsExactly(5, 7, 9);
        Tensor both = NodeRunner.op("MatMul", 13).run(v, v);
        assertThat(both.rank()).isZero();
        assertThat(both.floats()).containsExactly(2);
    }

    @Test
    void matMulBroadcastsBatch() {
        Tensor batch = Tensor.of(new float[] {1, 0, 0, 1, 2, 0, 0, 2}, 2, 1, 2, 2);
        Tensor rhs = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 3, 2, 2);
        Tensor y = NodeRunner.op("MatMul", 13).run(batch, rhs);
        assertThat(y.shape()).containsExactly(2, 3, 2, 2);
        assertThat(y.floats()).startsWith(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(y.floats()).endsWith(18, 20, 22, 24);
    }

    @Test
    void matMulInt32WrapsAround() {
        Tensor a = Tensor.of(new int[] {Integer.MAX_VALUE}, 1, 1);
        Tensor b = Tensor.of(new int[] {2}, 1, 1);
        assertThat(NodeRunner.op("MatMul", 13).run(a, b).ints()).containsExactly(-2);
    }

    @Test
    void matMulEmptyInnerDimensionGivesZeros() {
        Tensor a = Tensor.of(new float[0], 2, 0);
        Tensor b = Tensor.of(new float[0], 0, 3);
        Tensor y = NodeRunner.op("MatMul", 13).run(a, b);
        assertThat(y.shape()).containsExactly(2, 3);
        assertThat(y.floats()).containsOnly(0f);
    }

    @Test
    void matMulRejectsMismatchedInnerDimension() {
        assertThatThrownBy(() -> NodeRunner.op("MatMul", 13).run(A, A))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("inner dimensions");
    }

    @Test
    void gemmTransposesScalesAndBroadcastsC() {
        Tensor at = Tensor.of(new float[] {1, 4, 2, 5, 3, 6}, 3, 2);
        Tensor c = Tensor.of(new float[] {100, 200}, 2);
        Tensor y = NodeRunner.op("Gemm", 13).attr("transA", 1).attr("alpha", 2f)
                .attr("beta", 0.5f).run(at, B, c);
        assertThat(y.floats()).containsExactly(58, 110, 70, 122);
    }

    @Test
    void gemmWithoutCFromOpset11() {
        Tensor bt = Tensor.of(new float[] {1, 0, 1, 0, 1, 1}, 2, 3);
        Tensor y = NodeRunner.op("Gemm", 11).attr("transB", 1).run(A, bt);
        assertThat(y.floats()).containsExactly(4, 5, 10, 11);
    }

    @Test
    void gemmOpset6NeedsBroadcastAttributeForSmallerC() {
        Tensor c = Tensor.of(new float[] {1, 1}, 2);
        assertThatThrownBy(() -> NodeRunner.op("Gemm", 6).run(A, B, c))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("broadcast");
        Tensor y = NodeRunner.op("Gemm", 6).attr("broadcast", 1).run(A, B, c);
        assertThat(y.floats()).containsExactly(5, 6, 11, 12);
    }

    @Test
    void gemmBeforeOpset11RequiresC() {
        assertThatThrownBy(() -> NodeRunner.op("Gemm", 9).run(A, B))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("'C'");
    }

    @Test
    void einsumImplicitOutputIsSortedSingleLabels() {
        // "kj,ji" is A times A' indexed (k, i), but the implicit output orders the labels as (i, k).
        Tensor aPrime = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Tensor y = NodeRunner.op("Einsum", 12).attr("equation", "kj,ji").run(A, aPrime);
        assertThat(y.shape()).containsExactly(2, 2);
        assertThat(y.floats()).containsExactly(22, 49, 28, 64);
    }

    @Test
    void einsumTraceAndDiagonal() {
        Tensor m = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
        assertThat(NodeRunner.op("Einsum", 12).attr("equation", "ii").run(m).doubles())
                .containsExactly(5);
        assertThat(NodeRunner.op("Einsum", 12).attr("equation", "ii->i").run(m).doubles())
                .containsExactly(1, 4);
    }

    @Test
    void einsumEllipsisBroadcastsBatch() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 1, 2);
        Tensor y = Tensor.of(new float[] {1, 1, 2, 2}, 2, 2);
        Tensor out = NodeRunner.op("Einsum", 12).attr("equation", "...ij,jk->...ik").run(x, y);
        assertThat(out.shape()).containsExactly(2, 1, 2);
        assertThat(out.floats()).containsExactly(5, 5, 11, 11);
    }

    @Test
    void einsumBatchDiagonalAndFullSum() {
        Tensor x = Tensor.of(new long[] {0, 1, 2, 3, 4, 5, 6, 7}, 2, 2, 2);
        Tensor diagonal = NodeRunner.op("Einsum", 12).attr("equation", "...ii->...i").run(x);
        assertThat(diagonal.shape()).containsExactly(2, 2);
        assertThat(diagonal.longs()).containsExactly(0, 3, 4, 7);
        Tensor total = NodeRunner.op("Einsum", 12).attr("equation", "a b c -> ").run(x);
        assertThat(total.rank()).isZero();
        assertThat(total.longs()).containsExactly(28);
    }

    @Test
    void einsumInvalidEquationFailsAtBuild() {
        assertThatThrownBy(() -> NodeRunner.op("Einsum", 12).attr("equation", "i1->i").run(A))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("not a letter");
    }

    @Test
    void detOfBatchIncludingSingular() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 2, 4, 1, 2, 0, 1, 1, 0}, 3, 2, 2);
        Tensor y = NodeRunner.op("Det", 22).run(x);
        assertThat(y.shape()).containsExactly(3);
        assertThat(y.doubles()[0]).isCloseTo(-2, within(1e-12));
        assertThat(y.doubles()[1]).isZero();
        assertThat(y.doubles()[2]).isCloseTo(-1, within(1e-12));
    }

    @Test
    void detFloat16RoundsBack() {
        Tensor x = Tensor.fromDoubles(DataType.FLOAT16, new int[] {2, 2}, new double[] {2, 0, 0, 3});
        assertThat(NodeRunner.op("Det", 22).run(x).getDouble(0)).isEqualTo(6);
    }

    @Test
    void detRejectsNonSquare() {
        assertThatThrownBy(() -> NodeRunner.op("Det", 11).run(A))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[*, M, M]");
    }
}
