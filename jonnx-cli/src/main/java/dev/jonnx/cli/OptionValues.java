package dev.jonnx.cli;

import dev.jonnx.runtime.SessionOptions;

/** Range checks of numeric option values, which raise {@link UsageException} (exit code 2). */
public final class OptionValues {
    private OptionValues() {}

    /** Checks a thread count against 1 and {@link SessionOptions#MAX_THREADS}. */
    public static void checkThreads(String option, int value) {
        checkRange(option, value, 1, SessionOptions.MAX_THREADS);
    }

    public static void checkRange(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new UsageException(option + " must be from " + min + " to " + max + ", got " + value);
        }
    }

    public static void checkAtLeast(String option, long value, long min) {
        if (value < min) {
            throw new UsageException(option + " must be at least " + min + ", got " + value);
        }
    }
}
