package dev.jonnx.runtime.ops.math;

import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/** Builds one ai.onnx node, creates its kernel from the math registry and runs it. */
final class NodeRunner {
    static final OpRegistry REGISTRY = build();

    private final String opType;
    private final int opset;
    private final List<AttributeProto> attributes = new ArrayList<>();
    private ExecutorService pool;
    private int threads = 1;

    private NodeRunner(String opType, int opset) {
        this.opType = opType;
        this.opset = opset;
    }

    private static OpRegistry build() {
        OpRegistry.Builder builder = OpRegistry.builder();
        MathOps.register(builder);
        return builder.build();
    }

    static NodeRunner op(String opType, int opset) {
        return new NodeRunner(opType, opset);
    }

    NodeRunner attr(String name, long value) {
        attributes.add(AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.INT).setI(value).build());
        return this;
    }

    NodeRunner attr(String name, float value) {
        attributes.add(AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.FLOAT).setF(value).build());
        return this;
    }

    NodeRunner attr(String name, String value) {
        attributes.add(AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(value)).build());
        return this;
    }

    /** Runs the node with an intra-op pool, so kernels may split work over its threads. */
    NodeRunner threads(ExecutorService pool, int threads) {
        this.pool = pool;
        this.threads = threads;
        return this;
    }

    /** Runs the node on the inputs (null for an omitted one) and returns output 0. */
    Tensor run(Tensor... inputs) {
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(opType).setName("n")
                .addAllAttribute(attributes).addOutput("y");
        for (int i = 0; i < inputs.length; i++) {
            node.addInput(inputs[i] == null ? "" : "x" + i);
        }
        KernelFactory factory = REGISTRY.lookup("", opType, opset).orElseThrow(
                () -> new AssertionError(opType + " is not registered for opset " + opset));
        NodeContext context = new NodeContext(node.build(), "", opset, "test",
                ref -> NodeContext.decodeInline(ref), (graph, name) -> {
                    throw new AssertionError("no subgraphs");
                });
        Value[] outputs = factory.create(context).run(inputs,
                new RunContext(null, new RunContext.RunControl(new AtomicBoolean(),
                        Long.MAX_VALUE, pool, threads, null)));
        return (Tensor) outputs[0];
    }
}
