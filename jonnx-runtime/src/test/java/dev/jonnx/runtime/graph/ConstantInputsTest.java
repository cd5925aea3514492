package dev.jonnx.runtime.graph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.io.TensorProtos;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.OperatorSetIdProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConstantInputsTest {
    /** A graph with one "Probe" node reading x (an input), w (an initializer) and d (a default). */
    private static ModelProto model() {
        GraphProto g = GraphProto.newBuilder().setName("probe")
                .addInput(ValueInfoProto.newBuilder().setName("x"))
                .addInput(ValueInfoProto.newBuilder().setName("d"))
                .addOutput(ValueInfoProto.newBuilder().setName("y"))
                .addInitializer(TensorProtos.toProto(Tensor.of(new float[] {2}, 1), "w"))
                .addInitializer(TensorProtos.toProto(Tensor.of(new float[] {3}, 1), "d"))
                .addNode(NodeProto.newBuilder().setOpType("Probe").addInput("x").addInput("w")
                        .addInput("d").addInput("").addOutput("y"))
                .build();
        return ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).build();
    }

    @Test
    void initializersAreConstantInputs() {
        List<NodeContext> seen = new ArrayList<>();
        OpRegistry registry = OpRegistry.builder().add("", "Probe", 1, node -> {
            seen.add(node);
            return (inputs, ctx) -> new Value[] {inputs[0]};
        }).build();
        SessionOptions options = SessionOptions.builder().registry(registry)
                .optimizationLevel(SessionOptions.OptimizationLevel.NONE).build();
        try (Session s = Session.open(model().toByteArray(), options)) {
            assertThat(seen).hasSize(1);
        }
        NodeContext node = seen.get(0);
        assertThat(node.constantInput(0)).isNull();
        assertThat(node.constantInput(1)).isNotNull();
        assertThat(node.constantInput(1).floats()).containsExactly(2f);
        assertThat(node.constantInput(2)).isNull();
        assertThat(node.constantInput(3)).isNull();
        assertThat(node.constantInput(7)).isNull();
    }
}
