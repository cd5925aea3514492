package dev.jonnx.tensor;

import java.util.List;

/**
 * An ONNX sequence: an ordered list of values of one type. {@code elementType} is the tensor
 * element type of a sequence of tensors (needed when the sequence is empty), or null when the
 * elements are not tensors or the type is unknown.
 */
public record SequenceValue(List<Value> elements, DataType elementType) implements Value {

    public SequenceValue {
        elements = List.copyOf(elements);
    }

    public static SequenceValue of(List<? extends Value> elements) {
        DataType type = null;
        if (!elements.isEmpty() && elements.getFirst() instanceof Tensor t) {
            type = t.type();
        }
        return new SequenceValue(List.copyOf(elements), type);
    }

    public int size() {
        return elements.size();
    }

    public Value get(int index) {
        return elements.get(index);
    }

    @Override
    public String describe() {
        return "sequence(" + (elementType == null ? "?" : "tensor(" + elementType + ")") + ")["
                + elements.size() + "]";
    }
}
