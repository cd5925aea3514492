package dev.jonnx.runtime.ops.text;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers string operators. */
public final class TextOps {
    private TextOps() {}

    public static void register(OpRegistry.Builder registry) {
    }
}
