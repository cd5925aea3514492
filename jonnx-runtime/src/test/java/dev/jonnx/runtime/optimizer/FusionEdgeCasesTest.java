package dev.jonnx.runtime.optimizer;

import static dev.jonnx.runtime.optimizer.Graphs.assumeKernels;
import static dev.jonnx.runtime.optimizer.Graphs.attr;
import static dev.jonnx.runtime.optimizer.Graphs.ints;
import static dev.jonnx.runtime.optimizer.Graphs.ops;
import static dev.jonnx.runtime.optimizer.Graphs.ramp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.Result;
import dev.jonnx.runtime.SessionOptions.OptimizationLevel;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rewrites of Conv, ConvTranspose and gated residuals at their edges, run at levels NONE and ALL. */
class FusionEdgeCasesTest {

    /** Runs the model at NONE and at ALL and compares every output within {@code tolerance}. */
    private static void assertLevelsAgree(ModelProto model, Map<String, Tensor> feeds, double tolerance) {
        Result expected = Graphs.run(model, OptimizationLevel.NONE, feeds);
        Result actual = Graphs.run(model, OptimizationLevel.ALL, feeds);
        assertThat(actual.names()).isEqualTo(expected.names());
        for (String name : expected.names()) {
            Tensor e = expected.tensor(name);
            Tensor a = actual.tensor(name);
            assertThat(a.shape()).as(name + " shape").isEqualTo(e.shape());
            double[] ev = e.toDoubleArray();
            double[] av = a.toDoubleArray();
            for (int i = 0; i < ev.length; i++) {
                assertThat(av[i]).as(name + "[" + i + "]")
                        .isCloseTo(ev[i], within(tolerance + tolerance * Math.abs(ev[i])));
            }
        }
    }

    private static void assertLevelsAgree(ModelProto model, Map<String, Tensor> feeds) {
        assertLevelsAgree(model, feeds, 1e-4);
    }

    private static List<String> optimizedOps(ModelProto model) {
        return ops(GraphOptimizer.optimize(model, OptimizationLevel.ALL));
    }

    // ---- Scalar Mul and Add before a Conv ----

    /** Builds Conv(x * a + s) with 4 input and 4 output channels and the given Conv attributes. */
    private static ModelProto affineConv(DataType type, double a, double s, int inPerGroup,
            AttributeProto... convAttrs) {
        Tensor scale = Tensor.fromDoubles(type, new int[] {1, 1, 1, 1}, new double[] {a});
        Tensor shift = Tensor.fromDoubles(type, new int[0], new double[] {s});
        Tensor w = Tensor.fromDoubles(type, new int[] {4, inPerGroup, 3, 3},
                ramp(4, inPerGroup, 3, 3).toDoubleArray());
        return Graphs.opset(13).input("x", type, 1, 4, 7, 6).constant("a", scale).constant("s", shift)
                .constant("w", w).node("Mul", List.of("x", "a"), List.of("m"))
                .node("Add", List.of("m", "s"), List.of("h"))
                .node("Conv", List.of("h", "w"), List.of("y"), convAttrs).output("y").build();
    }

    @Test
    void scalarAffineBeforeDilatedGroupedPaddedConv() {
        assumeKernels("Conv", "Mul", "Add");
        ModelProto model = affineConv(DataType.FLOAT, -1.25, 0.75, 2, attr("group", 2L),
                ints("dilations", 2, 1), ints("pads", 2, 1, 0, 2), ints("strides", 1, 2));
        assertThat(optimizedOps(model)).containsExactly("Add", "Conv");
        assertLevelsAgree(model, Map.of("x", ramp(1, 4, 7, 6)));
    }

    @Test
    void scalarAffineBeforeDilatedDepthwiseConv() {
        assumeKernels("Conv", "Mul", "Add");
        ModelProto model = affineConv(DataType.FLOAT, 0.5, -3, 1, attr("group", 4L), ints("dilations", 2, 2));
        assertThat(optimizedOps(model)).containsExactly("Conv");
        assertLevelsAgree(model, Map.of("x", ramp(1, 4, 7, 6)));
    }

    @Test
    void scalarAffineKeepsDoublePrecision() {
        assumeKernels("Conv", "Mul", "Add");
        // 0.1 and 1.1 have no exact float value, so folding them as floats is off by about 1e-8.
        ModelProto model = affineConv(DataType.DOUBLE, 1.1, 0.1, 4);
        Tensor x = Tensor.fromDoubles(DataType.DOUBLE, new int[] {1, 4, 7, 6}, ramp(1, 4, 7, 6).toDoubleArray());
        assertThat(optimizedOps(model)).containsExactly("Conv");
        assertLevelsAgree(model, Map.of("x", x), 1e-12);
    }

    @Test
    void scalarAffineOfHigherRankStays() {
        assumeKernels("Conv", "Mul", "Add");
        ModelProto model = Graphs.opset(13).input("x", DataType.FLOAT, 1, 2, 3, 3)
                .constant("a", Tensor.of(new float[] {2}, 1, 1, 1, 1, 1)).constant("w", ramp(2, 2, 1, 1))
                .node("Mul", List.of("x", "a"), List.of("h")).node("Conv", List.of("h", "w"), List.of("y"))
                .output("y").build();
        assertThat(optimizedOps(model)).containsExactly("Mul", "Conv");
    }

    // ---- Conv followed by Mul or Add of a constant ----

    @Test
    void convMulOfBatchVaryingConstantStays() {
        assumeKernels("Conv", "Mul");
        ModelProto model = Graphs.opset(13).input("x", DataType.FLOAT, 2, 2, 3, 3).constant("w", ramp(2, 2, 1, 1))
                .constant("c", Tensor.of(new float[] {2, 3}, 2, 1, 1, 1))
                .node("Conv", List.of("x", "w"), List.of("h")).node("Mul", List.of("c", "h"), List.of("y"))
                .output("y").build();
        assertThat(optimizedOps(model)).containsExactly("Conv", "Mul");
        assertLevelsAgree(model, Map.of("x", ramp(2, 2, 3, 3)));
    }

    @Test
    void conv1dAddOfLastAxisConstantStays() {
        assumeKernels("Conv", "Add");
        // The constant has as many values as channels, but along the last axis.
        ModelProto model = Graphs.opset(13).input("x", DataType.FLOAT, 1, 3, 3).constant("w", ramp(3, 3, 1))
                .constant("c", Tensor.of(new float[] {1, 2, 3}, 3))
                .node("Conv", List.of("x", "w"), List.of("h")).node("Add", List.of("h", "c"), List.of("y"))
                .output("y").build();
        assertThat(optimizedOps(model)).containsExactly("Conv", "Add");
        assertLevelsAgree(model, Map.of("x", ramp(1, 3, 3)));
    }

    @Test
    void convAddPerChannelFoldsInGroupedConv() {
        assumeKernels("Conv", "Add");
        ModelProto model = Graphs.opset(13).input("x", DataType.FLOAT, 1, 4, 5, 5).constant("w", ramp(4, 2, 3, 3))
                .constant("b", ramp(4)).constant("c", Tensor.of(new float[] {1, -2, 3, 0.5f}, 4, 1, 1))
                .node("Conv", List.of("x", "w", "b"), List.of("h"), attr("group", 2L), ints("pads", 1, 1, 1, 1))
                .node("Mul", List.of("h", "c"), List.of("y")).output("y").build();
        assertThat(optimizedOps(model)).containsExactly("Conv");
        assertLevelsAgree(model, Map.of("x", ramp(1, 4, 5, 5)));
    }

    // ---- Conv followed by a pointwise Conv ----

    private static Graphs wideConv(AttributeProto... firstAttrs) {
        return Graphs.opset(13).input("x", DataType.FLOAT, 1, 3, 8, 7)
                .constant("w1", ramp(32, 3, 3, 3)).constant("b1", ramp(32))
                .constant("w2", ramp(2, 32, 1, 1)).constant("b2", Tensor.of(new float[] {0.5f, -1}, 2))
                .node("Conv", List.of("x", "w1", "b1"), List.of("h"), firstAttrs)
                .node("Conv", List.of("h", "w2", "b2"), List.of("y")).output("y");
    }

    @Test
    void dilatedPaddedConvThenProjectionMerges() {
        assumeKernels("Conv");
        ModelProto model = wideConv(ints("dilations", 2, 1), attr("auto_pad", "SAME_UPPER"), ints("strides", 1, 2))
                .build();
        assertThat(optimizedOps(model)).containsExactly("Conv");
        assertLevelsAgree(model, Map.of("x", ramp(1, 3, 8, 7)));
    }

    @Test
    void convThenProjectionWithOutputIntermediateStays() {
        assumeKernels("Conv");
        ModelProto model = wideConv().output("h").build();
        assertThat(optimizedOps(model)).containsExactly("Conv", "Conv");
        assertLevelsAgree(model, Map.of("x", ramp(1, 3, 8, 7)));
    }

    @Test
    void convThenProjectionWithSecondReaderStays() {
        assumeKernels("Conv", "Relu");
        ModelProto model = wideConv().node("Relu", List.of("h"), List.of("r")).output("r").build();
        assertThat(optimizedOps(model)).contains("Conv").doesNotContain("dev.jonnx.FusedConv");
        assertLevelsAgree(model, Map.of("x", ramp(1, 3, 8, 7)));
    }

    // ---- Subgraphs ----

    private static AttributeProto branch(String name, String op, String input, String output) {
        GraphProto body = GraphProto.newBuilder().setName(name)
                .addNode(NodeProto.newBuilder().setOpType(op).addInput(input).addOutput(output))
                .addOutput(ValueInfoProto.newBuilder().setName(output)).build();
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.GRAPH).setG(body)
                .build();
    }

    @Test
    void convReadByIfBranchStays() {
        assumeKernels("Conv", "Mul", "If", "Relu", "Neg", "Add");
        // The Mul is the only node of the main graph that reads h, but the If branches read it too.
        ModelProto model = Graphs.opset(13).input("x", DataType.FLOAT, 1, 2, 3, 3).input("cond", DataType.BOOL)
                .constant("w", ramp(2, 2, 1, 1)).constant("k", Tensor.scalar(3f)).constant("s", Tensor.scalar(0.5f))
                .node("Add", List.of("x", "s"), List.of("xs"))
                .node("Conv", List.of("xs", "w"), List.of("h")).node("Mul", List.of("h", "k"), List.of("y"))
                .node("If", List.of("cond"), List.of("z"), branch("then_branch", "Relu", "h", "t"),
                        branch("else_branch", "Neg", "xs", "e"))
                .output("y").output("z").build();
        for (boolean cond : new boolean[] {true, false}) {
            assertLevelsAgree(model, Map.of("x", ramp(1, 2, 3, 3), "cond", Tensor.of(new boolean[] {cond}, new int[0])));
        }
    }

    // ---- x + x * s ----

    @Test
    void selfGateWithGateLargerThanInputStays() {
        assumeKernels("Mul", "Add");
        ModelProto model = Graphs.opset(13).input("x", DataType.FLOAT, 1, 3, 1, 1).input("s", DataType.FLOAT, 1, 3, 4, 4)
                .node("Mul", List.of("x", "s"), List.of("m")).node("Add", List.of("x", "m"), List.of("y"))
                .output("y").build();
        assertThat(optimizedOps(model)).containsExactly("Mul", "Add");
        assertLevelsAgree(model, Map.of("x", ramp(1, 3, 1, 1), "s", ramp(1, 3, 4, 4)));
    }

    @Test
    void selfGateOfSymbolicGateKeepsShape() {
        assumeKernels("Mul", "Add");
        ModelProto model = Graphs.opset(13).input("x", DataType.FLOAT, 1, 3, 4, 4).dynamicInput("s", DataType.FLOAT, 4)
                .node("Mul", List.of("s", "x"), List.of("m")).node("Add", List.of("m", "x"), List.of("y"))
                .output("y").build();
        assertLevelsAgree(model, Map.of("x", ramp(1, 3, 4, 4), "s", ramp(2, 3, 1, 1)));
    }

    // ---- ConvTranspose + Add, ConvTranspose + BatchNormalization ----

    /** Builds ConvTranspose(x) of 4 to 6 channels in 2 groups with output_padding and pads, then {@code tail}. */
    private static Graphs paddedConvTranspose() {
        return Graphs.opset(15).input("x", DataType.FLOAT, 1, 4, 3, 4)
                .constant("w", ramp(4, 3, 3, 2)).constant("b", ramp(6))
                .node("ConvTranspose", List.of("x", "w", "b"), List.of("t"), ints("strides", 3, 2),
                        ints("output_padding", 2, 1), ints("pads", 1, 0, 0, 1), attr("group", 2L));
    }

    @Test
    void convTransposeWithOutputPaddingAddFolds() {
        assumeKernels("ConvTranspose", "Add");
        ModelProto model = paddedConvTranspose()
                .constant("c", Tensor.of(new float[] {1, -2, 0.5f, 3, 4, -5}, 6, 1, 1))
                .node("Add", List.of("t", "c"), List.of("y")).output("y").build();
        assertThat(optimizedOps(model)).containsExactly("ConvTranspose");
        assertLevelsAgree(model, Map.of("x", ramp(1, 4, 3, 4)));
    }

    @Test
    void convTransposeWithOutputPaddingBatchNormFolds() {
        assumeKernels("ConvTranspose", "BatchNormalization");
        ModelProto model = paddedConvTranspose()
                .constant("scale", Tensor.of(new float[] {1.5f, 0.5f, -2, 1, 3, -0.25f}, 6))
                .constant("bias", Tensor.of(new float[] {0.1f, 0.2f, 0.3f, -0.4f, 2, 1}, 6))
                .constant("mean", Tensor.of(new float[] {0.2f, -0.4f, 1, 0, 3, -3}, 6))
                .constant("var", Tensor.of(new float[] {0.5f, 2, 1, 4, 0.25f, 9}, 6))
                .node("BatchNormalization", List.of("t", "scale", "bias", "mean", "var"), List.of("y"))
                .output("y").build();
        assertThat(optimizedOps(model)).containsExactly("ConvTranspose");
        assertLevelsAgree(model, Map.of("x", ramp(1, 4, 3, 4)));
    }

    @Test
    void convBatchNormInTrainingModeStays() {
        assumeKernels("Conv", "BatchNormalization");
        ModelProto model = Graphs.opset(15).input("x", DataType.FLOAT, 2, 2, 3, 3).constant("w", ramp(2, 2, 1, 1))
                .constant("scale", Tensor.of(new float[] {1.5f, 0.5f}, 2))
                .constant("bias", Tensor.of(new float[] {0.1f, 0.2f}, 2))
                .constant("mean", Tensor.of(new float[] {0.2f, -0.4f}, 2))
                .constant("var", Tensor.of(new float[] {0.5f, 2}, 2))
                .node("Conv", List.of("x", "w"), List.of("h"))
                .node("BatchNormalization", List.of("h", "scale", "bias", "mean", "var"), List.of("y"),
                        attr("training_mode", 1L))
                .output("y").build();
        assertThat(optimizedOps(model)).containsExactly("Conv", "BatchNormalization");
        assertLevelsAgree(model, Map.of("x", ramp(2, 2, 3, 3)));
    }
}
