package dev.jonnx.runtime.ops.conv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.runtime.testing.TestTensors;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The float pooling paths against the general path, which double input takes: the same
 * values as float and as double must pool to the same results within float rounding.
 */
class PoolingFloatTest {
    static Tensor[] floatAndDouble(Random random, int... shape) {
        float[] f = TestTensors.uniform(random, -5, 5, Tensor.sizeOf(shape));
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return new Tensor[] {Tensor.of(DataType.FLOAT, shape, f), Tensor.of(DataType.DOUBLE, shape, d)};
    }

    static void assertClose(Tensor fast, Tensor reference, String what) {
        assertThat(fast.type()).isEqualTo(DataType.FLOAT);
        assertThat(fast.shape()).as(what).isEqualTo(reference.shape());
        float[] a = fast.floats();
        double[] b = reference.doubles();
        for (int i = 0; i < a.length; i++) {
            if (Double.isNaN(b[i]) || Double.isInfinite(b[i])) {
                assertThat((double) a[i]).as("%s at %d", what, i).isEqualTo(b[i]);
            } else {
                assertThat((double) a[i]).as("%s at %d", what, i)
                        .isCloseTo(b[i], within(1e-5 * (1 + Math.abs(b[i]))));
            }
        }
    }

    @Test
    void windowedPoolsMatchGeneralPath() {
        Random random = new Random(41);
        Tensor[] x = floatAndDouble(random, 2, 3, 11, 13);
        long[][] kernels = {{3, 3}, {2, 2}, {1, 5}, {4, 3}};
        long[][] strides = {{1, 1}, {2, 2}, {3, 1}};
        long[][] pads = {{0, 0, 0, 0}, {1, 1, 1, 1}, {0, 2, 1, 0}};
        for (String op : new String[] {"AveragePool", "MaxPool"}) {
            for (long[] k : kernels) {
                for (long[] s : strides) {
                    for (long[] p : pads) {
                        for (long ceil = 0; ceil <= 1; ceil++) {
                            for (long countPad = 0; countPad <= 1; countPad++) {
                                if (p[0] >= k[0] || p[1] >= k[1] || p[2] >= k[0]
                                        || p[3] >= k[1]) {
                                    continue;
                                }
                                String what = op + " k" + java.util.Arrays.toString(k) + " s"
                                        + java.util.Arrays.toString(s) + " p"
                                        + java.util.Arrays.toString(p) + " ceil " + ceil
                                        + " countPad " + countPad;
                                Tensor fast = pool(op, k, s, p, ceil, countPad, x[0]);
                                Tensor reference = pool(op, k, s, p, ceil, countPad, x[1]);
                                assertClose(fast, reference, what);
                            }
                        }
                    }
                }
            }
        }
    }

    private static Tensor pool(String op, long[] k, long[] s, long[] p, long ceil, long countPad,
            Tensor x) {
        NodeRunner runner = NodeRunner.op(op, 19).attr("kernel_shape", k).attr("strides", s)
                .attr("pads", p).attr("ceil_mode", ceil);
        if (op.equals("AveragePool")) {
            runner.attr("count_include_pad", countPad);
        }
        return runner.run(x);
    }

    @Test
    void maxPoolKeepsNaNOnlyAsFirstElement() {
        float nan = Float.NaN;
        Tensor x = Tensor.of(DataType.FLOAT, new int[] {1, 1, 2, 4},
                new float[] {nan, 1, 2, nan, 3, 4, 5, 6});
        Tensor y = NodeRunner.op("MaxPool", 12).attr("kernel_shape", 2, 2).attr("strides", 2, 2)
                .run(x);
        assertThat(y.floats()[0]).isNaN();
        assertThat(y.floats()[1]).isEqualTo(6f);
    }

    @Test
    void globalPoolsMatchGeneralPath() {
        Random random = new Random(42);
        Tensor[] x = floatAndDouble(random, 2, 5, 37, 41);
        for (String op : new String[] {"GlobalAveragePool", "GlobalMaxPool"}) {
            assertClose(NodeRunner.op(op, 1).run(x[0]), NodeRunner.op(op, 1).run(x[1]), op);
        }
    }

    @Test
    void globalPoolsOnTwoThreads() {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            RunContext ctx = new RunContext(null, new RunContext.RunControl(new AtomicBoolean(),
                    Long.MAX_VALUE, pool, 2, null));
            int planes = 6;
            int size = 10000;
            float[] x = new float[planes * size];
            for (int i = 0; i < x.length; i++) {
                x[i] = i / size + (i % 2 == 0 ? 0.25f : -0.25f);
            }
            x[3 * size + 17] = Float.NaN;
            float[] mean = PoolingFloat.globalAverage(x, planes, size, ctx);
            float[] max = PoolingFloat.globalMax(x, planes, size, ctx);
            for (int plane = 0; plane < planes; plane++) {
                if (plane == 3) {
                    assertThat(mean[plane]).isNaN();
                    assertThat(max[plane]).isNaN();
                } else {
                    assertThat(mean[plane]).as("mean %d", plane).isEqualTo((float) plane);
                    assertThat(max[plane]).as("max %d", plane).isEqualTo(plane + 0.25f);
                }
            }
        } finally {
            pool.shutdown();
        }
    }
}
