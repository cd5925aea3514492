package dev.jonnx.runtime.ops.training;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers training operators: optimizers and gradients. */
public final class TrainingOps {
    private TrainingOps() {}

    public static void register(OpRegistry.Builder registry) {
    }
}
