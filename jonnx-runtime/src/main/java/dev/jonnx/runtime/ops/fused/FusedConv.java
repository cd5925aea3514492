package dev.jonnx.runtime.ops.fused;

import dev.jonnx.runtime.kernel.ConvKernels;
import dev.jonnx.runtime.ops.conv.Convolutions;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;

/**
 * dev.jonnx FusedConv: ai.onnx Conv (with the node's Conv attributes) followed by an
 * activation, applied to each output block right after the Conv computes it (in float for
 * float inputs). Attributes besides Conv's:
 * {@code activation} (Relu, LeakyRelu, Clip, HardSigmoid, Sigmoid, Tanh or HardSwish) and
 * {@code activation_params} (alpha for LeakyRelu; min and max for Clip; alpha and beta for
 * HardSigmoid). Supports float and double.
 */
final class FusedConv {
    private FusedConv() {}

    static Kernel create(NodeContext node) {
        ConvKernels.Activation activation = activation(node);
        Kernel conv = Convolutions.conv(node, activation);
        return (inputs, ctx) -> {
            if (inputs.length > 0 && inputs[0] instanceof Tensor x && x.type() != DataType.FLOAT
                    && x.type() != DataType.DOUBLE) {
                throw new IllegalArgumentException("FusedConv supports float and double inputs, got "
                        + x.type());
            }
            return conv.run(inputs, ctx);
        };
    }

    private static ConvKernels.Activation activation(NodeContext node) {
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
        ConvKernels.Kind kind = switch (name) {
            case "Relu" -> ConvKernels.Kind.RELU;
            case "Sigmoid" -> ConvKernels.Kind.SIGMOID;
            case "Tanh" -> ConvKernels.Kind.TANH;
            case "HardSwish" -> ConvKernels.Kind.HARD_SWISH;
            case "LeakyRelu" -> ConvKernels.Kind.LEAKY_RELU;
            case "Clip" -> ConvKernels.Kind.CLIP;
            default -> ConvKernels.Kind.HARD_SIGMOID;
        };
        return new ConvKernels.Activation(kind, p.length > 0 ? p[0] : 0f, p.length > 1 ? p[1] : 0f);
    }
}
