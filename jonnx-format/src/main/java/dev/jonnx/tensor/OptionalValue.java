package dev.jonnx.tensor;

/** An ONNX optional: a value or none. {@code value} is null when the optional is empty. */
public record OptionalValue(Value value) implements Value {

    public static OptionalValue empty() {
        return new OptionalValue(null);
    }

    public boolean isPresent() {
        return value != null;
    }

    @Override
    public String describe() {
        return "optional(" + (value == null ? "none" : value.describe()) + ")";
    }
}
