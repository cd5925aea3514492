package dev.jonnx.tensor;

import java.util.List;
import java.util.Objects;

/**
 * An ONNX sequence: an ordered list of values of one type. {@code elementType} is the tensor
 * element type of a sequence of tensors (needed when the sequence is empty), or null when the
 * elements are not tensors or the type is unknown.
 */
public record SequenceValue(List<Value> elements, DataType elementType) implements Value {

    public SequenceValue {
        elements = List.copyOf(checked(elements));
    }

    /** Creates a sequence whose element type is that of its first element when it is a tensor. */
    public static SequenceValue of(List<? extends Value> elements) {
        checked(elements);
        DataType type = null;
        if (!elements.isEmpty() && elements.getFirst() instanceof Tensor t) {
            type = t.type();
        }
        return new SequenceValue(List.copyOf(elements), type);
    }

    /** Returns {@code elements} after checking that neither it nor any element is null. */
    private static <T extends List<? extends Value>> T checked(T elements) {
        Objects.requireNonNull(elements, "sequence elements must not be null; pass List.of() for an empty sequence");
        for (int i = 0; i < elements.size(); i++) {
            if (elements.get(i) == null) {
                throw new NullPointerException("sequence element " + i + " of " + elements.size() + " is null");
            }
        }
        return elements;
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
