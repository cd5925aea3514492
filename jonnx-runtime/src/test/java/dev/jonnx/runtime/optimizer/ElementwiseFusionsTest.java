package dev.jonnx.runtime.optimizer;

import static dev.jonnx.runtime.optimizer.Graphs.assertSameOutputs;
import static dev.jonnx.runtime.optimizer.Graphs.assumeKernels;
import static dev.jonnx.runtime.optimizer.Graphs.attr;
import static dev.jonnx.runtime.optimizer.Graphs.ints;
import static dev.jonnx.runtime.optimizer.Graphs.ops;
import static dev.jonnx.runtime.optimizer.Graphs.ramp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.runtime.SessionOptions.OptimizationLevel;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fusions that remove element-wise passes in front of Conv, after ConvTranspose and in gated residuals. */
class ElementwiseFusionsTest {

    private static ModelProto optimize(ModelProto model) {
        return GraphOptimizer.optimize(model, OptimizationLevel.ALL);
    }

    // ---- Scalar Mul and Add before a Conv ----

    /** Builds x * 1.5 + 0.25, read by a Conv with 4 input and 2 output channels. */
    private static ModelProto affineConv(int[] kernel, long group, boolean extraReader, AttributeProto... convAttrs) {
        int inPerGroup = (int) (4 / group);
        Graphs g = Graphs.opset(13).input("x", DataType.FLOAT, 1, 4, 5, 5)
                .constant("a", Tensor.of(new float[] {1.5f}, 1)).constant("s", Tensor.scalar(0.25f))
                .constant("w", ramp(2, inPerGroup, kernel[0], kernel[1]))
                .constant("b", Tensor.of(new float[] {0.5f, -1}, 2))
                .node("Mul", List.of("x", "a"), List.of("m")).node("Add", List.of("s", "m"), List.of("h"));
        AttributeProto[] attrs = java.util.Arrays.copyOf(convAttrs, convAttrs.length + 1);
        attrs[convAttrs.length] = attr("group", group);
        g.node("Conv", List.of("h", "w", "b"), List.of("y"), attrs).output("y");
        if (extraReader) {
            g.output("h");
        }
        return g.build();
    }

    @Test
    void scalarAffineFoldsIntoPointwiseConv() {
        assumeKernels("Conv", "Mul", "Add");
        ModelProto model = affineConv(new int[] {1, 1}, 1, false);
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("Conv");
        assertSameOutputs(model, optimized, Map.of("x", ramp(1, 4, 5, 5)));
    }

    @Test
    void scalarAffineFoldsIntoUnpaddedGroupedConv() {
        assumeKernels("Conv", "Mul", "Add");
        ModelProto model = affineConv(new int[] {3, 3}, 2, false, ints("strides", 2, 1));
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("Conv");
        assertSameOutputs(model, optimized, Map.of("x", ramp(1, 4, 5, 5)));
    }

    @Test
    void scalarAffineBeforePaddedConvKeepsShift() {
        assumeKernels("Conv", "Mul", "Add");
        // Padded positions read zeros instead of 0.25, so the shift stays in front as x + 0.25 / 1.5.
        ModelProto padded = affineConv(new int[] {3, 3}, 1, false, ints("pads", 1, 1, 1, 1));
        ModelProto same = affineConv(new int[] {3, 3}, 2, false, attr("auto_pad", "SAME_UPPER"));
        for (ModelProto model : List.of(padded, same)) {
            ModelProto optimized = optimize(model);
            assertThat(ops(optimized)).containsExactly("Add", "Conv");
            assertSameOutputs(model, optimized, Map.of("x", ramp(1, 4, 5, 5)));
        }
    }

    @Test
    void scalarAddBeforePaddedConvStays() {
        assumeKernels("Conv", "Add");
        ModelProto model = Graphs.opset(13).input("x", DataType.FLOAT, 1, 2, 3, 3)
                .constant("s", Tensor.scalar(-0.75f)).constant("w", ramp(3, 2, 3, 3))
                .node("Add", List.of("x", "s"), List.of("h"))
                .node("Conv", List.of("h", "w"), List.of("y"), ints("pads", 1, 1, 1, 1)).output("y").build();
        assertThat(ops(optimize(model))).containsExactly("Add", "Conv");
    }

    @Test
    void scalarAffineWithSecondReaderStays() {
        assumeKernels("Conv", "Mul", "Add");
        ModelProto model = affineConv(new int[] {1, 1}, 1, true);
        assertThat(ops(optimize(model))).containsExactly("Mul", "Add", "Conv");
    }

    @Test
    void scalarAddAloneFoldsIntoConvWithoutBias() {
        assumeKernels("Conv", "Add");
        ModelProto model = Graphs.opset(13).input("x", DataType.FLOAT, 1, 2, 3, 3)
                .constant("s", Tensor.scalar(-0.75f)).constant("w", ramp(3, 2, 2, 2))
                .node("Add", List.of("x", "s"), List.of("h")).node("Conv", List.of("h", "w"), List.of("y"))
                .output("y").build();
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("Conv");
        assertSameOutputs(model, optimized, Map.of("x", ramp(1, 2, 3, 3)));
    }

    // ---- Conv followed by a pointwise Conv ----

    /** Builds a Conv of 3 to {@code middle} channels (3x3, padded, stride 2), then a 1x1 Conv to 2 channels. */
    private static ModelProto convPair(int middle, boolean secondBias, AttributeProto... secondAttrs) {
        Graphs g = Graphs.opset(13).input("x", DataType.FLOAT, 1, 3, 6, 5)
                .constant("w1", ramp(middle, 3, 3, 3)).constant("b1", ramp(middle))
                .constant("w2", ramp(2, middle, 1, 1)).constant("b2", Tensor.of(new float[] {0.5f, -1}, 2))
                .node("Conv", List.of("x", "w1", "b1"), List.of("h"), ints("pads", 1, 1, 1, 1), ints("strides", 2, 2));
        return g.node("Conv", secondBias ? List.of("h", "w2", "b2") : List.of("h", "w2"), List.of("y"), secondAttrs)
                .output("y").build();
    }

    @Test
    void wideConvThenProjectionMerges() {
        assumeKernels("Conv");
        for (boolean secondBias : new boolean[] {true, false}) {
            ModelProto model = convPair(40, secondBias);
            ModelProto optimized = optimize(model);
            assertThat(ops(optimized)).as("second bias " + secondBias).containsExactly("Conv");
            assertSameOutputs(model, optimized, Map.of("x", ramp(1, 3, 6, 5)));
        }
    }

    @Test
    void narrowConvThenProjectionStays() {
        assumeKernels("Conv");
        // 2 x 27 merged multiply-adds per position are more than 1 x 27 + 2 x 1.
        assertThat(ops(optimize(convPair(1, true)))).containsExactly("Conv", "Conv");
    }

    @Test
    void projectionWithStrideStays() {
        assumeKernels("Conv");
        assertThat(ops(optimize(convPair(40, true, ints("strides", 2, 2))))).containsExactly("Conv", "Conv");
    }

    // ---- x + x * s ----

    /**
     * Builds x + x * s with s = Sigmoid(Conv(GlobalAveragePool(x))) as in squeeze-and-excitation,
     * or s = Sigmoid(x) with {@code fullGate}.
     */
    private static ModelProto selfGate(boolean fullGate, boolean gateFirst) {
        Graphs g = Graphs.opset(13).input("x", DataType.FLOAT, 1, 3, 4, 4).constant("w", ramp(3, 3, 1, 1));
        if (fullGate) {
            g.node("Sigmoid", List.of("x"), List.of("s"));
        } else {
            g.node("GlobalAveragePool", List.of("x"), List.of("p")).node("Conv", List.of("p", "w"), List.of("c"))
                    .node("Sigmoid", List.of("c"), List.of("s"));
        }
        g.node("Mul", gateFirst ? List.of("s", "x") : List.of("x", "s"), List.of("m"));
        return g.node("Add", gateFirst ? List.of("m", "x") : List.of("x", "m"), List.of("y")).output("y").build();
    }

    @Test
    void selfGateBecomesOneMul() {
        assumeKernels("GlobalAveragePool", "Conv", "Sigmoid", "Mul", "Add");
        for (boolean gateFirst : new boolean[] {false, true}) {
            ModelProto model = selfGate(false, gateFirst);
            ModelProto optimized = optimize(model);
            assertThat(ops(optimized)).as("gate first " + gateFirst)
                    .containsExactly("GlobalAveragePool", "dev.jonnx.FusedConv", "Add", "Mul");
            assertSameOutputs(model, optimized, Map.of("x", ramp(1, 3, 4, 4)));
        }
    }

    @Test
    void selfGateOfFullSizeStays() {
        assumeKernels("Sigmoid", "Mul", "Add");
        // Adding one to a gate as large as x would cost the pass that the rewrite saves.
        assertThat(ops(optimize(selfGate(true, false)))).containsExactly("Sigmoid", "Mul", "Add");
    }

    // ---- ConvTranspose + Add, ConvTranspose + BatchNormalization ----

    /** Starts a graph with t = ConvTranspose(x) of 4 to 4 channels in {@code group} groups, 2x2 kernel, stride 2. */
    private static Graphs convTranspose(long group) {
        return Graphs.opset(15).input("x", DataType.FLOAT, 1, 4, 3, 3)
                .constant("w", ramp(4, (int) (4 / group), 2, 2))
                .node("ConvTranspose", List.of("x", "w"), List.of("t"), ints("strides", 2, 2), attr("group", group));
    }

    @Test
    void convTransposeAddFoldsIntoBias() {
        assumeKernels("ConvTranspose", "Add");
        ModelProto model = convTranspose(1).constant("c", Tensor.of(new float[] {1, -2, 0.5f, 3}, 1, 4, 1, 1))
                .node("Add", List.of("c", "t"), List.of("y")).output("y").build();
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("ConvTranspose");
        assertSameOutputs(model, optimized, Map.of("x", ramp(1, 4, 3, 3)));
    }

    @Test
    void convTransposeAddOfSpatialConstantStays() {
        assumeKernels("ConvTranspose", "Add");
        ModelProto model = convTranspose(1).constant("c", ramp(6, 6))
                .node("Add", List.of("t", "c"), List.of("y")).output("y").build();
        assertThat(ops(optimize(model))).containsExactly("ConvTranspose", "Add");
    }

    @Test
    void convTransposeBatchNormFoldsIntoWeights() {
        assumeKernels("ConvTranspose", "Add", "BatchNormalization", "Relu");
        for (long group : new long[] {1, 2}) {
            ModelProto model = convTranspose(group).constant("c", Tensor.scalar(0.75f))
                    .constant("scale", Tensor.of(new float[] {1.5f, 0.5f, -2, 1}, 4))
                    .constant("bias", Tensor.of(new float[] {0.1f, 0.2f, 0.3f, -0.4f}, 4))
                    .constant("mean", Tensor.of(new float[] {0.2f, -0.4f, 1, 0}, 4))
                    .constant("var", Tensor.of(new float[] {0.5f, 2, 1, 4}, 4))
                    .node("Add", List.of("t", "c"), List.of("a"))
                    .node("BatchNormalization", List.of("a", "scale", "bias", "mean", "var"), List.of("n"),
                            attr("epsilon", 1e-3f))
                    .node("Relu", List.of("n"), List.of("y")).output("y").build();
            ModelProto optimized = optimize(model);
            assertThat(ops(optimized)).as("group " + group).containsExactly("ConvTranspose", "Relu");
            assertSameOutputs(model, optimized, Map.of("x", ramp(1, 4, 3, 3)));
        }
    }
}
