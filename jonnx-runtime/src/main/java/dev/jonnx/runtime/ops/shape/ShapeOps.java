package dev.jonnx.runtime.ops.shape;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers tensor movement: reshape, transpose, slice, gather, scatter, pad and the like. */
public final class ShapeOps {
    private ShapeOps() {}

    public static void register(OpRegistry.Builder registry) {
        ViewOps.register(registry);
        LayoutOps.register(registry);
        SliceOps.register(registry);
        PadOps.register(registry);
        GatherOps.register(registry);
        ScatterOps.register(registry);
        GenerateOps.register(registry);
        SearchOps.register(registry);
        BitCastOps.register(registry);
    }
}
