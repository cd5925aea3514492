package dev.jonnx.runtime.ops.norm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.ModelCheckException;
import dev.jonnx.runtime.kernel.KernelHarness;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import org.junit.jupiter.api.Test;

class NormOpsTest {

    /** Shape (1, 2, 2): x[0, 0, :] = [0, 0] and x[0, 1, :] = [0, ln 3]. */
    private static final Tensor PAIRS = Tensor.of(new double[] {0, 0, 0, Math.log(3)}, 1, 2, 2);

    @Test
    void softmaxSingleAxisFromOpset13() {
        Tensor y = KernelHarness.node("Softmax", 13).attribute("axis", 1).runOne(PAIRS);
        assertThat(y.doubles()).containsExactly(new double[] {0.5, 0.25, 0.5, 0.75}, within(1e-12));
    }

    @Test
    void softmaxCoercesTo2dBeforeOpset13() {
        Tensor y = KernelHarness.node("Softmax", 11).attribute("axis", 1).runOne(PAIRS);
        assertThat(y.doubles()).containsExactly(new double[] {1 / 6.0, 1 / 6.0, 1 / 6.0, 0.5}, within(1e-12));
    }

    @Test
    void softmaxOfLargeValuesStaysFinite() {
        Tensor y = KernelHarness.node("Softmax", 13).runOne(Tensor.of(new float[] {1000, 1000}, 2));
        assertThat(y.floats()).containsExactly(0.5f, 0.5f);
    }

    @Test
    void logSoftmaxSingleAxis() {
        Tensor y = KernelHarness.node("LogSoftmax", 13).runOne(Tensor.of(new double[] {0, Math.log(3)}, 2));
        assertThat(y.doubles()).containsExactly(new double[] {Math.log(0.25), Math.log(0.75)}, within(1e-12));
    }

    @Test
    void hardmaxAxisSemanticsChangeAtOpset13() {
        Tensor coerced = KernelHarness.node("Hardmax", 11).attribute("axis", 1).runOne(PAIRS);
        Tensor single = KernelHarness.node("Hardmax", 13).attribute("axis", 1).runOne(PAIRS);
        assertThat(coerced.doubles()).containsExactly(0, 0, 0, 1);
        assertThat(single.doubles()).containsExactly(1, 0, 0, 1);
    }

    @Test
    void layerNormalizationWithStatistics() {
        Tensor x = Tensor.of(new float[] {1, 3}, 1, 2);
        Value[] out = KernelHarness.node("LayerNormalization", 17).attribute("epsilon", 0f).outputs(3)
                .run(x, Tensor.of(new float[] {2, 3}, 2), Tensor.of(new float[] {1, 1}, 2));
        assertThat(((Tensor) out[0]).floats()).containsExactly(-1, 4);
        assertThat(((Tensor) out[1]).shape()).containsExactly(1, 1);
        assertThat(((Tensor) out[1]).floats()).containsExactly(2);
        assertThat(((Tensor) out[2]).floats()).containsExactly(1);
    }

    @Test
    void layerNormalizationStashTypeSetsStatisticsType() {
        Tensor x = Tensor.of(new double[] {1, 3}, 2);
        Value[] out = KernelHarness.node("LayerNormalization", 17).attribute("stash_type", 16L).outputs(3)
                .run(x, Tensor.of(new double[] {1, 1}, 2));
        assertThat(((Tensor) out[0]).type()).isEqualTo(DataType.DOUBLE);
        assertThat(((Tensor) out[1]).type()).isEqualTo(DataType.BFLOAT16);
    }

    @Test
    void rmsNormalization() {
        Tensor y = KernelHarness.node("RMSNormalization", 23).attribute("epsilon", 0f)
                .runOne(Tensor.of(new double[] {3, 4}, 2), Tensor.of(new double[] {1, 2}, 2));
        double rms = Math.sqrt(12.5);
        assertThat(y.doubles()).containsExactly(new double[] {3 / rms, 8 / rms}, within(1e-12));
    }

    @Test
    void batchNormalizationInference() {
        Tensor x = Tensor.of(new float[] {1, 2}, 1, 2, 1, 1);
        Tensor y = KernelHarness.node("BatchNormalization", 15).attribute("epsilon", 0f).runOne(x,
                Tensor.of(new float[] {1, 2}, 2), Tensor.of(new float[] {0, 1}, 2),
                Tensor.of(new float[] {1, 0}, 2), Tensor.of(new float[] {4, 1}, 2));
        assertThat(y.floats()).containsExactly(0, 5);
    }

    @Test
    void batchNormalizationTrainingUpdatesRunningStatistics() {
        Tensor x = Tensor.of(new double[] {1, 3}, 2, 1);
        Value[] out = KernelHarness.node("BatchNormalization", 15).attribute("epsilon", 0f)
                .attribute("training_mode", 1L).outputs(3).run(x, Tensor.of(new double[] {1}, 1),
                        Tensor.of(new double[] {0}, 1), Tensor.of(new double[] {0}, 1), Tensor.of(new double[] {1}, 1));
        assertThat(((Tensor) out[0]).doubles()).containsExactly(-1, 1);
        assertThat(((Tensor) out[1]).doubles()[0]).isCloseTo(0.2, within(1e-7));
        assertThat(((Tensor) out[2]).doubles()[0]).isCloseTo(1.0, within(1e-7));
    }

    @Test
    void batchNormalizationRejectsStatisticsOutputsInInference() {
        Tensor one = Tensor.of(new float[] {1}, 1);
        assertThatThrownBy(() -> KernelHarness.node("BatchNormalization", 15).outputs(3)
                .run(Tensor.of(new float[] {1}, 1, 1), one, one, one, one))
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
        Tensor y = KernelHarness.node("BatchNormalization", 7).attribute("spatial", 0L).attribute("epsilon", 0f)
                .runOne(x, ones, zeros, mean, ones);
        assertThat(y.floats()).containsExactly(1, 2);
    }

    @Test
    void instanceNormalization() {
        Tensor y = KernelHarness.node("InstanceNormalization", 22).attribute("epsilon", 0f).runOne(
                Tensor.of(new float[] {0, 2}, 1, 1, 2), Tensor.of(new float[] {3}, 1), Tensor.of(new float[] {1}, 1));
        assertThat(y.floats()).containsExactly(-2, 4);
    }

    @Test
    void groupNormalizationScalePerGroupThenPerChannel() {
        Tensor x = Tensor.of(new double[] {0, 2, 4, 6}, 1, 2, 2);
        double s = Math.sqrt(5);
        Tensor v18 = KernelHarness.node("GroupNormalization", 18).attribute("num_groups", 1L).attribute("epsilon", 0f)
                .runOne(x, Tensor.of(new double[] {2}, 1), Tensor.of(new double[] {1}, 1));
        assertThat(v18.doubles()).containsExactly(new double[] {1 - 6 / s, 1 - 2 / s, 1 + 2 / s, 1 + 6 / s},
                within(1e-12));
        Tensor v21 = KernelHarness.node("GroupNormalization", 21).attribute("num_groups", 1L).attribute("epsilon", 0f)
                .runOne(x, Tensor.of(new double[] {1, 2}, 2), Tensor.of(new double[] {0, 0}, 2));
        assertThat(v21.doubles()).containsExactly(new double[] {-3 / s, -1 / s, 2 / s, 6 / s}, within(1e-12));
    }

    @Test
    void groupNormalizationRejectsGroupsNotDividingChannels() {
        Tensor x = Tensor.of(new float[6], 1, 3, 2);
        Tensor p = Tensor.of(new float[] {1, 1, 1}, 3);
        assertThatThrownBy(() -> KernelHarness.node("GroupNormalization", 21).attribute("num_groups", 2L)
                .runOne(x, p, p))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("num_groups");
    }

    @Test
    void lpNormalizationL1AndZeroSlice() {
        Tensor x = Tensor.of(new float[] {1, 3, 0, 0}, 2, 2);
        Tensor y = KernelHarness.node("LpNormalization", 22).attribute("p", 1L).runOne(x);
        assertThat(y.floats()).containsExactly(0.25f, 0.75f, 0, 0);
    }

    @Test
    void meanVarianceNormalization() {
        Tensor y = KernelHarness.node("MeanVarianceNormalization", 13).attribute("axes", new long[] {0})
                .runOne(Tensor.of(new double[] {1, 3}, 2));
        assertThat(y.doubles()).containsExactly(new double[] {-1, 1}, within(1e-8));
    }

    @Test
    void dropoutInferenceReturnsInputAndFullMask() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2);
        Value[] out = KernelHarness.node("Dropout", 13).outputs(2).run(x, Tensor.scalar(0.5f));
        assertThat(((Tensor) out[0]).floats()).containsExactly(1, 2);
        assertThat(((Tensor) out[1]).booleans()).containsExactly(true, true);
    }

    @Test
    void dropoutMaskHasDataTypeBeforeOpset10() {
        Value[] out = KernelHarness.node("Dropout", 7).outputs(2).run(Tensor.of(new float[] {4}, 1));
        assertThat(((Tensor) out[1]).floats()).containsExactly(1);
    }

    @Test
    void seededTrainingDropoutMatchesNumpyDraws() {
        // After numpy.random.seed(0), numpy.random.uniform(0, 1, 3) gives 0.5488, 0.7152, 0.6028.
        Tensor x = Tensor.of(new float[] {1, 1, 1}, 3);
        Value[] out = KernelHarness.node("Dropout", 22).attribute("seed", 0L).outputs(2)
                .run(x, Tensor.scalar(0.6f), Tensor.scalar(true));
        assertThat(((Tensor) out[1]).booleans()).containsExactly(false, true, true);
        assertThat(((Tensor) out[0]).floats()).containsExactly(new float[] {0, 2.5f, 2.5f}, within(1e-6f));
    }

    @Test
    void trainingDropoutRejectsRatioOfOne() {
        assertThatThrownBy(() -> KernelHarness.node("Dropout", 13).run(Tensor.of(new float[] {1}, 1),
                Tensor.scalar(1f), Tensor.scalar(true)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ratio");
    }

    @Test
    void softmaxOfScalarAndEmptyTensor() {
        assertThat(KernelHarness.node("Softmax", 13).runOne(Tensor.scalar(7f)).floats()).containsExactly(1);
        Tensor empty = KernelHarness.node("Softmax", 13).runOne(Tensor.of(new float[0], 0, 3));
        assertThat(empty.shape()).containsExactly(0, 3);
    }

    @Test
    void softmaxRejectsIntegers() {
        assertThatThrownBy(() -> KernelHarness.node("Softmax", 13).runOne(Tensor.of(new int[] {1}, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("floating-point");
    }

    @Test
    void batchNormalizationOneDimensionalInputHasOneChannel() {
        Tensor one = Tensor.of(new float[] {1}, 1);
        Tensor y = KernelHarness.node("BatchNormalization", 15).attribute("epsilon", 0f).runOne(
                Tensor.of(new float[] {3, 5}, 2), one, Tensor.of(new float[] {0}, 1), Tensor.of(new float[] {1}, 1),
                Tensor.of(new float[] {4}, 1));
        assertThat(y.floats()).containsExactly(1, 2);
    }

    @Test
    void layerNormalizationScaleVaryingAcrossRows() {
        // Scale [3, 1] broadcasts along the rows, not the normalized axis: row r is scaled by r + 1.
        Tensor x = Tensor.of(new float[] {-1, 0, 1, -1, 0, 1, -1, 0, 1}, 3, 3);
        Tensor y = KernelHarness.node("LayerNormalization", 17).attribute("epsilon", 0f)
                .runOne(x, Tensor.of(new float[] {1, 2, 3}, 3, 1));
        float z = (float) Math.sqrt(1.5);
        assertThat(y.floats()).containsExactly(new float[] {-z, 0, z, -2 * z, 0, 2 * z, -3 * z, 0, 3 * z},
                within(1e-5f));
    }

    // ---- rows split over threads ----

    private static Value[] runOnThreads(KernelHarness harness, int threads, Tensor... inputs) {
        boolean[] present = new boolean[inputs.length];
        java.util.Arrays.fill(present, true);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            var control = new dev.jonnx.runtime.registry.RunContext.RunControl(
                    new java.util.concurrent.atomic.AtomicBoolean(), Long.MAX_VALUE, pool, threads, null);
            return harness.kernel(inputs.length, present).run(inputs.clone(),
                    new dev.jonnx.runtime.registry.RunContext(null, control));
        } finally {
            pool.shutdownNow();
        }
    }

    private static Tensor randomRows(int rows, int n) {
        java.util.Random random = new java.util.Random(rows * 31L + n);
        float[] v = new float[rows * n];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextFloat() * 8 - 4;
        }
        return Tensor.of(v, 3, rows / 3, n);
    }

    @Test
    void softmaxOnThreadsMatchesOneThread() {
        Tensor x = randomRows(301 * 3, 67);
        for (String op : new String[] {"Softmax", "LogSoftmax"}) {
            Tensor expected = KernelHarness.node(op, 13).runOne(x);
            Tensor actual = (Tensor) runOnThreads(KernelHarness.node(op, 13), 3, x)[0];
            assertThat(actual.floats()).as(op).containsExactly(expected.floats());
        }
    }

    @Test
    void layerNormalizationOnThreadsMatchesOneThread() {
        Tensor x = randomRows(301 * 3, 67);
        Tensor scale = Tensor.of(java.util.Arrays.copyOf(randomRows(3, 67).floats(), 67), 67);
        Tensor bias = Tensor.of(java.util.Arrays.copyOfRange(randomRows(3, 67).floats(), 67, 134), 67);
        Value[] expected = KernelHarness.node("LayerNormalization", 17).outputs(3).run(x, scale, bias);
        Value[] actual = runOnThreads(KernelHarness.node("LayerNormalization", 17).outputs(3), 3, x, scale, bias);
        for (int i = 0; i < 3; i++) {
            assertThat(((Tensor) actual[i]).shape()).as("output %d shape", i).isEqualTo(((Tensor) expected[i]).shape());
            assertThat(((Tensor) actual[i]).floats()).as("output %d", i).containsExactly(((Tensor) expected[i]).floats());
        }
    }
}
