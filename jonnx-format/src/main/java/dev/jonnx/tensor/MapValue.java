package dev.jonnx.tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An ONNX map. Keys are {@code Long} for integer key types and {@code String} for string keys.
 * Values are boxed scalars ({@code Float}, {@code Double}, {@code Long}, {@code String}) for
 * scalar value types, or {@link Value}s otherwise. Iteration keeps insertion order.
 */
public record MapValue(DataType keyType, DataType valueType, Map<Object, Object> entries)
        implements Value {

    public MapValue {
        Objects.requireNonNull(keyType, "map key type must not be null");
        Objects.requireNonNull(entries, "map entries must not be null; pass Map.of() for an empty map");
        for (Map.Entry<Object, Object> entry : entries.entrySet()) {
            if (entry.getKey() == null) {
                throw new NullPointerException("map of " + entries.size() + " entries has a null key");
            }
            if (entry.getValue() == null) {
                throw new NullPointerException("map entry '" + entry.getKey() + "' has a null value");
            }
        }
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
