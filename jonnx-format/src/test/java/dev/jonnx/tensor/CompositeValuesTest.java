package dev.jonnx.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sequences and maps built with null parts fail with a message that names the part. */
class CompositeValuesTest {
    private static final Tensor ONE = Tensor.fromDoubles(DataType.FLOAT, new int[] {1}, new double[] {1});

    @Test
    void sequenceRejectsNullList() {
        assertThatThrownBy(() -> SequenceValue.of(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("sequence elements must not be null");
        assertThatThrownBy(() -> new SequenceValue(null, DataType.FLOAT))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("sequence elements must not be null");
    }

    @Test
    void sequenceNamesNullElement() {
        List<Value> elements = new ArrayList<>();
        elements.add(ONE);
        elements.add(null);
        assertThatThrownBy(() -> SequenceValue.of(elements))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("sequence element 1 of 2 is null");
    }

    @Test
    void sequenceKeepsElementType() {
        SequenceValue sequence = SequenceValue.of(List.of(ONE, ONE));
        assertThat(sequence.size()).isEqualTo(2);
        assertThat(sequence.elementType()).isEqualTo(DataType.FLOAT);
    }

    @Test
    void mapRejectsNullParts() {
        assertThatThrownBy(() -> new MapValue(null, DataType.FLOAT, Map.of()))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("map key type");
        assertThatThrownBy(() -> new MapValue(DataType.INT64, DataType.FLOAT, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("map entries must not be null");
    }

    @Test
    void mapNamesNullKeyAndValue() {
        Map<Object, Object> nullValue = new HashMap<>();
        nullValue.put(7L, null);
        assertThatThrownBy(() -> new MapValue(DataType.INT64, DataType.FLOAT, nullValue))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("map entry '7' has a null value");
        Map<Object, Object> nullKey = new HashMap<>();
        nullKey.put(null, 1f);
        assertThatThrownBy(() -> new MapValue(DataType.INT64, DataType.FLOAT, nullKey))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("map of 1 entries has a null key");
    }
}
