package dev.jonnx.runtime.ops.fused;

import dev.jonnx.runtime.kernel.Sgemm;
import dev.jonnx.runtime.ops.linalg.Linear;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;
import java.util.Set;

/**
 * dev.jonnx FusedMatMul: Y = activation(MatMul(A, B) + bias) + residual for FLOAT tensors,
 * where B is 2-D (k x n), A has rank 1 or more with last dimension k, the optional bias has
 * shape [n] and the optional residual (input 3) is added as by Add, with broadcasting. The
 * attribute {@code activation} is empty (none, the default) or {@code Gelu} (the exact erf
 * form). The bias, the activation and a residual of Y's shape are applied to each block of
 * the product while it is still in cache. When B and the bias are initializers they are
 * packed once per session.
 */
final class FusedMatMul {
    /** The Add version whose kernel adds a residual that does not have the product's shape. */
    private static final int ADD_OPSET = 14;

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
        boolean hasResidual = node.hasInput(3);
        Kernel add = hasResidual ? FusedOps.standard(node, "Add", ADD_OPSET, Set.of("activation")) : null;
        return (inputs, ctx) -> {
            Linear linear = packed != null ? packed
                    : Linear.of((Tensor) inputs[1], hasBias ? (Tensor) inputs[2] : null, activation);
            Tensor x = (Tensor) inputs[0];
            Tensor residual = hasResidual ? (Tensor) inputs[3] : null;
            if (residual == null || residual.type() == DataType.FLOAT && linear.accepts(x)
                    && Arrays.equals(residual.shape(), linear.outputShape(x))) {
                return new Value[] {linear.apply(x, residual, ctx)};
            }
            // A residual that broadcasts, or of another type, takes the standard Add.
            return add.run(new Value[] {linear.apply(x, ctx), residual}, ctx);
        };
    }
}
