package dev.jonnx.tensor;

/** A run-time ONNX value: a tensor, a sequence, a map or an optional. */
public sealed interface Value permits Tensor, SequenceValue, MapValue, OptionalValue {

    /** A short description of the value's type and shape, for messages. */
    String describe();
}
