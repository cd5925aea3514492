package dev.jonnx.cli;

/**
 * An invalid command-line option value: one that does not parse, is out of range, conflicts
 * with another option, or names an input the model does not have. The command exits with 2,
 * like picocli's own usage errors. Failures to read or write files, invalid models and failed
 * runs exit with 1.
 */
public final class UsageException extends IllegalArgumentException {
    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
