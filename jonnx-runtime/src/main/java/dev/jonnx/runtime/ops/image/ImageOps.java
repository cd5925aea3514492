package dev.jonnx.runtime.ops.image;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers resizing, sampling and other image operators. */
public final class ImageOps {
    private ImageOps() {}

    public static void register(OpRegistry.Builder registry) {
    }
}
