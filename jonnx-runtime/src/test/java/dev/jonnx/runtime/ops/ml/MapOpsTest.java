package dev.jonnx.runtime.ops.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.RunException;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.MapValue;
import dev.jonnx.tensor.SequenceValue;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CastMap, DictVectorizer and ZipMap. */
class MapOpsTest {

    private static MapValue map(DataType keyType, DataType valueType, Object... keysAndValues) {
        Map<Object, Object> entries = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            entries.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return new MapValue(keyType, valueType, entries);
    }

    @Test
    void castMapDenseSortsKeys() {
        Tensor y = MlModel.of("CastMap", 1)
                .runTensor(map(DataType.INT64, DataType.FLOAT, 3L, 1.5f, 1L, 2.5f));
        assertThat(y.type()).isEqualTo(DataType.FLOAT);
        assertThat(y.shape()).containsExactly(1, 2);
        assertThat(y.floats()).containsExactly(2.5f, 1.5f);
    }

    @Test
    void castMapParsesStrings() {
        Tensor y = MlModel.of("CastMap", 1).s("cast_to", "TO_INT64")
                .runTensor(map(DataType.INT64, DataType.STRING, 2L, "7", 0L, "-3"));
        assertThat(y.type()).isEqualTo(DataType.INT64);
        assertThat(y.longs()).containsExactly(-3, 7);
    }

    @Test
    void castMapFormatsFloats() {
        Tensor y = MlModel.of("CastMap", 1).s("cast_to", "TO_STRING")
                .runTensor(map(DataType.INT64, DataType.FLOAT, 0L, 1.5f, 1L, 2f));
        assertThat(y.strings()).containsExactly("1.5", "2.0");
    }

    @Test
    void castMapSparsePads() {
        Tensor y = MlModel.of("CastMap", 1).s("map_form", "SPARSE").i("max_map", 4)
                .runTensor(map(DataType.INT64, DataType.FLOAT, 3L, 4f, 1L, 2f));
        assertThat(y.shape()).containsExactly(1, 4);
        assertThat(y.floats()).containsExactly(0, 2, 0, 4);
        Tensor strings = MlModel.of("CastMap", 1).s("map_form", "SPARSE").i("max_map", 2)
                .s("cast_to", "TO_STRING")
                .runTensor(map(DataType.INT64, DataType.STRING, 1L, "b"));
        assertThat(strings.strings()).containsExactly("0", "b");
    }

    @Test
    void castMapSparseRejectsLargeKey() {
        assertThatThrownBy(() -> MlModel.of("CastMap", 1).s("map_form", "SPARSE").i("max_map", 2)
                .run(map(DataType.INT64, DataType.FLOAT, 2L, 1f)))
                .isInstanceOf(RunException.class)
                .hasMessageContaining("key 2 is out of range [0, 2)");
    }

    @Test
    void castMapRejectsBadString() {
        assertThatThrownBy(() -> MlModel.of("CastMap", 1)
                .run(map(DataType.INT64, DataType.STRING, 0L, "abc")))
                .isInstanceOf(RunException.class)
                .hasMessageContaining("'abc' is not a valid float32 number");
    }

    @Test
    void dictVectorizerSpecExample() {
        Tensor y = MlModel.of("DictVectorizer", 1).strings("string_vocabulary", "a", "c", "b", "z")
                .runTensor(map(DataType.STRING, DataType.FLOAT, "a", 4f, "c", 8f));
        assertThat(y.shape()).containsExactly(1, 4);
        assertThat(y.floats()).containsExactly(4, 8, 0, 0);
    }

    @Test
    void dictVectorizerIntKeysDoubleValues() {
        Tensor y = MlModel.of("DictVectorizer", 1).ints("int64_vocabulary", 5, 6)
                .runTensor(map(DataType.INT64, DataType.DOUBLE, 6L, 2.5, 9L, 1.0));
        assertThat(y.type()).isEqualTo(DataType.DOUBLE);
        assertThat(y.doubles()).containsExactly(0, 2.5);
    }

    @Test
    void dictVectorizerStringValues() {
        Tensor y = MlModel.of("DictVectorizer", 1).ints("int64_vocabulary", 5, 6)
                .runTensor(map(DataType.INT64, DataType.STRING, 5L, "x"));
        assertThat(y.strings()).containsExactly("x", "");
    }

    @Test
    void dictVectorizerRejectsKeyType() {
        assertThatThrownBy(() -> MlModel.of("DictVectorizer", 1).ints("int64_vocabulary", 5)
                .run(map(DataType.STRING, DataType.FLOAT, "5", 1f)))
                .isInstanceOf(RunException.class)
                .hasMessageContaining("the vocabulary has int64 keys");
    }

    @Test
    void zipMapStringKeys() {
        Value z = MlModel.of("ZipMap", 1).strings("classlabels_strings", "a", "b")
                .run(Tensor.of(new float[] {0.25f, 0.75f, 1, 0}, 2, 2))[0];
        SequenceValue seq = (SequenceValue) z;
        assertThat(seq.size()).isEqualTo(2);
        MapValue first = (MapValue) seq.get(0);
        assertThat(first.keyType()).isEqualTo(DataType.STRING);
        assertThat(first.valueType()).isEqualTo(DataType.FLOAT);
        assertThat(first.entries()).containsExactly(Map.entry("a", 0.25f), Map.entry("b", 0.75f));
        assertThat(((MapValue) seq.get(1)).entries())
                .containsExactly(Map.entry("a", 1f), Map.entry("b", 0f));
    }

    @Test
    void zipMapIntKeysOnVector() {
        SequenceValue seq = (SequenceValue) MlModel.of("ZipMap", 1).ints("classlabels_int64s", 10, 20)
                .run(Tensor.of(new float[] {0.5f, 2}, 2))[0];
        assertThat(seq.size()).isEqualTo(1);
        MapValue m = (MapValue) seq.get(0);
        assertThat(m.keyType()).isEqualTo(DataType.INT64);
        assertThat(m.entries()).containsExactly(Map.entry(10L, 0.5f), Map.entry(20L, 2f));
    }

    @Test
    void zipMapRejectsColumnMismatch() {
        assertThatThrownBy(() -> MlModel.of("ZipMap", 1).ints("classlabels_int64s", 1, 2, 3)
                .run(Tensor.of(new float[] {1, 2}, 1, 2)))
                .isInstanceOf(RunException.class)
                .hasMessageContaining("has 2 columns but there are 3 class labels");
    }
}
