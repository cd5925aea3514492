package dev.jonnx.runtime.ops.norm;

import static dev.jonnx.runtime.testing.TestTensors.uniformTensor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The float inference path of BatchNormalization against the general double path. */
class BatchNormFloatTest {
    @Test
    void floatPathMatchesGeneralPathOnTwoThreads() {
        Random random = new Random(51);
        int channels = 7;
        Tensor x = uniformTensor(random, -4, 4, 2, channels, 33, 35);
        Tensor scale = uniformTensor(random, 0.5f, 2, channels);
        Tensor bias = uniformTensor(random, -1, 1, channels);
        Tensor mean = uniformTensor(random, -1, 1, channels);
        Tensor var = uniformTensor(random, 0.1f, 3, channels);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            RunContext ctx = new RunContext(null, new RunContext.RunControl(new AtomicBoolean(),
                    Long.MAX_VALUE, pool, 2, null));
            float[] fast = BatchNorm.inferFloat(x, scale, bias, mean, var, 1e-5f, ctx).floats();
            Value[] reference = BatchNorm.run(x, scale, bias, mean, var, 1e-5f, 0.9f, false,
                    true, false);
            float[] expected = ((Tensor) reference[0]).floats();
            assertThat(fast.length).isEqualTo(expected.length);
            for (int i = 0; i < fast.length; i++) {
                assertThat(fast[i]).as("element %d", i)
                        .isCloseTo(expected[i], within(2e-6f * (1 + Math.abs(expected[i]))));
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void rankTwoInputAndNaN() {
        Tensor x = Tensor.of(DataType.FLOAT, new int[] {2, 2}, new float[] {1, Float.NaN, 3, 4});
        Tensor one = Tensor.of(DataType.FLOAT, new int[] {2}, new float[] {1, 2});
        Tensor zero = Tensor.of(DataType.FLOAT, new int[] {2}, new float[] {0, 0});
        Tensor unit = Tensor.of(DataType.FLOAT, new int[] {2}, new float[] {1, 1});
        RunContext ctx = new RunContext(null, RunContext.RunControl.unlimited());
        float[] y = BatchNorm.inferFloat(x, one, zero, zero, unit, 0f, ctx).floats();
        assertThat(y[0]).isEqualTo(1f);
        assertThat(y[1]).isNaN();
        assertThat(y[2]).isEqualTo(3f);
        assertThat(y[3]).isEqualTo(8f);
    }
}
