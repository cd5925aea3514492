package dev.jonnx.runtime.ops.conv;

import static dev.jonnx.runtime.testing.TestTensors.gaussianDoubles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The float Conv path (depthwise, 1x1 direct and im2col with SGEMM) against the double
 * reference path, on the same values.
 */
class ConvFloatPathTest {

    static void compare(int n, int c, int h, int w, int m, int k, int group, int stride, int pad,
            int dilation) {
        Random random = new Random(c * 7919L + m * 31 + k);
        int[] xShape = {n, c, h, w};
        int[] wShape = {m, c / group, k, k};
        double[] x = gaussianDoubles(random, 1.0, n * c * h * w);
        double[] weights = gaussianDoubles(random, 1.0, m * (c / group) * k * k);
        double[] bias = gaussianDoubles(random, 1.0, m);
        NodeRunner runner = NodeRunner.op("Conv", 22).attr("group", group)
                .attr("strides", stride, stride).attr("pads", pad, pad, pad, pad)
                .attr("dilations", dilation, dilation);
        Tensor expected = runner.run(Tensor.of(x, xShape), Tensor.of(weights, wShape), Tensor.of(bias, m));
        Tensor actual = runner.run(Tensor.fromDoubles(dev.jonnx.tensor.DataType.FLOAT, xShape, x),
                Tensor.fromDoubles(dev.jonnx.tensor.DataType.FLOAT, wShape, weights),
                Tensor.fromDoubles(dev.jonnx.tensor.DataType.FLOAT, new int[] {m}, bias));
        assertThat(actual.shape()).containsExactly(expected.shape());
        double[] e = expected.doubles();
        float[] a = actual.floats();
        for (int i = 0; i < e.length; i++) {
            assertThat((double) a[i]).as("output %d of conv c=%d m=%d k=%d group=%d", i, c, m, k, group)
                    .isCloseTo(e[i], within(1e-4 * (1 + Math.abs(e[i]))));
        }
    }

    @Test
    void depthwiseMatchesReference() {
        compare(2, 8, 9, 7, 8, 3, 8, 1, 1, 1);
        compare(1, 5, 10, 10, 5, 5, 5, 2, 2, 1);
    }

    @Test
    void pointwiseMatchesReference() {
        compare(2, 16, 6, 5, 24, 1, 1, 1, 0, 1);
        compare(1, 6, 4, 4, 9, 1, 3, 1, 0, 1);
    }

    @Test
    void generalMatchesReference() {
        compare(1, 3, 17, 13, 16, 3, 1, 2, 1, 1);
        compare(2, 8, 11, 11, 12, 3, 2, 1, 2, 2);
        compare(1, 4, 8, 8, 4, 1, 1, 2, 0, 1);
    }
}
