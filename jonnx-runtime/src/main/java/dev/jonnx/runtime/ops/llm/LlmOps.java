package dev.jonnx.runtime.ops.llm;

import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * Registers the language-model building blocks added in opsets 27 and 28: SwiGLU,
 * CausalConvWithState and LinearAttention, and the preview FlexAttention.
 */
public final class LlmOps {
    private LlmOps() {}

    public static void register(OpRegistry.Builder registry) {
        registry.add("SwiGLU", LlmOps::swiGlu, 28);
        registry.add("CausalConvWithState", LlmOps::causalConv, 27);
        registry.add("LinearAttention", LinearAttention::create, 27);
        registry.add("ai.onnx.preview", "FlexAttention", 1, FlexAttention::create);
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

    /**
     * Depthwise causal 1-D convolution over (batch, channels, length): each output position t
     * depends on positions t - k + 1 .. t of the past state followed by the input.
     */
    private static Kernel causalConv(NodeContext node) {
        String activation = node.getString("activation", "none");
        boolean silu = switch (activation) {
            case "silu", "swish" -> true;
            case "none" -> false;
            default -> throw node.error("attribute 'activation' must be silu, swish or none, got '"
                    + activation + "'");
        };
        return (inputs, ctx) -> {
            Tensor input = (Tensor) inputs[0];
            Tensor weight = (Tensor) inputs[1];
            Tensor bias = inputs.length > 2 ? (Tensor) inputs[2] : null;
            Tensor past = inputs.length > 3 ? (Tensor) inputs[3] : null;
            if (input.rank() != 3) {
                throw new IllegalArgumentException("input must have shape (batch, channels, length), got "
                        + Arrays.toString(input.shape()));
            }
            int batch = input.dim(0);
            int channels = input.dim(1);
            int length = input.dim(2);
            if (weight.rank() != 3 || weight.dim(0) != channels || weight.dim(1) != 1) {
                throw new IllegalArgumentException("weight must have shape (" + channels + ", 1, k), got "
                        + Arrays.toString(weight.shape()));
            }
            int k = weight.dim(2);
            int carry = k - 1;
            if (bias != null && (bias.rank() != 1 || bias.dim(0) != channels)) {
                throw new IllegalArgumentException("bias must have shape (" + channels + "), got "
                        + Arrays.toString(bias.shape()));
            }
            if (past != null && !Arrays.equals(past.shape(), new int[] {batch, channels, carry})) {
                throw new IllegalArgumentException("past_state must have shape (" + batch + ", "
                        + channels + ", " + carry + "), got " + Arrays.toString(past.shape()));
            }
            double[] x = input.toDoubleArray();
            double[] w = weight.toDoubleArray();
            double[] b = bias == null ? null : bias.toDoubleArray();
            double[] p = past == null ? null : past.toDoubleArray();
            double[] y = new double[x.length];
            double[] present = new double[batch * channels * carry];
            double[] window = new double[carry + length];
            for (int n = 0; n < batch; n++) {
                for (int c = 0; c < channels; c++) {
                    int row = n * channels + c;
                    // The padded sequence: past state (or zeros), then this input row.
                    Arrays.fill(window, 0, carry, 0);
                    if (p != null) {
                        System.arraycopy(p, row * carry, window, 0, carry);
                    }
                    System.arraycopy(x, row * length, window, carry, length);
                    for (int t = 0; t < length; t++) {
                        double sum = b == null ? 0 : b[c];
                        for (int j = 0; j < k; j++) {
                            sum += w[c * k + j] * window[t + j];
                        }
                        y[row * length + t] = silu ? sum / (1 + Math.exp(-sum)) : sum;
                    }
                    System.arraycopy(window, length, present, row * carry, carry);
                }
            }
            return new Value[] {
                Tensor.fromDoubles(input.type(), input.shape(), y),
                Tensor.fromDoubles(input.type(), new int[] {batch, channels, carry}, present)
            };
        };
    }
}
