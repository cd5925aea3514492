package dev.jonnx.runtime.ops.math;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers elementwise arithmetic, activations, comparison, logic, bitwise and casts. */
public final class MathOps {
    private MathOps() {}

    public static void register(OpRegistry.Builder registry) {
        UnaryOps.register(registry);
        BinaryOps.register(registry);
        VariadicOps.register(registry);
        CastOps.register(registry);
    }
}
