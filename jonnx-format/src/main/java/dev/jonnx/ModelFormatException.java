package dev.jonnx;

/** A model, tensor or value file that cannot be read as ONNX: truncated, not protobuf, or with fields that contradict each other, such as raw data of the wrong length. */
public class ModelFormatException extends OnnxException {
    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
