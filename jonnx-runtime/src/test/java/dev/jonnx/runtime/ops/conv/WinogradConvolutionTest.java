package dev.jonnx.runtime.ops.conv;

import static dev.jonnx.runtime.testing.TestTensors.gaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.runtime.kernel.ConvKernels;
import dev.jonnx.runtime.registry.RunContext;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The Winograd F(2x2, 3x3) path against a direct convolution summed in double, at output sizes
 * that leave partial tiles, with asymmetric pads, bias and activations, W as an input and as a
 * constant, on one thread and on two.
 */
class WinogradConvolutionTest {
    private static final ExecutorService POOL = Executors.newFixedThreadPool(1);

    @AfterAll
    static void stopPool() {
        POOL.shutdown();
    }

    private static Window window(int height, int width, int[] padBegin, int[] padEnd) {
        int[] out = {height + padBegin[0] + padEnd[0] - 2, width + padBegin[1] + padEnd[1] - 2};
        return new Window(new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, padBegin, padEnd, out);
    }

    /** Returns the direct 3x3 convolution of X with W, plus the bias, through the activation, in double. */
    private static double[] reference(float[] x, int[] xShape, float[] w, int m, float[] bias, Window window,
            ConvKernels.Activation activation) {
        int n = xShape[0];
        int c = xShape[1];
        int height = xShape[2];
        int width = xShape[3];
        int outHeight = window.output()[0];
        int outWidth = window.output()[1];
        int padTop = window.padBegin()[0];
        int padLeft = window.padBegin()[1];
        double[] y = new double[n * m * outHeight * outWidth];
        int at = 0;
        for (int i = 0; i < n; i++) {
            for (int oc = 0; oc < m; oc++) {
                for (int oy = 0; oy < outHeight; oy++) {
                    for (int ox = 0; ox < outWidth; ox++) {
                        double sum = bias == null ? 0 : bias[oc];
                        for (int ic = 0; ic < c; ic++) {
                            for (int ky = 0; ky < 3; ky++) {
                                int iy = oy + ky - padTop;
                                for (int kx = 0; kx < 3; kx++) {
                                    int ix = ox + kx - padLeft;
                                    if (iy >= 0 && iy < height && ix >= 0 && ix < width) {
                                        sum += (double) x[((i * c + ic) * height + iy) * width + ix]
                                                * w[((oc * c + ic) * 3 + ky) * 3 + kx];
                                    }
                                }
                            }
                        }
                        y[at++] = activation.apply(sum);
                    }
                }
            }
        }
        return y;
    }

    private static float[] run(FloatConvolution.Plan plan, float[] x, float[] w, float[] bias,
            ConvKernels.Activation activation, int threads) {
        RunContext.RunControl control = new RunContext.RunControl(new AtomicBoolean(), Long.MAX_VALUE,
                threads > 1 ? POOL : null, threads, null);
        return FloatConvolution.conv(x, w, bias, activation, plan, new RunContext(null, control));
    }

    /** Runs one case through the Winograd plan and compares it with the double reference. */
    private static void check(int[] xShape, int m, int[] padBegin, int[] padEnd, boolean withBias,
            ConvKernels.Activation activation) {
        Random random = new Random(31L * xShape[2] + xShape[3] + 7L * m);
        int[] wShape = {m, xShape[1], 3, 3};
        float[] x = gaussian(random, xShape[0] * xShape[1] * xShape[2] * xShape[3]);
        float[] w = gaussian(random, m * xShape[1] * 9);
        float[] bias = withBias ? gaussian(random, m) : null;
        Window window = window(xShape[2], xShape[3], padBegin, padEnd);
        double[] expected = reference(x, xShape, w, m, bias, window, activation);
        String name = String.format("x %s, m %d, pads %s %s, bias %b, %s", java.util.Arrays.toString(xShape), m,
                java.util.Arrays.toString(padBegin), java.util.Arrays.toString(padEnd), withBias, activation.kind());
        for (boolean constant : new boolean[] {false, true}) {
            FloatConvolution.Plan plan = new FloatConvolution.Plan(xShape, wShape, window, 1, constant ? w : null, 1,
                    FloatConvolution.Strategy.WINOGRAD);
            assertThat(plan.strategy).as(name).isEqualTo(FloatConvolution.Strategy.WINOGRAD);
            for (int threads = 1; threads <= 2; threads++) {
                float[] actual = run(plan, x, w, bias, activation, threads);
                assertThat(actual).as(name).hasSize(expected.length);
                for (int i = 0; i < expected.length; i++) {
                    assertThat((double) actual[i])
                            .as("output %d of %s, constant W %b, %d threads", i, name, constant, threads)
                            .isCloseTo(expected[i], within(1e-4 * (1 + Math.abs(expected[i]))));
                }
            }
        }
    }

    @Test
    void oddSizesAndSymmetricPads() {
        ConvKernels.Activation none = ConvKernels.Activation.NONE;
        check(new int[] {1, 32, 9, 11}, 16, new int[] {1, 1}, new int[] {1, 1}, true, none);
        check(new int[] {1, 40, 10, 13}, 17, new int[] {0, 0}, new int[] {0, 0}, false, none);
        check(new int[] {2, 33, 12, 8}, 20, new int[] {1, 1}, new int[] {1, 1}, true, none);
    }

    @Test
    void asymmetricPads() {
        ConvKernels.Activation none = ConvKernels.Activation.NONE;
        check(new int[] {1, 32, 11, 9}, 16, new int[] {0, 1}, new int[] {2, 0}, true, none);
        check(new int[] {1, 32, 8, 10}, 16, new int[] {2, 0}, new int[] {0, 1}, false, none);
    }

    @Test
    void activationsAfterBias() {
        check(new int[] {1, 32, 9, 9}, 16, new int[] {1, 1}, new int[] {1, 1}, true,
                new ConvKernels.Activation(ConvKernels.Kind.RELU, 0, 0));
        check(new int[] {1, 32, 9, 9}, 16, new int[] {1, 1}, new int[] {1, 1}, true,
                new ConvKernels.Activation(ConvKernels.Kind.HARD_SWISH, 0, 0));
        check(new int[] {1, 32, 9, 9}, 16, new int[] {1, 1}, new int[] {1, 1}, false,
                new ConvKernels.Activation(ConvKernels.Kind.SIGMOID, 0, 0));
    }

    @Test
    void severalTileBlocksPerImage() {
        // 96 channels give tasks of 85 tiles at most: four rows of 20 tiles for 40x40 outputs.
        check(new int[] {1, 96, 40, 40}, 24, new int[] {1, 1}, new int[] {1, 1}, true, ConvKernels.Activation.NONE);
    }

    @Test
    void tileRowsSplitIntoSegments() {
        // 96 channels give tasks of 85 tiles at most, so a row of 100 or 101 tiles takes two.
        check(new int[] {1, 96, 9, 201}, 24, new int[] {1, 0}, new int[] {0, 1}, true, ConvKernels.Activation.NONE);
        check(new int[] {1, 96, 8, 202}, 16, new int[] {1, 1}, new int[] {1, 1}, false,
                new ConvKernels.Activation(ConvKernels.Kind.RELU, 0, 0));
    }

    @Test
    void planPicksWinogradOnlyWhereItApplies() {
        Window same = window(160, 160, new int[] {1, 1}, new int[] {1, 1});
        assertThat(new FloatConvolution.Plan(new int[] {1, 96, 160, 160}, new int[] {24, 96, 3, 3}, same, 1, null, 1)
                .strategy).isEqualTo(FloatConvolution.Strategy.WINOGRAD);
        assertThat(new FloatConvolution.Plan(new int[] {1, 32, 160, 160}, new int[] {16, 32, 3, 3}, same, 1, null, 1)
                .strategy).isNotEqualTo(FloatConvolution.Strategy.WINOGRAD);
        Window small = window(40, 40, new int[] {1, 1}, new int[] {1, 1});
        assertThat(new FloatConvolution.Plan(new int[] {1, 64, 40, 40}, new int[] {64, 64, 3, 3}, small, 1, null, 1)
                .strategy).isEqualTo(FloatConvolution.Strategy.WINOGRAD);
        assertThat(new FloatConvolution.Plan(new int[] {1, 96, 40, 40}, new int[] {24, 96, 3, 3}, small, 1, null, 1)
                .strategy).isNotEqualTo(FloatConvolution.Strategy.WINOGRAD);
        assertThat(new FloatConvolution.Plan(new int[] {1, 96, 160, 160}, new int[] {48, 48, 3, 3}, same, 2, null, 1)
                .strategy).isNotEqualTo(FloatConvolution.Strategy.WINOGRAD);
        Window strided = new Window(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1},
                new int[] {1, 1}, new int[] {80, 80});
        assertThat(new FloatConvolution.Plan(new int[] {1, 96, 160, 160}, new int[] {24, 96, 3, 3}, strided, 1, null,
                1).strategy).isNotEqualTo(FloatConvolution.Strategy.WINOGRAD);
    }
}
