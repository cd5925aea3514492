package dev.jonnx.runtime.ops.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.RunException;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * ArrayFeatureExtractor, Binarizer, FeatureVectorizer, Imputer, Normalizer, Scaler and
 * OneHotEncoder.
 */
class FeatureOpsTest {

    private static final float NAN = Float.NaN;

    @Test
    void extractorSelectsOnLastAxis() {
        float[] x = new float[12];
        for (int i = 0; i < 12; i++) {
            x[i] = i;
        }
        Tensor z = MlModel.of("ArrayFeatureExtractor", 1)
                .runTensor(Tensor.of(x, 2, 2, 3), Tensor.of(new long[] {2, 0}, 2));
        assertThat(z.shape()).containsExactly(2, 2, 2);
        assertThat(z.floats()).containsExactly(2, 0, 5, 3, 8, 6, 11, 9);
    }

    @Test
    void extractorTreatsVectorAsOneRow() {
        Tensor z = MlModel.of("ArrayFeatureExtractor", 1)
                .runTensor(Tensor.of(new long[] {5, 6, 7}, 3), Tensor.of(new long[] {1}, 1));
        assertThat(z.shape()).containsExactly(1, 1);
        assertThat(z.longs()).containsExactly(6);
    }

    @Test
    void extractorCopiesStringsAndRepeats() {
        Tensor z = MlModel.of("ArrayFeatureExtractor", 1).runTensor(
                Tensor.of(new String[] {"a", "b", "c", "d"}, 2, 2), Tensor.of(new long[] {1, 1, 0}, 3));
        assertThat(z.shape()).containsExactly(2, 3);
        assertThat(z.strings()).containsExactly("b", "b", "a", "d", "d", "c");
    }

    @Test
    void extractorRejectsIndexOutOfRange() {
        assertThatThrownBy(() -> MlModel.of("ArrayFeatureExtractor", 1)
                .run(Tensor.of(new float[] {1, 2}, 1, 2), Tensor.of(new long[] {2}, 1)))
                .isInstanceOf(RunException.class)
                .hasMessageContaining("index 2 in Y is out of range [0, 2)");
        assertThatThrownBy(() -> MlModel.of("ArrayFeatureExtractor", 1)
                .run(Tensor.of(new float[] {1, 2}, 1, 2), Tensor.of(new long[] {-1}, 1)))
                .isInstanceOf(RunException.class)
                .hasMessageContaining("index -1");
    }

    @Test
    void binarizerFloatWithNan() {
        Tensor y = MlModel.of("Binarizer", 1).f("threshold", 0.5f)
                .runTensor(Tensor.of(new float[] {-1, 0.5f, 1, 2, NAN}, 5));
        assertThat(y.type()).isEqualTo(DataType.FLOAT);
        assertThat(y.floats()).containsExactly(0, 0, 1, 1, 0);
    }

    @Test
    void binarizerKeepsIntegerType() {
        Tensor y = MlModel.of("Binarizer", 1).runTensor(Tensor.of(new long[] {-3, 0, 4}, 3));
        assertThat(y.type()).isEqualTo(DataType.INT64);
        assertThat(y.longs()).containsExactly(0, 0, 1);
        Tensor scalar = MlModel.of("Binarizer", 1).runTensor(Tensor.of(DataType.INT32, new int[0], new int[] {3}));
        assertThat(scalar.shape()).isEmpty();
        assertThat(scalar.ints()).containsExactly(1);
    }

    @Test
    void vectorizerTruncatesAndPads() {
        Tensor y = MlModel.of("FeatureVectorizer", 1).ints("inputdimensions", 1, 2).runTensor(
                Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), Tensor.of(new long[] {5, 6}, 2, 1));
        assertThat(y.shape()).containsExactly(2, 3);
        assertThat(y.floats()).containsExactly(1, 5, 0, 3, 6, 0);
    }

    @Test
    void vectorizerReadsVectorAsOneRow() {
        Tensor y = MlModel.of("FeatureVectorizer", 1).ints("inputdimensions", 3, 1).runTensor(
                Tensor.of(new double[] {1, 2, 3}, 3), Tensor.of(new int[] {4}, 1));
        assertThat(y.shape()).containsExactly(1, 4);
        assertThat(y.floats()).containsExactly(1, 2, 3, 4);
    }

    @Test
    void vectorizerRejectsRowMismatch() {
        assertThatThrownBy(() -> MlModel.of("FeatureVectorizer", 1).ints("inputdimensions", 1, 1)
                .run(Tensor.of(new float[] {1, 2}, 2, 1), Tensor.of(new float[] {1, 2, 3}, 3, 1)))
                .isInstanceOf(RunException.class)
                .hasMessageContaining("input 1 has 3 rows but input 0 has 2");
    }

    @Test
    void imputerReplacesNanPerFeature() {
        Tensor y = MlModel.of("Imputer", 1)
                .floats("imputed_value_floats", 10, 20)
                .f("replaced_value_float", NAN)
                .runTensor(Tensor.of(new float[] {1, NAN, NAN, 4}, 2, 2));
        assertThat(y.floats()).containsExactly(1, 20, 10, 4);
    }

    @Test
    void imputerReplacesIntegers() {
        Tensor y = MlModel.of("Imputer", 1)
                .ints("imputed_value_int64s", 9)
                .runTensor(Tensor.of(new int[] {0, 5, 0}, 3));
        assertThat(y.type()).isEqualTo(DataType.INT32);
        assertThat(y.ints()).containsExactly(9, 5, 9);
    }

    @Test
    void imputerRejectsMismatchedKind() {
        assertThatThrownBy(() -> MlModel.of("Imputer", 1).ints("imputed_value_int64s", 9)
                .run(Tensor.of(new float[] {0}, 1)))
                .isInstanceOf(RunException.class)
                .hasMessageContaining("needs 'imputed_value_floats'");
        assertThatThrownBy(() -> MlModel.of("Imputer", 1).floats("imputed_value_floats", 1, 2, 3)
                .run(Tensor.of(new float[] {0, 1}, 1, 2)))
                .isInstanceOf(RunException.class)
                .hasMessageContaining("expected 1 or the 2 features");
    }

    @Test
    void normalizerMax() {
        Tensor y = MlModel.of("Normalizer", 1).s("norm", "MAX")
                .runTensor(Tensor.of(new float[] {1, 2, 4, 0, 0, 0, -2, -4, -8}, 3, 3));
        // A zero divisor leaves the row unchanged; a negative maximum flips signs.
        assertThat(y.floats()).containsExactly(0.25f, 0.5f, 1, 0, 0, 0, 1, 2, 4);
    }

    @Test
    void normalizerL1UsesAbsoluteValues() {
        Tensor y = MlModel.of("Normalizer", 1).s("norm", "L1")
                .runTensor(Tensor.of(new double[] {1, -3}, 1, 2));
        assertThat(y.type()).isEqualTo(DataType.FLOAT);
        assertThat(y.floats()).containsExactly(0.25f, -0.75f);
    }

    @Test
    void normalizerL2() {
        Tensor y = MlModel.of("Normalizer", 1).s("norm", "L2")
                .runTensor(Tensor.of(new long[] {3, -4}, 2));
        assertThat(y.shape()).containsExactly(2);
        assertThat(y.floats()).containsExactly(0.6f, -0.8f);
    }

    @Test
    void normalizerRejectsUnknownNorm() {
        assertThatThrownBy(() -> MlModel.of("Normalizer", 1).s("norm", "L3")
                .run(Tensor.of(new float[] {1}, 1)))
                .hasMessageContaining("'norm' must be MAX, L1 or L2");
    }

    @Test
    void scalerPerFeature() {
        Tensor y = MlModel.of("Scaler", 1).floats("offset", 1, 2).floats("scale", 2, 0.5f)
                .runTensor(Tensor.of(new float[] {3, 4, 1, 2}, 2, 2));
        assertThat(y.floats()).containsExactly(4, 1, 0, 0);
    }

    @Test
    void scalerBroadcastsSingleValues() {
        Tensor y = MlModel.of("Scaler", 1).floats("offset", 1).floats("scale", 3)
                .runTensor(Tensor.of(new long[] {1, 2}, 2));
        assertThat(y.type()).isEqualTo(DataType.FLOAT);
        assertThat(y.floats()).containsExactly(0, 3);
    }

    @Test
    void scalerRejectsWrongLength() {
        assertThatThrownBy(() -> MlModel.of("Scaler", 1).floats("offset", 1, 2, 3).floats("scale", 1)
                .run(Tensor.of(new float[] {1, 2}, 1, 2)))
                .isInstanceOf(RunException.class)
                .hasMessageContaining("'offset' has 3 entries");
    }

    @Test
    void oneHotIntegers() {
        Tensor y = MlModel.of("OneHotEncoder", 1).ints("cats_int64s", 3, 1, 7)
                .runTensor(Tensor.of(new long[] {1, 7, 5, 3}, 2, 2));
        assertThat(y.shape()).containsExactly(2, 2, 3);
        assertThat(y.floats()).containsExactly(0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0);
    }

    @Test
    void oneHotStrings() {
        Tensor y = MlModel.of("OneHotEncoder", 1).strings("cats_strings", "a", "b")
                .runTensor(Tensor.of(new String[] {"b", "z"}, 2));
        assertThat(y.shape()).containsExactly(2, 2);
        assertThat(y.floats()).containsExactly(0, 1, 0, 0);
    }

    @Test
    void oneHotTruncatesFloats() {
        Tensor y = MlModel.of("OneHotEncoder", 1).ints("cats_int64s", 0, 1)
                .runTensor(Tensor.of(new double[] {1.9, NAN}, 2));
        assertThat(y.floats()).containsExactly(0, 1, 0, 0);
    }

    @Test
    void oneHotWithoutZerosRejectsUnknown() {
        assertThatThrownBy(() -> MlModel.of("OneHotEncoder", 1).ints("cats_int64s", 0).i("zeros", 0)
                .run(Tensor.of(new long[] {4}, 1)))
                .isInstanceOf(RunException.class)
                .hasMessageContaining("not a known category");
    }
}
