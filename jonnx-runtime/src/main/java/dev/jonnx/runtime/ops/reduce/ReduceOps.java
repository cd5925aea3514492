package dev.jonnx.runtime.ops.reduce;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers reductions, arg-max/min, cumulative sums and top-k. */
public final class ReduceOps {
    private ReduceOps() {}

    public static void register(OpRegistry.Builder registry) {
    }
}
