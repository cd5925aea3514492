package dev.jonnx.runtime.optimizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jonnx.io.TensorProtos;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.OperatorSetIdProto;
import dev.jonnx.onnx.TensorShapeProto;
import dev.jonnx.onnx.TypeProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.Result;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions.OptimizationLevel;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.runtime.ops.Operators;
import dev.jonnx.runtime.testing.Attributes;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds small models in code and runs them before and after optimization. */
final class Graphs {
    private final int opset;
    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("test");

    private Graphs(int opset) {
        this.opset = opset;
    }

    static Graphs opset(int opset) {
        return new Graphs(opset);
    }

    Graphs input(String name, DataType type, long... dims) {
        graph.addInput(info(name, type, dims));
        return this;
    }

    /** Declares an input whose dimensions are all symbolic, named d0, d1, and so on. */
    Graphs dynamicInput(String name, DataType type, int rank) {
        return dynamicInput(name, type, rank, "d");
    }

    /** Declares an input whose dimensions are all symbolic, named {@code prefix} followed by the axis. */
    Graphs dynamicInput(String name, DataType type, int rank, String prefix) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int i = 0; i < rank; i++) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(prefix + i));
        }
        graph.addInput(ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.code()).setShape(shape))));
        return this;
    }

    Graphs output(String name) {
        graph.addOutput(ValueInfoProto.newBuilder().setName(name));
        return this;
    }

    Graphs constant(String name, Tensor value) {
        graph.addInitializer(TensorProtos.toProto(value, name));
        return this;
    }

    Graphs node(String op, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
        return node("", op, inputs, outputs, attributes);
    }

    Graphs node(String domain, String op, List<String> inputs, List<String> outputs,
            AttributeProto... attributes) {
        graph.addNode(NodeProto.newBuilder().setDomain(domain).setOpType(op)
                .setName(op + "_" + graph.getNodeCount()).addAllInput(inputs).addAllOutput(outputs)
                .addAllAttribute(List.of(attributes)));
        return this;
    }

    ModelProto build() {
        return ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
    }

    static ValueInfoProto info(String name, DataType type, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.code()).setShape(shape))).build();
    }

    static AttributeProto attr(String name, long value) {
        return Attributes.of(name, value);
    }

    static AttributeProto attr(String name, float value) {
        return Attributes.of(name, value);
    }

    static AttributeProto attr(String name, String value) {
        return Attributes.of(name, value);
    }

    static AttributeProto ints(String name, long... values) {
        return Attributes.ints(name, values);
    }

    static AttributeProto tensorAttr(String name, Tensor value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR)
                .setT(TensorProtos.toProto(value, null)).build();
    }

    /** The op types of the main graph, "domain.Op" outside the default domain, in order. */
    static List<String> ops(ModelProto model) {
        List<String> ops = new ArrayList<>();
        for (NodeProto n : model.getGraph().getNodeList()) {
            ops.add(n.getDomain().isEmpty() ? n.getOpType() : n.getDomain() + "." + n.getOpType());
        }
        return ops;
    }

    /** Skips the test when the registry lacks a kernel the graph needs (a family still being written). */
    static void assumeKernels(String... ops) {
        for (String op : ops) {
            assumeTrue(!Operators.registry().versions("", op).isEmpty(), "no kernel for " + op);
        }
    }

    static Result run(ModelProto model, OptimizationLevel level, Map<String, ? extends Value> feeds) {
        SessionOptions options = SessionOptions.builder().optimizationLevel(level).build();
        try (Session session = Session.open(model.toByteArray(), options)) {
            return session.run(feeds);
        }
    }

    /** Runs the model at level NONE and runs {@code optimized} as written; the outputs must agree. */
    static void assertSameOutputs(ModelProto original, ModelProto optimized, Map<String, ? extends Value> feeds) {
        Result expected = run(original, OptimizationLevel.NONE, feeds);
        Result actual = run(optimized, OptimizationLevel.NONE, feeds);
        assertThat(actual.names()).isEqualTo(expected.names());
        for (String name : expected.names()) {
            Tensor e = expected.tensor(name);
            Tensor a = actual.tensor(name);
            assertThat(a.shape()).as(name + " shape").isEqualTo(e.shape());
            assertThat(a.type()).as(name + " type").isEqualTo(e.type());
            double[] ev = e.toDoubleArray();
            double[] av = a.toDoubleArray();
            for (int i = 0; i < ev.length; i++) {
                assertThat(av[i]).as(name + "[" + i + "]").isCloseTo(ev[i], within(1e-4 + 1e-4 * Math.abs(ev[i])));
            }
        }
    }

    static Tensor floats(int[] shape, float... values) {
        return Tensor.of(DataType.FLOAT, shape, values);
    }

    /** Deterministic values in [-2, 2) for the given shape. */
    static Tensor ramp(int... shape) {
        float[] v = new float[Tensor.sizeOf(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = ((i * 37) % 64) / 16f - 2f;
        }
        return Tensor.of(DataType.FLOAT, shape, v);
    }
}
