package dev.jonnx.runtime.ops.linalg;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers matrix products, Gemm, Einsum and determinants. */
public final class LinalgOps {
    private LinalgOps() {}

    public static void register(OpRegistry.Builder registry) {
    }
}
