package dev.jonnx.runtime.ops.sequence;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers sequence and optional operators. */
public final class SequenceOps {
    private SequenceOps() {}

    public static void register(OpRegistry.Builder registry) {
    }
}
