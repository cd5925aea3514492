package dev.jonnx.runtime.ops.quant;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers quantization and integer arithmetic. */
public final class QuantOps {
    private QuantOps() {}

    public static void register(OpRegistry.Builder registry) {
    }
}
