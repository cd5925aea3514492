package dev.jonnx.runtime.ops.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.ModelCheckException;
import dev.jonnx.RunException;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** LabelEncoder versions 1, 2 and 4 and CategoryMapper. */
class EncodersTest {

    @Test
    void v1StringsToIndices() {
        Tensor y = MlModel.of("LabelEncoder", 1)
                .strings("classes_strings", "a", "b", "c")
                .i("default_int64", 99)
                .runTensor(Tensor.of(new String[] {"c", "x", "a"}, 3));
        assertThat(y.type()).isEqualTo(DataType.INT64);
        assertThat(y.longs()).containsExactly(2, 99, 0);
    }

    @Test
    void v1IndicesToStrings() {
        Tensor y = MlModel.of("LabelEncoder", 1)
                .strings("classes_strings", "a", "b")
                .runTensor(Tensor.of(new long[] {1, 5, -1, 0}, 2, 2));
        assertThat(y.shape()).containsExactly(2, 2);
        assertThat(y.strings()).containsExactly("b", "_Unused", "_Unused", "a");
    }

    @Test
    void v1RejectsVersion2Attributes() {
        assertThatThrownBy(() -> MlModel.of("LabelEncoder", 1)
                .strings("keys_strings", "a")
                .ints("values_int64s", 1)
                .run(Tensor.of(new String[] {"a"}, 1)))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("'keys_strings' needs ai.onnx.ml opset 2");
    }

    @Test
    void v2IntToFloat() {
        Tensor y = MlModel.of("LabelEncoder", 1).opset(2)
                .ints("keys_int64s", 1, 2)
                .floats("values_floats", 0.5f, 1.5f)
                .runTensor(Tensor.of(new long[] {2, 3, 1}, 3));
        assertThat(y.type()).isEqualTo(DataType.FLOAT);
        // The default float is -0.0.
        assertThat(y.floats()).containsExactly(1.5f, -0.0f, 0.5f);
        assertThat(Float.floatToRawIntBits(y.floats()[1])).isEqualTo(Float.floatToRawIntBits(-0.0f));
    }

    @Test
    void v2FloatKeysCompareBits() {
        Tensor y = MlModel.of("LabelEncoder", 1).opset(2)
                .floats("keys_floats", Float.NaN, 0.0f)
                .strings("values_strings", "nan", "zero")
                .s("default_string", "none")
                .runTensor(Tensor.of(new float[] {Float.NaN, 0.0f, -0.0f}, 3));
        assertThat(y.strings()).containsExactly("nan", "zero", "none");
    }

    @Test
    void v2RejectsTensorAttributes() {
        assertThatThrownBy(() -> MlModel.of("LabelEncoder", 1).opset(2)
                .tensor("keys_tensor", Tensor.of(new long[] {1}, 1))
                .ints("values_int64s", 2)
                .run(Tensor.of(new long[] {1}, 1)))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("'keys_tensor' needs ai.onnx.ml opset 4");
    }

    @Test
    void opset3UsesVersion2() {
        assertThatThrownBy(() -> MlModel.of("LabelEncoder", 1).opset(3)
                .tensor("keys_tensor", Tensor.of(new long[] {1}, 1))
                .ints("values_int64s", 2)
                .run(Tensor.of(new long[] {1}, 1)))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("needs ai.onnx.ml opset 4");
    }

    @Test
    void v4FloatKeysWithDefaultFloat() {
        Tensor y = MlModel.of("LabelEncoder", 1).opset(4)
                .floats("keys_floats", Float.NaN, 1.5f)
                .floats("values_floats", 10, 20)
                .f("default_float", 7)
                .runTensor(Tensor.of(new float[] {Float.intBitsToFloat(0x7fc00001), 1.5f, 2}, 3));
        assertThat(y.floats()).containsExactly(10, 20, 7);
    }

    @Test
    void v2RejectsInputOfOtherType() {
        assertThatThrownBy(() -> MlModel.of("LabelEncoder", 1).opset(2)
                .ints("keys_int64s", 1)
                .ints("values_int64s", 2)
                .run(Tensor.of(new String[] {"1"}, 1)))
                .isInstanceOf(RunException.class)
                .hasMessageContaining("element type of the keys (int64)");
    }

    @Test
    void v4TensorsWithDefault() {
        Tensor y = MlModel.of("LabelEncoder", 1).opset(4)
                .tensor("keys_tensor", Tensor.of(new String[] {"a", "b"}, 2))
                .tensor("values_tensor", Tensor.of(DataType.INT16, new int[] {2}, new short[] {7, 8}))
                .tensor("default_tensor", Tensor.of(DataType.INT16, new int[] {1}, new short[] {-5}))
                .runTensor(Tensor.of(new String[] {"b", "q", "a"}, 3));
        assertThat(y.type()).isEqualTo(DataType.INT16);
        assertThat(y.shorts()).containsExactly((short) 8, (short) -5, (short) 7);
    }

    @Test
    void v4DoubleNanMatchesAnyNan() {
        double otherNan = Double.longBitsToDouble(0x7ff8000000000123L);
        Tensor y = MlModel.of("LabelEncoder", 1).opset(4)
                .tensor("keys_tensor", Tensor.of(new double[] {Double.NaN, 0.0}, 2))
                .tensor("values_tensor", Tensor.of(new int[] {1, 2}, 2))
                .runTensor(Tensor.of(new double[] {otherNan, -0.0, 3}, 3));
        // Without a default_tensor an integer output defaults to -1.
        assertThat(y.type()).isEqualTo(DataType.INT32);
        assertThat(y.ints()).containsExactly(1, 2, -1);
    }

    @Test
    void v4RepeatedKeyTakesLastValue() {
        Tensor y = MlModel.of("LabelEncoder", 1).opset(4)
                .ints("keys_int64s", 4, 4)
                .strings("values_strings", "first", "last")
                .runTensor(Tensor.of(new long[] {4}, 1));
        assertThat(y.strings()).containsExactly("last");
    }

    @Test
    void v4RejectsMismatchedLengthsAndDefault() {
        assertThatThrownBy(() -> MlModel.of("LabelEncoder", 1).opset(4)
                .ints("keys_int64s", 1, 2)
                .ints("values_int64s", 1)
                .run(Tensor.of(new long[] {1}, 1)))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("keys have 2 entries but the values have 1");
        assertThatThrownBy(() -> MlModel.of("LabelEncoder", 1).opset(4)
                .ints("keys_int64s", 1)
                .ints("values_int64s", 1)
                .tensor("default_tensor", Tensor.of(new float[] {1}, 1))
                .run(Tensor.of(new long[] {1}, 1)))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("'default_tensor' must hold one int64");
    }

    @Test
    void categoryMapperBothDirections() {
        MlModel mapper = MlModel.of("CategoryMapper", 1)
                .ints("cats_int64s", 10, 20)
                .strings("cats_strings", "ten", "twenty")
                .i("default_int64", -7)
                .s("default_string", "?");
        Tensor toInts = mapper.runTensor(Tensor.of(new String[] {"twenty", "ten", "x"}, 3));
        assertThat(toInts.longs()).containsExactly(20, 10, -7);
        Tensor toStrings = mapper.runTensor(Tensor.of(new long[] {10, 30, 20, 20}, 2, 2));
        assertThat(toStrings.shape()).containsExactly(2, 2);
        assertThat(toStrings.strings()).containsExactly("ten", "?", "twenty", "twenty");
    }

    @Test
    void categoryMapperRejectsUnequalLists() {
        assertThatThrownBy(() -> MlModel.of("CategoryMapper", 1)
                .ints("cats_int64s", 1, 2)
                .strings("cats_strings", "a")
                .run(Tensor.of(new long[] {1}, 1)))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("must have the same length");
    }
}
