package dev.jonnx.runtime.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Float sums of the vector kernels must not change between calls on the same data, including
 * after the JIT compiles them (a float reduceLanes(ADD) may change its order when compiled).
 */
class LaneSumDeterminismTest {
    private static final int CALLS = 40_000;

    private static float[] data() {
        Random random = new Random(3);
        float[] x = new float[384];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian() * 1000;
        }
        return x;
    }

    @Test
    void squaredDeviationsRepeatExactly() {
        assumeTrue(Simd.enabled(), "vector path off");
        float[] x = data();
        float first = NormalizationVector.sumOfSquaredDeviations(x, 0, x.length, 0.37f);
        int differing = 0;
        for (int call = 0; call < CALLS; call++) {
            if (Float.floatToRawIntBits(NormalizationVector.sumOfSquaredDeviations(x, 0, x.length, 0.37f))
                    != Float.floatToRawIntBits(first)) {
                differing++;
            }
        }
        assertThat(differing).isZero();
    }

    @Test
    void sumRepeatsExactly() {
        assumeTrue(Simd.enabled(), "vector path off");
        float[] x = data();
        float first = ReductionsVector.sum(x, 0, x.length);
        int differing = 0;
        for (int call = 0; call < CALLS; call++) {
            if (Float.floatToRawIntBits(ReductionsVector.sum(x, 0, x.length)) != Float.floatToRawIntBits(first)) {
                differing++;
            }
        }
        assertThat(differing).isZero();
    }
}
