package dev.jonnx.runtime.ops.control;

import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.OperatorSetIdProto;
import dev.jonnx.onnx.TensorShapeProto;
import dev.jonnx.onnx.TypeProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.runtime.testing.Attributes;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.List;

/** Builders of ONNX protos for tests, and runners for single kernels and small models. */
public final class Protos {
    private Protos() {}

    public static NodeProto node(String op, List<String> inputs, List<String> outputs,
            AttributeProto... attributes) {
        return NodeProto.newBuilder().setOpType(op).setName(op.toLowerCase() + "_node")
                .addAllInput(inputs).addAllOutput(outputs).addAllAttribute(List.of(attributes)).build();
    }

    public static AttributeProto attr(String name, long value) {
        return Attributes.of(name, value);
    }

    public static AttributeProto attr(String name, float value) {
        return Attributes.of(name, value);
    }

    public static AttributeProto attr(String name, String value) {
        return Attributes.of(name, value);
    }

    public static AttributeProto attr(String name, GraphProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.GRAPH)
                .setG(value).build();
    }

    public static AttributeProto attr(String name, Tensor value) {
        return Attributes.of(name, value);
    }

    public static AttributeProto ints(String name, long... values) {
        return Attributes.ints(name, values);
    }

    public static AttributeProto floats(String name, float... values) {
        return Attributes.floats(name, values);
    }

    public static AttributeProto strings(String name, String... values) {
        return Attributes.strings(name, values);
    }

    public static AttributeProto typeAttr(String name, TypeProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TYPE_PROTO)
                .setTp(value).build();
    }

    /** Builds a value info without a declared type, as subgraph inputs and outputs often are. */
    public static ValueInfoProto untyped(String name) {
        return ValueInfoProto.newBuilder().setName(name).build();
    }

    public static TypeProto tensorType(DataType type, int... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(type.code()).setShape(shape)).build();
    }

    public static ValueInfoProto tensor(String name, DataType type, int... dims) {
        return ValueInfoProto.newBuilder().setName(name).setType(tensorType(type, dims)).build();
    }

    public static GraphProto graph(String name, List<NodeProto> nodes, List<ValueInfoProto> inputs,
            List<ValueInfoProto> outputs) {
        return GraphProto.newBuilder().setName(name).addAllNode(nodes).addAllInput(inputs)
                .addAllOutput(outputs).build();
    }

    /** Opens a session on a model of one graph with the test registry of {@link TestKernels}. */
    public static Session session(GraphProto graph, int opset) {
        byte[] model = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph).build().toByteArray();
        return Session.open(model, SessionOptions.builder().registry(TestKernels.REGISTRY).build());
    }

    /** Builds the kernel of one node without subgraphs, as a session would at the given opset. */
    public static Kernel kernel(NodeProto node, int opset) {
        NodeContext ctx = new NodeContext(node, "", opset, "test", NodeContext::decodeInline,
                (g, attribute) -> {
                    throw new UnsupportedOperationException("no subgraphs in kernel tests");
                });
        return TestKernels.REGISTRY.lookup("", node.getOpType(), opset).orElseThrow().create(ctx);
    }

    /** Runs a kernel once without an enclosing graph. */
    public static Value[] run(Kernel kernel, Value... inputs) {
        return kernel.run(inputs, new RunContext(null, RunContext.RunControl.unlimited()));
    }
}
