package dev.jonnx.runtime.ops.conv;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers convolution and pooling. */
public final class ConvOps {
    private ConvOps() {}

    public static void register(OpRegistry.Builder registry) {
    }
}
