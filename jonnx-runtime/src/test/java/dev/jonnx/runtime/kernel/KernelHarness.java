package dev.jonnx.runtime.kernel;

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
 * Builds one node in code (ai.onnx unless a domain is given), creates its kernel from the default registry and runs it, so
 * kernel tests go through the same factory and opset lookup as a session.
 *
 * <pre>{@code
 * Tensor y = KernelHarness.node("Softmax", 13).attribute("axis", 0).run(x)[0];
 * }</pre>
 */
public final class KernelHarness {
    private final String domain;
    private final String opType;
    private final int opset;
    private final NodeProto.Builder node;
    private int outputs = 1;

    private KernelHarness(String domain, String opType, int opset) {
        this.domain = domain;
        this.opType = opType;
        this.opset = opset;
        this.node = NodeProto.newBuilder().setOpType(opType).setDomain(domain).setName("node_under_test");
    }

    /** Starts a node of {@code opType} in a model that imports ai.onnx at {@code opset}. */
    public static KernelHarness node(String opType, int opset) {
        return new KernelHarness("", opType, opset);
    }

    /** Starts a node of {@code opType} in another domain, imported at {@code opset}. */
    public static KernelHarness node(String domain, String opType, int opset) {
        return new KernelHarness(domain, opType, opset);
    }

    public KernelHarness attribute(String name, long value) {
        node.addAttribute(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT)
                .setI(value));
        return this;
    }

    public KernelHarness attribute(String name, float value) {
        node.addAttribute(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT)
                .setF(value));
        return this;
    }

    public KernelHarness attribute(String name, String value) {
        node.addAttribute(AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFrom(value, StandardCharsets.UTF_8)));
        return this;
    }

    public KernelHarness attribute(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        node.addAttribute(a);
        return this;
    }

    /** Sets how many outputs the node lists (1 by default). */
    public KernelHarness outputs(int count) {
        this.outputs = count;
        return this;
    }

    /** Creates the kernel; a null entry in a later {@link #run} marks an omitted input. */
    public Kernel kernel(int inputCount, boolean[] present) {
        NodeProto.Builder copy = node.clone();
        for (int i = 0; i < inputCount; i++) {
            copy.addInput(present[i] ? "input" + i : "");
        }
        for (int i = 0; i < outputs; i++) {
            copy.addOutput("output" + i);
        }
        KernelFactory factory = Operators.registry().lookup(domain, opType, opset)
                .orElseThrow(() -> new AssertionError(opType + " is not registered for opset " + opset));
        NodeContext context = new NodeContext(copy.build(), domain, opset, "test", NodeContext::decodeInline, null);
        return factory.create(context);
    }

    /** Creates the kernel for these inputs and runs it once. */
    public Value[] run(Tensor... inputs) {
        boolean[] present = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            present[i] = inputs[i] != null;
        }
        Kernel kernel = kernel(inputs.length, present);
        return kernel.run(inputs.clone(), new RunContext(null, RunContext.RunControl.unlimited()));
    }

    /** Runs the node and returns its first output as a tensor. */
    public Tensor runOne(Tensor... inputs) {
        return (Tensor) run(inputs)[0];
    }
}
