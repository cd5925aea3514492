package dev.jonnx.runtime.ops.conv;

import static dev.jonnx.runtime.testing.TestTensors.gaussianDoubles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The float ConvTranspose whose stride equals its kernel against the double path, which runs
 * the general column scatter, on the same values.
 */
class ConvTransposeFloatTest {

    private static void compare(int n, int c, int h, int w, int m, int kh, int kw, int group, boolean withBias) {
        Random random = new Random(c * 131L + m * 17 + kh * 3 + kw);
        int[] xShape = {n, c, h, w};
        int[] wShape = {c, m / group, kh, kw};
        double[] x = gaussianDoubles(random, 1.0, n * c * h * w);
        double[] weights = gaussianDoubles(random, 1.0, c * (m / group) * kh * kw);
        double[] bias = gaussianDoubles(random, 1.0, m);
        NodeRunner runner = NodeRunner.op("ConvTranspose", 22).attr("group", group).attr("strides", kh, kw);
        Tensor expected = withBias
                ? runner.run(Tensor.of(x, xShape), Tensor.of(weights, wShape), Tensor.of(bias, m))
                : runner.run(Tensor.of(x, xShape), Tensor.of(weights, wShape));
        Tensor xf = Tensor.fromDoubles(DataType.FLOAT, xShape, x);
        Tensor wf = Tensor.fromDoubles(DataType.FLOAT, wShape, weights);
        Tensor actual = withBias ? runner.run(xf, wf, Tensor.fromDoubles(DataType.FLOAT, new int[] {m}, bias))
                : runner.run(xf, wf);
        assertThat(actual.shape()).containsExactly(n, m, h * kh, w * kw);
        assertThat(actual.shape()).containsExactly(expected.shape());
        double[] e = expected.doubles();
        float[] a = actual.floats();
        for (int i = 0; i < e.length; i++) {
            assertThat((double) a[i]).as("output %d of c=%d m=%d kernel %dx%d group %d", i, c, m, kh, kw, group)
                    .isCloseTo(e[i], within(1e-4 * (1 + Math.abs(e[i]))));
        }
    }

    @Test
    void upsamplingByTwoMatchesReference() {
        compare(1, 24, 5, 19, 24, 2, 2, 1, true);
        compare(2, 6, 3, 33, 1, 2, 2, 1, true);
    }

    @Test
    void unevenKernelAndGroupsMatchReference() {
        compare(1, 4, 4, 7, 6, 3, 1, 2, true);
        compare(1, 5, 2, 17, 3, 1, 4, 1, false);
    }

    @Test
    void oneByOneKernelMatchesReference() {
        compare(1, 3, 6, 11, 5, 1, 1, 1, true);
    }
}
