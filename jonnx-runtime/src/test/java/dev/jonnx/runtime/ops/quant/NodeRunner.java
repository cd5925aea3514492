package dev.jonnx.runtime.ops.quant;

import com.google.protobuf.ByteString;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.runtime.ops.Operators;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.nio.charset.StandardCharsets;

/**
 * Builds one node of a built-in operator, compiles it with the default registry and runs it
 * on tensors, for kernel unit tests. Null inputs become omitted optional inputs.
 */
public final class NodeRunner {
    private final NodeProto.Builder node;
    private String domain = "";
    private int opset;

    private NodeRunner(String opType, int opset) {
        this.node = NodeProto.newBuilder().setOpType(opType).setName("node_under_test");
        this.opset = opset;
    }

    /** Starts a node of {@code opType} in the default domain at {@code opset}. */
    public static NodeRunner op(String opType, int opset) {
        return new NodeRunner(opType, opset);
    }

    public NodeRunner domain(String value) {
        domain = value;
        node.setDomain(value);
        return this;
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

    public NodeRunner attr(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        node.addAttribute(a);
        return this;
    }

    public NodeRunner attr(String name, float... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.FLOATS);
        for (float v : values) {
            a.addFloats(v);
        }
        node.addAttribute(a);
        return this;
    }

    public NodeRunner attr(String name, String... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.STRINGS);
        for (String v : values) {
            a.addStrings(ByteString.copyFrom(v, StandardCharsets.UTF_8));
        }
        node.addAttribute(a);
        return this;
    }

    /** Compiles the node with {@code inputCount} inputs and {@code outputCount} outputs. */
    public Kernel compile(int inputCount, int outputCount, boolean[] omitted) {
        NodeProto.Builder b = node.clone().clearInput().clearOutput();
        for (int i = 0; i < inputCount; i++) {
            b.addInput(omitted != null && omitted[i] ? "" : "in" + i);
        }
        for (int i = 0; i < outputCount; i++) {
            b.addOutput("out" + i);
        }
        NodeContext context = new NodeContext(b.build(), domain, opset, "unit-test",
                NodeContext::decodeInline, null);
        KernelFactory factory = Operators.registry().lookup(domain, node.getOpType(), opset)
                .orElseThrow(() -> new AssertionError(node.getOpType() + " opset " + opset
                        + " is not registered"));
        return factory.create(context);
    }

    /** Compiles the node and runs it once; returns every output. */
    public Value[] run(int outputCount, Value... inputs) {
        boolean[] omitted = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            omitted[i] = inputs[i] == null;
        }
        Kernel kernel = compile(inputs.length, outputCount, omitted);
        return kernel.run(inputs, new RunContext(null, RunContext.RunControl.unlimited()));
    }

    /** Compiles the node and runs it once; returns the first output as a tensor. */
    public Tensor run(Value... inputs) {
        return (Tensor) run(1, inputs)[0];
    }
}
