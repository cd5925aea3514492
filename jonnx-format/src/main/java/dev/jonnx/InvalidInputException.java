package dev.jonnx;

/** Inputs given to a session that do not match the model: unknown or missing names, wrong element type, rank or dimension. */
public class InvalidInputException extends OnnxException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
