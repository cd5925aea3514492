package dev.jonnx.runtime.ops;

import dev.jonnx.runtime.registry.OpRegistry;

/** The default operator registry: every family registers its operators here, in a fixed order. */
public final class Operators {
    private static final OpRegistry REGISTRY = build();

    private Operators() {}

    /** The registry of every built-in operator. */
    public static OpRegistry registry() {
        return REGISTRY;
    }

    private static OpRegistry build() {
        OpRegistry.Builder b = OpRegistry.builder();
        dev.jonnx.runtime.ops.math.MathOps.register(b);
        dev.jonnx.runtime.ops.reduce.ReduceOps.register(b);
        dev.jonnx.runtime.ops.linalg.LinalgOps.register(b);
        dev.jonnx.runtime.ops.norm.NormOps.register(b);
        dev.jonnx.runtime.ops.attention.AttentionOps.register(b);
        dev.jonnx.runtime.ops.conv.ConvOps.register(b);
        dev.jonnx.runtime.ops.image.ImageOps.register(b);
        dev.jonnx.runtime.ops.shape.ShapeOps.register(b);
        dev.jonnx.runtime.ops.control.ControlOps.register(b);
        dev.jonnx.runtime.ops.sequence.SequenceOps.register(b);
        dev.jonnx.runtime.ops.rnn.RnnOps.register(b);
        dev.jonnx.runtime.ops.quant.QuantOps.register(b);
        dev.jonnx.runtime.ops.signal.SignalOps.register(b);
        dev.jonnx.runtime.ops.training.TrainingOps.register(b);
        dev.jonnx.runtime.ops.random.RandomOps.register(b);
        dev.jonnx.runtime.ops.text.TextOps.register(b);
        dev.jonnx.runtime.ops.ml.MlOps.register(b);
        dev.jonnx.runtime.ops.loss.LossOps.register(b);
        dev.jonnx.runtime.ops.llm.LlmOps.register(b);
        dev.jonnx.runtime.ops.fused.FusedOps.register(b);
        return b.build();
    }
}
