package dev.jonnx.runtime.registry;

import dev.jonnx.RunException;
import dev.jonnx.runtime.graph.Frame;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a kernel may use while it runs: the enclosing frame (for subgraphs that read outer-scope
 * values), the intra-op thread pool, and the run's cancellation flag and deadline.
 */
public final class RunContext {
    private final Frame frame;
    private final RunControl control;

    public RunContext(Frame frame, RunControl control) {
        this.frame = frame;
        this.control = control;
    }

    /** The frame of the graph that contains the running node. */
    public Frame frame() {
        return frame;
    }

    public RunControl control() {
        return control;
    }

    /** The intra-op thread pool, or null when the session runs single-threaded. */
    public ExecutorService pool() {
        return control.pool();
    }

    /** The number of threads a kernel may split its work over (1 without a pool). */
    public int threads() {
        return control.threads();
    }

    /** Returns a context for a node inside a subgraph whose frame is {@code inner}. */
    public RunContext withFrame(Frame inner) {
        return new RunContext(inner, control);
    }

    /**
     * Raises a {@link RunException} if the run was cancelled or passed its deadline. Long loops
     * (Loop, Scan, recurrent operators) call this once per iteration.
     */
    public void checkCancelled() {
        control.check();
    }

    /** Per-run settings shared by every node of one run. */
    public static final class RunControl {
        private final AtomicBoolean cancelled;
        private final long deadlineNanos;
        private final ExecutorService pool;
        private final int threads;
        private final NodeProfiler profiler;

        public RunControl(AtomicBoolean cancelled, long deadlineNanos, ExecutorService pool, int threads,
                NodeProfiler profiler) {
            this.cancelled = cancelled;
            this.deadlineNanos = deadlineNanos;
            this.pool = pool;
            this.threads = Math.max(1, threads);
            this.profiler = profiler;
        }

        public static RunControl unlimited() {
            return new RunControl(new AtomicBoolean(), Long.MAX_VALUE, null, 1, null);
        }

        /** The profiler that times each node, or null when the run is not profiled. */
        public NodeProfiler profiler() {
            return profiler;
        }

        public ExecutorService pool() {
            return pool;
        }

        public int threads() {
            return threads;
        }

        public void check() {
            if (cancelled.get()) {
                throw new RunException("run cancelled");
            }
            if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos > 0) {
                throw new RunException("run timed out: it passed its deadline");
            }
        }
    }
}
