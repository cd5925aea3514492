package dev.jonnx.cli;

/** An invalid command-line option value. The command exits with 2, like picocli's own usage errors. */
public final class UsageException extends IllegalArgumentException {
    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
