package dev.jonnx.runtime.ops.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import org.junit.jupiter.api.Test;

class TrainingOpsTest {
    private static final String DOMAIN = "ai.onnx.preview.training";

    private static NodeRunner op(String type) {
        return NodeRunner.op(DOMAIN, type, 1);
    }

    private static Tensor f(float... values) {
        return Tensor.of(values, values.length);
    }

    private static float first(Value v) {
        return ((Tensor) v).floats()[0];
    }

    @Test
    void adagradFirstStep() {
        Value[] out = op("Adagrad").outputs(2).runAll(Tensor.scalar(0.1f), Tensor.scalar(0L), f(1), f(2), f(0));
        assertThat(first(out[0])).isCloseTo(0.9f, within(1e-6f));
        assertThat(first(out[1])).isEqualTo(4f);
    }

    @Test
    void adagradDecayAndRegularization() {
        Value[] decayed = op("Adagrad").attr("decay_factor", 1f)
                .outputs(2).runAll(Tensor.scalar(0.1f), Tensor.scalar(1L), f(1), f(2), f(0));
        assertThat(first(decayed[0])).isCloseTo(0.95f, within(1e-6f));
        Value[] regularized = op("Adagrad").attr("norm_coefficient", 0.5f)
                .outputs(2).runAll(Tensor.scalar(0.1f), Tensor.scalar(0L), f(1), f(2), f(0));
        assertThat(first(regularized[1])).isEqualTo(6.25f);
        assertThat(first(regularized[0])).isCloseTo(0.9f, within(1e-6f));
    }

    @Test
    void adagradUpdatesTwoTensorsInOrder() {
        Value[] out = op("Adagrad").outputs(4).runAll(Tensor.scalar(1f), Tensor.scalar(0L), f(1), f(10, 20), f(3), f(4, 2), f(0), f(0, 0));
        // X_1 moves by 3 / 3, X_2 by 4 / 4 and 2 / 2.
        assertThat(((Tensor) out[0]).floats()).containsExactly(0f);
        assertThat(((Tensor) out[1]).floats()).containsExactly(9f, 19f);
        assertThat(((Tensor) out[2]).floats()).containsExactly(9f);
        assertThat(((Tensor) out[3]).floats()).containsExactly(16f, 4f);
    }

    @Test
    void adamFirstAndSecondStep() {
        Value[] step0 = op("Adam").outputs(3).runAll(Tensor.scalar(0.1f), Tensor.scalar(0L), f(1), f(1), f(0), f(0));
        assertThat(first(step0[1])).isCloseTo(0.1f, within(1e-7f));
        assertThat(first(step0[2])).isCloseTo(0.001f, within(1e-7f));
        assertThat(first(step0[0])).isCloseTo(1f - (float) (0.01 / Math.sqrt(0.001)), within(1e-5f));
        Value[] step1 = op("Adam").attr("norm_coefficient_post", 0.5f)
                .outputs(3).runAll(Tensor.scalar(0.1f), Tensor.scalar(1L), f(1), f(1), f(0), f(0));
        // The bias correction makes the step exactly R: (1 - 0.1) * (1 - 0.5).
        assertThat(first(step1[0])).isCloseTo(0.45f, within(1e-5f));
    }

    @Test
    void adamKeepsDoubleType() {
        Tensor one = Tensor.of(new double[] {1}, 1);
        Tensor zero = Tensor.of(new double[] {0}, 1);
        Value[] out = op("Adam").outputs(3).runAll(Tensor.scalar(0.1), Tensor.scalar(1L), one, one, zero, zero);
        assertThat(((Tensor) out[0]).type()).isEqualTo(DataType.DOUBLE);
        assertThat(((Tensor) out[0]).doubles()[0]).isCloseTo(0.9, within(1e-12));
    }

    @Test
    void momentumStandardAndNesterov() {
        NodeRunner standard = op("Momentum").attr("alpha", 0.5f).attr("beta", 0.2f)
                .attr("norm_coefficient", 0f).attr("mode", "standard");
        Value[] first = standard.outputs(2).runAll(Tensor.scalar(0.1f), Tensor.scalar(0L), f(1), f(2), f(1));
        assertThat(first(first[1])).isCloseTo(2.5f, within(1e-6f));
        assertThat(first(first[0])).isCloseTo(0.75f, within(1e-6f));
        Value[] later = standard.outputs(2).runAll(Tensor.scalar(0.1f), Tensor.scalar(1L), f(1), f(2), f(1));
        assertThat(first(later[1])).isCloseTo(0.9f, within(1e-6f));
        assertThat(first(later[0])).isCloseTo(0.91f, within(1e-6f));

        NodeRunner nesterov = op("Momentum").attr("alpha", 0.5f).attr("beta", 0.2f)
                .attr("norm_coefficient", 0f).attr("mode", "nesterov");
        Value[] out = nesterov.outputs(2).runAll(Tensor.scalar(0.1f), Tensor.scalar(1L), f(1), f(2), f(1));
        assertThat(first(out[0])).isCloseTo(0.755f, within(1e-6f));
    }

    @Test
    void momentumRejectsUnknownMode() {
        NodeRunner node = op("Momentum").attr("alpha", 0.5f).attr("beta", 0.2f)
                .attr("norm_coefficient", 0f).attr("mode", "heavy");
        assertThatThrownBy(() -> node.outputs(2).runAll(Tensor.scalar(0.1f), Tensor.scalar(0L), f(1), f(2), f(1)))
                .isInstanceOf(dev.jonnx.ModelCheckException.class)
                .hasMessageContaining("mode");
    }

    @Test
    void optimizerRejectsIncompleteInputs() {
        NodeRunner node = op("Adagrad");
        assertThatThrownBy(() -> node.outputs(2).runAll(Tensor.scalar(0.1f), Tensor.scalar(0L), f(1), f(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3 tensors per optimized variable");
    }

    @Test
    void optimizerRejectsNonInt64UpdateCount() {
        NodeRunner node = op("Adagrad");
        assertThatThrownBy(() -> node.outputs(2).runAll(Tensor.scalar(0.1f), Tensor.scalar(0f), f(1), f(2), f(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("update count T");
    }
}
