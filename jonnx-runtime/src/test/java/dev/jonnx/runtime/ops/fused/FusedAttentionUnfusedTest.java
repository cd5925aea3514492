package dev.jonnx.runtime.ops.fused;

import static dev.jonnx.runtime.testing.TestTensors.gaussianTensor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * FusedAttention against the unfused nodes it replaces (MatMul, Transpose, Mul, Add, Softmax,
 * MatMul), run one by one through their kernels, with masks that block whole rows.
 */
class FusedAttentionUnfusedTest {
    private static final RunContext CTX = new RunContext(null, RunContext.RunControl.unlimited());

    /** Runs the unfused graph for one head: Softmax(Q K^T * scale + mask) V. */
    private static Tensor unfused(Tensor q, Tensor k, Tensor v, Tensor mask, float scale) {
        Tensor keysTransposed = NodeRunner.op("Transpose", 13).attr("perm", 0, 2, 1).run(k);
        Tensor scores = NodeRunner.op("MatMul", 13).run(q, keysTransposed);
        Tensor scaled = NodeRunner.op("Mul", 14).run(scores, Tensor.of(DataType.FLOAT, new int[0],
                new float[] {scale}));
        Tensor masked = NodeRunner.op("Add", 14).run(scaled, mask);
        Tensor probabilities = NodeRunner.op("Softmax", 13).attr("axis", -1L).run(masked);
        return NodeRunner.op("MatMul", 13).run(probabilities, v);
    }

    private static void assertSameResult(Tensor fused, Tensor unfused, int queries, int valueDepth) {
        assertThat(fused.shape()).containsExactly(unfused.shape());
        float[] actual = fused.floats();
        float[] expected = unfused.floats();
        for (int i = 0; i < queries; i++) {
            for (int e = 0; e < valueDepth; e++) {
                int at = i * valueDepth + e;
                if (Float.isNaN(expected[at])) {
                    assertThat(actual[at]).as("y[%d][%d], NaN in the unfused graph", i, e).isNaN();
                } else {
                    assertThat(actual[at]).as("y[%d][%d]", i, e).isCloseTo(expected[at], within(2e-5f));
                }
            }
        }
    }

    @Test
    void fullyMaskedRowsMatchUnfusedGraph() {
        Random random = new Random(31);
        for (int sequence : new int[] {7, 33}) {
            for (int depth : new int[] {8, 32}) {
                Tensor q = gaussianTensor(random, 1.0, 1, sequence, depth);
                Tensor k = gaussianTensor(random, 1.0, 1, sequence, depth);
                Tensor v = gaussianTensor(random, 1.0, 1, sequence, depth);
                float[] maskValues = new float[sequence * sequence];
                for (int j = 0; j < sequence; j++) {
                    maskValues[j] = j % 3 == 0 ? Float.NEGATIVE_INFINITY : 0f;
                }
                Arrays.fill(maskValues, 2 * sequence, 3 * sequence, Float.NEGATIVE_INFINITY);
                Arrays.fill(maskValues, 4 * sequence, 5 * sequence, -10000f);
                maskValues[5 * sequence + 1] = -10000f;
                Tensor mask = Tensor.of(DataType.FLOAT, new int[] {1, 1, sequence, sequence}, maskValues);
                float scale = (float) (1 / Math.sqrt(depth));
                Tensor fused = FusedAttention.attend(q, k, v, mask, 1, scale, CTX);
                Tensor expected = unfused(q, k, v, Tensor.of(DataType.FLOAT, new int[] {1, sequence, sequence},
                        maskValues), scale);
                assertThat(expected.floats()[2 * depth]).as("unfused row masked by -Inf").isNaN();
                assertThat(expected.floats()[4 * depth]).as("unfused row masked by -10000").isFinite();
                assertSameResult(fused, expected, sequence, depth);
            }
        }
    }

    @Test
    void keyMaskMatchesUnfusedGraph() {
        // The BERT layout: one mask row per batch, [B, 1, 1, S], with -10000 on padding keys.
        Random random = new Random(32);
        int sequence = 130;
        int depth = 64;
        Tensor q = gaussianTensor(random, 1.0, 1, sequence, depth);
        Tensor k = gaussianTensor(random, 1.0, 1, sequence, depth);
        Tensor v = gaussianTensor(random, 1.0, 1, sequence, depth);
        float[] maskValues = new float[sequence];
        Arrays.fill(maskValues, 100, sequence, -10000f);
        Tensor fused = FusedAttention.attend(q, k, v, Tensor.of(DataType.FLOAT, new int[] {1, 1, 1, sequence},
                maskValues), 1, 0.125f, CTX);
        Tensor expected = unfused(q, k, v, Tensor.of(DataType.FLOAT, new int[] {1, 1, sequence}, maskValues),
                0.125f);
        assertSameResult(fused, expected, sequence, depth);
    }
}
