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
     * @param nested true for a node inside a subgraph, whose time the span of the node that
     *     runs the subgraph (If, Loop, Scan, ...) already includes
     */
    void record(NodeContext node, long startNanos, long endNanos, boolean nested);
}
