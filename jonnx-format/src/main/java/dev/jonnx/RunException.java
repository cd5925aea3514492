package dev.jonnx;

/** A failure while running a node: the message names the model, node, operator and what failed. */
public class RunException extends OnnxException {
    public RunException(String message) {
        super(message);
    }

    public RunException(String message, Throwable cause) {
        super(message, cause);
    }
}
