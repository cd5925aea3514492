package dev.jonnx.runtime.ops.attention;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers attention (scaled dot-product, linear and flex) and rotary embedding. */
public final class AttentionOps {
    private AttentionOps() {}

    public static void register(OpRegistry.Builder registry) {
        registry.add("Attention", Attention.factory(), 23, 24);
        registry.add("RotaryEmbedding", RotaryEmbedding.factory(), 23);
        registry.add("LinearAttention", LinearAttention.factory(), 27);
        registry.add("ai.onnx.preview", "FlexAttention", 1, FlexAttention.factory());
    }
}
