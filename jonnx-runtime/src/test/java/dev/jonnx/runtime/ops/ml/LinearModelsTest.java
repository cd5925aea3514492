package dev.jonnx.runtime.ops.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.RunException;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import org.junit.jupiter.api.Test;

/** LinearClassifier and LinearRegressor on small models worked out by hand. */
class LinearModelsTest {

    private static final Tensor ROWS = Tensor.of(new float[] {2, 1, 0, 3}, 2, 2);

    /** Classes 10, 20, 30 with scores x0, x1 and x0 + x1 - 1: rows [2, 1, 2] and [0, 3, 2]. */
    private static MlModel threeClasses(String transform) {
        return MlModel.of("LinearClassifier", 2)
                .ints("classlabels_ints", 10, 20, 30)
                .floats("coefficients", 1, 0, 0, 1, 1, 1)
                .floats("intercepts", 0, 0, -1)
                .s("post_transform", transform);
    }

    private static float[] scores(Value[] out) {
        return ((Tensor) out[1]).floats();
    }

    @Test
    void threeClassNone() {
        Value[] out = threeClasses("NONE").run(ROWS);
        assertThat(((Tensor) out[0]).longs()).containsExactly(10, 20);
        assertThat(((Tensor) out[1]).shape()).containsExactly(2, 3);
        assertThat(scores(out)).containsExactly(2, 1, 2, 0, 3, 2);
    }

    @Test
    void threeClassLogistic() {
        Value[] out = threeClasses("LOGISTIC").run(ROWS);
        assertThat(((Tensor) out[0]).longs()).containsExactly(10, 20);
        assertThat(scores(out)).containsExactly(new float[] {
            0.880797f, 0.731059f, 0.880797f, 0.5f, 0.952574f, 0.880797f}, within(1e-6f));
    }

    @Test
    void threeClassSoftmax() {
        Value[] out = threeClasses("SOFTMAX").run(ROWS);
        assertThat(scores(out)).containsExactly(new float[] {
            0.422319f, 0.155362f, 0.422319f, 0.035119f, 0.705385f, 0.259496f}, within(1e-6f));
    }

    @Test
    void threeClassSoftmaxZero() {
        Value[] out = threeClasses("SOFTMAX_ZERO").run(ROWS);
        // The zero score of row 2 stays zero; the others share the mass.
        assertThat(scores(out)).containsExactly(new float[] {
            0.422319f, 0.155362f, 0.422319f, 0, 0.731059f, 0.268941f}, within(1e-6f));
    }

    @Test
    void threeClassProbit() {
        Value[] out = MlModel.of("LinearClassifier", 2)
                .strings("classlabels_strings", "a", "b", "c")
                .floats("coefficients", 0, 0, 0)
                .floats("intercepts", 0.5f, 0.975f, 0.025f)
                .s("post_transform", "PROBIT")
                .run(Tensor.of(new float[] {7}, 1));
        assertThat(((Tensor) out[0]).strings()).containsExactly("b");
        assertThat(scores(out)).containsExactly(new float[] {0, 1.959964f, -1.959964f}, within(1e-5f));
    }

    /** Labels "neg" and "pos" with one coefficient row: s = x0 - x1 + 0.5, so 1.5 and -1.5. */
    private static MlModel binary(String transform) {
        return MlModel.of("LinearClassifier", 2)
                .strings("classlabels_strings", "neg", "pos")
                .floats("coefficients", 1, -1)
                .floats("intercepts", 0.5f)
                .s("post_transform", transform);
    }

    private static final Tensor BINARY_ROWS = Tensor.of(new double[] {1, 0, 0, 2}, 2, 2);

    @Test
    void binaryNoneWritesBothSigns() {
        Value[] out = binary("NONE").run(BINARY_ROWS);
        assertThat(((Tensor) out[0]).strings()).containsExactly("pos", "neg");
        assertThat(((Tensor) out[1]).shape()).containsExactly(2, 2);
        assertThat(scores(out)).containsExactly(-1.5f, 1.5f, 1.5f, -1.5f);
    }

    @Test
    void binaryLogistic() {
        Value[] out = binary("LOGISTIC").run(BINARY_ROWS);
        assertThat(((Tensor) out[0]).strings()).containsExactly("pos", "neg");
        assertThat(scores(out)).containsExactly(new float[] {
            0.182426f, 0.817574f, 0.817574f, 0.182426f}, within(1e-6f));
    }

    @Test
    void binarySoftmax() {
        Value[] out = binary("SOFTMAX").run(BINARY_ROWS);
        // softmax([-1.5, 1.5]) = [logistic(-3), logistic(3)].
        assertThat(scores(out)).containsExactly(new float[] {
            0.047426f, 0.952574f, 0.952574f, 0.047426f}, within(1e-6f));
    }

    @Test
    void singleRowDefaultLabels() {
        Value[] out = MlModel.of("LinearClassifier", 2)
                .ints("classlabels_ints", 7)
                .floats("coefficients", 1, -1)
                .run(BINARY_ROWS);
        assertThat(((Tensor) out[0]).longs()).containsExactly(1, 0);
        assertThat(((Tensor) out[1]).shape()).containsExactly(2, 1);
        assertThat(scores(out)).containsExactly(1, -2);
    }

    @Test
    void classifierAcceptsIntegerInput() {
        Value[] out = threeClasses("NONE").run(Tensor.of(new long[] {2, 1, 0, 3}, 2, 2));
        assertThat(((Tensor) out[0]).longs()).containsExactly(10, 20);
        assertThat(scores(out)).containsExactly(2, 1, 2, 0, 3, 2);
    }

    @Test
    void classifierRejectsFeatureMismatch() {
        assertThatThrownBy(() -> threeClasses("NONE").run(Tensor.of(new float[] {1, 2, 3, 4}, 1, 4)))
                .isInstanceOf(RunException.class)
                .hasMessageContaining("'coefficients' has 6 entries");
    }

    @Test
    void classifierRejectsUnknownTransform() {
        assertThatThrownBy(() -> threeClasses("TANH").run(ROWS))
                .hasMessageContaining("'post_transform' must be one of");
    }

    @Test
    void regressorTwoTargets() {
        // y0 = x0 + 2 x1 + 0.5, y1 = 3 x0 + 4 x1 - 1.
        MlModel model = MlModel.of("LinearRegressor", 1)
                .floats("coefficients", 1, 2, 3, 4)
                .floats("intercepts", 0.5f, -1)
                .i("targets", 2);
        Tensor y = model.runTensor(Tensor.of(new int[] {1, 1, 2, 0}, 2, 2));
        assertThat(y.shape()).containsExactly(2, 2);
        assertThat(y.floats()).containsExactly(3.5f, 6, 2.5f, 5);
    }

    @Test
    void regressorLogisticOnOneRow() {
        Tensor y = MlModel.of("LinearRegressor", 1)
                .floats("coefficients", 2)
                .s("post_transform", "LOGISTIC")
                .runTensor(Tensor.of(new float[] {-1}, 1));
        assertThat(y.shape()).containsExactly(1, 1);
        assertThat(y.floats()[0]).isCloseTo(0.119203f, within(1e-6f));
    }

    @Test
    void regressorHandlesEmptyBatch() {
        Tensor y = MlModel.of("LinearRegressor", 1)
                .floats("coefficients", 1, 1)
                .runTensor(Tensor.of(new float[0], 0, 2));
        assertThat(y.shape()).containsExactly(0, 1);
    }
}
