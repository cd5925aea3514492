package dev.jonnx.runtime.optimizer;

import static dev.jonnx.runtime.optimizer.Graphs.assertSameOutputs;
import static dev.jonnx.runtime.optimizer.Graphs.assumeKernels;
import static dev.jonnx.runtime.optimizer.Graphs.attr;
import static dev.jonnx.runtime.optimizer.Graphs.ints;
import static dev.jonnx.runtime.optimizer.Graphs.ops;
import static dev.jonnx.runtime.optimizer.Graphs.ramp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.TensorProto;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.runtime.SessionOptions.OptimizationLevel;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BasicRewritesTest {
    private static final OptimizationLevel BASIC = OptimizationLevel.BASIC;

    private static ModelProto optimize(ModelProto model) {
        return GraphOptimizer.optimize(model, BASIC);
    }

    private static List<String> initializerNames(ModelProto model) {
        return model.getGraph().getInitializerList().stream().map(TensorProto::getName).toList();
    }

    @Test
    void levelNoneReturnsModelUnchanged() {
        ModelProto model = Graphs.opset(17).input("x", DataType.FLOAT, 2)
                .node("Identity", List.of("x"), List.of("t")).node("Identity", List.of("t"), List.of("y"))
                .output("y").build();
        assertThat(GraphOptimizer.optimize(model, OptimizationLevel.NONE)).isSameAs(model);
    }

    @Test
    void constantFoldingReplacesNodeOfInitializers() {
        assumeKernels("Add", "Mul");
        ModelProto model = Graphs.opset(17).input("x", DataType.FLOAT, 2)
                .constant("a", Tensor.of(new float[] {1, 2}, 2)).constant("b", Tensor.of(new float[] {3, 4}, 2))
                .node("Add", List.of("a", "b"), List.of("s")).node("Mul", List.of("x", "s"), List.of("y"))
                .output("y").build();
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("Mul");
        assertThat(initializerNames(optimized)).containsExactly("s");
        assertSameOutputs(model, optimized, Map.of("x", Tensor.of(new float[] {5, -1}, 2)));
    }

    @Test
    void constantNodeBecomesInitializer() {
        assumeKernels("Constant", "Add");
        ModelProto model = Graphs.opset(17).input("x", DataType.FLOAT, 2)
                .node("Constant", List.of(), List.of("c"), Graphs.tensorAttr("value", Tensor.of(new float[] {1, 2}, 2)))
                .node("Add", List.of("x", "c"), List.of("y")).output("y").build();
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("Add");
        assertThat(initializerNames(optimized)).containsExactly("c");
        assertSameOutputs(model, optimized, Map.of("x", Tensor.of(new float[] {5, -1}, 2)));
    }

    @Test
    void constantFoldingSkipsRandomOps() {
        assumeKernels("RandomUniform", "Add");
        ModelProto model = Graphs.opset(17).input("x", DataType.FLOAT, 2)
                .node("RandomUniform", List.of(), List.of("r"), ints("shape", 2))
                .node("Add", List.of("x", "r"), List.of("y")).output("y").build();
        assertThat(ops(optimize(model))).containsExactly("RandomUniform", "Add");
    }

    @Test
    void constantFoldingSkipsInitializerThatIsAnInput() {
        assumeKernels("Add", "Mul");
        // "a" is also a graph input, so a caller may feed another value: it is not a constant.
        ModelProto model = Graphs.opset(17).input("x", DataType.FLOAT, 2).input("a", DataType.FLOAT, 2)
                .constant("a", Tensor.of(new float[] {1, 2}, 2)).constant("b", Tensor.of(new float[] {3, 4}, 2))
                .node("Add", List.of("a", "b"), List.of("s")).node("Mul", List.of("x", "s"), List.of("y"))
                .output("y").build();
        assertThat(ops(optimize(model))).containsExactly("Add", "Mul");
    }

    @Test
    void constantFoldingKeepsLargeResults() {
        assumeKernels("ConstantOfShape", "Add");
        ModelProto small = expandModel(4);
        ModelProto large = expandModel(1024);
        assertThat(ops(optimize(small))).containsExactly("Add");
        // 1024 x 1024 floats are 4 MiB grown from a 16-byte shape: above the limit.
        assertThat(ops(optimize(large))).containsExactly("ConstantOfShape", "Add");
    }

    private static ModelProto expandModel(long side) {
        return Graphs.opset(17).input("x", DataType.FLOAT, side, side)
                .constant("shape", Tensor.of(new long[] {side, side}, 2))
                .node("ConstantOfShape", List.of("shape"), List.of("c"),
                        Graphs.tensorAttr("value", Tensor.of(new float[] {1}, 1)))
                .node("Add", List.of("x", "c"), List.of("y")).output("y").build();
    }

    /** Builds x (int64 indices) -> Gather on a constant table -> DequantizeLinear -> y. */
    private static ModelProto gatherDequantizeModel(DataType type, int rows, int columns, Tensor scale) {
        byte[] table = new byte[rows * columns];
        new java.util.Random(rows).nextBytes(table);
        return Graphs.opset(19).input("x", DataType.INT64, 2, 3)
                .constant("table", Tensor.of(type, new int[] {rows, columns}, table))
                .constant("scale", scale)
                .constant("zero", Tensor.of(type, new int[0], new byte[] {3}))
                .node("Gather", List.of("table", "x"), List.of("rows"))
                .node("DequantizeLinear", List.of("rows", "scale", "zero"), List.of("y"), attr("axis", 1))
                .output("y").build();
    }

    private static void assertSameBits(ModelProto model, ModelProto optimized, Tensor indices) {
        Tensor expected = Graphs.run(model, OptimizationLevel.NONE, Map.of("x", indices)).tensor("y");
        Tensor actual = Graphs.run(optimized, OptimizationLevel.NONE, Map.of("x", indices)).tensor("y");
        assertThat(actual.shape()).isEqualTo(expected.shape());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(Float.floatToIntBits(actual.floats()[i])).as("y[%d]", i)
                    .isEqualTo(Float.floatToIntBits(expected.floats()[i]));
        }
    }

    @Test
    void smallTableDequantizedBeforeGather() {
        assumeKernels("Gather", "DequantizeLinear");
        Tensor indices = Tensor.of(new long[] {0, 9, -1, 4, 4, 2}, 2, 3);
        for (DataType type : new DataType[] {DataType.INT8, DataType.UINT8}) {
            ModelProto model = gatherDequantizeModel(type, 10, 7, Tensor.of(new float[] {0.037f}));
            ModelProto optimized = optimize(model);
            assertThat(ops(optimized)).as("%s table", type).containsExactly("Gather");
            assertThat(initializerNames(optimized)).as("%s table", type).singleElement().asString()
                    .startsWith("table_dequantized");
            assertSameBits(model, optimized, indices);
        }
    }

    @Test
    void largeTableStaysQuantized() {
        assumeKernels("Gather", "DequantizeLinear");
        // 600 x 600 floats are 1.4 MiB, above the folding limit of 1 MiB and the table's 352 KiB.
        ModelProto model = gatherDequantizeModel(DataType.INT8, 600, 600, Tensor.of(new float[] {0.5f}));
        assertThat(ops(optimize(model))).containsExactly("Gather", "DequantizeLinear");
    }

    @Test
    void perColumnScaleStaysAfterGather() {
        assumeKernels("Gather", "DequantizeLinear");
        ModelProto model = Graphs.opset(19).input("x", DataType.INT64, 2, 3)
                .constant("table", Tensor.of(DataType.INT8, new int[] {4, 2}, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
                .constant("scale", Tensor.of(new float[] {0.5f, 0.25f}, 2))
                .node("Gather", List.of("table", "x"), List.of("rows"))
                .node("DequantizeLinear", List.of("rows", "scale"), List.of("y"), attr("axis", 2))
                .output("y").build();
        assertThat(ops(optimize(model))).containsExactly("Gather", "DequantizeLinear");
    }

    @Test
    void shapeOfStaticInputFolds() {
        assumeKernels("Shape", "Reshape", "Relu");
        ModelProto model = Graphs.opset(17).input("x", DataType.FLOAT, 2, 3)
                .node("Relu", List.of("x"), List.of("r")).node("Shape", List.of("r"), List.of("s"))
                .node("Reshape", List.of("x", "s"), List.of("y")).output("y").build();
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).doesNotContain("Shape");
        assertSameOutputs(model, optimized, Map.of("x", ramp(2, 3)));
    }

    @Test
    void shapeOfDynamicInputStays() {
        assumeKernels("Shape", "Reshape");
        ModelProto model = Graphs.opset(17).dynamicInput("x", DataType.FLOAT, 2)
                .node("Shape", List.of("x"), List.of("s")).node("Reshape", List.of("x", "s"), List.of("y"))
                .output("y").build();
        assertThat(ops(optimize(model))).containsExactly("Shape", "Reshape");
    }

    @Test
    void shapeWithStartAndSizeFold() {
        assumeKernels("Shape", "Size", "Concat");
        ModelProto model = Graphs.opset(17).input("x", DataType.FLOAT, 2, 3, 4)
                .node("Shape", List.of("x"), List.of("s"), attr("start", 1L), attr("end", -1L))
                .node("Size", List.of("x"), List.of("n"))
                .node("Unsqueeze", List.of("n", "zero"), List.of("n1"))
                .constant("zero", Tensor.of(new long[] {0}, 1))
                .node("Concat", List.of("s", "n1"), List.of("y"), attr("axis", 0L)).output("y").build();
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).isEmpty();
        assertThat(initializerNames(optimized)).containsExactly("y");
        try (Session s = Session.open(optimized.toByteArray(), SessionOptions.defaults())) {
            assertThat(s.run(Map.of("x", ramp(2, 3, 4))).tensor("y").longs()).containsExactly(3, 24);
        }
    }

    @Test
    void deadNodesAreRemoved() {
        assumeKernels("Relu", "Neg");
        ModelProto model = Graphs.opset(17).input("x", DataType.FLOAT, 2)
                .node("Neg", List.of("x"), List.of("unused")).node("Relu", List.of("unused"), List.of("unused2"))
                .node("Relu", List.of("x"), List.of("y")).output("y").build();
        assertThat(ops(optimize(model))).containsExactly("Relu");
    }

    @Test
    void identityBetweenNodesIsRemoved() {
        assumeKernels("Relu", "Neg");
        ModelProto model = Graphs.opset(17).input("x", DataType.FLOAT, 2)
                .node("Relu", List.of("x"), List.of("a")).node("Identity", List.of("a"), List.of("b"))
                .node("Neg", List.of("b"), List.of("y")).output("y").build();
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("Relu", "Neg");
        assertSameOutputs(model, optimized, Map.of("x", ramp(2)));
    }

    @Test
    void identityToOutputRenamesProducer() {
        assumeKernels("Relu");
        ModelProto model = Graphs.opset(17).input("x", DataType.FLOAT, 2)
                .node("Relu", List.of("x"), List.of("a")).node("Identity", List.of("a"), List.of("y"))
                .output("y").build();
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("Relu");
        assertThat(optimized.getGraph().getNode(0).getOutput(0)).isEqualTo("y");
        assertSameOutputs(model, optimized, Map.of("x", ramp(2)));
    }

    @Test
    void identityFromInputToOutputStays() {
        ModelProto model = Graphs.opset(17).input("x", DataType.FLOAT, 2)
                .node("Identity", List.of("x"), List.of("y")).output("y").build();
        assertThat(ops(optimize(model))).containsExactly("Identity");
    }

    @Test
    void dropoutWithoutMaskIsRemoved() {
        assumeKernels("Dropout", "Relu");
        ModelProto model = Graphs.opset(13).input("x", DataType.FLOAT, 4)
                .node("Relu", List.of("x"), List.of("r"))
                .node("Dropout", List.of("r"), List.of("y", "mask_unused"))
                .output("y").build();
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("Relu");
        assertSameOutputs(model, optimized, Map.of("x", ramp(4)));
    }

    @Test
    void dropoutWithUsedMaskStays() {
        ModelProto model = Graphs.opset(13).input("x", DataType.FLOAT, 4)
                .node("Dropout", List.of("x"), List.of("y", "mask")).output("y").output("mask").build();
        assertThat(ops(optimize(model))).containsExactly("Dropout");
    }

    @Test
    void dropoutInTrainingModeStays() {
        ModelProto model = Graphs.opset(13).input("x", DataType.FLOAT, 4).input("training", DataType.BOOL)
                .node("Dropout", List.of("x", "", "training"), List.of("y")).output("y").build();
        assertThat(ops(optimize(model))).containsExactly("Dropout");
    }

    @Test
    void castToSameTypeIsRemoved() {
        assumeKernels("Cast", "Relu");
        ModelProto same = Graphs.opset(17).input("x", DataType.FLOAT, 2)
                .node("Cast", List.of("x"), List.of("c"), attr("to", (long) DataType.FLOAT.code()))
                .node("Relu", List.of("c"), List.of("y")).output("y").build();
        ModelProto other = Graphs.opset(17).input("x", DataType.FLOAT, 2)
                .node("Cast", List.of("x"), List.of("c"), attr("to", (long) DataType.DOUBLE.code()))
                .node("Relu", List.of("c"), List.of("y")).output("y").build();
        assertThat(ops(optimize(same))).containsExactly("Relu");
        assertThat(ops(optimize(other))).containsExactly("Cast", "Relu");
        assertSameOutputs(same, optimize(same), Map.of("x", ramp(2)));
    }

    @Test
    void reshapeChainBecomesOneReshape() {
        assumeKernels("Reshape", "Relu");
        ModelProto model = reshapeChain(new long[] {3, -1});
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("Relu", "Reshape");
        assertSameOutputs(model, optimized, Map.of("x", ramp(2, 3)));
    }

    @Test
    void reshapeChainWithCopiedDimensionStays() {
        assumeKernels("Reshape", "Relu");
        // A 0 in the second target copies a dimension of the middle tensor, so it cannot be skipped.
        ModelProto model = reshapeChain(new long[] {0, -1});
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("Relu", "Reshape", "Reshape");
        assertSameOutputs(model, optimized, Map.of("x", ramp(2, 3)));
    }

    private static ModelProto reshapeChain(long[] second) {
        return Graphs.opset(17).dynamicInput("x", DataType.FLOAT, 2)
                .constant("s1", Tensor.of(new long[] {1, 6, 1}, 3)).constant("s2", Tensor.of(second, second.length))
                .node("Relu", List.of("x"), List.of("r"))
                .node("Reshape", List.of("r", "s1"), List.of("a")).node("Reshape", List.of("a", "s2"), List.of("y"))
                .output("y").build();
    }

    @Test
    void reshapeToOwnShapeIsRemoved() {
        assumeKernels("Reshape", "Relu");
        ModelProto model = Graphs.opset(17).input("x", DataType.FLOAT, 2, 3)
                .constant("s", Tensor.of(new long[] {2, -1}, 2)).node("Relu", List.of("x"), List.of("r"))
                .node("Reshape", List.of("r", "s"), List.of("y")).output("y").build();
        assertThat(ops(optimize(model))).containsExactly("Relu");
    }

    @Test
    void unsqueezeChainsMerge() {
        assumeKernels("Unsqueeze", "Relu");
        ModelProto model = Graphs.opset(13).dynamicInput("x", DataType.FLOAT, 2)
                .constant("a1", Tensor.of(new long[] {1}, 1)).constant("a2", Tensor.of(new long[] {0, 3}, 2))
                .node("Relu", List.of("x"), List.of("r"))
                .node("Unsqueeze", List.of("r", "a1"), List.of("u")).node("Unsqueeze", List.of("u", "a2"), List.of("y"))
                .output("y").build();
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("Relu", "Unsqueeze");
        Map<String, Tensor> feeds = Map.of("x", ramp(2, 3));
        assertSameOutputs(model, optimized, feeds);
        assertThat(Graphs.run(optimized, OptimizationLevel.NONE, feeds).tensor("y").shape())
                .containsExactly(1, 2, 1, 1, 3);
    }

    @Test
    void unsqueezeChainsWithAttributesMerge() {
        assumeKernels("Unsqueeze", "Relu");
        ModelProto model = Graphs.opset(11).input("x", DataType.FLOAT, 2, 3)
                .node("Relu", List.of("x"), List.of("r"))
                .node("Unsqueeze", List.of("r"), List.of("u"), ints("axes", -1))
                .node("Unsqueeze", List.of("u"), List.of("y"), ints("axes", 1)).output("y").build();
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("Relu", "Unsqueeze");
        assertSameOutputs(model, optimized, Map.of("x", ramp(2, 3)));
    }

    @Test
    void subgraphReadsCountAsUses() {
        assumeKernels("If", "Relu");
        var thenBranch = dev.jonnx.onnx.GraphProto.newBuilder().setName("then")
                .addNode(dev.jonnx.onnx.NodeProto.newBuilder().setOpType("Identity").addInput("r").addOutput("t"))
                .addOutput(dev.jonnx.onnx.ValueInfoProto.newBuilder().setName("t")).build();
        var elseBranch = thenBranch.toBuilder().setName("else").build();
        ModelProto model = Graphs.opset(17).input("x", DataType.FLOAT, 2).input("c", DataType.BOOL)
                .node("Relu", List.of("x"), List.of("r"))
                .node("If", List.of("c"), List.of("y"),
                        dev.jonnx.onnx.AttributeProto.newBuilder().setName("then_branch")
                                .setType(dev.jonnx.onnx.AttributeProto.AttributeType.GRAPH).setG(thenBranch).build(),
                        dev.jonnx.onnx.AttributeProto.newBuilder().setName("else_branch")
                                .setType(dev.jonnx.onnx.AttributeProto.AttributeType.GRAPH).setG(elseBranch).build())
                .output("y").build();
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("Relu", "If");
        assertSameOutputs(model, optimized, Map.of("x", ramp(2), "c", Tensor.scalar(true)));
    }

    @Test
    void subgraphBodiesAreOptimized() {
        assumeKernels("If", "Add", "Mul");
        var thenBranch = dev.jonnx.onnx.GraphProto.newBuilder().setName("then")
                .addInitializer(dev.jonnx.io.TensorProtos.toProto(Tensor.of(new float[] {1, 2}, 2), "a"))
                .addInitializer(dev.jonnx.io.TensorProtos.toProto(Tensor.of(new float[] {3, 4}, 2), "b"))
                .addNode(dev.jonnx.onnx.NodeProto.newBuilder().setOpType("Add").addInput("a").addInput("b").addOutput("s"))
                .addNode(dev.jonnx.onnx.NodeProto.newBuilder().setOpType("Mul").addInput("x").addInput("s").addOutput("t"))
                .addOutput(dev.jonnx.onnx.ValueInfoProto.newBuilder().setName("t")).build();
        var elseBranch = dev.jonnx.onnx.GraphProto.newBuilder().setName("else")
                .addNode(dev.jonnx.onnx.NodeProto.newBuilder().setOpType("Identity").addInput("x").addOutput("e"))
                .addOutput(dev.jonnx.onnx.ValueInfoProto.newBuilder().setName("e")).build();
        ModelProto model = Graphs.opset(17).input("x", DataType.FLOAT, 2).input("c", DataType.BOOL)
                .node("If", List.of("c"), List.of("y"),
                        dev.jonnx.onnx.AttributeProto.newBuilder().setName("then_branch")
                                .setType(dev.jonnx.onnx.AttributeProto.AttributeType.GRAPH).setG(thenBranch).build(),
                        dev.jonnx.onnx.AttributeProto.newBuilder().setName("else_branch")
                                .setType(dev.jonnx.onnx.AttributeProto.AttributeType.GRAPH).setG(elseBranch).build())
                .output("y").build();
        ModelProto optimized = optimize(model);
        var optimizedThen = optimized.getGraph().getNode(0).getAttribute(0).getG();
        assertThat(optimizedThen.getNodeList()).extracting(n -> n.getOpType()).containsExactly("Mul");
        assertThat(optimizedThen.getInitializerList()).extracting(TensorProto::getName).containsExactly("s");
        assertSameOutputs(model, optimized, Map.of("x", ramp(2), "c", Tensor.scalar(true)));
        assertSameOutputs(model, optimized, Map.of("x", ramp(2), "c", Tensor.scalar(false)));
    }

    /** If(c) with then = Mul(x, Add(a, b)) where b is the branch's own initializer, else = Identity(x). */
    private static ModelProto ifReadingOuterValue(boolean aIsInput) {
        var thenBranch = dev.jonnx.onnx.GraphProto.newBuilder().setName("then")
                .addInitializer(dev.jonnx.io.TensorProtos.toProto(Tensor.of(new float[] {3, 4}, 2), "b"))
                .addNode(dev.jonnx.onnx.NodeProto.newBuilder().setOpType("Add").addInput("a").addInput("b").addOutput("s"))
                .addNode(dev.jonnx.onnx.NodeProto.newBuilder().setOpType("Mul").addInput("x").addInput("s").addOutput("t"))
                .addOutput(dev.jonnx.onnx.ValueInfoProto.newBuilder().setName("t")).build();
        var elseBranch = dev.jonnx.onnx.GraphProto.newBuilder().setName("else")
                .addNode(dev.jonnx.onnx.NodeProto.newBuilder().setOpType("Identity").addInput("x").addOutput("e"))
                .addOutput(dev.jonnx.onnx.ValueInfoProto.newBuilder().setName("e")).build();
        var builder = Graphs.opset(17).input("x", DataType.FLOAT, 2).input("c", DataType.BOOL);
        if (aIsInput) {
            builder.input("a", DataType.FLOAT, 2);
        }
        return builder.constant("a", Tensor.of(new float[] {1, 2}, 2))
                .node("If", List.of("c"), List.of("y"),
                        dev.jonnx.onnx.AttributeProto.newBuilder().setName("then_branch")
                                .setType(dev.jonnx.onnx.AttributeProto.AttributeType.GRAPH).setG(thenBranch).build(),
                        dev.jonnx.onnx.AttributeProto.newBuilder().setName("else_branch")
                                .setType(dev.jonnx.onnx.AttributeProto.AttributeType.GRAPH).setG(elseBranch).build())
                .output("y").build();
    }

    @Test
    void subgraphFoldsOuterConstants() {
        assumeKernels("If", "Add", "Mul");
        ModelProto model = ifReadingOuterValue(false);
        ModelProto optimized = optimize(model);
        var optimizedThen = optimized.getGraph().getNode(0).getAttribute(0).getG();
        assertThat(optimizedThen.getNodeList()).extracting(n -> n.getOpType()).containsExactly("Mul");
        assertThat(optimizedThen.getInitializerList()).extracting(TensorProto::getName).containsExactly("s");
        // Only the branch read "a", and it now reads the folded "s" instead.
        assertThat(initializerNames(optimized)).isEmpty();
        assertSameOutputs(model, optimized, Map.of("x", ramp(2), "c", Tensor.scalar(true)));
        assertSameOutputs(model, optimized, Map.of("x", ramp(2), "c", Tensor.scalar(false)));
    }

    @Test
    void subgraphKeepsOuterInitializerThatIsInput() {
        assumeKernels("If", "Add", "Mul");
        ModelProto model = ifReadingOuterValue(true);
        ModelProto optimized = optimize(model);
        var optimizedThen = optimized.getGraph().getNode(0).getAttribute(0).getG();
        assertThat(optimizedThen.getNodeList()).extracting(n -> n.getOpType()).containsExactly("Add", "Mul");
        assertThat(initializerNames(optimized)).containsExactly("a");
        assertSameOutputs(model, optimized, Map.of("x", ramp(2), "c", Tensor.scalar(true),
                "a", Tensor.of(new float[] {-1, 5}, 2)));
    }

    /** Reshape(x, Concat(Unsqueeze(Gather(Shape(x), first)), Unsqueeze(Gather(Shape(x), second)), [2, 3])). */
    private static ModelProto runtimeReshapeTarget(long first, long second) {
        return Graphs.opset(13).dynamicInput("x", DataType.FLOAT, 3)
                .constant("i0", Tensor.scalar(first)).constant("i1", Tensor.scalar(second))
                .constant("zero", Tensor.of(new long[] {0}, 1)).constant("tail", Tensor.of(new long[] {2, 3}, 2))
                .node("Shape", List.of("x"), List.of("s"))
                .node("Gather", List.of("s", "i0"), List.of("g0")).node("Gather", List.of("s", "i1"), List.of("g1"))
                .node("Unsqueeze", List.of("g0", "zero"), List.of("u0")).node("Unsqueeze", List.of("g1", "zero"), List.of("u1"))
                .node("Concat", List.of("u0", "u1", "tail"), List.of("target"), attr("axis", 0L))
                .node("Reshape", List.of("x", "target"), List.of("y")).output("y").build();
    }

    @Test
    void runtimeReshapeTargetBecomesConstant() {
        assumeKernels("Shape", "Gather", "Unsqueeze", "Concat", "Reshape");
        ModelProto model = runtimeReshapeTarget(0, 1);
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("Reshape");
        assertSameOutputs(model, optimized, Map.of("x", ramp(2, 1, 6)));
        assertSameOutputs(model, optimized, Map.of("x", ramp(1, 3, 6)));
    }

    @Test
    void runtimeReshapeTargetWithMovedDimensionStays() {
        assumeKernels("Shape", "Gather", "Unsqueeze", "Concat", "Reshape");
        // Dimension 1 lands at position 0, which a 0 (copy dimension 0) cannot express.
        ModelProto model = runtimeReshapeTarget(1, 0);
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).contains("Shape", "Concat", "Reshape");
        assertSameOutputs(model, optimized, Map.of("x", ramp(2, 1, 6)));
    }
}
