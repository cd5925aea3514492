package dev.jonnx.runtime.ops.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.ModelCheckException;
import dev.jonnx.RunException;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import org.junit.jupiter.api.Test;

/** SVMRegressor and SVMClassifier with each kernel, worked out by hand. */
class SvmModelsTest {

    /** Support vectors [1, 0] and [0, 1] with coefficients 2 and -1, rho 0.5, at x = [1, 2]. */
    private static float regress(String kernel, float... params) {
        MlModel model = MlModel.of("SVMRegressor", 1)
                .s("kernel_type", kernel)
                .i("n_supports", 2)
                .floats("support_vectors", 1, 0, 0, 1)
                .floats("coefficients", 2, -1)
                .floats("rho", 0.5f);
        if (params.length > 0) {
            model.floats("kernel_params", params);
        }
        Tensor y = model.runTensor(Tensor.of(new float[] {1, 2}, 1, 2));
        assertThat(y.shape()).containsExactly(1, 1);
        return y.floats()[0];
    }

    @Test
    void regressorLinearKernel() {
        // K = x . v: 2 * 1 - 1 * 2 + 0.5.
        assertThat(regress("LINEAR")).isEqualTo(0.5f);
    }

    @Test
    void regressorPolyKernel() {
        // K = (0.5 x . v + 1)^2: 2 * 2.25 - 4 + 0.5.
        assertThat(regress("POLY", 0.5f, 1, 2)).isCloseTo(1.0f, within(1e-6f));
    }

    @Test
    void regressorRbfKernel() {
        // K = exp(-0.5 |x - v|^2): 2 exp(-2) - exp(-1) + 0.5.
        assertThat(regress("RBF", 0.5f, 0, 0)).isCloseTo(0.402792f, within(1e-6f));
    }

    @Test
    void regressorSigmoidKernel() {
        // K = tanh(0.5 x . v - 1): 2 tanh(-0.5) - tanh(0) + 0.5.
        assertThat(regress("SIGMOID", 0.5f, -1, 0)).isCloseTo(-0.424234f, within(1e-6f));
    }

    @Test
    void regressorLinearModelWithoutSupports() {
        Tensor y = MlModel.of("SVMRegressor", 1)
                .floats("coefficients", 1, 2)
                .floats("rho", 0.5f)
                .runTensor(Tensor.of(new double[] {1, 1, 0, -1}, 2, 2));
        assertThat(y.floats()).containsExactly(3.5f, -1.5f);
    }

    @Test
    void regressorOneClassOutputsSign() {
        Tensor y = MlModel.of("SVMRegressor", 1)
                .floats("coefficients", 1, 2)
                .floats("rho", -1)
                .i("one_class", 1)
                .runTensor(Tensor.of(new long[] {1, 0, 1, 1}, 2, 2));
        assertThat(y.floats()).containsExactly(-1, 1);
    }

    @Test
    void regressorRejectsFeatureMismatch() {
        assertThatThrownBy(() -> MlModel.of("SVMRegressor", 1)
                .floats("coefficients", 1, 2)
                .floats("rho", 0)
                .run(Tensor.of(new float[] {1, 2, 3}, 1, 3)))
                .isInstanceOf(RunException.class)
                .hasMessageContaining("must have 2 features");
    }

    /** Classes A and B with one support vector each: s = x . [1, 0] - x . [0, 1]. */
    private static MlModel twoClasses(String transform) {
        return MlModel.of("SVMClassifier", 2)
                .strings("classlabels_strings", "A", "B")
                .ints("vectors_per_class", 1, 1)
                .floats("support_vectors", 1, 0, 0, 1)
                .floats("coefficients", 1, -1)
                .floats("rho", 0)
                .s("post_transform", transform);
    }

    private static final Tensor TWO_ROWS = Tensor.of(new float[] {3, 1, 0, 2}, 2, 2);

    @Test
    void twoClassVotesAndScores() {
        Value[] out = twoClasses("NONE").run(TWO_ROWS);
        // s = 2 votes for A, s = -2 for B.
        assertThat(((Tensor) out[0]).strings()).containsExactly("A", "B");
        assertThat(((Tensor) out[1]).shape()).containsExactly(2, 2);
        assertThat(((Tensor) out[1]).floats()).containsExactly(-2, 2, 2, -2);
    }

    @Test
    void twoClassLogistic() {
        Value[] out = twoClasses("LOGISTIC").run(TWO_ROWS);
        assertThat(((Tensor) out[1]).floats()).containsExactly(new float[] {
            0.119203f, 0.880797f, 0.880797f, 0.119203f}, within(1e-6f));
    }

    @Test
    void twoClassProbabilities() {
        Value[] out = twoClasses("NONE").floats("prob_a", -2).floats("prob_b", 0)
                .run(Tensor.of(new float[] {3, 1}, 1, 2));
        float[] z = ((Tensor) out[1]).floats();
        // Platt scaling gives r = 1 / (1 + exp(-2 * 2)) = 0.982014; the coupling stops within
        // its tolerance of 0.005 / k of that.
        assertThat(z[0]).isCloseTo(0.982014f, within(0.0025f));
        assertThat(z[0]).isCloseTo(0.981714f, within(1e-5f));
        assertThat(z[0] + z[1]).isCloseTo(1f, within(1e-6f));
        assertThat(((Tensor) out[0]).strings()).containsExactly("A");
    }

    /**
     * Three classes with support vectors e0 = [1, 0], e1 = [0, 1], e2 = [1, 1], coefficient
     * rows [1, -1, -1] and [1, 1, -1] and rho [0, 0.5, 0]. At x = [2, 1] the kernels are
     * [2, 1, 3] and the pair decisions are s01 = 1, s02 = -0.5, s12 = -2.
     */
    private static MlModel threeClasses() {
        return MlModel.of("SVMClassifier", 2)
                .ints("classlabels_ints", 5, 6, 7)
                .ints("vectors_per_class", 1, 1, 1)
                .floats("support_vectors", 1, 0, 0, 1, 1, 1)
                .floats("coefficients", 1, -1, -1, 1, 1, -1)
                .floats("rho", 0, 0.5f, 0);
    }

    @Test
    void threeClassPairwiseScores() {
        Value[] out = threeClasses().run(Tensor.of(new float[] {2, 1, 3, 0}, 2, 2));
        // Row 1 votes 0, 2, 2; row 2 (kernels 3, 0, 3; s = 3, 0.5, -3) votes 0, 0, 2.
        assertThat(((Tensor) out[0]).longs()).containsExactly(7, 5);
        assertThat(((Tensor) out[1]).shape()).containsExactly(2, 3);
        assertThat(((Tensor) out[1]).floats()).containsExactly(1, -0.5f, -2, 3, 0.5f, -3);
    }

    @Test
    void threeClassProbabilities() {
        Value[] out = threeClasses()
                .floats("prob_a", -1, -1, -1)
                .floats("prob_b", 0, 0, 0)
                .run(Tensor.of(new float[] {2, 1}, 1, 2));
        float[] z = ((Tensor) out[1]).floats();
        // Pairwise r = logistic(s): 0.731, 0.378, 0.119, coupled into class probabilities.
        assertThat(z).containsExactly(new float[] {0.334068f, 0.096125f, 0.569807f}, within(1e-5f));
        assertThat(((Tensor) out[0]).longs()).containsExactly(7);
    }

    @Test
    void linearModelArgmax() {
        Value[] out = MlModel.of("SVMClassifier", 2)
                .ints("classlabels_ints", 1, 2, 3)
                .floats("coefficients", 1, 0, 0, 1, -1, -1)
                .floats("rho", 0.5f)
                .run(Tensor.of(new int[] {2, 1, 0, 4}, 2, 2));
        assertThat(((Tensor) out[0]).longs()).containsExactly(1, 2);
        assertThat(((Tensor) out[1]).floats()).containsExactly(2.5f, 1.5f, -2.5f, 0.5f, 4.5f, -3.5f);
    }

    @Test
    void classifierRejectsBadShapes() {
        assertThatThrownBy(() -> threeClasses().floats("prob_a", 1).floats("prob_b", 1)
                .run(Tensor.of(new float[] {1, 2}, 1, 2)))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("one per class pair (3)");
        assertThatThrownBy(() -> MlModel.of("SVMClassifier", 2)
                .ints("classlabels_ints", 1, 2)
                .ints("vectors_per_class", 1, 1)
                .floats("support_vectors", 1, 0, 0, 1)
                .floats("coefficients", 1, -1, 3)
                .floats("rho", 0)
                .run(Tensor.of(new float[] {1, 2}, 1, 2)))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("expected (classes - 1) x support vectors = 2");
    }
}
