package dev.jonnx.runtime.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.runtime.kernel.Elementwise.Layout;
import dev.jonnx.runtime.kernel.Elementwise.Mode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ElementwiseTest {

    @Test
    void layoutPicksFastPaths() {
        assertThat(Layout.of(new int[] {2, 3}, new int[] {2, 3}).mode()).isEqualTo(Mode.SAME);
        assertThat(Layout.of(new int[] {}, new int[] {2, 3}).mode()).isEqualTo(Mode.A_SCALAR);
        assertThat(Layout.of(new int[] {2, 3}, new int[] {1}).mode()).isEqualTo(Mode.B_SCALAR);
        assertThat(Layout.of(new int[] {2, 1}, new int[] {3}).mode()).isEqualTo(Mode.GENERAL);
    }

    @Test
    void scalarOfHigherRankIsGeneral() {
        // [1, 1] and [3] broadcast to [1, 3], which is neither input's shape.
        Layout layout = Layout.of(new int[] {1, 1}, new int[] {3});
        assertThat(layout.shape()).containsExactly(1, 3);
        assertThat(layout.mode()).isEqualTo(Mode.GENERAL);
    }

    @Test
    void zipBroadcastsColumnAndRow() {
        Layout layout = Layout.of(new int[] {2, 1}, new int[] {3});
        float[] out = Elementwise.zip(layout, new float[] {10, 20}, new float[] {1, 2, 3},
                Double::sum);
        assertThat(layout.shape()).containsExactly(2, 3);
        assertThat(out).containsExactly(11, 12, 13, 21, 22, 23);
    }

    @Test
    void zipEmptyOutput() {
        Layout layout = Layout.of(new int[] {0, 3}, new int[] {3});
        long[] out = Elementwise.zip(layout, new long[0], new long[] {1, 2, 3}, Long::sum);
        assertThat(layout.shape()).containsExactly(0, 3);
        assertThat(out).isEmpty();
    }

    @Test
    void zipRejectsIncompatibleShapes() {
        assertThatThrownBy(() -> Layout.of(new int[] {2, 3}, new int[] {4}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be broadcast");
    }

    @Test
    void compareWithScalarOperand() {
        Layout layout = Layout.of(new int[] {3}, new int[] {});
        boolean[] out = Elementwise.compare(layout, new long[] {1, 5, 9}, new long[] {5},
                (a, b) -> a < b);
        assertThat(out).containsExactly(true, false, false);
    }

    @Test
    void runsMergeContiguousDimensions() {
        // A [2, 3, 4] with B [3, 4]: B restarts for each of A's two blocks of 12.
        Layout layout = Layout.of(new int[] {2, 3, 4}, new int[] {3, 4});
        List<List<Integer>> runs = new ArrayList<>();
        layout.forEachRun((out, a, strideA, b, strideB, length) ->
                runs.add(List.of(out, a, strideA, b, strideB, length)));
        assertThat(runs).containsExactly(List.of(0, 0, 1, 0, 1, 12), List.of(12, 12, 1, 0, 1, 12));
    }

    @Test
    void runsRepeatBroadcastColumn() {
        // A [2, 1] against B [1, 3]: each row repeats one element of A over all of B.
        Layout layout = Layout.of(new int[] {2, 1}, new int[] {1, 3});
        List<List<Integer>> runs = new ArrayList<>();
        layout.forEachRun((out, a, strideA, b, strideB, length) ->
                runs.add(List.of(out, a, strideA, b, strideB, length)));
        assertThat(runs).containsExactly(List.of(0, 0, 0, 0, 1, 3), List.of(3, 1, 0, 0, 1, 3));
    }

    @Test
    void zipWhereBothInputsRepeat() {
        // A [2, 1, 1] and B [1, 1, 3] broadcast to [2, 1, 3].
        Layout layout = Layout.of(new int[] {2, 1, 1}, new int[] {1, 1, 3});
        double[] out = Elementwise.zip(layout, new double[] {1, 2}, new double[] {10, 20, 30},
                (x, y) -> x * y);
        assertThat(out).containsExactly(10, 20, 30, 20, 40, 60);
    }

    @Test
    void zipAllOnesShape() {
        Layout layout = Layout.of(new int[] {1, 1}, new int[] {1});
        long[] out = Elementwise.zip(layout, new long[] {2}, new long[] {3}, Long::sum);
        assertThat(layout.shape()).containsExactly(1, 1);
        assertThat(out).containsExactly(5);
    }

    @Test
    void selectBroadcastsAllThree() {
        // condition [2, 1], x [2] and scalar y broadcast to [2, 2].
        Object out = Elementwise.select(new int[] {2, 2}, new boolean[] {true, false},
                new int[] {2, 1}, new long[] {1, 2}, new int[] {2}, new long[] {9},
                new int[] {}, 1);
        assertThat((long[]) out).containsExactly(1, 2, 9, 9);
    }

    @Test
    void selectCopiesComplexPairs() {
        Object out = Elementwise.select(new int[] {2}, new boolean[] {false, true},
                new int[] {2}, new float[] {1, 2, 3, 4}, new int[] {2}, new float[] {5, 6, 7, 8},
                new int[] {2}, 2);
        assertThat((float[]) out).containsExactly(5, 6, 3, 4);
    }

    @Test
    void selectStrings() {
        Object out = Elementwise.select(new int[] {2}, new boolean[] {true, false},
                new int[] {2}, new String[] {"a", "b"}, new int[] {2}, new String[] {"c"},
                new int[] {1}, 1);
        assertThat((String[]) out).containsExactly("a", "c");
    }

    @Test
    void basicOpsKeepOperandOrder() {
        Layout layout = Layout.of(new int[] {}, new int[] {3});
        float[] a = {12};
        float[] b = {1, 2, 3};
        assertThat(Elementwise.zip(layout, a, b, Elementwise.BasicOp.SUB))
                .containsExactly(11, 10, 9);
        assertThat(Elementwise.zip(layout, a, b, Elementwise.BasicOp.DIV))
                .containsExactly(12, 6, 4);
    }

    @Test
    void basicOpsOnBroadcastDoubles() {
        Layout layout = Layout.of(new int[] {2, 1}, new int[] {2});
        double[] out = Elementwise.zip(layout, new double[] {1, 2}, new double[] {10, 100},
                Elementwise.BasicOp.MUL);
        assertThat(out).containsExactly(10, 100, 20, 200);
    }
}
