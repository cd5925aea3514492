package dev.jonnx.runtime.ops.random;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers random number generators. */
public final class RandomOps {
    private RandomOps() {}

    public static void register(OpRegistry.Builder registry) {
    }
}
