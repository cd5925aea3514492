package dev.jonnx.tensor;

/**
 * Limits checked before Jonnx allocates a tensor, so that a hostile model gets a clear error
 * instead of an {@link OutOfMemoryError}. The element limit defaults to the largest Java array
 * and can be lowered with the system property {@code jonnx.maxTensorElements} or
 * {@link #setMaxElements}; it applies to every tensor Jonnx decodes or allocates.
 */
public final class Limits {
    /** The largest element count a Java array can have on common JVMs. */
    public static final long ARRAY_MAX = Integer.MAX_VALUE - 8;

    private static volatile long maxElements = initialMaxElements();

    private Limits() {}

    private static long initialMaxElements() {
        String value = System.getProperty("jonnx.maxTensorElements");
        if (value == null || value.isBlank()) {
            return ARRAY_MAX;
        }
        try {
            long parsed = Long.parseLong(value.trim());
            return parsed > 0 ? Math.min(parsed, ARRAY_MAX) : ARRAY_MAX;
        } catch (NumberFormatException e) {
            return ARRAY_MAX;
        }
    }

    /** Returns the largest element count a tensor may have. */
    public static long maxElements() {
        return maxElements;
    }

    /**
     * Sets the largest element count a tensor may have, for the whole JVM.
     *
     * @throws IllegalArgumentException if {@code limit} is not positive
     */
    public static void setMaxElements(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("the element limit must be positive, got " + limit);
        }
        maxElements = Math.min(limit, ARRAY_MAX);
    }

    /** Returns whether {@code count} elements fit the limit. */
    public static boolean fits(long count) {
        return count >= 0 && count <= maxElements;
    }

    /** Describes a tensor of {@code count} elements that does not fit, for an error message. */
    public static String describeExcess(String what, Object shape, long count) {
        return what + " " + shape + " has " + (count < 0 ? "more than " + Long.MAX_VALUE : count)
                + " elements, above the limit of " + maxElements
                + " (raise it with -Djonnx.maxTensorElements if this is intended)";
    }
}
