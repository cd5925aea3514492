package dev.jonnx.runtime.ops.attention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.ModelCheckException;
import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import org.junit.jupiter.api.Test;

class AttentionOpsTest {

    private static Tensor heads(double[] values, int seq, int headSize) {
        return Tensor.of(values, 1, 1, seq, headSize);
    }

    @Test
    void attentionWeightsValuesBySoftmax() {
        // Scores are [0, ln 3] with the default scale 1 / sqrt(1), so the weights are 1/4 and 3/4.
        Tensor y = NodeRunner.op("Attention", 23).run(heads(new double[] {1}, 1, 1),
                heads(new double[] {0, Math.log(3)}, 2, 1), heads(new double[] {4, 8}, 2, 1));
        assertThat(y.shape()).containsExactly(1, 1, 1, 1);
        assertThat(y.doubles()[0]).isCloseTo(7, within(1e-12));
    }

    @Test
    void causalMaskHidesLaterKeys() {
        Tensor y = NodeRunner.op("Attention", 23).attr("is_causal", 1L).run(
                heads(new double[] {1, 1}, 2, 1), heads(new double[] {0, 0}, 2, 1), heads(new double[] {2, 4}, 2, 1));
        assertThat(y.doubles()).containsExactly(new double[] {2, 3}, within(1e-12));
    }

    @Test
    void fullyMaskedRowGivesZeros() {
        Tensor mask = Tensor.of(new boolean[] {false, false, true, false}, 2, 2);
        Tensor y = NodeRunner.op("Attention", 23).run(heads(new double[] {1, 1}, 2, 1),
                heads(new double[] {0, 0}, 2, 1), heads(new double[] {2, 4}, 2, 1), mask);
        assertThat(y.doubles()).containsExactly(0, 2);
    }

    @Test
    void shortFloatMaskIsPaddedWithNegativeInfinity() {
        Tensor mask = Tensor.of(new double[] {0, 0}, 1, 2);
        Tensor y = NodeRunner.op("Attention", 23).run(heads(new double[] {1}, 1, 1),
                heads(new double[] {0, 0, 0}, 3, 1), heads(new double[] {2, 4, 9}, 3, 1), mask);
        assertThat(y.doubles()).containsExactly(3);
    }

    @Test
    void groupedQueryAttentionWith3dInputs() {
        Tensor q = Tensor.of(new float[] {0, 0}, 1, 1, 2);
        Tensor k = Tensor.of(new float[] {1, 2}, 1, 2, 1);
        Tensor v = Tensor.of(new float[] {10, 20}, 1, 2, 1);
        Tensor y = NodeRunner.op("Attention", 23).attr("q_num_heads", 2L).attr("kv_num_heads", 1L)
                .run(q, k, v);
        assertThat(y.shape()).containsExactly(1, 1, 2);
        assertThat(y.floats()).containsExactly(15, 15);
    }

    @Test
    void pastKeyAndValueArePrepended() {
        Tensor zero = heads(new double[] {0}, 1, 1);
        Value[] out = NodeRunner.op("Attention", 23).outputs(3).runAll(zero, zero, heads(new double[] {4}, 1, 1),
                null, zero, heads(new double[] {2}, 1, 1));
        assertThat(((Tensor) out[0]).doubles()).containsExactly(3);
        assertThat(((Tensor) out[1]).shape()).containsExactly(1, 1, 2, 1);
        assertThat(((Tensor) out[2]).doubles()).containsExactly(2, 4);
    }

    @Test
    void softcapAndQkOutputModes() {
        Tensor q = heads(new double[] {1}, 1, 1);
        Tensor k = heads(new double[] {100, 0}, 2, 1);
        Tensor v = heads(new double[] {0, 0}, 2, 1);
        Value[] raw = NodeRunner.op("Attention", 23).attr("softcap", 1f).outputs(4).runAll(q, k, v);
        assertThat(((Tensor) raw[3]).doubles()).containsExactly(100, 0);
        Value[] capped = NodeRunner.op("Attention", 23).attr("softcap", 1f)
                .attr("qk_matmul_output_mode", 1L).outputs(4).runAll(q, k, v);
        assertThat(((Tensor) capped[3]).doubles()).containsExactly(new double[] {1, 0}, within(1e-12));
        Value[] softmax = NodeRunner.op("Attention", 23).attr("softcap", 1f)
                .attr("qk_matmul_output_mode", 3L).outputs(4).runAll(q, k, v);
        double e = Math.E;
        assertThat(((Tensor) softmax[3]).doubles()).containsExactly(new double[] {e / (e + 1), 1 / (e + 1)},
                within(1e-12));
    }

    @Test
    void nonPadSequenceLengthMasksPadding() {
        Tensor y = NodeRunner.op("Attention", 24).run(heads(new double[] {1}, 1, 1),
                heads(new double[] {0, 0}, 2, 1), heads(new double[] {2, 4}, 2, 1), null, null, null,
                Tensor.of(new long[] {1}, 1));
        assertThat(y.doubles()).containsExactly(2);
    }

    @Test
    void pastKeyWithoutPastValueIsRejected() {
        Tensor zero = heads(new double[] {0}, 1, 1);
        assertThatThrownBy(() -> NodeRunner.op("Attention", 23).runAll(zero, zero, zero, null, zero))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("past_value");
    }

    @Test
    void threeDimensionalInputNeedsHeadCount() {
        Tensor x = Tensor.of(new float[] {1}, 1, 1, 1);
        assertThatThrownBy(() -> NodeRunner.op("Attention", 23).runAll(x, x, x))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("q_num_heads");
    }

    @Test
    void rotaryEmbeddingHalvesAndInterleaved() {
        Tensor x = Tensor.of(new float[] {1, 0, 0, 1}, 1, 1, 1, 4);
        Tensor cos = Tensor.of(new float[] {0, 1}, 1, 1, 2);
        Tensor sin = Tensor.of(new float[] {1, 0}, 1, 1, 2);
        // Halves: pairs (x0, x2) = (1, 0) turn by 90 degrees, (x1, x3) = (0, 1) stay.
        Tensor halves = NodeRunner.op("RotaryEmbedding", 23).run(x, cos, sin);
        assertThat(halves.floats()).containsExactly(0, 0, 1, 1);
        // Interleaved: pairs (x0, x1) = (1, 0) turn by 90 degrees, (x2, x3) = (0, 1) stay.
        Tensor interleaved = NodeRunner.op("RotaryEmbedding", 23).attr("interleaved", 1L)
                .run(x, cos, sin);
        assertThat(interleaved.floats()).containsExactly(0, 1, 0, 1);
    }

    @Test
    void rotaryEmbeddingPositionIdsAndPartialRotation() {
        Tensor x = Tensor.of(new float[] {1, 0, 5, 6}, 1, 1, 4);
        Tensor cos = Tensor.of(new float[] {1, 0}, 2, 1);
        Tensor sin = Tensor.of(new float[] {0, 1}, 2, 1);
        Tensor y = NodeRunner.op("RotaryEmbedding", 23).attr("num_heads", 1L)
                .attr("rotary_embedding_dim", 2L).run(x, cos, sin, Tensor.of(new long[] {1}, 1, 1));
        assertThat(y.floats()).containsExactly(0, 1, 5, 6);
    }

    @Test
    void rotaryEmbeddingRejectsPositionOutsideCache() {
        Tensor x = Tensor.of(new float[] {1, 0}, 1, 1, 1, 2);
        Tensor cache = Tensor.of(new float[] {1}, 1, 1);
        assertThatThrownBy(() -> NodeRunner.op("RotaryEmbedding", 23)
                .run(x, cache, cache, Tensor.of(new long[] {3}, 1, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("position id 3");
    }

    private static Tensor packed(float... values) {
        return Tensor.of(values, 1, values.length, 1);
    }

    @Test
    void linearAttentionLinearRuleAccumulates() {
        // S = 1 * 3 = 3 after the first token, then 3 + 2 * 4 = 11. Query 1 reads S back.
        Value[] out = NodeRunner.op("LinearAttention", 27).attr("q_num_heads", 1L)
                .attr("kv_num_heads", 1L).attr("update_rule", "linear").attr("scale", 1f).outputs(2)
                .runAll(packed(1, 1), packed(1, 2), packed(3, 4));
        assertThat(((Tensor) out[0]).floats()).containsExactly(3, 11);
        assertThat(((Tensor) out[1]).shape()).containsExactly(1, 1, 1, 1);
        assertThat(((Tensor) out[1]).floats()).containsExactly(11);
    }

    @Test
    void linearAttentionDeltaRuleCorrectsState() {
        // Token 1: S = 0.5 * (3 - 0) = 1.5. Token 2: S = 1.5 + 2 * 0.5 * (4 - 1.5 * 2) = 2.5.
        Value[] out = NodeRunner.op("LinearAttention", 27).attr("q_num_heads", 1L)
                .attr("kv_num_heads", 1L).attr("update_rule", "delta").attr("scale", 1f).outputs(2)
                .runAll(packed(1, 1), packed(1, 2), packed(3, 4), null, null, packed(0.5f, 0.5f));
        assertThat(((Tensor) out[0]).floats()).containsExactly(1.5f, 2.5f);
    }

    @Test
    void linearAttentionGatedRuleDecaysState() {
        // Token 2 keeps exp(ln 0.5) = half of S = 3 and adds 2 * 4.
        Value[] out = NodeRunner.op("LinearAttention", 27).attr("q_num_heads", 1L)
                .attr("kv_num_heads", 1L).attr("update_rule", "gated").attr("scale", 1f).outputs(2)
                .runAll(packed(1, 1), packed(1, 2), packed(3, 4), null, packed(0, (float) Math.log(0.5)));
        assertThat(((Tensor) out[0]).floats()).containsExactly(new float[] {3, 9.5f}, within(1e-6f));
    }

    @Test
    void linearAttentionSharesStateAcrossQueryHeads() {
        Tensor q = Tensor.of(new float[] {1, 2}, 1, 1, 2);
        Value[] out = NodeRunner.op("LinearAttention", 27).attr("q_num_heads", 2L)
                .attr("kv_num_heads", 1L).attr("update_rule", "linear").attr("scale", 1f).outputs(2)
                .runAll(q, packed(1), packed(3));
        assertThat(((Tensor) out[0]).floats()).containsExactly(3, 6);
    }

    @Test
    void linearAttentionGatedNeedsDecay() {
        assertThatThrownBy(() -> NodeRunner.op("LinearAttention", 27).attr("q_num_heads", 1L)
                .attr("kv_num_heads", 1L).attr("update_rule", "gated").runAll(packed(1), packed(1), packed(1)))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("'decay'");
    }

    @Test
    void flexAttentionGroupedQueryHeads() {
        Tensor q = Tensor.of(new float[] {0, 0}, 1, 2, 1, 1);
        Tensor k = Tensor.of(new float[] {1, 2}, 1, 1, 2, 1);
        Tensor v = Tensor.of(new float[] {10, 20}, 1, 1, 2, 1);
        Tensor y = NodeRunner.op("ai.onnx.preview", "FlexAttention", 1).run(q, k, v);
        assertThat(y.shape()).containsExactly(1, 2, 1, 1);
        assertThat(y.floats()).containsExactly(15, 15);
    }

    @Test
    void flexAttentionRejects3dInputs() {
        Tensor x = Tensor.of(new float[] {1}, 1, 1, 1);
        assertThatThrownBy(() -> NodeRunner.op("ai.onnx.preview", "FlexAttention", 1).runAll(x, x, x))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4-D");
    }
}
