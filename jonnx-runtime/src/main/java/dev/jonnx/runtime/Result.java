package dev.jonnx.runtime;

import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The outputs of one run, in the model's output order, readable by name. */
public final class Result implements AutoCloseable, Iterable<Map.Entry<String, Value>> {
    private final Map<String, Value> values;

    Result(List<String> names, Value[] outputs) {
        Map<String, Value> map = new LinkedHashMap<>();
        for (int i = 0; i < outputs.length; i++) {
            map.put(names.get(i), outputs[i]);
        }
        this.values = Collections.unmodifiableMap(map);
    }

    /**
     * Returns the output called {@code name}.
     *
     * @throws IllegalArgumentException if the model has no such output
     * @throws NullPointerException if {@code name} is null
     */
    public Value get(String name) {
        if (name == null) {
            throw new NullPointerException("output name must not be null; the model's outputs are "
                    + values.keySet());
        }
        Value v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("unknown output name '" + name
                    + "'; the model's outputs are " + values.keySet());
        }
        return v;
    }

    /**
     * Returns output {@code index} in model order.
     *
     * @throws IndexOutOfBoundsException if {@code index} is negative or not less than {@link #size()}
     */
    public Value get(int index) {
        if (index < 0 || index >= values.size()) {
            throw new IndexOutOfBoundsException("output index " + index + " is out of range; the model"
                    + " has " + values.size() + " outputs " + values.keySet());
        }
        return List.copyOf(values.values()).get(index);
    }

    /**
     * Returns the output called {@code name} as a tensor.
     *
     * @throws IllegalStateException if that output is a sequence, map or optional
     */
    public Tensor tensor(String name) {
        Value v = get(name);
        if (!(v instanceof Tensor t)) {
            throw new IllegalStateException("output '" + name + "' is a " + v.describe()
                    + ", not a tensor");
        }
        return t;
    }

    public List<String> names() {
        return List.copyOf(values.keySet());
    }

    public Map<String, Value> asMap() {
        return values;
    }

    public int size() {
        return values.size();
    }

    @Override
    public Iterator<Map.Entry<String, Value>> iterator() {
        return values.entrySet().iterator();
    }

    /** Releases nothing today (outputs live on the heap); kept so results can move off-heap later. */
    @Override
    public void close() {}
}
