package dev.jonnx.runtime.ops.norm;

import dev.jonnx.runtime.ops.norm.Softmax.Kind;
import dev.jonnx.runtime.registry.OpRegistry;

/** Registers normalization and softmax operators. */
public final class NormOps {
    private NormOps() {}

    public static void register(OpRegistry.Builder registry) {
        registry.add("BatchNormalization", BatchNorm.factory(), 1, 6, 7, 9, 14, 15);
        registry.add("InstanceNormalization", Normalization.instanceNorm(), 1, 6, 22);
        registry.add("LayerNormalization", Normalization.layerNorm(false), 17);
        registry.add("RMSNormalization", Normalization.layerNorm(true), 23);
        registry.add("GroupNormalization", Normalization.groupNorm(), 18, 21);
        registry.add("LpNormalization", Normalization.lpNorm(), 1, 22);
        registry.add("MeanVarianceNormalization", Normalization.meanVarianceNorm(), 9, 13);
        registry.add("Softmax", Softmax.factory(Kind.SOFTMAX), 1, 11, 13);
        registry.add("LogSoftmax", Softmax.factory(Kind.LOG_SOFTMAX), 1, 11, 13);
        registry.add("Hardmax", Softmax.factory(Kind.HARDMAX), 1, 11, 13);
        registry.add("Dropout", Dropout.factory(), 1, 6, 7, 10, 12, 13, 22);
    }
}
