package dev.jonnx.runtime.ops.linalg;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers matrix products, Gemm, Einsum and determinants. */
public final class LinalgOps {
    private LinalgOps() {}

    public static void register(OpRegistry.Builder registry) {
        registry.add("MatMul", MatMul.factory(), 1, 9, 13);
        registry.add("Gemm", Gemm.factory(), 1, 6, 7, 9, 11, 13);
        registry.add("Einsum", Einsum.factory(), 12);
        registry.add("Det", Det.factory(), 11, 22);
    }
}
