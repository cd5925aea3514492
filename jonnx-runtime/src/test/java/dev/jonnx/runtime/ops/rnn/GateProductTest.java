package dev.jonnx.runtime.ops.rnn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class GateProductTest {
    @Test
    void scalarMatchesHandComputedSum() {
        // out = [1, 2] + 2 * [1, 0] + 3 * [4, 5] = [15, 17]
        float[] out = {1, 2};
        GateProduct.accumulateScalar(new float[] {9, 2, 3}, 1, 2, new float[] {1, 0, 4, 5}, 2, out, 0);
        assertThat(out).containsExactly(15f, 17f);
    }

    @Test
    void vectorMatchesScalarAtOddSizes() {
        Random random = new Random(3);
        int[][] sizes = {{1, 1}, {3, 7}, {5, 8}, {17, 31}, {128, 512}, {2, 65}, {0, 9}};
        for (int[] size : sizes) {
            int k = size[0];
            int n = size[1];
            float[] x = new float[k + 2];
            float[] w = new float[k * n];
            float[] start = new float[n + 3];
            for (int i = 0; i < x.length; i++) {
                x[i] = random.nextFloat() - 0.5f;
            }
            for (int i = 0; i < w.length; i++) {
                w[i] = random.nextFloat() - 0.5f;
            }
            for (int i = 0; i < start.length; i++) {
                start[i] = random.nextFloat();
            }
            float[] expected = start.clone();
            float[] actual = start.clone();
            GateProduct.accumulateScalar(x, 2, k, w, n, expected, 3);
            GateProduct.accumulate(x, 2, k, w, n, actual, 3);
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual[i]).as("k=" + k + " n=" + n + " element " + i).isCloseTo(expected[i], within(1e-4f));
            }
        }
    }
}
