package dev.jonnx.runtime.ops.norm;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers normalization and softmax operators. */
public final class NormOps {
    private NormOps() {}

    public static void register(OpRegistry.Builder registry) {
    }
}
