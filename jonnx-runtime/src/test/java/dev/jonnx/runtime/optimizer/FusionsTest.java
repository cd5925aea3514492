package dev.jonnx.runtime.optimizer;

import static dev.jonnx.runtime.optimizer.Graphs.assertSameOutputs;
import static dev.jonnx.runtime.optimizer.Graphs.assumeKernels;
import static dev.jonnx.runtime.optimizer.Graphs.attr;
import static dev.jonnx.runtime.optimizer.Graphs.ints;
import static dev.jonnx.runtime.optimizer.Graphs.ops;
import static dev.jonnx.runtime.optimizer.Graphs.ramp;
import static dev.jonnx.runtime.testing.TestTensors.uniformTensor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.OperatorSetIdProto;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.runtime.SessionOptions.OptimizationLevel;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FusionsTest {

    private static ModelProto optimize(ModelProto model) {
        return GraphOptimizer.optimize(model, OptimizationLevel.ALL);
    }

    // ---- MatMul + Add ----

    private static ModelProto matMulAdd(long[] xDims, Tensor bias, boolean extraReader) {
        Graphs g = Graphs.opset(17).input("x", DataType.FLOAT, xDims)
                .constant("w", ramp(3, 4)).constant("b", bias)
                .node("MatMul", List.of("x", "w"), List.of("m")).node("Add", List.of("m", "b"), List.of("y"))
                .output("y");
        if (extraReader) {
            g.node("Relu", List.of("m"), List.of("z")).output("z");
        }
        return g.build();
    }

    @Test
    void matMulAddBecomesGemm() {
        assumeKernels("MatMul", "Add", "Gemm");
        ModelProto model = matMulAdd(new long[] {2, 3}, ramp(4), false);
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("Gemm");
        assertSameOutputs(model, optimized, Map.of("x", ramp(2, 3)));
    }

    @Test
    void matMulAddWithThreeDimensionalInputBecomesFusedMatMul() {
        assumeKernels("MatMul", "Add");
        ModelProto model = matMulAdd(new long[] {2, 2, 3}, ramp(4), false);
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("dev.jonnx.FusedMatMul");
        assertSameOutputs(model, optimized, Map.of("x", ramp(2, 2, 3)));
    }

    @Test
    void matMulAddWithFedWeightsStays() {
        assumeKernels("MatMul", "Add");
        ModelProto model = Graphs.opset(17).input("x", DataType.FLOAT, 1, 2, 3).input("w", DataType.FLOAT, 3, 4)
                .constant("b", ramp(4))
                .node("MatMul", List.of("x", "w"), List.of("m")).node("Add", List.of("m", "b"), List.of("y"))
                .output("y").build();
        assertThat(ops(optimize(model))).containsExactly("MatMul", "Add");
    }

    @Test
    void residualAddJoinsFusedMatMul() {
        assumeKernels("MatMul", "Add");
        ModelProto model = Graphs.opset(13).input("x", DataType.FLOAT, 2, 2, 3).input("r", DataType.FLOAT, 2, 2, 4)
                .constant("w", ramp(3, 4)).constant("b", ramp(4))
                .node("MatMul", List.of("x", "w"), List.of("m")).node("Add", List.of("m", "b"), List.of("h"))
                .node("Add", List.of("r", "h"), List.of("y")).output("y").build();
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("dev.jonnx.FusedMatMul");
        assertThat(optimized.getGraph().getNode(0).getInputList()).containsExactly("x", "w", "b", "r");
        assertSameOutputs(model, optimized, Map.of("x", ramp(2, 2, 3), "r", ramp(2, 2, 4)));
    }

    @Test
    void geluAfterResidualStaysSeparate() {
        assumeKernels("MatMul", "Add", "Gelu");
        ModelProto model = Graphs.opset(20).input("x", DataType.FLOAT, 1, 2, 3).input("r", DataType.FLOAT, 1, 2, 4)
                .constant("w", ramp(3, 4)).constant("b", ramp(4))
                .node("MatMul", List.of("x", "w"), List.of("m")).node("Add", List.of("m", "b"), List.of("h"))
                .node("Add", List.of("h", "r"), List.of("s")).node("Gelu", List.of("s"), List.of("y"))
                .output("y").build();
        ModelProto optimized = optimize(model);
        // Gelu(product + R) is not Gelu(product) + R, so the Gelu must stay after the residual.
        assertThat(ops(optimized)).containsExactly("dev.jonnx.FusedMatMul", "Gelu");
        assertSameOutputs(model, optimized, Map.of("x", ramp(1, 2, 3), "r", ramp(1, 2, 4)));
    }

    @Test
    void matMulAddGeluBecomesOneFusedMatMul() {
        assumeKernels("MatMul", "Add", "Gelu");
        for (int opset : new int[] {13, 20}) {
            ModelProto model = Graphs.opset(opset).dynamicInput("x", DataType.FLOAT, 3)
                    .constant("w", ramp(3, 4)).constant("b", ramp(4))
                    .constant("c", Tensor.scalar(1.4142135f)).constant("one", Tensor.scalar(1f))
                    .constant("half", Tensor.scalar(0.5f))
                    .node("MatMul", List.of("x", "w"), List.of("m")).node("Add", List.of("b", "m"), List.of("h"))
                    .node("Div", List.of("h", "c"), List.of("d")).node("Erf", List.of("d"), List.of("e"))
                    .node("Add", List.of("e", "one"), List.of("a")).node("Mul", List.of("h", "a"), List.of("g"))
                    .node("Mul", List.of("g", "half"), List.of("y")).output("y").build();
            ModelProto optimized = optimize(model);
            assertThat(ops(optimized)).as("opset " + opset).containsExactly("dev.jonnx.FusedMatMul");
            assertSameOutputs(model, optimized, Map.of("x", ramp(2, 5, 3)));
        }
    }

    @Test
    void matMulAddWithTwoDimensionalBiasStays() {
        assumeKernels("MatMul", "Add");
        ModelProto model = matMulAdd(new long[] {2, 3}, ramp(2, 4), false);
        assertThat(ops(optimize(model))).containsExactly("MatMul", "Add");
    }

    @Test
    void matMulAddWithSharedProductStays() {
        assumeKernels("MatMul", "Add", "Relu");
        ModelProto model = matMulAdd(new long[] {2, 3}, ramp(4), true);
        assertThat(ops(optimize(model))).containsExactly("MatMul", "Add", "Relu");
    }

    // ---- Conv + BatchNormalization ----

    private static ModelProto convBatchNorm(boolean constantMean) {
        Graphs g = Graphs.opset(15).input("x", DataType.FLOAT, 1, 2, 4, 4)
                .constant("w", ramp(3, 2, 3, 3)).constant("cb", Tensor.of(new float[] {0.5f, -1, 2}, 3))
                .constant("scale", Tensor.of(new float[] {1.5f, 0.5f, -2}, 3))
                .constant("bias", Tensor.of(new float[] {0.1f, 0.2f, 0.3f}, 3))
                .constant("var", Tensor.of(new float[] {0.5f, 2, 1}, 3))
                .node("Conv", List.of("x", "w", "cb"), List.of("c"), ints("pads", 1, 1, 1, 1))
                .node("BatchNormalization", List.of("c", "scale", "bias", "mean", "var"), List.of("y"),
                        attr("epsilon", 1e-3f))
                .output("y");
        if (constantMean) {
            g.constant("mean", Tensor.of(new float[] {0.2f, -0.4f, 1}, 3));
        } else {
            g.input("mean", DataType.FLOAT, 3);
        }
        return g.build();
    }

    @Test
    void convBatchNormFoldsIntoWeights() {
        assumeKernels("Conv", "BatchNormalization");
        ModelProto model = convBatchNorm(true);
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("Conv");
        assertThat(optimized.getGraph().getInitializerCount()).isEqualTo(2);
        assertSameOutputs(model, optimized, Map.of("x", ramp(1, 2, 4, 4)));
    }

    @Test
    void convBatchNormWithFedMeanStays() {
        assumeKernels("Conv", "BatchNormalization");
        ModelProto model = convBatchNorm(false);
        assertThat(ops(optimize(model))).containsExactly("Conv", "BatchNormalization");
    }

    // ---- Conv + activation ----

    private static ModelProto convActivation(String op, boolean sharedConv, dev.jonnx.onnx.AttributeProto... attrs) {
        Graphs g = Graphs.opset(13).input("x", DataType.FLOAT, 1, 2, 4, 4)
                .constant("w", ramp(3, 2, 3, 3))
                .node("Conv", List.of("x", "w"), List.of("c"), ints("pads", 1, 1, 1, 1))
                .node(op, List.of("c"), List.of("y"), attrs).output("y");
        if (sharedConv) {
            g.output("c");
        }
        return g.build();
    }

    @Test
    void convActivationsBecomeFusedConv() {
        assumeKernels("Conv", "Relu", "LeakyRelu", "HardSigmoid", "Sigmoid", "Tanh");
        for (String op : List.of("Relu", "LeakyRelu", "HardSigmoid", "Sigmoid", "Tanh")) {
            ModelProto model = op.equals("LeakyRelu") ? convActivation(op, false, attr("alpha", 0.3f))
                    : convActivation(op, false);
            ModelProto optimized = optimize(model);
            assertThat(ops(optimized)).as(op).containsExactly("dev.jonnx.FusedConv");
            assertThat(optimized.getOpsetImportList()).as(op)
                    .contains(OperatorSetIdProto.newBuilder().setDomain("dev.jonnx").setVersion(1).build());
            assertSameOutputs(model, optimized, Map.of("x", ramp(1, 2, 4, 4)));
        }
    }

    @Test
    void convClipBecomesFusedConv() {
        assumeKernels("Conv", "Clip");
        ModelProto model = Graphs.opset(13).input("x", DataType.FLOAT, 1, 2, 4, 4)
                .constant("w", ramp(3, 2, 3, 3)).constant("lo", Tensor.scalar(0f)).constant("hi", Tensor.scalar(6f))
                .node("Conv", List.of("x", "w"), List.of("c"))
                .node("Clip", List.of("c", "lo", "hi"), List.of("y")).output("y").build();
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("dev.jonnx.FusedConv");
        assertSameOutputs(model, optimized, Map.of("x", ramp(1, 2, 4, 4)));
    }

    @Test
    void convWithSecondReaderIsNotFused() {
        assumeKernels("Conv", "Relu");
        assertThat(ops(optimize(convActivation("Relu", true)))).containsExactly("Conv", "Relu");
    }

    @Test
    void convWithUnsupportedActivationIsNotFused() {
        assumeKernels("Conv", "Softplus");
        assertThat(ops(optimize(convActivation("Softplus", false)))).containsExactly("Conv", "Softplus");
    }

    @Test
    void convBatchNormReluFoldsThenFuses() {
        assumeKernels("Conv", "BatchNormalization", "Relu");
        ModelProto base = convBatchNorm(true);
        ModelProto model = base.toBuilder().setGraph(base.getGraph().toBuilder()
                .setOutput(0, Graphs.info("r", DataType.FLOAT))
                .addNode(dev.jonnx.onnx.NodeProto.newBuilder().setOpType("Relu").addInput("y").addOutput("r")))
                .build();
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("dev.jonnx.FusedConv");
        assertSameOutputs(model, optimized, Map.of("x", ramp(1, 2, 4, 4)));
    }

    // ---- Conv + per-channel Mul and Add ----

    private static ModelProto convAffine(Tensor scale, Tensor shift) {
        return Graphs.opset(13).input("x", DataType.FLOAT, 1, 2, 4, 4)
                .constant("w", ramp(3, 2, 3, 3)).constant("cb", Tensor.of(new float[] {0.5f, -1, 2}, 3))
                .constant("scale", scale).constant("shift", shift)
                .node("Conv", List.of("x", "w", "cb"), List.of("c"), ints("pads", 1, 1, 1, 1))
                .node("Mul", List.of("scale", "c"), List.of("m")).node("Add", List.of("m", "shift"), List.of("y"))
                .output("y").build();
    }

    @Test
    void convMulAddFoldIntoWeights() {
        assumeKernels("Conv", "Mul", "Add");
        ModelProto model = convAffine(Tensor.of(new float[] {2, -1, 0.5f}, 3, 1, 1), Tensor.of(new float[] {3}, 1));
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("Conv");
        assertSameOutputs(model, optimized, Map.of("x", ramp(1, 2, 4, 4)));
    }

    @Test
    void convMulBySpatialConstantStays() {
        assumeKernels("Conv", "Mul", "Add");
        // The scale varies along the width axis, so it cannot move into the weights.
        ModelProto model = convAffine(ramp(1, 1, 1, 4), Tensor.of(new float[] {3}, 1));
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("Conv", "Mul", "Add");
        assertSameOutputs(model, optimized, Map.of("x", ramp(1, 2, 4, 4)));
    }

    /** x * Clip(x + 3, 0, 6) / 6 after a Conv, as PaddlePaddle exports hard swish. */
    private static ModelProto convHardSwish(int opset, float divisor) {
        return Graphs.opset(opset).input("x", DataType.FLOAT, 1, 2, 4, 4)
                .constant("w", ramp(3, 2, 3, 3)).constant("three", Tensor.scalar(3f))
                .constant("lo", Tensor.scalar(0f)).constant("hi", Tensor.scalar(6f))
                .constant("six", Tensor.scalar(divisor))
                .node("Conv", List.of("x", "w"), List.of("c"), ints("pads", 1, 1, 1, 1))
                .node("Add", List.of("c", "three"), List.of("a")).node("Clip", List.of("a", "lo", "hi"), List.of("k"))
                .node("Mul", List.of("c", "k"), List.of("m")).node("Div", List.of("m", "six"), List.of("y"))
                .output("y").build();
    }

    @Test
    void hardSwishPatternFusesIntoConv() {
        assumeKernels("Conv", "Add", "Clip", "Mul", "Div", "HardSwish");
        for (int opset : new int[] {11, 14}) {
            ModelProto model = convHardSwish(opset, 6f);
            ModelProto optimized = optimize(model);
            assertThat(ops(optimized)).as("opset " + opset).containsExactly("dev.jonnx.FusedConv");
            assertSameOutputs(model, optimized, Map.of("x", ramp(1, 2, 4, 4)));
        }
    }

    @Test
    void hardSwishWithWrongDivisorStays() {
        assumeKernels("Conv", "Add", "Clip", "Mul", "Div");
        ModelProto optimized = optimize(convHardSwish(14, 5f));
        assertThat(ops(optimized)).containsExactly("Conv", "Add", "Clip", "Mul", "Div");
    }

    // ---- GELU ----

    /** x * 0.5 * (1 + erf(x / c)), or with {@code halfFirst} (x * 0.5) * (1 + erf(x / c)). */
    private static ModelProto gelu(int opset, float divisor, boolean halfFirst) {
        Graphs g = Graphs.opset(opset).input("x", DataType.FLOAT, 2, 3)
                .constant("c", Tensor.scalar(divisor)).constant("one", Tensor.scalar(1f))
                .constant("half", Tensor.scalar(0.5f))
                .node("Div", List.of("x", "c"), List.of("d")).node("Erf", List.of("d"), List.of("e"))
                .node("Add", List.of("e", "one"), List.of("a"));
        if (halfFirst) {
            g.node("Mul", List.of("x", "half"), List.of("h")).node("Mul", List.of("h", "a"), List.of("y"));
        } else {
            g.node("Mul", List.of("x", "a"), List.of("m")).node("Mul", List.of("m", "half"), List.of("y"));
        }
        return g.output("y").build();
    }

    @Test
    void geluPatternBecomesGelu() {
        assumeKernels("Div", "Erf", "Add", "Mul", "Gelu");
        for (boolean halfFirst : new boolean[] {false, true}) {
            ModelProto model = gelu(20, 1.4142135f, halfFirst);
            ModelProto optimized = optimize(model);
            assertThat(ops(optimized)).as("halfFirst " + halfFirst).containsExactly("Gelu");
            assertSameOutputs(model, optimized, Map.of("x", ramp(2, 3)));
        }
    }

    @Test
    void geluBeforeOpset20UsesCustomDomain() {
        assumeKernels("Div", "Erf", "Add", "Mul", "Gelu");
        ModelProto model = gelu(13, 1.4142135f, false);
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("dev.jonnx.Gelu");
        assertSameOutputs(model, optimized, Map.of("x", ramp(2, 3)));
    }

    @Test
    void geluWithWrongConstantStays() {
        assumeKernels("Div", "Erf", "Add", "Mul");
        assertThat(ops(optimize(gelu(20, 1.5f, false)))).containsExactly("Div", "Erf", "Add", "Mul", "Mul");
    }

    @Test
    void geluWithRankRaisingConstantsStays() {
        assumeKernels("Div", "Erf", "Add", "Mul");
        // x is 0-D and the constants are [1], so the pattern's output is [1]; Gelu(x) would be 0-D.
        ModelProto model = Graphs.opset(20).input("x", DataType.FLOAT)
                .constant("c", Tensor.of(new float[] {1.4142135f}, 1)).constant("one", Tensor.of(new float[] {1}, 1))
                .constant("half", Tensor.of(new float[] {0.5f}, 1))
                .node("Div", List.of("x", "c"), List.of("d")).node("Erf", List.of("d"), List.of("e"))
                .node("Add", List.of("e", "one"), List.of("a")).node("Mul", List.of("x", "a"), List.of("m"))
                .node("Mul", List.of("m", "half"), List.of("y")).output("y").build();
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).doesNotContain("Gelu");
        assertSameOutputs(model, optimized, Map.of("x", Tensor.scalar(0.7f)));
    }

    // ---- Multi-head attention ----

    /**
     * BERT self-attention with 2 heads of size 4 on hidden size 8: projections, split heads,
     * scores scaled by {@code scaleOp} ("Div" by 2 or "Mul" by 0.5), mask, softmax, merge.
     */
    private static Graphs attention(int opset, String scaleOp, long[] keyPerm) {
        Graphs g = Graphs.opset(opset).dynamicInput("x", DataType.FLOAT, 3).dynamicInput("mask", DataType.FLOAT, 4, "mask")
                .constant("split", Tensor.of(new long[] {0, 0, 2, 4}, 4))
                .constant("merge", Tensor.of(new long[] {0, 0, 8}, 3))
                .constant("c", Tensor.scalar(scaleOp.equals("Div") ? 2f : 0.5f));
        for (String p : List.of("q", "k", "v")) {
            g.constant("w" + p, uniformTensor(new Random(p.charAt(0)), -1, 1, 8, 8))
                    .constant("b" + p, uniformTensor(new Random(p.charAt(0) + 1), -1, 1, 8))
                    .node("MatMul", List.of("x", "w" + p), List.of("m" + p))
                    .node("Add", List.of("m" + p, "b" + p), List.of(p))
                    .node("Reshape", List.of(p, "split"), List.of(p + "r"));
        }
        g.node("Transpose", List.of("qr"), List.of("qt"), ints("perm", 0, 2, 1, 3))
                .node("Transpose", List.of("kr"), List.of("kt"), ints("perm", keyPerm))
                .node("Transpose", List.of("vr"), List.of("vt"), ints("perm", 0, 2, 1, 3))
                .node("MatMul", List.of("qt", "kt"), List.of("s"))
                .node(scaleOp, List.of("s", "c"), List.of("sc"))
                .node("Add", List.of("sc", "mask"), List.of("sm"))
                .node("Softmax", List.of("sm"), List.of("p"), attr("axis", 3L))
                .node("MatMul", List.of("p", "vt"), List.of("o"))
                .node("Transpose", List.of("o"), List.of("ot"), ints("perm", 0, 2, 1, 3))
                .node("Reshape", List.of("ot", "merge"), List.of("y")).output("y");
        return g;
    }

    private static Map<String, Tensor> attentionFeeds(int batch, int length) {
        float[] mask = new float[batch * length];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = i % length >= length - 1 - i / length ? -10000f : 0f;
        }
        return Map.of("x", uniformTensor(new Random(7), -1, 1, batch, length, 8),
                "mask", Tensor.of(DataType.FLOAT, new int[] {batch, 1, 1, length}, mask));
    }

    @Test
    void attentionBecomesFusedAttention() {
        assumeKernels("MatMul", "Add", "Reshape", "Transpose", "Div", "Mul", "Softmax");
        for (String scaleOp : List.of("Div", "Mul")) {
            for (int opset : new int[] {11, 13}) {
                ModelProto model = attention(opset, scaleOp, new long[] {0, 2, 3, 1}).build();
                ModelProto optimized = optimize(model);
                assertThat(ops(optimized)).as(scaleOp + " opset " + opset).containsExactly("dev.jonnx.FusedMatMul",
                        "dev.jonnx.FusedMatMul", "dev.jonnx.FusedMatMul", "dev.jonnx.FusedAttention");
                assertSameOutputs(model, optimized, attentionFeeds(2, 5));
                assertSameOutputs(model, optimized, attentionFeeds(1, 3));
            }
        }
    }

    @Test
    void attentionOfOddLengthsWithEveryMaskShape() {
        assumeKernels("MatMul", "Add", "Reshape", "Transpose", "Div", "Softmax");
        ModelProto model = attention(13, "Div", new long[] {0, 2, 3, 1}).build();
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).contains("dev.jonnx.FusedAttention");
        for (int length : new int[] {1, 6, 17, 19, 35}) {
            int[][] maskShapes = {{2, 1, 1, length}, {1, 1, 1, length}, {2, 1, length, length}, {1, 2, length, length},
                    {2, 2, length, 1}, {1, 1, 1, 1}};
            for (int[] maskShape : maskShapes) {
                float[] mask = uniformTensor(new Random(length), -1, 1, maskShape).floats().clone();
                for (int i = 0; i < mask.length; i++) {
                    mask[i] = mask[i] < -0.5f ? -10000f : mask[i];
                }
                Map<String, Tensor> feeds = Map.of("x", uniformTensor(new Random(7), -1, 1, 2, length, 8),
                        "mask", Tensor.of(DataType.FLOAT, maskShape, mask));
                assertSameOutputs(model, optimized, feeds);
            }
        }
    }

    @Test
    void attentionWithOtherKeyLayoutStays() {
        assumeKernels("MatMul", "Add", "Reshape", "Transpose", "Div", "Softmax");
        // Keys as [B, H, S, D]: with S == D == 4 the graph still runs, but computes Q K, not Q K^T.
        ModelProto model = attention(13, "Div", new long[] {0, 2, 1, 3}).build();
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).doesNotContain("dev.jonnx.FusedAttention").contains("Softmax");
        assertSameOutputs(model, optimized, attentionFeeds(2, 4));
    }

    @Test
    void attentionWithScoresAsOutputStays() {
        assumeKernels("MatMul", "Add", "Reshape", "Transpose", "Div", "Softmax");
        ModelProto model = attention(13, "Div", new long[] {0, 2, 3, 1}).output("sm").build();
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).doesNotContain("dev.jonnx.FusedAttention").contains("Softmax");
        assertSameOutputs(model, optimized, attentionFeeds(2, 5));
    }

    // ---- Layer normalization ----

    private static ModelProto layerNorm(int opset, long axis, boolean withBias) {
        Graphs g = Graphs.opset(opset).input("x", DataType.FLOAT, 2, 3, 4)
                .constant("two", Tensor.scalar(2f)).constant("eps", Tensor.scalar(1e-5f))
                .constant("gamma", axis == 1 ? ramp(3, 1) : ramp(4)).constant("beta", Tensor.of(new float[] {1, 2, 3, 4}, 4));
        var axes = opset >= 18 ? null : ints("axes", axis);
        List<String> meanInputs = opset >= 18 ? List.of("x", "axes") : List.of("x");
        List<String> varInputs = opset >= 18 ? List.of("p", "axes") : List.of("p");
        if (opset >= 18) {
            g.constant("axes", Tensor.of(new long[] {axis}, 1));
        }
        g.node("ReduceMean", meanInputs, List.of("m"), axes == null ? new dev.jonnx.onnx.AttributeProto[0]
                        : new dev.jonnx.onnx.AttributeProto[] {axes})
                .node("Sub", List.of("x", "m"), List.of("d"))
                .node("Pow", List.of("d", "two"), List.of("p"))
                .node("ReduceMean", varInputs, List.of("v"), axes == null ? new dev.jonnx.onnx.AttributeProto[0]
                        : new dev.jonnx.onnx.AttributeProto[] {axes})
                .node("Add", List.of("v", "eps"), List.of("ve"))
                .node("Sqrt", List.of("ve"), List.of("s"))
                .node("Div", List.of("d", "s"), List.of("n"))
                .node("Mul", List.of("n", "gamma"), withBias ? List.of("g") : List.of("y"));
        if (withBias) {
            g.node("Add", List.of("g", "beta"), List.of("y"));
        }
        return g.output("y").build();
    }

    @Test
    void layerNormPatternBecomesLayerNormalization() {
        assumeKernels("ReduceMean", "Sub", "Pow", "Add", "Sqrt", "Div", "Mul", "LayerNormalization");
        for (int opset : new int[] {17, 18}) {
            ModelProto model = layerNorm(opset, -1, true);
            ModelProto optimized = optimize(model);
            assertThat(ops(optimized)).as("opset " + opset).containsExactly("LayerNormalization");
            assertSameOutputs(model, optimized, Map.of("x", ramp(2, 3, 4)));
        }
    }

    @Test
    void layerNormWithoutBiasFuses() {
        assumeKernels("ReduceMean", "Sub", "Pow", "Add", "Sqrt", "Div", "Mul", "LayerNormalization");
        ModelProto model = layerNorm(17, 2, false);
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("LayerNormalization");
        assertSameOutputs(model, optimized, Map.of("x", ramp(2, 3, 4)));
    }

    @Test
    void layerNormBeforeOpset17UsesCustomDomain() {
        assumeKernels("ReduceMean", "Sub", "Pow", "Add", "Sqrt", "Div", "Mul", "LayerNormalization");
        ModelProto model = layerNorm(13, -1, true);
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly("dev.jonnx.LayerNormalization");
        assertSameOutputs(model, optimized, Map.of("x", ramp(2, 3, 4)));
    }

    @Test
    void layerNormOverMiddleAxisStays() {
        assumeKernels("ReduceMean", "Sub", "Pow", "Add", "Sqrt", "Div", "Mul");
        ModelProto optimized = optimize(layerNorm(17, 1, true));
        assertThat(ops(optimized)).doesNotContain("LayerNormalization");
        assertThat(ops(optimized)).hasSize(9);
    }

    // ---- Session ----

    @Test
    void sessionAppliesLevelFromOptions() {
        assumeKernels("MatMul", "Add", "Gemm");
        ModelProto model = matMulAdd(new long[] {2, 3}, ramp(4), false);
        try (Session all = Session.open(model.toByteArray(), SessionOptions.defaults());
                Session none = Session.open(model.toByteArray(),
                        SessionOptions.builder().optimizationLevel(OptimizationLevel.NONE).build())) {
            assertThat(all.graph().nodeCount()).isEqualTo(1);
            assertThat(none.graph().nodeCount()).isEqualTo(2);
            assertThat(all.inputs()).isEqualTo(none.inputs());
            assertThat(all.outputs()).isEqualTo(none.outputs());
        }
    }
}
