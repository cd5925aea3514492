package dev.jonnx.runtime.ops.quant;

import dev.jonnx.runtime.ops.fused.FusedOps;
import dev.jonnx.runtime.registry.OpRegistry;

/**
 * Registers quantization and integer arithmetic, and the fused quantized matmul of the custom
 * domain that the optimizer creates.
 */
public final class QuantOps {
    private QuantOps() {}

    public static void register(OpRegistry.Builder registry) {
        registry.add("QuantizeLinear", LinearQuantization.quantize(), 10, 13, 19, 21, 23, 24, 25);
        registry.add("DequantizeLinear", LinearQuantization.dequantize(), 10, 13, 19, 21, 23, 24, 25);
        registry.add("DynamicQuantizeLinear", LinearQuantization.dynamicQuantize(), 11);
        registry.add("MatMulInteger", IntegerMatMul.matMulInteger(), 10);
        registry.add("QLinearMatMul", IntegerMatMul.qlinearMatMul(), 10, 21);
        registry.add("ConvInteger", IntegerConv.convInteger(), 10);
        registry.add("QLinearConv", IntegerConv.qlinearConv(), 10);
        registry.add(FusedOps.DOMAIN, "DynamicQuantizeMatMul", 1, DynamicQuantizeMatMul.factory());
    }
}
