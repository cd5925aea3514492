package dev.jonnx.runtime.testing;

import dev.jonnx.onnx.NodeProto;
import dev.jonnx.runtime.ops.Operators;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Builds one node in code, creates its kernel from the default registry and runs it without a
 * model, so kernel tests go through the same factory and opset lookup as a session. A null
 * input is an omitted optional input. Inputs are named in0, in1, ... and outputs out0, out1, ...
 *
 * <pre>{@code
 * Tensor y = NodeRunner.op("Softmax", 13).attr("axis", 0).run(x);
 * }</pre>
 */
public final class NodeRunner {
    private final String domain;
    private final String opType;
    private final int opset;
    private final NodeProto.Builder node;
    private int outputs = 1;
    private ExecutorService pool;
    private int threads = 1;

    private NodeRunner(String domain, String opType, int opset) {
        this.domain = domain;
        this.opType = opType;
        this.opset = opset;
        this.node = NodeProto.newBuilder().setOpType(opType).setDomain(domain)
                .setName("node_under_test");
    }

    /** Starts a node of {@code opType} in the default domain, imported at {@code opset}. */
    public static NodeRunner op(String opType, int opset) {
        return new NodeRunner("", opType, opset);
    }

    /** Starts a node of {@code opType} in {@code domain}, imported at {@code opset}. */
    public static NodeRunner op(String domain, String opType, int opset) {
        return new NodeRunner(domain, opType, opset);
    }

    public NodeRunner attr(String name, long value) {
        node.addAttribute(Attributes.of(name, value));
        return this;
    }

    public NodeRunner attr(String name, float value) {
        node.addAttribute(Attributes.of(name, value));
        return this;
    }

    public NodeRunner attr(String name, String value) {
        node.addAttribute(Attributes.of(name, value));
        return this;
    }

    public NodeRunner attr(String name, Tensor value) {
        node.addAttribute(Attributes.of(name, value));
        return this;
    }

    public NodeRunner attr(String name, long... values) {
        node.addAttribute(Attributes.ints(name, values));
        return this;
    }

    public NodeRunner attr(String name, float... values) {
        node.addAttribute(Attributes.floats(name, values));
        return this;
    }

    public NodeRunner attr(String name, String... values) {
        node.addAttribute(Attributes.strings(name, values));
        return this;
    }

    /** Sets how many outputs the node lists (1 by default). */
    public NodeRunner outputs(int count) {
        this.outputs = count;
        return this;
    }

    /** Sets an intra-op pool, so the kernel may split its work over {@code threads} threads. */
    public NodeRunner threads(ExecutorService pool, int threads) {
        this.pool = pool;
        this.threads = threads;
        return this;
    }

    /**
     * Creates the kernel for these inputs without running it. Only the count and which inputs
     * are null (omitted) matter, so attribute checks can pass an array of nulls.
     */
    public Kernel kernel(Value... inputs) {
        NodeProto.Builder copy = node.clone();
        for (int i = 0; i < inputs.length; i++) {
            copy.addInput(inputs[i] == null ? "" : "in" + i);
        }
        for (int i = 0; i < outputs; i++) {
            copy.addOutput("out" + i);
        }
        KernelFactory factory = Operators.registry().lookup(domain, opType, opset).orElseThrow(
                () -> new AssertionError(opType + " is not registered for opset " + opset));
        NodeContext context = new NodeContext(copy.build(), domain, opset, "test",
                NodeContext::decodeInline, (graph, attribute) -> {
                    throw new AssertionError("NodeRunner does not compile subgraphs");
                });
        return factory.create(context);
    }

    /** Creates the kernel for these inputs, runs it once and returns every output. */
    public Value[] runAll(Value... inputs) {
        RunContext ctx = new RunContext(null, new RunContext.RunControl(new AtomicBoolean(),
                Long.MAX_VALUE, pool, threads, null));
        return kernel(inputs).run(inputs.clone(), ctx);
    }

    /** Runs the node once and returns its first output as a tensor. */
    public Tensor run(Value... inputs) {
        return (Tensor) runAll(inputs)[0];
    }
}
