package dev.jonnx.tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ONNX map. Keys are {@code Long} for integer key types and {@code String} for string keys.
 * Values are boxed scalars ({@code Float}, {@code Double}, {@code Long}, {@code String}) for
 * scalar value types, or {@link Value}s otherwise. Iteration keeps insertion order.
 */
public record MapValue(DataType keyType, DataType valueType, Map<Object, Object> entries)
        implements Value {

    public MapValue {
        entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    public int size() {
        return entries.size();
    }

    @Override
    public String describe() {
        return "map(" + keyType + ", " + (valueType == null ? "?" : valueType) + ")[" + entries.size()
                + "]";
    }
}
