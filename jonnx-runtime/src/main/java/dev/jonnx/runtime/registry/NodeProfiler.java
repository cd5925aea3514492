package dev.jonnx.runtime.registry;

/** Receives the time each node of a run took; used by the profiler of {@code jonnx bench}. */
@FunctionalInterface
public interface NodeProfiler {

    /**
     * Records one node execution. Called on the thread that ran the node, so implementations
     * shared by concurrent runs must be thread-safe.
     *
     * @param startNanos {@link System#nanoTime()} when the node started
     * @param endNanos {@link System#nanoTime()} when it returned
     */
    void record(NodeContext node, long startNanos, long endNanos);
}
