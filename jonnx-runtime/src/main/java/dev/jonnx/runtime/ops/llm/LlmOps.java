package dev.jonnx.runtime.ops.llm;

import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * Registers SwiGLU (opset 28), the gated activation of language-model feed-forward blocks. The
 * other opset 26-28 blocks live with their families: CausalConvWithState with convolution,
 * LinearAttention and FlexAttention with attention.
 */
public final class LlmOps {
    private LlmOps() {}

    public static void register(OpRegistry.Builder registry) {
        registry.add("SwiGLU", LlmOps::swiGlu, 28);
    }

    /** Y = A * sigmoid(alpha * A) * B, with A and B of one shape. */
    private static Kernel swiGlu(NodeContext node) {
        double alpha = node.getFloat("alpha", 1.0f);
        return (inputs, ctx) -> {
            Tensor a = (Tensor) inputs[0];
            Tensor b = (Tensor) inputs[1];
            if (!Arrays.equals(a.shape(), b.shape()) || a.type() != b.type()) {
                throw new IllegalArgumentException("inputs A and B must have one type and shape, got "
                        + a.describe() + " and " + b.describe());
            }
            double[] x = a.toDoubleArray();
            double[] v = b.toDoubleArray();
            double[] y = new double[x.length];
            for (int i = 0; i < y.length; i++) {
                y[i] = x[i] / (1 + Math.exp(-alpha * x[i])) * v[i];
            }
            return new Value[] {Tensor.fromDoubles(a.type(), a.shape(), y)};
        };
    }
}
