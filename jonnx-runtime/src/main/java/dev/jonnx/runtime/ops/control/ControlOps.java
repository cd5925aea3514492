package dev.jonnx.runtime.ops.control;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers control flow: If, Loop and Scan. */
public final class ControlOps {
    private ControlOps() {}

    public static void register(OpRegistry.Builder registry) {
    }
}
