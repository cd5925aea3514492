package dev.jonnx.runtime.ops.fused;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import dev.jonnx.ModelCheckException;
import dev.jonnx.UnsupportedOperatorException;
import dev.jonnx.io.TensorProtos;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.OperatorSetIdProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.Result;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.runtime.SessionOptions.OptimizationLevel;
import dev.jonnx.runtime.ops.Operators;
import dev.jonnx.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FusedOpsTest {
    private static final SessionOptions AS_WRITTEN =
            SessionOptions.builder().optimizationLevel(OptimizationLevel.NONE).build();

    private static void assumeKernel(String op) {
        assumeTrue(!Operators.registry().versions("", op).isEmpty(), "no kernel for " + op);
    }

    /** A model with one dev.jonnx node reading inputs x and, if given, initializers. */
    private static ModelProto model(String op, List<String> inputs, Map<String, Tensor> initializers,
            AttributeProto... attributes) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("fused")
                .addInput(ValueInfoProto.newBuilder().setName("x"))
                .addOutput(ValueInfoProto.newBuilder().setName("y"))
                .addNode(NodeProto.newBuilder().setDomain(FusedOps.DOMAIN).setOpType(op)
                        .addAllInput(inputs).addOutput("y").addAllAttribute(List.of(attributes)));
        initializers.forEach((name, t) -> g.addInitializer(TensorProtos.toProto(t, name)));
        return ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(FusedOps.DOMAIN).setVersion(1))
                .build();
    }

    private static Tensor run(ModelProto model, Tensor x) {
        try (Session s = Session.open(model.toByteArray(), AS_WRITTEN)) {
            Result r = s.run(Map.of("x", x));
            return r.tensor("y");
        }
    }

    private static AttributeProto activation(String name) {
        return AttributeProto.newBuilder().setName("activation").setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(name)).build();
    }

    private static AttributeProto params(float... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName("activation_params")
                .setType(AttributeProto.AttributeType.FLOATS);
        for (float v : values) {
            b.addFloats(v);
        }
        return b.build();
    }

    /** A 1x1 convolution with weight 2 over one channel: y = activation(2 x). */
    private static ModelProto doubling(AttributeProto... attributes) {
        return model("FusedConv", List.of("x", "w"), Map.of("w", Tensor.of(new float[] {2}, 1, 1, 1, 1)), attributes);
    }

    private static final Tensor X = Tensor.of(new float[] {-3, -0.5f, 0, 1, 4}, 1, 1, 1, 5);

    @Test
    void fusedConvAppliesRelu() {
        assumeKernel("Conv");
        assertThat(run(doubling(activation("Relu")), X).floats()).containsExactly(0, 0, 0, 2, 8);
    }

    @Test
    void fusedConvAppliesLeakyRelu() {
        assumeKernel("Conv");
        assertThat(run(doubling(activation("LeakyRelu"), params(0.1f)), X).floats())
                .containsExactly(new float[] {-0.6f, -0.1f, 0, 2, 8}, within(1e-6f));
    }

    @Test
    void fusedConvAppliesClip() {
        assumeKernel("Conv");
        assertThat(run(doubling(activation("Clip"), params(-1, 6)), X).floats()).containsExactly(-1, -1, 0, 2, 6);
    }

    @Test
    void fusedConvAppliesHardSigmoidAndHardSwish() {
        assumeKernel("Conv");
        // HardSigmoid(v) = max(0, min(1, 0.2 v + 0.5)) for v = 2x = -6, -1, 0, 2, 8.
        assertThat(run(doubling(activation("HardSigmoid"), params(0.2f, 0.5f)), X).floats())
                .containsExactly(new float[] {0, 0.3f, 0.5f, 0.9f, 1}, within(1e-6f));
        // HardSwish(v) = v * max(0, min(1, v / 6 + 0.5)).
        assertThat(run(doubling(activation("HardSwish")), X).floats())
                .containsExactly(new float[] {0, -1f / 3, 0, 2 * (2f / 6 + 0.5f), 8}, within(1e-6f));
    }

    @Test
    void fusedConvRejectsUnknownActivation() {
        assumeKernel("Conv");
        assertThatThrownBy(() -> run(doubling(activation("Elu")), X))
                .isInstanceOf(UnsupportedOperatorException.class).hasMessageContaining("activation 'Elu'");
    }

    @Test
    void fusedConvRejectsWrongParameterCount() {
        assumeKernel("Conv");
        assertThatThrownBy(() -> run(doubling(activation("Clip"), params(0)), X))
                .isInstanceOf(ModelCheckException.class).hasMessageContaining("takes 2 activation_params, got 1");
    }

    @Test
    void customGeluMatchesErfForm() {
        assumeKernel("Gelu");
        float[] y = run(model("Gelu", List.of("x"), Map.of()), Tensor.of(new float[] {-1, 0, 1}, 3)).floats();
        // GELU(x) = x * Phi(x); Phi(1) = 0.8413447.
        assertThat(y).containsExactly(new float[] {-0.1586553f, 0, 0.8413447f}, within(1e-5f));
    }

    @Test
    void customLayerNormalizationNormalizesLastAxis() {
        assumeKernel("LayerNormalization");
        AttributeProto axis = AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT)
                .setI(-1).build();
        ModelProto m = model("LayerNormalization", List.of("x", "scale"),
                Map.of("scale", Tensor.of(new float[] {1, 2}, 2)), axis);
        // Rows (1, 3) and (5, 5): mean 2 and variance 1, then mean 5 and variance 0.
        float[] y = run(m, Tensor.of(new float[] {1, 3, 5, 5}, 2, 2)).floats();
        assertThat(y).containsExactly(new float[] {-1, 2, 0, 0}, within(1e-4f));
    }

    // ---- FusedMatMul ----

    private static final Tensor WEIGHTS = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
    private static final Tensor BIAS = Tensor.of(new float[] {1, -1}, 2);
    private static final Tensor ROWS = Tensor.of(new float[] {1, 2, 3, -4}, 1, 2, 2);

    @Test
    void fusedMatMulAddsBias() {
        // [1 2; 3 -4] * [1 2; 3 4] = [7 10; -9 -10], plus [1 -1].
        Tensor y = run(model("FusedMatMul", List.of("x", "w", "b"), Map.of("w", WEIGHTS, "b", BIAS)), ROWS);
        assertThat(y.shape()).containsExactly(1, 2, 2);
        assertThat(y.floats()).containsExactly(8, 9, -8, -11);
    }

    @Test
    void fusedMatMulAppliesGelu() {
        Tensor y = run(model("FusedMatMul", List.of("x", "w", "b"), Map.of("w", WEIGHTS, "b", BIAS),
                activation("Gelu")), ROWS);
        // GELU(v) = v * Phi(v): Phi(8) and Phi(9) round to 1, Phi(-8) and Phi(-11) to 0.
        assertThat(y.floats()).containsExactly(new float[] {8, 9, 0, 0}, within(1e-5f));
    }

    @Test
    void fusedMatMulTakesOneDimensionalInputWithoutBias() {
        Tensor y = run(model("FusedMatMul", List.of("x", "w"), Map.of("w", WEIGHTS)), Tensor.of(new float[] {1, 2}, 2));
        assertThat(y.shape()).containsExactly(2);
        assertThat(y.floats()).containsExactly(7, 10);
    }

    @Test
    void fusedMatMulAddsResidual() {
        Tensor residual = Tensor.of(new float[] {10, 20, 30, 40}, 1, 2, 2);
        Tensor y = run(model("FusedMatMul", List.of("x", "w", "b", "r"), Map.of("w", WEIGHTS, "b", BIAS, "r", residual)),
                ROWS);
        assertThat(y.floats()).containsExactly(18, 29, 22, 29);
    }

    @Test
    void fusedMatMulBroadcastsResidual() {
        // A residual of shape [2, 1, 1] broadcasts the product [1, 2, 2] to [2, 2, 2], as Add does.
        Tensor residual = Tensor.of(new float[] {100, 200}, 2, 1, 1);
        Tensor y = run(model("FusedMatMul", List.of("x", "w", "", "r"), Map.of("w", WEIGHTS, "r", residual)), ROWS);
        assertThat(y.shape()).containsExactly(2, 2, 2);
        assertThat(y.floats()).containsExactly(107, 110, 91, 90, 207, 210, 191, 190);
    }

    @Test
    void fusedMatMulRejectsWrongDepth() {
        assertThatThrownBy(() -> run(model("FusedMatMul", List.of("x", "w"), Map.of("w", WEIGHTS)),
                Tensor.of(new float[] {1, 2, 3}, 1, 3)))
                .hasMessageContaining("last dimension is 2");
    }

    @Test
    void fusedMatMulRejectsUnknownActivation() {
        assertThatThrownBy(() -> run(model("FusedMatMul", List.of("x", "w"), Map.of("w", WEIGHTS),
                activation("Relu")), ROWS))
                .isInstanceOf(UnsupportedOperatorException.class).hasMessageContaining("activation 'Relu'");
    }

    // ---- FusedAttention ----

    private static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static AttributeProto floatAttribute(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    private static ModelProto attention(int heads, float scale, Map<String, Tensor> constants, boolean masked) {
        List<String> inputs = masked ? List.of("x", "k", "v", "mask") : List.of("x", "k", "v");
        return model("FusedAttention", inputs, constants, intAttribute("num_heads", heads),
                floatAttribute("scale", scale));
    }

    @Test
    void fusedAttentionWeightsValuesBySoftmax() {
        // One head of size 1: scores for query 1 are [1, 2], for query 0 are [0, 0].
        Map<String, Tensor> kv = Map.of("k", Tensor.of(new float[] {1, 2}, 1, 2, 1),
                "v", Tensor.of(new float[] {10, 20}, 1, 2, 1));
        Tensor y = run(attention(1, 1f, kv, false), Tensor.of(new float[] {1, 0}, 1, 2, 1));
        double w = Math.exp(2) / (Math.exp(1) + Math.exp(2));
        assertThat(y.shape()).containsExactly(1, 2, 1);
        assertThat(y.floats()).containsExactly(new float[] {(float) (10 * (1 - w) + 20 * w), 15}, within(1e-5f));
    }

    @Test
    void fusedAttentionAppliesMaskAndScale() {
        Map<String, Tensor> kv = Map.of("k", Tensor.of(new float[] {1, 2}, 1, 2, 1),
                "v", Tensor.of(new float[] {10, 20}, 1, 2, 1), "mask", Tensor.of(new float[] {0, -10000}, 2));
        Tensor y = run(attention(1, 3f, kv, true), Tensor.of(new float[] {1, 0}, 1, 2, 1));
        assertThat(y.floats()).containsExactly(new float[] {10, 10}, within(1e-5f));
    }

    @Test
    void fusedAttentionMatchesDirectFormula() {
        int batch = 2;
        int length = 5;
        int heads = 3;
        int depth = 4;
        int width = heads * depth;
        java.util.Random random = new java.util.Random(3);
        float[] q = new float[batch * length * width];
        float[] k = new float[q.length];
        float[] v = new float[q.length];
        float[] mask = new float[batch * length];
        for (int i = 0; i < q.length; i++) {
            q[i] = random.nextFloat() * 2 - 1;
            k[i] = random.nextFloat() * 2 - 1;
            v[i] = random.nextFloat() * 2 - 1;
        }
        for (int i = 0; i < mask.length; i++) {
            mask[i] = random.nextInt(4) == 0 ? -10000f : 0f;
        }
        float scale = 0.5f;
        Map<String, Tensor> constants = Map.of("k", Tensor.of(k, batch, length, width), "v", Tensor.of(v, batch, length, width),
                "mask", Tensor.of(mask, batch, 1, 1, length));
        float[] actual = run(attention(heads, scale, constants, true), Tensor.of(q, batch, length, width)).floats();
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < length; i++) {
                    double[] p = new double[length];
                    double sum = 0;
                    for (int j = 0; j < length; j++) {
                        double dot = 0;
                        for (int d = 0; d < depth; d++) {
                            dot += q[(b * length + i) * width + h * depth + d] * k[(b * length + j) * width + h * depth + d];
                        }
                        p[j] = Math.exp(dot * scale + mask[b * length + j]);
                        sum += p[j];
                    }
                    for (int d = 0; d < depth; d++) {
                        double expected = 0;
                        for (int j = 0; j < length; j++) {
                            expected += p[j] / sum * v[(b * length + j) * width + h * depth + d];
                        }
                        int at = (b * length + i) * width + h * depth + d;
                        assertThat(actual[at]).as("y[%d, %d, head %d, %d]", b, i, h, d)
                                .isCloseTo((float) expected, within(1e-5f));
                    }
                }
            }
        }
    }

    @Test
    void fusedAttentionRejectsMaskOfOtherShape() {
        Map<String, Tensor> kv = Map.of("k", Tensor.of(new float[] {1, 2}, 1, 2, 1),
                "v", Tensor.of(new float[] {10, 20}, 1, 2, 1), "mask", Tensor.of(new float[] {0, 0, 0}, 3));
        assertThatThrownBy(() -> run(attention(1, 1f, kv, true), Tensor.of(new float[] {1, 0}, 1, 2, 1)))
                .hasMessageContaining("does not broadcast to the scores' shape [1, 1, 2, 2]");
    }

    @Test
    void fusedAttentionRejectsWidthNotSplittingIntoHeads() {
        Map<String, Tensor> kv = Map.of("k", Tensor.of(new float[3], 1, 1, 3), "v", Tensor.of(new float[3], 1, 1, 3));
        assertThatThrownBy(() -> run(attention(2, 1f, kv, false), Tensor.of(new float[3], 1, 1, 3)))
                .hasMessageContaining("input 'Q' must be a float tensor of shape [B, S, 2 * head size]");
    }
}
