package dev.jonnx.runtime.ops.fused;

import static dev.jonnx.runtime.testing.TestTensors.gaussianTensor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
    void twoThreadsGiveSameBitsAsOne() throws Exception {
        // Head sizes 32 (V read in place) and 24 (V packed), 37 tokens (a partial panel of keys
        // and a partial block of query rows), a mask per batch and key, as MiniLM feeds it.
        Random random = new Random(8);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            RunContext twoThreads = new RunContext(null,
                    new RunContext.RunControl(new AtomicBoolean(), Long.MAX_VALUE, pool, 2, null));
            for (int depth : new int[] {32, 24}) {
                Tensor q = gaussianTensor(random, 1.0, 3, 37, 4 * depth);
                Tensor k = gaussianTensor(random, 1.0, 3, 37, 4 * depth);
                Tensor v = gaussianTensor(random, 1.0, 3, 37, 4 * depth);
                float[] maskValues = new float[3 * 37];
                for (int i = 0; i < maskValues.length; i++) {
                    maskValues[i] = random.nextInt(5) == 0 ? -10000f : 0f;
                }
                Tensor mask = Tensor.of(maskValues, 3, 1, 1, 37);
                Tensor oneThread = FusedAttention.attend(q, k, v, mask, 4, 0.2f, CTX);
                Tensor bothThreads = FusedAttention.attend(q, k, v, mask, 4, 0.2f, twoThreads);
                assertThat(bothThreads.floats()).as("head size %d", depth).containsExactly(oneThread.floats());
            }
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).as("pool terminated").isTrue();
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
