package dev.jonnx.runtime;

import dev.jonnx.runtime.registry.NodeProfiler;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Per-run settings: a time limit and a cancellation switch. One instance belongs to one run;
 * call {@link #cancel()} from another thread to stop that run at the next node boundary (or the
 * next iteration of a loop operator) with a {@link dev.jonnx.RunException}.
 */
public final class RunOptions {
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final Duration timeout;
    private final NodeProfiler profiler;

    private RunOptions(Duration timeout, NodeProfiler profiler) {
        this.timeout = timeout;
        this.profiler = profiler;
    }

    public static RunOptions none() {
        return new RunOptions(null, null);
    }

    /** A run that fails with a time-out error once it has run for longer than {@code timeout}. */
    public static RunOptions withTimeout(Duration timeout) {
        java.util.Objects.requireNonNull(timeout, "timeout must not be null; use RunOptions.none()"
                + " for a run without a time limit");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, got " + timeout);
        }
        return new RunOptions(timeout, null);
    }

    /** Returns options for a run that reports each node's time to {@code profiler}. */
    public static RunOptions profiled(NodeProfiler profiler) {
        java.util.Objects.requireNonNull(profiler, "profiler must not be null");
        return new RunOptions(null, profiler);
    }

    NodeProfiler profiler() {
        return profiler;
    }

    public void cancel() {
        cancelled.set(true);
    }

    AtomicBoolean cancelledFlag() {
        return cancelled;
    }

    /** The deadline in {@link System#nanoTime()} terms for a run starting now, or Long.MAX_VALUE. */
    long deadlineFromNow() {
        if (timeout == null) {
            return Long.MAX_VALUE;
        }
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException aboveLongRange) {
            // Above about 292 years: no run reaches such a deadline, so it means no deadline.
            return Long.MAX_VALUE;
        }
        long now = System.nanoTime();
        return nanos > Long.MAX_VALUE - now ? Long.MAX_VALUE - 1 : now + nanos;
    }
}
