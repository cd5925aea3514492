package dev.jonnx;

/** An operator, attribute value or type that Jonnx does not implement. The message names the operator, its domain and opset. */
public class UnsupportedOperatorException extends OnnxException {
    public UnsupportedOperatorException(String message) {
        super(message);
    }

    public UnsupportedOperatorException(String message, Throwable cause) {
        super(message, cause);
    }
}
