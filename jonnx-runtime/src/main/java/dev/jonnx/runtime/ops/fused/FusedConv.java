package dev.jonnx.runtime.ops.fused;

import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Set;

/**
 * dev.jonnx FusedConv: ai.onnx Conv (with the node's Conv attributes) followed by an
 * activation applied to the Conv result in place. Attributes besides Conv's:
 * {@code activation} (Relu, LeakyRelu, Clip, HardSigmoid, Sigmoid, Tanh or HardSwish) and
 * {@code activation_params} (alpha for LeakyRelu; min and max for Clip; alpha and beta for
 * HardSigmoid). Supports float and double.
 */
final class FusedConv {
    /** The newest Conv version; the registry lookup takes the newest kernel not above it. */
    private static final int CONV_OPSET = 22;

    private FusedConv() {}

    /** An activation applied element by element. */
    @FunctionalInterface
    interface Activation {
        double apply(double x);
    }

    static Kernel create(NodeContext node) {
        Activation activation = activation(node);
        Kernel conv = FusedOps.standard(node, "Conv", CONV_OPSET, Set.of("activation", "activation_params"));
        return (inputs, ctx) -> {
            Value[] out = conv.run(inputs, ctx);
            Tensor y = (Tensor) out[0];
            // The Conv kernel allocates its output, so the activation may overwrite it.
            if (y.type() == DataType.FLOAT) {
                float[] v = y.floats();
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) activation.apply(v[i]);
                }
            } else if (y.type() == DataType.DOUBLE) {
                double[] v = y.doubles();
                for (int i = 0; i < v.length; i++) {
                    v[i] = activation.apply(v[i]);
                }
            } else {
                throw new IllegalArgumentException("FusedConv supports float and double inputs, got "
                        + y.type());
            }
            return out;
        };
    }

    private static Activation activation(NodeContext node) {
        String name = node.getString("activation");
        float[] p = node.getFloats("activation_params", new float[0]);
        int expected = switch (name) {
            case "Relu", "Sigmoid", "Tanh", "HardSwish" -> 0;
            case "LeakyRelu" -> 1;
            case "Clip", "HardSigmoid" -> 2;
            default -> throw node.unsupported("activation '" + name + "'; supported are Relu,"
                    + " LeakyRelu, Clip, HardSigmoid, Sigmoid, Tanh and HardSwish");
        };
        if (p.length != expected) {
            throw node.error("activation " + name + " takes " + expected
                    + " activation_params, got " + p.length);
        }
        return switch (name) {
            case "Relu" -> x -> x > 0 ? x : 0;
            case "Sigmoid" -> x -> 1 / (1 + Math.exp(-x));
            case "Tanh" -> Math::tanh;
            case "HardSwish" -> x -> x * Math.max(0, Math.min(1, x / 6 + 0.5));
            case "LeakyRelu" -> {
                double alpha = p[0];
                yield x -> x >= 0 ? x : alpha * x;
            }
            case "Clip" -> {
                double min = p[0];
                double max = p[1];
                yield x -> Double.isNaN(x) ? x : Math.min(max, Math.max(min, x));
            }
            default -> {
                double alpha = p[0];
                double beta = p[1];
                yield x -> Math.max(0, Math.min(1, alpha * x + beta));
            }
        };
    }
}
