package dev.jonnx.runtime.ops.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.ModelCheckException;
import dev.jonnx.RunException;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.FloatFormats;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import org.junit.jupiter.api.Test;

/** TreeEnsembleRegressor, TreeEnsembleClassifier and TreeEnsemble on trees small enough to trace by hand. */
class TreeOpsTest {

    private static final float NAN = Float.NaN;

    /**
     * Tree 0 splits x0 <= 1 into leaf 1 (target 0: 10) and leaf 2 (target 0: 20, target 1: 5);
     * tree 1 splits x1 < 0 into leaf 1 (target 0: 1) and leaf 2 (target 0: 3, target 1: 7).
     */
    private static MlModel twoTrees(String aggregate) {
        return MlModel.of("TreeEnsembleRegressor", 1)
                .i("n_targets", 2)
                .s("aggregate_function", aggregate)
                .ints("nodes_treeids", 0, 0, 0, 1, 1, 1)
                .ints("nodes_nodeids", 0, 1, 2, 0, 1, 2)
                .ints("nodes_featureids", 0, 0, 0, 1, 0, 0)
                .strings("nodes_modes", "BRANCH_LEQ", "LEAF", "LEAF", "BRANCH_LT", "LEAF", "LEAF")
                .floats("nodes_values", 1, 0, 0, 0, 0, 0)
                .ints("nodes_truenodeids", 1, 0, 0, 1, 0, 0)
                .ints("nodes_falsenodeids", 2, 0, 0, 2, 0, 0)
                .ints("target_treeids", 0, 0, 0, 1, 1, 1)
                .ints("target_nodeids", 1, 2, 2, 1, 2, 2)
                .ints("target_ids", 0, 0, 1, 0, 0, 1)
                .floats("target_weights", 10, 20, 5, 1, 3, 7);
    }

    private static final Tensor ROWS = Tensor.of(new float[] {0, -1, 2, 5}, 2, 2);

    @Test
    void regressorSum() {
        Tensor y = twoTrees("SUM").runTensor(ROWS);
        assertThat(y.shape()).containsExactly(2, 2);
        assertThat(y.floats()).containsExactly(11, 0, 23, 12);
    }

    @Test
    void regressorAverage() {
        assertThat(twoTrees("AVERAGE").runTensor(ROWS).floats()).containsExactly(5.5f, 0, 11.5f, 6);
    }

    @Test
    void regressorMinLeavesUnvotedTargetsAtZero() {
        assertThat(twoTrees("MIN").runTensor(ROWS).floats()).containsExactly(1, 0, 3, 5);
    }

    @Test
    void regressorMax() {
        assertThat(twoTrees("MAX").runTensor(ROWS).floats()).containsExactly(10, 0, 20, 7);
    }

    @Test
    void regressorBaseValuesAndTransform() {
        Tensor y = twoTrees("SUM").floats("base_values", 100, 200).runTensor(ROWS);
        assertThat(y.floats()).containsExactly(111, 200, 123, 212);
        Tensor soft = twoTrees("SUM").s("post_transform", "SOFTMAX")
                .runTensor(Tensor.of(new double[] {0, -1}, 1, 2));
        // softmax([11, 0]) = [logistic(11), logistic(-11)].
        assertThat(soft.floats()).containsExactly(new float[] {0.9999833f, 1.67014e-5f}, within(1e-7f));
    }

    @Test
    void regressorSplitsLargeBatchOverThreads() {
        int rows = 12_000;
        float[] x = new float[rows * 2];
        for (int r = 0; r < rows; r += 2) {
            x[2 * r + 1] = -1;
            x[2 * r + 2] = 2;
            x[2 * r + 3] = 5;
        }
        float[] y = twoTrees("SUM").threads(2).runTensor(Tensor.of(x, rows, 2)).floats();
        for (int r = 0; r < rows; r += 2) {
            assertThat(y[2 * r]).as("row %d", r).isEqualTo(11);
            assertThat(y[2 * r + 1]).as("row %d", r).isEqualTo(0);
            assertThat(y[2 * r + 2]).as("row %d", r + 1).isEqualTo(23);
            assertThat(y[2 * r + 3]).as("row %d", r + 1).isEqualTo(12);
        }
    }

    @Test
    void regressorMissingValueTracks() {
        Tensor nan = Tensor.of(new float[] {NAN, NAN}, 1, 2);
        // NaN fails every comparison, so both trees take the false branch.
        assertThat(twoTrees("SUM").runTensor(nan).floats()).containsExactly(23, 12);
        Tensor tracked = twoTrees("SUM").ints("nodes_missing_value_tracks_true", 1, 0, 0, 0, 0, 0)
                .runTensor(nan);
        assertThat(tracked.floats()).containsExactly(13, 7);
    }

    @Test
    void regressorEveryMode() {
        String[] modes = {"BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT", "BRANCH_EQ", "BRANCH_NEQ"};
        float[][] expected = {
            {1, 1, -1}, {1, -1, -1}, {-1, 1, 1}, {-1, -1, 1}, {-1, 1, -1}, {1, -1, 1}
        };
        for (int m = 0; m < modes.length; m++) {
            Tensor y = MlModel.of("TreeEnsembleRegressor", 1)
                    .i("n_targets", 1)
                    .ints("nodes_treeids", 0, 0, 0)
                    .ints("nodes_nodeids", 0, 1, 2)
                    .ints("nodes_featureids", 0, 0, 0)
                    .strings("nodes_modes", modes[m], "LEAF", "LEAF")
                    .floats("nodes_values", 1, 0, 0)
                    .ints("nodes_truenodeids", 1, 0, 0)
                    .ints("nodes_falsenodeids", 2, 0, 0)
                    .ints("target_treeids", 0, 0)
                    .ints("target_nodeids", 1, 2)
                    .ints("target_ids", 0, 0)
                    .floats("target_weights", 1, -1)
                    .runTensor(Tensor.of(new long[] {0, 1, 2}, 3, 1));
            assertThat(y.floats()).as(modes[m]).containsExactly(expected[m]);
        }
    }

    /** Builds one split x0 <= 0.1 with leaves 1 and -1 and base 0.5, as doubles if {@code asTensor}. */
    private static MlModel doubleSplit(boolean asTensor) {
        MlModel model = MlModel.of("TreeEnsembleRegressor", 1).opset(3)
                .i("n_targets", 1)
                .ints("nodes_treeids", 0, 0, 0)
                .ints("nodes_nodeids", 0, 1, 2)
                .ints("nodes_featureids", 0, 0, 0)
                .strings("nodes_modes", "BRANCH_LEQ", "LEAF", "LEAF")
                .ints("nodes_truenodeids", 1, 0, 0)
                .ints("nodes_falsenodeids", 2, 0, 0)
                .ints("target_treeids", 0, 0)
                .ints("target_nodeids", 1, 2)
                .ints("target_ids", 0, 0);
        if (asTensor) {
            return model.tensor("nodes_values_as_tensor", Tensor.of(new double[] {0.1, 0, 0}, 3))
                    .tensor("target_weights_as_tensor", Tensor.of(new double[] {1, -1}, 2))
                    .tensor("base_values_as_tensor", Tensor.of(new double[] {0.5}, 1));
        }
        return model.floats("nodes_values", 0.1f, 0, 0).floats("target_weights", 1, -1)
                .floats("base_values", 0.5f);
    }

    @Test
    void regressorComparesInThresholdPrecision() {
        Tensor x = Tensor.of(new double[] {0.1000000001}, 1, 1);
        // In double the input exceeds 0.1; rounded to float it equals 0.1f.
        assertThat(doubleSplit(true).runTensor(x).floats()).containsExactly(-0.5f);
        assertThat(doubleSplit(false).runTensor(x).floats()).containsExactly(1.5f);
    }

    @Test
    void rejectsBothFloatAndTensorForms() {
        assertThatThrownBy(() -> doubleSplit(true).floats("nodes_values", 0.1f, 0, 0)
                .run(Tensor.of(new double[] {0}, 1, 1)))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("only one of the attributes 'nodes_values' and");
    }

    @Test
    void asTensorNeedsOpset3() {
        assertThatThrownBy(() -> doubleSplit(true).opset(1).run(Tensor.of(new double[] {0}, 1, 1)))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("'nodes_values_as_tensor' needs ai.onnx.ml opset 3");
    }

    @Test
    void legacyOperatorsDeprecatedAtOpset5() {
        assertThatThrownBy(() -> twoTrees("SUM").opset(5).run(ROWS))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("deprecated since ai.onnx.ml opset 5");
    }

    @Test
    void regressorRejectsMalformedTrees() {
        assertThatThrownBy(() -> twoTrees("SUM").ints("target_nodeids", 0, 2, 2, 1, 2, 2).run(ROWS))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("which is not a LEAF");
        assertThatThrownBy(() -> twoTrees("SUM").ints("nodes_falsenodeids", 9, 0, 0, 2, 0, 0).run(ROWS))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("refers to child 9");
        assertThatThrownBy(() -> twoTrees("SUM").run(Tensor.of(new float[] {1}, 1, 1)))
                .isInstanceOf(RunException.class)
                .hasMessageContaining("read feature 1 but input X has only 1 features");
    }

    /**
     * Tree 0 splits x0 <= 0 into a leaf voting class 0: 1 and a leaf voting class 2: 1 and
     * class 1: 0.5; tree 1 splits x1 <= 0 into class 1: 2 and class 2: 0.25. Row [0, 0]
     * scores [1, 2, 0] and row [1, 1] scores [0, 0.5, 1.25].
     */
    private static MlModel threeClasses() {
        return MlModel.of("TreeEnsembleClassifier", 2)
                .strings("classlabels_strings", "a", "b", "c")
                .ints("nodes_treeids", 0, 0, 0, 1, 1, 1)
                .ints("nodes_nodeids", 0, 1, 2, 0, 1, 2)
                .ints("nodes_featureids", 0, 0, 0, 1, 0, 0)
                .strings("nodes_modes", "BRANCH_LEQ", "LEAF", "LEAF", "BRANCH_LEQ", "LEAF", "LEAF")
                .floats("nodes_values", 0, 0, 0, 0, 0, 0)
                .ints("nodes_truenodeids", 1, 0, 0, 1, 0, 0)
                .ints("nodes_falsenodeids", 2, 0, 0, 2, 0, 0)
                .ints("class_treeids", 0, 0, 0, 1, 1)
                .ints("class_nodeids", 1, 2, 2, 1, 2)
                .ints("class_ids", 0, 2, 1, 1, 2)
                .floats("class_weights", 1, 1, 0.5f, 2, 0.25f);
    }

    private static final Tensor CLASS_ROWS = Tensor.of(new float[] {0, 0, 1, 1}, 2, 2);

    @Test
    void classifierThreeClasses() {
        Value[] out = threeClasses().run(CLASS_ROWS);
        assertThat(((Tensor) out[0]).strings()).containsExactly("b", "c");
        assertThat(((Tensor) out[1]).shape()).containsExactly(2, 3);
        assertThat(((Tensor) out[1]).floats()).containsExactly(1, 2, 0, 0, 0.5f, 1.25f);
    }

    @Test
    void classifierSoftmax() {
        Value[] out = threeClasses().s("post_transform", "SOFTMAX").run(CLASS_ROWS);
        assertThat(((Tensor) out[1]).floats()).containsExactly(new float[] {
            0.244728f, 0.665241f, 0.090031f, 0.162891f, 0.268562f, 0.568546f}, within(1e-6f));
    }

    @Test
    void classifierBaseValues() {
        Value[] out = threeClasses().floats("base_values", 0.1f, 0.2f, 0.3f).run(CLASS_ROWS);
        assertThat(((Tensor) out[1]).floats()).containsExactly(new float[] {
            1.1f, 2.2f, 0.3f, 0.1f, 0.7f, 1.55f}, within(1e-6f));
    }

    /** Builds one tree on x0 <= 0 whose two leaves both vote for one class id. */
    private static MlModel binary(long classId, float trueWeight, float falseWeight) {
        return MlModel.of("TreeEnsembleClassifier", 2)
                .ints("classlabels_int64s", 3, 4)
                .ints("nodes_treeids", 0, 0, 0)
                .ints("nodes_nodeids", 0, 1, 2)
                .ints("nodes_featureids", 0, 0, 0)
                .strings("nodes_modes", "BRANCH_LEQ", "LEAF", "LEAF")
                .floats("nodes_values", 0, 0, 0)
                .ints("nodes_truenodeids", 1, 0, 0)
                .ints("nodes_falsenodeids", 2, 0, 0)
                .ints("class_treeids", 0, 0)
                .ints("class_nodeids", 1, 2)
                .ints("class_ids", classId, classId)
                .floats("class_weights", trueWeight, falseWeight);
    }

    private static final Tensor BINARY_ROWS = Tensor.of(new float[] {-1, 1}, 2, 1);

    @Test
    void binaryMarginWithLogistic() {
        Value[] out = binary(0, -1.5f, 2).floats("base_values", 0.5f).s("post_transform", "LOGISTIC")
                .run(BINARY_ROWS);
        // s = -1 and 2.5: the label is the second class when s > 0, scores [1 - p, p].
        assertThat(((Tensor) out[0]).longs()).containsExactly(3, 4);
        assertThat(((Tensor) out[1]).floats()).containsExactly(new float[] {
            0.731059f, 0.268941f, 0.075858f, 0.924142f}, within(1e-6f));
    }

    @Test
    void binaryMarginWithoutTransform() {
        Value[] out = binary(0, -1.5f, 2).run(BINARY_ROWS);
        assertThat(((Tensor) out[1]).floats()).containsExactly(1.5f, -1.5f, -2, 2);
    }

    @Test
    void binaryVoteShares() {
        Value[] out = binary(1, 0.2f, 0.9f).run(BINARY_ROWS);
        // All weights are non-negative: s is a share of votes, the threshold is 0.5.
        assertThat(((Tensor) out[0]).longs()).containsExactly(3, 4);
        assertThat(((Tensor) out[1]).floats()).containsExactly(new float[] {0.8f, 0.2f, 0.1f, 0.9f},
                within(1e-6f));
    }

    @Test
    void classifierDoubleWeightsAtOpset3() {
        Value[] out = MlModel.of("TreeEnsembleClassifier", 2).opset(3)
                .ints("classlabels_int64s", 3, 4)
                .ints("nodes_treeids", 0, 0, 0)
                .ints("nodes_nodeids", 0, 1, 2)
                .ints("nodes_featureids", 0, 0, 0)
                .strings("nodes_modes", "BRANCH_LEQ", "LEAF", "LEAF")
                .tensor("nodes_values_as_tensor", Tensor.of(new double[] {0, 0, 0}, 3))
                .ints("nodes_truenodeids", 1, 0, 0)
                .ints("nodes_falsenodeids", 2, 0, 0)
                .ints("class_treeids", 0, 0)
                .ints("class_nodeids", 1, 2)
                .ints("class_ids", 1, 1)
                .tensor("class_weights_as_tensor", Tensor.of(new double[] {0.25, 0.75}, 2))
                .tensor("base_values_as_tensor", Tensor.of(new double[] {0.125}, 1))
                .run(BINARY_ROWS);
        // s = 0.375 and 0.875, shares of votes.
        assertThat(((Tensor) out[0]).longs()).containsExactly(3, 4);
        assertThat(((Tensor) out[1]).floats()).containsExactly(0.625f, 0.375f, 0.125f, 0.875f);
    }

    @Test
    void classifierRejectsClassIdOutOfRange() {
        assertThatThrownBy(() -> binary(2, 1, 1).run(BINARY_ROWS))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("class_ids[0] = 2 is out of range [0, 2)");
    }

    // ---- TreeEnsemble (opset 5) ----

    /**
     * Tree 0 (root node 0) splits x0 <= 1 into leaf 0 (target 0: 10) and leaf 1 (target 0:
     * 20); tree 1 (root node 1) splits x1 < 0 into leaf 2 (target 0: 1) and leaf 3 (target 1:
     * 7). Row [0, -1] reaches leaves 0 and 2, row [2, 5] leaves 1 and 3.
     */
    private static MlModel ensemble(long aggregate, DataType type) {
        return MlModel.of("TreeEnsemble", 1).opset(5)
                .i("n_targets", 2)
                .i("aggregate_function", aggregate)
                .ints("tree_roots", 0, 1)
                .tensor("nodes_modes", Tensor.of(DataType.UINT8, new int[] {2}, new byte[] {0, 1}))
                .ints("nodes_featureids", 0, 1)
                .tensor("nodes_splits", Tensor.fromDoubles(type, new int[] {2}, new double[] {1, 0}))
                .ints("nodes_truenodeids", 0, 2)
                .ints("nodes_trueleafs", 1, 1)
                .ints("nodes_falsenodeids", 1, 3)
                .ints("nodes_falseleafs", 1, 1)
                .ints("leaf_targetids", 0, 0, 0, 1)
                .tensor("leaf_weights", Tensor.fromDoubles(type, new int[] {4}, new double[] {10, 20, 1, 7}));
    }

    private static final Tensor ENSEMBLE_ROWS = Tensor.of(new float[] {0, -1, 2, 5}, 2, 2);

    @Test
    void ensembleAggregates() {
        assertThat(ensemble(1, DataType.FLOAT).runTensor(ENSEMBLE_ROWS).floats())
                .containsExactly(11, 0, 20, 7);
        assertThat(ensemble(0, DataType.FLOAT).runTensor(ENSEMBLE_ROWS).floats())
                .containsExactly(5.5f, 0, 10, 3.5f);
        assertThat(ensemble(2, DataType.FLOAT).runTensor(ENSEMBLE_ROWS).floats())
                .containsExactly(1, 0, 20, 7);
        assertThat(ensemble(3, DataType.FLOAT).runTensor(ENSEMBLE_ROWS).floats())
                .containsExactly(10, 0, 20, 7);
    }

    @Test
    void ensembleLogistic() {
        Tensor y = ensemble(1, DataType.FLOAT).i("post_transform", 2).runTensor(ENSEMBLE_ROWS);
        assertThat(y.floats()).containsExactly(new float[] {0.9999833f, 0.5f, 1, 0.999089f},
                within(1e-6f));
    }

    @Test
    void ensembleKeepsDoubleAndHalfTypes() {
        Tensor d = ensemble(1, DataType.DOUBLE).runTensor(Tensor.of(new double[] {0, -1}, 1, 2));
        assertThat(d.type()).isEqualTo(DataType.DOUBLE);
        assertThat(d.doubles()).containsExactly(11, 0);
        Tensor half = Tensor.fromDoubles(DataType.FLOAT16, new int[] {1, 2}, new double[] {2, 5});
        Tensor h = ensemble(1, DataType.FLOAT16).runTensor(half);
        assertThat(h.type()).isEqualTo(DataType.FLOAT16);
        assertThat(FloatFormats.toFloat(DataType.FLOAT16, h.shorts()[0])).isEqualTo(20f);
        assertThat(FloatFormats.toFloat(DataType.FLOAT16, h.shorts()[1])).isEqualTo(7f);
    }

    @Test
    void ensembleMembershipAndMissingTrack() {
        MlModel model = MlModel.of("TreeEnsemble", 1).opset(5)
                .i("n_targets", 1)
                .ints("tree_roots", 0)
                .tensor("nodes_modes", Tensor.of(DataType.UINT8, new int[] {1}, new byte[] {6}))
                .ints("nodes_featureids", 0)
                .tensor("nodes_splits", Tensor.of(new float[] {0}, 1))
                .tensor("membership_values", Tensor.of(new float[] {1, 3, 5, NAN}, 4))
                .ints("nodes_truenodeids", 0)
                .ints("nodes_trueleafs", 1)
                .ints("nodes_falsenodeids", 1)
                .ints("nodes_falseleafs", 1)
                .ints("leaf_targetids", 0, 0)
                .tensor("leaf_weights", Tensor.of(new float[] {1, -1}, 2));
        Tensor x = Tensor.of(new float[] {3, 2, NAN}, 3, 1);
        assertThat(model.runTensor(x).floats()).containsExactly(1, -1, -1);
        assertThat(model.ints("nodes_missing_value_tracks_true", 1).runTensor(x).floats())
                .containsExactly(1, -1, 1);
    }

    @Test
    void ensembleSingleLeafTree() {
        Tensor y = MlModel.of("TreeEnsemble", 1).opset(5)
                .i("n_targets", 1)
                .ints("tree_roots", 0)
                .tensor("nodes_modes", Tensor.of(DataType.UINT8, new int[] {1}, new byte[] {0}))
                .ints("nodes_featureids", 0)
                .tensor("nodes_splits", Tensor.of(new float[] {0}, 1))
                .ints("nodes_truenodeids", 0)
                .ints("nodes_trueleafs", 1)
                .ints("nodes_falsenodeids", 0)
                .ints("nodes_falseleafs", 1)
                .ints("leaf_targetids", 0)
                .tensor("leaf_weights", Tensor.of(new float[] {4}, 1))
                .runTensor(Tensor.of(new float[] {-3, 3}, 2, 1));
        assertThat(y.floats()).containsExactly(4, 4);
    }

    @Test
    void ensembleRejectsCycle() {
        assertThatThrownBy(() -> ensemble(1, DataType.FLOAT)
                .ints("nodes_trueleafs", 0, 1)
                .run(ENSEMBLE_ROWS))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("cycle");
    }

    @Test
    void ensembleRejectsOutOfRangeLeaf() {
        assertThatThrownBy(() -> ensemble(1, DataType.FLOAT)
                .ints("nodes_falsenodeids", 1, 4)
                .run(ENSEMBLE_ROWS))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("nodes_falsenodeids[1] = 4 is out of range [0, 4)");
    }
}
