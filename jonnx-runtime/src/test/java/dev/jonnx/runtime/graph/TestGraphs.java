package dev.jonnx.runtime.graph;

import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.OperatorSetIdProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.List;
import java.util.function.Consumer;

/**
 * Test operators and graph builders shared by the executor tests. The operators take every
 * output array from {@code RunContext.newFloats}, so a wrongly recycled buffer shows up as a
 * wrong value.
 */
final class TestGraphs {
    private TestGraphs() {}

    /**
     * Starts a registry with AddC (x + attribute c), Sum (a + b) and Check (copies x, failing
     * when x[0] is negative). Every array these operators take from newFloats is passed to
     * {@code arrays}, and each AddC run passes its output name to {@code addCRuns} before it
     * computes.
     */
    static OpRegistry.Builder arithmetic(Consumer<float[]> arrays, Consumer<String> addCRuns) {
        return OpRegistry.builder()
                .add("", "AddC", 1, node -> {
                    float c = node.getFloat("c", 0f);
                    String name = node.proto().getOutput(0);
                    return (inputs, ctx) -> {
                        addCRuns.accept(name);
                        Tensor x = (Tensor) inputs[0];
                        float[] out = newFloats(ctx, x.size(), arrays);
                        float[] in = x.floats();
                        for (int i = 0; i < out.length; i++) {
                            out[i] = in[i] + c;
                        }
                        return new Value[] {Tensor.of(DataType.FLOAT, x.shape(), out)};
                    };
                })
                .add("", "Sum", 1, node -> (inputs, ctx) -> {
                    Tensor a = (Tensor) inputs[0];
                    Tensor b = (Tensor) inputs[1];
                    float[] out = newFloats(ctx, a.size(), arrays);
                    for (int i = 0; i < out.length; i++) {
                        out[i] = a.floats()[i] + b.floats()[i];
                    }
                    return new Value[] {Tensor.of(DataType.FLOAT, a.shape(), out)};
                })
                .add("", "Check", 1, node -> (inputs, ctx) -> {
                    Tensor x = (Tensor) inputs[0];
                    if (x.floats()[0] < 0) {
                        throw new IllegalArgumentException("input 'x' must start with a value >= 0,"
                                + " got " + x.floats()[0]);
                    }
                    return new Value[] {copy(x, ctx, arrays)};
                });
    }

    /** Takes an array from the run's arena and passes it to {@code arrays}. */
    static float[] newFloats(RunContext ctx, int size, Consumer<float[]> arrays) {
        float[] out = ctx.newFloats(size);
        arrays.accept(out);
        return out;
    }

    /** Copies x into an array from the run's arena, which is passed to {@code arrays}. */
    static Tensor copy(Tensor x, RunContext ctx, Consumer<float[]> arrays) {
        float[] out = newFloats(ctx, x.size(), arrays);
        System.arraycopy(x.floats(), 0, out, 0, out.length);
        return Tensor.of(DataType.FLOAT, x.shape(), out);
    }

    static NodeProto node(String op, List<String> inputs, String output,
            AttributeProto... attributes) {
        return NodeProto.newBuilder().setOpType(op).setName(output + "_node").addAllInput(inputs)
                .addOutput(output).addAllAttribute(List.of(attributes)).build();
    }

    static NodeProto addC(String input, float c, String output) {
        return node("AddC", List.of(input), output, AttributeProto.newBuilder().setName("c")
                .setType(AttributeProto.AttributeType.FLOAT).setF(c).build());
    }

    /** Builds a graph whose inputs and outputs are named but have no declared type. */
    static GraphProto graph(String name, List<NodeProto> nodes, List<String> inputs,
            List<String> outputs) {
        GraphProto.Builder g = GraphProto.newBuilder().setName(name).addAllNode(nodes);
        inputs.forEach(i -> g.addInput(ValueInfoProto.newBuilder().setName(i)));
        outputs.forEach(o -> g.addOutput(ValueInfoProto.newBuilder().setName(o)));
        return g.build();
    }

    /** Serializes a model of one graph that imports the default domain at opset 13. */
    static byte[] model(GraphProto graph) {
        return ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(graph).build().toByteArray();
    }
}
