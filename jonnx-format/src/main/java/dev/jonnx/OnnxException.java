package dev.jonnx;

/** The base of every error Jonnx raises about a model, its inputs or a run. */
public abstract class OnnxException extends RuntimeException {
    public OnnxException(String message) {
        super(message);
    }

    public OnnxException(String message, Throwable cause) {
        super(message, cause);
    }
}
