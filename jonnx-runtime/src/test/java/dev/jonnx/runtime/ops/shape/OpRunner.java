package dev.jonnx.runtime.ops.shape;

import com.google.protobuf.ByteString;
import dev.jonnx.io.TensorProtos;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.runtime.ops.Operators;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.nio.charset.StandardCharsets;

/**
 * Builds one ai.onnx node with attributes, creates its kernel from the default registry and
 * runs it on the given inputs. A null input is an omitted optional input.
 */
final class OpRunner {
    private final NodeProto.Builder node = NodeProto.newBuilder().setName("n");
    private final int opset;
    private int outputs = 1;

    private OpRunner(String op, int opset) {
        node.setOpType(op);
        this.opset = opset;
    }

    static OpRunner op(String op, int opset) {
        return new OpRunner(op, opset);
    }

    OpRunner attr(String name, Object value) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
        switch (value) {
            case Long v -> a.setType(AttributeProto.AttributeType.INT).setI(v);
            case Integer v -> a.setType(AttributeProto.AttributeType.INT).setI(v);
            case Float v -> a.setType(AttributeProto.AttributeType.FLOAT).setF(v);
            case String v -> a.setType(AttributeProto.AttributeType.STRING)
                    .setS(ByteString.copyFrom(v, StandardCharsets.UTF_8));
            case long[] v -> {
                a.setType(AttributeProto.AttributeType.INTS);
                for (long x : v) {
                    a.addInts(x);
                }
            }
            case float[] v -> {
                a.setType(AttributeProto.AttributeType.FLOATS);
                for (float x : v) {
                    a.addFloats(x);
                }
            }
            case String[] v -> {
                a.setType(AttributeProto.AttributeType.STRINGS);
                for (String x : v) {
                    a.addStrings(ByteString.copyFrom(x, StandardCharsets.UTF_8));
                }
            }
            case Tensor v -> a.setType(AttributeProto.AttributeType.TENSOR)
                    .setT(TensorProtos.toProto(v, name));
            default -> throw new IllegalArgumentException("unsupported attribute value " + value);
        }
        node.addAttribute(a);
        return this;
    }

    OpRunner outputs(int count) {
        outputs = count;
        return this;
    }

    /** Builds the kernel without running it, to check attribute validation. */
    void build(int inputCount) {
        kernelFactory().create(context(new Value[inputCount]));
    }

    Value[] runAll(Value... inputs) {
        NodeContext ctx = context(inputs);
        return kernelFactory().create(ctx)
                .run(inputs, new RunContext(null, RunContext.RunControl.unlimited()));
    }

    Tensor run(Value... inputs) {
        return (Tensor) runAll(inputs)[0];
    }

    private KernelFactory kernelFactory() {
        return Operators.registry().lookup("", node.getOpType(), opset).orElseThrow(
                () -> new AssertionError(node.getOpType() + " is not registered for opset "
                        + opset));
    }

    private NodeContext context(Value[] inputs) {
        NodeProto.Builder b = node.clone();
        for (int i = 0; i < inputs.length; i++) {
            b.addInput(inputs[i] == null ? "" : "in" + i);
        }
        for (int i = 0; i < outputs; i++) {
            b.addOutput("out" + i);
        }
        return new NodeContext(b.build(), "", opset, "test", NodeContext::decodeInline,
                (graph, attribute) -> {
                    throw new AssertionError("no subgraphs expected");
                });
    }
}
