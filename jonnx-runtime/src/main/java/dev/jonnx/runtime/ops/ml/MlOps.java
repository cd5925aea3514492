package dev.jonnx.runtime.ops.ml;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers the ai.onnx.ml domain. */
public final class MlOps {
    private MlOps() {}

    public static void register(OpRegistry.Builder registry) {
    }
}
