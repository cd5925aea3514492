package dev.jonnx.cli;

import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.MapValue;
import dev.jonnx.tensor.OptionalValue;
import dev.jonnx.tensor.SequenceValue;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;

/** A one-line preview of a value: the first few elements. */
final class Preview {
    private static final int MAX_ELEMENTS = 8;

    private Preview() {}

    static String of(Value value) {
        return switch (value) {
            case Tensor t -> tensor(t);
            case SequenceValue s -> "[" + s.size() + " elements]"
                    + (s.size() > 0 ? " first: " + of(s.get(0)) : "");
            case MapValue m -> m.entries().toString().substring(0,
                    Math.min(200, m.entries().toString().length()));
            case OptionalValue o -> o.value() == null ? "(none)" : of(o.value());
        };
    }

    private static String tensor(Tensor t) {
        int n = Math.min(t.size(), MAX_ELEMENTS);
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                s.append(", ");
            }
            if (t.type() == DataType.STRING) {
                s.append('"').append(t.strings()[i]).append('"');
            } else if (t.type().isFloatingPoint() || t.type().isComplex()) {
                s.append(String.format("%.6g", t.getDouble(i)));
            } else {
                s.append(t.getLong(i));
            }
        }
        if (t.size() > n) {
            s.append(", ... (").append(t.size()).append(" elements)");
        }
        return s.append(']').toString();
    }
}
