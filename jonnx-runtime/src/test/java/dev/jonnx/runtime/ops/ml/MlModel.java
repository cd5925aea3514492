package dev.jonnx.runtime.ops.ml;

import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.OperatorSetIdProto;
import dev.jonnx.onnx.TypeProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.Result;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.runtime.testing.Attributes;
import dev.jonnx.tensor.MapValue;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.HashMap;
import java.util.Map;

/**
 * Builds a one-node ai.onnx.ml model in code and runs it through a {@link Session} whose
 * registry holds only the ML operators. Inputs are named x0, x1, ... and outputs y0, y1, ...
 * Setting an attribute again replaces its value, because ONNX allows each attribute name once
 * per node.
 */
final class MlModel {
    private static final OpRegistry REGISTRY = registry();

    private final NodeProto.Builder node;
    private final int outputs;
    private int opset = 1;
    private int threads = 1;

    private MlModel(String op, int outputs) {
        this.node = NodeProto.newBuilder().setOpType(op).setDomain("ai.onnx.ml").setName("node");
        this.outputs = outputs;
        for (int i = 0; i < outputs; i++) {
            node.addOutput("y" + i);
        }
    }

    private static OpRegistry registry() {
        OpRegistry.Builder b = OpRegistry.builder();
        MlOps.register(b);
        return b.build();
    }

    /** Starts a node of {@code op} with {@code outputs} outputs, in ai.onnx.ml opset 1. */
    static MlModel of(String op, int outputs) {
        return new MlModel(op, outputs);
    }

    MlModel opset(int version) {
        this.opset = version;
        return this;
    }

    /** Runs the session with {@code count} intra-op threads. */
    MlModel threads(int count) {
        this.threads = count;
        return this;
    }

    MlModel ints(String name, long... values) {
        set(Attributes.ints(name, values));
        return this;
    }

    MlModel floats(String name, float... values) {
        set(Attributes.floats(name, values));
        return this;
    }

    MlModel strings(String name, String... values) {
        set(Attributes.strings(name, values));
        return this;
    }

    MlModel i(String name, long value) {
        set(Attributes.of(name, value));
        return this;
    }

    MlModel f(String name, float value) {
        set(Attributes.of(name, value));
        return this;
    }

    MlModel s(String name, String value) {
        set(Attributes.of(name, value));
        return this;
    }

    MlModel tensor(String name, Tensor value) {
        set(Attributes.of(name, value));
        return this;
    }

    private void set(AttributeProto attribute) {
        for (int i = 0; i < node.getAttributeCount(); i++) {
            if (node.getAttribute(i).getName().equals(attribute.getName())) {
                node.removeAttribute(i);
                break;
            }
        }
        node.addAttribute(attribute);
    }

    /** Runs the node on the inputs and returns its outputs in order. */
    Value[] run(Value... inputs) {
        NodeProto.Builder n = node.clone();
        GraphProto.Builder graph = GraphProto.newBuilder().setName("ml");
        Map<String, Value> feeds = new HashMap<>();
        for (int i = 0; i < inputs.length; i++) {
            n.addInput("x" + i);
            graph.addInput(ValueInfoProto.newBuilder().setName("x" + i).setType(typeOf(inputs[i])));
            feeds.put("x" + i, inputs[i]);
        }
        graph.addNode(n);
        for (int i = 0; i < outputs; i++) {
            graph.addOutput(ValueInfoProto.newBuilder().setName("y" + i));
        }
        byte[] model = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("ai.onnx.ml").setVersion(opset))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(graph).build().toByteArray();
        SessionOptions options = SessionOptions.builder().registry(REGISTRY).threads(threads).build();
        try (Session session = Session.open(model, options); Result result = session.run(feeds)) {
            Value[] out = new Value[outputs];
            for (int i = 0; i < outputs; i++) {
                out[i] = result.get(i);
            }
            return out;
        }
    }

    /** Runs the node and returns its first output as a tensor. */
    Tensor runTensor(Value... inputs) {
        return (Tensor) run(inputs)[0];
    }

    private static TypeProto typeOf(Value v) {
        if (v instanceof Tensor t) {
            return TypeProto.newBuilder().setTensorType(
                    TypeProto.Tensor.newBuilder().setElemType(t.type().code())).build();
        }
        if (v instanceof MapValue m) {
            return TypeProto.newBuilder().setMapType(TypeProto.Map.newBuilder()
                    .setKeyType(m.keyType().code())
                    .setValueType(TypeProto.newBuilder().setTensorType(
                            TypeProto.Tensor.newBuilder().setElemType(m.valueType().code()))))
                    .build();
        }
        return TypeProto.getDefaultInstance();
    }
}
