package dev.jonnx.runtime.ops.shape;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers tensor movement: reshape, transpose, slice, gather, scatter, pad and the like. */
public final class ShapeOps {
    private ShapeOps() {}

    public static void register(OpRegistry.Builder registry) {
    }
}
