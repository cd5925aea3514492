package dev.jonnx.runtime.ops.fused;

import dev.jonnx.runtime.kernel.Sgemm;
import dev.jonnx.runtime.ops.linalg.Linear;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;

/**
 * dev.jonnx FusedMatMul: Y = activation(MatMul(A, B) + bias) for FLOAT tensors, where B is
 * 2-D (k x n), A has rank 1 or more with last dimension k, and the optional bias has shape
 * [n]. The attribute {@code activation} is empty (none, the default) or {@code Gelu} (the
 * exact erf form). The bias and activation run on each block of the product while it is
 * still in cache. When B and the bias are initializers they are packed once per session.
 */
final class FusedMatMul {
    private FusedMatMul() {}

    static Kernel create(NodeContext node) {
        String name = node.getString("activation", "");
        Sgemm.Activation activation = switch (name) {
            case "" -> Sgemm.Activation.NONE;
            case "Gelu" -> Sgemm.Activation.GELU;
            default -> throw node.unsupported("activation '" + name + "'; supported are Gelu and none");
        };
        boolean hasBias = node.hasInput(2);
        Tensor weights = node.constantInput(1);
        Tensor bias = hasBias ? node.constantInput(2) : null;
        Linear constant = null;
        if (weights != null && (!hasBias || bias != null)) {
            try {
                constant = Linear.of(weights, bias, activation);
            } catch (IllegalArgumentException e) {
                throw node.error(e.getMessage());
            }
        }
        Linear packed = constant;
        return (inputs, ctx) -> {
            Linear linear = packed != null ? packed
                    : Linear.of((Tensor) inputs[1], hasBias ? (Tensor) inputs[2] : null, activation);
            return new Value[] {linear.apply((Tensor) inputs[0], ctx)};
        };
    }
}
