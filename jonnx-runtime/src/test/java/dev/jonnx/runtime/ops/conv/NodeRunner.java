package dev.jonnx.runtime.ops.conv;

import com.google.protobuf.ByteString;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.runtime.ops.image.ImageOps;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.nio.charset.StandardCharsets;

/**
 * Builds one default-domain node with attributes and runs its kernel from the conv and image
 * families directly, without a model. Omitted inputs are passed as null.
 */
public final class NodeRunner {
    private static final OpRegistry REGISTRY = build();

    private final NodeProto.Builder node = NodeProto.newBuilder();
    private final int opset;

    private static OpRegistry build() {
        OpRegistry.Builder builder = OpRegistry.builder();
        ConvOps.register(builder);
        ImageOps.register(builder);
        return builder.build();
    }

    private NodeRunner(String opType, int opset) {
        node.setOpType(opType).setName("node");
        this.opset = opset;
    }

    public static NodeRunner of(String opType, int opset) {
        return new NodeRunner(opType, opset);
    }

    public NodeRunner attr(String name, long value) {
        node.addAttribute(AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.INT).setI(value));
        return this;
    }

    public NodeRunner attr(String name, float value) {
        node.addAttribute(AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.FLOAT).setF(value));
        return this;
    }

    public NodeRunner attr(String name, String value) {
        node.addAttribute(AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFrom(value, StandardCharsets.UTF_8)));
        return this;
    }

    public NodeRunner ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        node.addAttribute(a);
        return this;
    }

    public NodeRunner floats(String name, float... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.FLOATS);
        for (float v : values) {
            a.addFloats(v);
        }
        node.addAttribute(a);
        return this;
    }

    /** Runs the node with {@code outputs} named outputs on the given inputs. */
    public Value[] run(int outputs, Tensor... inputs) {
        for (int i = 0; i < inputs.length; i++) {
            node.addInput(inputs[i] == null ? "" : "in" + i);
        }
        for (int i = 0; i < outputs; i++) {
            node.addOutput("out" + i);
        }
        NodeContext context = new NodeContext(node.build(), "", opset, "test",
                NodeContext::decodeInline, null);
        KernelFactory factory = REGISTRY.lookup("", node.getOpType(), opset).orElseThrow();
        return factory.create(context).run(inputs,
                new RunContext(null, RunContext.RunControl.unlimited()));
    }

    /** Runs the node and returns its first output. */
    public Tensor run(Tensor... inputs) {
        return (Tensor) run(1, inputs)[0];
    }
}
