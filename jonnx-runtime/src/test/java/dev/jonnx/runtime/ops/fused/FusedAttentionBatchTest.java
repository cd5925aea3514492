package dev.jonnx.runtime.ops.fused;

import static dev.jonnx.runtime.testing.TestTensors.gaussianTensor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** FusedAttention broadcasts batch sizes of 1 the way the unfused MatMul and Add nodes do. */
class FusedAttentionBatchTest {
    private static final RunContext CTX = new RunContext(null, RunContext.RunControl.unlimited());

    private static Tensor batchSlice(Tensor t, int b) {
        int[] shape = t.shape().clone();
        int size = t.size() / shape[0];
        shape[0] = 1;
        return Tensor.of(DataType.FLOAT, shape, Arrays.copyOfRange(t.floats(), b * size, (b + 1) * size));
    }

    @Test
    void maskWithLargerBatchRepeatsQueries() {
        Random random = new Random(5);
        Tensor q = gaussianTensor(random, 1.0, 1, 3, 8);
        Tensor k = gaussianTensor(random, 1.0, 1, 5, 8);
        Tensor v = gaussianTensor(random, 1.0, 1, 5, 8);
        Tensor mask = gaussianTensor(random, 1.0, 2, 1, 1, 5);
        Tensor y = FusedAttention.attend(q, k, v, mask, 2, 0.5f, CTX);
        assertThat(y.shape()).containsExactly(2, 3, 8);
        for (int b = 0; b < 2; b++) {
            Tensor expected = FusedAttention.attend(q, k, v, batchSlice(mask, b), 2, 0.5f, CTX);
            assertThat(batchSlice(y, b).floats()).as("batch %d", b).containsExactly(expected.floats());
        }
    }

    @Test
    void keysAndValuesOfBatchOneRepeat() {
        Random random = new Random(6);
        Tensor q = gaussianTensor(random, 1.0, 2, 3, 8);
        Tensor k = gaussianTensor(random, 1.0, 1, 5, 8);
        Tensor v = gaussianTensor(random, 1.0, 1, 5, 8);
        Tensor y = FusedAttention.attend(q, k, v, null, 2, 0.5f, CTX);
        assertThat(y.shape()).containsExactly(2, 3, 8);
        for (int b = 0; b < 2; b++) {
            Tensor expected = FusedAttention.attend(batchSlice(q, b), k, v, null, 2, 0.5f, CTX);
            assertThat(batchSlice(y, b).floats()).as("batch %d", b).containsExactly(expected.floats());
        }
    }

    @Test
    void mismatchedBatchesAreRejected() {
        Random random = new Random(7);
        Tensor q = gaussianTensor(random, 1.0, 2, 3, 8);
        Tensor k = gaussianTensor(random, 1.0, 3, 5, 8);
        Tensor v = gaussianTensor(random, 1.0, 3, 5, 8);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FusedAttention.attend(q, k, v, null, 2, 0.5f, CTX))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("do not broadcast");
    }
}
