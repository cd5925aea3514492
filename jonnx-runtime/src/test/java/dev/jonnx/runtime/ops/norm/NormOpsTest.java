package dev.jonnx.runtime.ops.norm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.ModelCheckException;
import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.runtime.testing.TestTensors;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NormOpsTest {

    /** Shape (1, 2, 2): x[0, 0, :] = [0, 0] and x[0, 1, :] = [0, ln 3]. */
    private static final Tensor PAIRS = Tensor.of(new double[] {0, 0, 0, Math.log(3)}, 1, 2, 2);

    @Test
    void softmaxSingleAxisFromOpset13() {
        Tensor y = NodeRunner.op("Softmax", 13).attr("axis", 1).run(PAIRS);
        assertThat(y.doubles()).containsExactly(new double[] {0.5, 0.25, 0.5, 0.75}, within(1e-12));
    }

    @Test
    void softmaxCoercesTo2dBeforeOpset13() {
        Tensor y = NodeRunner.op("Softmax", 11).attr("axis", 1).run(PAIRS);
        assertThat(y.doubles()).containsExactly(new double[] {1 / 6.0, 1 / 6.0, 1 / 6.0, 0.5}, within(1e-12));
    }

    @Test
    void softmaxOfLargeValuesStaysFinite() {
        Tensor y = NodeRunner.op("Softmax", 13).run(Tensor.of(new float[] {1000, 1000}, 2));
        assertThat(y.floats()).containsExactly(0.5f, 0.5f);
    }

    @Test
    void logSoftmaxSingleAxis() {
        Tensor y = NodeRunner.op("LogSoftmax", 13).run(Tensor.of(new double[] {0, Math.log(3)}, 2));
        assertThat(y.doubles()).containsExactly(new double[] {Math.log(0.25), Math.log(0.75)}, within(1e-12));
    }

    @Test
    void hardmaxAxisSemanticsChangeAtOpset13() {
        Tensor coerced = NodeRunner.op("Hardmax", 11).attr("axis", 1).run(PAIRS);
        Tensor single = NodeRunner.op("Hardmax", 13).attr("axis", 1).run(PAIRS);
        assertThat(coerced.doubles()).containsExactly(0, 0, 0, 1);
        assertThat(single.doubles()).containsExactly(1, 0, 0, 1);
    }

    @Test
    void layerNormalizationWithStatistics() {
        Tensor x = Tensor.of(new float[] {1, 3}, 1, 2);
        Value[] out = NodeRunner.op("LayerNormalization", 17).attr("epsilon", 0f).outputs(3)
                .runAll(x, Tensor.of(new float[] {2, 3}, 2), Tensor.of(new float[] {1, 1}, 2));
        assertThat(((Tensor) out[0]).floats()).containsExactly(-1, 4);
        assertThat(((Tensor) out[1]).shape()).containsExactly(1, 1);
        assertThat(((Tensor) out[1]).floats()).containsExactly(2);
        assertThat(((Tensor) out[2]).floats()).containsExactly(1);
    }

    @Test
    void layerNormalizationStashTypeSetsStatisticsType() {
        Tensor x = Tensor.of(new double[] {1, 3}, 2);
        Value[] out = NodeRunner.op("LayerNormalization", 17).attr("stash_type", 16L).outputs(3)
                .runAll(x, Tensor.of(new double[] {1, 1}, 2));
        assertThat(((Tensor) out[0]).type()).isEqualTo(DataType.DOUBLE);
        assertThat(((Tensor) out[1]).type()).isEqualTo(DataType.BFLOAT16);
    }

    @Test
    void rmsNormalization() {
        Tensor y = NodeRunner.op("RMSNormalization", 23).attr("epsilon", 0f)
                .run(Tensor.of(new double[] {3, 4}, 2), Tensor.of(new double[] {1, 2}, 2));
        double rms = Math.sqrt(12.5);
        assertThat(y.doubles()).containsExactly(new double[] {3 / rms, 8 / rms}, within(1e-12));
    }

    @Test
    void batchNormalizationInference() {
        Tensor x = Tensor.of(new float[] {1, 2}, 1, 2, 1, 1);
        Tensor y = NodeRunner.op("BatchNormalization", 15).attr("epsilon", 0f).run(x,
                Tensor.of(new float[] {1, 2}, 2), Tensor.of(new float[] {0, 1}, 2),
                Tensor.of(new float[] {1, 0}, 2), Tensor.of(new float[] {4, 1}, 2));
        assertThat(y.floats()).containsExactly(0, 5);
    }

    @Test
    void batchNormalizationTrainingUpdatesRunningStatistics() {
        Tensor x = Tensor.of(new double[] {1, 3}, 2, 1);
        Value[] out = NodeRunner.op("BatchNormalization", 15).attr("epsilon", 0f)
                .attr("training_mode", 1L).outputs(3).runAll(x, Tensor.of(new double[] {1}, 1),
                        Tensor.of(new double[] {0}, 1), Tensor.of(new double[] {0}, 1), Tensor.of(new double[] {1}, 1));
        assertThat(((Tensor) out[0]).doubles()).containsExactly(-1, 1);
        assertThat(((Tensor) out[1]).doubles()[0]).isCloseTo(0.2, within(1e-7));
        assertThat(((Tensor) out[2]).doubles()[0]).isCloseTo(1.0, within(1e-7));
    }

    @Test
    void batchNormalizationRejectsStatisticsOutputsInInference() {
        Tensor one = Tensor.of(new float[] {1}, 1);
        assertThatThrownBy(() -> NodeRunner.op("BatchNormalization", 15).outputs(3)
                .runAll(Tensor.of(new float[] {1}, 1, 1), one, one, one, one))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("training_mode");
    }

    @Test
    void batchNormalizationNonSpatialBeforeOpset9() {
        // spatial = 0: each (channel, position) pair has its own statistics.
        Tensor x = Tensor.of(new float[] {2, 4}, 1, 1, 2);
        Tensor ones = Tensor.of(new float[] {1, 1}, 2);
        Tensor zeros = Tensor.of(new float[] {0, 0}, 2);
        Tensor mean = Tensor.of(new float[] {1, 2}, 2);
        Tensor y = NodeRunner.op("BatchNormalization", 7).attr("spatial", 0L).attr("epsilon", 0f)
                .run(x, ones, zeros, mean, ones);
        assertThat(y.floats()).containsExactly(1, 2);
    }

    @Test
    void instanceNormalization() {
        Tensor y = NodeRunner.op("InstanceNormalization", 22).attr("epsilon", 0f).run(
                Tensor.of(new float[] {0, 2}, 1, 1, 2), Tensor.of(new float[] {3}, 1), Tensor.of(new float[] {1}, 1));
        assertThat(y.floats()).containsExactly(-2, 4);
    }

    @Test
    void groupNormalizationScalePerGroupThenPerChannel() {
        Tensor x = Tensor.of(new double[] {0, 2, 4, 6}, 1, 2, 2);
        double s = Math.sqrt(5);
        Tensor v18 = NodeRunner.op("GroupNormalization", 18).attr("num_groups", 1L).attr("epsilon", 0f)
                .run(x, Tensor.of(new double[] {2}, 1), Tensor.of(new double[] {1}, 1));
        assertThat(v18.doubles()).containsExactly(new double[] {1 - 6 / s, 1 - 2 / s, 1 + 2 / s, 1 + 6 / s},
                within(1e-12));
        Tensor v21 = NodeRunner.op("GroupNormalization", 21).attr("num_groups", 1L).attr("epsilon", 0f)
                .run(x, Tensor.of(new double[] {1, 2}, 2), Tensor.of(new double[] {0, 0}, 2));
        assertThat(v21.doubles()).containsExactly(new double[] {-3 / s, -1 / s, 2 / s, 6 / s}, within(1e-12));
    }

    @Test
    void groupNormalizationRejectsGroupsNotDividingChannels() {
        Tensor x = Tensor.of(new float[6], 1, 3, 2);
        Tensor p = Tensor.of(new float[] {1, 1, 1}, 3);
        assertThatThrownBy(() -> NodeRunner.op("GroupNormalization", 21).attr("num_groups", 2L)
                .run(x, p, p))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("num_groups");
    }

    @Test
    void lpNormalizationL1AndZeroSlice() {
        Tensor x = Tensor.of(new float[] {1, 3, 0, 0}, 2, 2);
        Tensor y = NodeRunner.op("LpNormalization", 22).attr("p", 1L).run(x);
        assertThat(y.floats()).containsExactly(0.25f, 0.75f, 0, 0);
    }

    @Test
    void meanVarianceNormalization() {
        Tensor y = NodeRunner.op("MeanVarianceNormalization", 13).attr("axes", new long[] {0})
                .run(Tensor.of(new double[] {1, 3}, 2));
        assertThat(y.doubles()).containsExactly(new double[] {-1, 1}, within(1e-8));
    }

    @Test
    void dropoutInferenceReturnsInputAndFullMask() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2);
        Value[] out = NodeRunner.op("Dropout", 13).outputs(2).runAll(x, Tensor.scalar(0.5f));
        assertThat(((Tensor) out[0]).floats()).containsExactly(1, 2);
        assertThat(((Tensor) out[1]).booleans()).containsExactly(true, true);
    }

    @Test
    void dropoutMaskHasDataTypeBeforeOpset10() {
        Value[] out = NodeRunner.op("Dropout", 7).outputs(2).runAll(Tensor.of(new float[] {4}, 1));
        assertThat(((Tensor) out[1]).floats()).containsExactly(1);
    }

    @Test
    void seededTrainingDropoutMatchesNumpyDraws() {
        // After numpy.random.seed(0), numpy.random.uniform(0, 1, 3) gives 0.5488, 0.7152, 0.6028.
        Tensor x = Tensor.of(new float[] {1, 1, 1}, 3);
        Value[] out = NodeRunner.op("Dropout", 22).attr("seed", 0L).outputs(2)
                .runAll(x, Tensor.scalar(0.6f), Tensor.scalar(true));
        assertThat(((Tensor) out[1]).booleans()).containsExactly(false, true, true);
        assertThat(((Tensor) out[0]).floats()).containsExactly(new float[] {0, 2.5f, 2.5f}, within(1e-6f));
    }

    @Test
    void trainingDropoutRejectsRatioOfOne() {
        assertThatThrownBy(() -> NodeRunner.op("Dropout", 13).runAll(Tensor.of(new float[] {1}, 1),
                Tensor.scalar(1f), Tensor.scalar(true)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ratio");
    }

    @Test
    void softmaxOfScalarAndEmptyTensor() {
        assertThat(NodeRunner.op("Softmax", 13).run(Tensor.scalar(7f)).floats()).containsExactly(1);
        Tensor empty = NodeRunner.op("Softmax", 13).run(Tensor.of(new float[0], 0, 3));
        assertThat(empty.shape()).containsExactly(0, 3);
    }

    @Test
    void softmaxRejectsIntegers() {
        assertThatThrownBy(() -> NodeRunner.op("Softmax", 13).run(Tensor.of(new int[] {1}, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("floating-point");
    }

    @Test
    void batchNormalizationOneDimensionalInputHasOneChannel() {
        Tensor one = Tensor.of(new float[] {1}, 1);
        Tensor y = NodeRunner.op("BatchNormalization", 15).attr("epsilon", 0f).run(
                Tensor.of(new float[] {3, 5}, 2), one, Tensor.of(new float[] {0}, 1), Tensor.of(new float[] {1}, 1),
                Tensor.of(new float[] {4}, 1));
        assertThat(y.floats()).containsExactly(1, 2);
    }

    @Test
    void layerNormalizationScaleVaryingAcrossRows() {
        // Scale [3, 1] broadcasts along the rows, not the normalized axis: row r is scaled by r + 1.
        Tensor x = Tensor.of(new float[] {-1, 0, 1, -1, 0, 1, -1, 0, 1}, 3, 3);
        Tensor y = NodeRunner.op("LayerNormalization", 17).attr("epsilon", 0f)
                .run(x, Tensor.of(new float[] {1, 2, 3}, 3, 1));
        float z = (float) Math.sqrt(1.5);
        assertThat(y.floats()).containsExactly(new float[] {-z, 0, z, -2 * z, 0, 2 * z, -3 * z, 0, 3 * z},
                within(1e-5f));
    }

    // ---- rows split over threads ----

    private static Value[] runOnThreads(NodeRunner harness, int threads, Tensor... inputs) {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            return harness.threads(pool, threads).runAll(inputs);
        } finally {
            pool.shutdownNow();
        }
    }

    private static Tensor randomRows(int rows, int n) {
        return TestTensors.uniformTensor(new Random(rows * 31L + n), -4, 4, 3, rows / 3, n);
    }

    @Test
    void softmaxOnThreadsMatchesOneThread() {
        Tensor x = randomRows(301 * 3, 67);
        for (String op : new String[] {"Softmax", "LogSoftmax"}) {
            Tensor expected = NodeRunner.op(op, 13).run(x);
            Tensor actual = (Tensor) runOnThreads(NodeRunner.op(op, 13), 3, x)[0];
            assertThat(actual.floats()).as(op).containsExactly(expected.floats());
        }
    }

    @Test
    void layerNormalizationOnThreadsMatchesOneThread() {
        Tensor x = randomRows(301 * 3, 67);
        Tensor scale = Tensor.of(java.util.Arrays.copyOf(randomRows(3, 67).floats(), 67), 67);
        Tensor bias = Tensor.of(java.util.Arrays.copyOfRange(randomRows(3, 67).floats(), 67, 134), 67);
        Value[] expected = NodeRunner.op("LayerNormalization", 17).outputs(3).runAll(x, scale, bias);
        Value[] actual = runOnThreads(NodeRunner.op("LayerNormalization", 17).outputs(3), 3, x, scale, bias);
        for (int i = 0; i < 3; i++) {
            assertThat(((Tensor) actual[i]).shape()).as("output %d shape", i).isEqualTo(((Tensor) expected[i]).shape());
            assertThat(((Tensor) actual[i]).floats()).as("output %d", i).containsExactly(((Tensor) expected[i]).floats());
        }
    }
}
