package dev.jonnx.runtime.ops.conv;

import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * CausalConvWithState (opset 27): a depthwise 1-D convolution over the past state (zeros when
 * absent) followed by the input, returning the output and the last k - 1 positions of that
 * sequence as the next state.
 */
final class CausalConv {
    private CausalConv() {}

    static Kernel create(NodeContext node) {
        String activation = node.getString("activation", "none");
        if (!activation.equals("none") && !activation.equals("silu")
                && !activation.equals("swish")) {
            throw node.error("activation must be none, silu or swish, got '" + activation + "'");
        }
        boolean silu = !activation.equals("none");
        return (inputs, ctx) -> {
            Tensor x = Inputs.required(inputs, 0, "input");
            Tensor w = Inputs.required(inputs, 1, "weight");
            Tensor b = Inputs.optional(inputs, 2, "bias");
            Tensor past = Inputs.optional(inputs, 3, "past_state");
            DataType type = x.type();
            if (type != DataType.FLOAT && type != DataType.FLOAT16
                    && type != DataType.BFLOAT16) {
                throw new IllegalArgumentException("input must be float, float16 or bfloat16,"
                        + " got " + type);
            }
            if (x.rank() != 3) {
                throw new IllegalArgumentException("input must have shape (batch_size,"
                        + " channels, length), got " + Arrays.toString(x.shape()));
            }
            int n = x.dim(0);
            int c = x.dim(1);
            int length = x.dim(2);
            Inputs.requireSameType(w, "weight", x, "input");
            if (w.rank() != 3 || w.dim(0) != c || w.dim(1) != 1 || w.dim(2) < 1) {
                throw new IllegalArgumentException("weight must have shape (" + c + ", 1, k),"
                        + " got " + Arrays.toString(w.shape()));
            }
            int k = w.dim(2);
            int carry = k - 1;
            double[] bias = null;
            if (b != null) {
                Inputs.requireSameType(b, "bias", x, "input");
                if (b.rank() != 1 || b.dim(0) != c) {
                    throw new IllegalArgumentException("bias must have shape [" + c + "], got "
                            + Arrays.toString(b.shape()));
                }
                bias = b.toDoubleArray();
            }
            double[] state = null;
            if (past != null) {
                Inputs.requireSameType(past, "past_state", x, "input");
                if (!Arrays.equals(past.shape(), new int[] {n, c, carry})) {
                    throw new IllegalArgumentException("past_state must have shape ["
                            + n + ", " + c + ", " + carry + "], got "
                            + Arrays.toString(past.shape()));
                }
                state = past.toDoubleArray();
            }
            double[] xd = x.toDoubleArray();
            double[] wd = w.toDoubleArray();
            double[] y = new double[n * c * length];
            double[] next = new double[n * c * carry];
            double[] sequence = new double[carry + length];
            for (int plane = 0; plane < n * c; plane++) {
                int channel = plane % c;
                Arrays.fill(sequence, 0);
                if (state != null) {
                    System.arraycopy(state, plane * carry, sequence, 0, carry);
                }
                System.arraycopy(xd, plane * length, sequence, carry, length);
                for (int t = 0; t < length; t++) {
                    double v = bias == null ? 0 : bias[channel];
                    for (int j = 0; j < k; j++) {
                        v += wd[channel * k + j] * sequence[t + j];
                    }
                    y[plane * length + t] = silu ? v / (1 + Math.exp(-v)) : v;
                }
                System.arraycopy(sequence, length, next, plane * carry, carry);
            }
            return new Value[] {Tensor.fromDoubles(type, x.shape(), y),
                    Tensor.fromDoubles(type, new int[] {n, c, carry}, next)};
        };
    }
}
