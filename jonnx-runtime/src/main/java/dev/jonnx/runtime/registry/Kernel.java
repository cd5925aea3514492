package dev.jonnx.runtime.registry;

import dev.jonnx.tensor.Value;

/**
 * A compiled operator node, ready to run. A kernel is created once per node when a session is
 * built and then called from many threads at once, so it must keep no mutable state between
 * calls.
 */
@FunctionalInterface
public interface Kernel {

    /**
     * Runs the node.
     *
     * @param inputs one entry per input of the node, in order; an omitted optional input
     *     (empty name) is {@code null}; the executor refills this array for later nodes, so
     *     the kernel must not keep it after returning (copy it to keep the values)
     * @param ctx the run's context: cancellation, thread pool, enclosing scope for subgraphs
     * @return the outputs in order; the array may be longer than the outputs the node names,
     *     and an entry of an output that the node does not name may be {@code null}
     */
    Value[] run(Value[] inputs, RunContext ctx);
}
