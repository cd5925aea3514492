package dev.jonnx.runtime.ops.conv;

import static dev.jonnx.runtime.testing.TestTensors.gaussianDoubles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The float Conv and ConvTranspose paths (depthwise, direct 1x1, im2col blocks, col2im) against
 * the double reference path on the same values, at sizes that leave vector tails and partial
 * column blocks, on one thread and on two.
 */
class FloatConvolutionTest {
    private static final ExecutorService POOL = Executors.newFixedThreadPool(1);

    @AfterAll
    static void stopPool() {
        POOL.shutdown();
    }

    /** The attributes and shapes of one case; null arrays leave the attribute out. */
    private record Case(String op, int[] xShape, int[] wShape, int group, int[] strides,
            int[] pads, int[] dilations, String autoPad, int[] outputPadding, boolean bias) {
        Case strides(int... s) {
            return new Case(op, xShape, wShape, group, s, pads, dilations, autoPad, outputPadding, bias);
        }

        Case pads(int... p) {
            return new Case(op, xShape, wShape, group, strides, p, dilations, autoPad, outputPadding, bias);
        }

        Case dilations(int... d) {
            return new Case(op, xShape, wShape, group, strides, pads, d, autoPad, outputPadding, bias);
        }

        Case group(int g) {
            return new Case(op, xShape, wShape, g, strides, pads, dilations, autoPad, outputPadding, bias);
        }

        Case autoPad(String a) {
            return new Case(op, xShape, wShape, group, strides, pads, dilations, a, outputPadding, bias);
        }

        Case outputPadding(int... o) {
            return new Case(op, xShape, wShape, group, strides, pads, dilations, autoPad, o, bias);
        }

        Case noBias() {
            return new Case(op, xShape, wShape, group, strides, pads, dilations, autoPad, outputPadding, false);
        }
    }

    private static Case conv(int[] xShape, int[] wShape) {
        return new Case("Conv", xShape, wShape, 1, null, null, null, null, null, true);
    }

    private static Case convTranspose(int[] xShape, int[] wShape) {
        return new Case("ConvTranspose", xShape, wShape, 1, null, null, null, null, null, true);
    }

    private static AttributeProto ints(String name, int[] values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.INTS);
        for (int v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    /** Builds the kernel; {@code constantW}, when not null, is given to it as the constant initializer W. */
    private static Kernel kernel(Case c, Tensor constantW) {
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(c.op()).setName("node")
                .addInput("x").addInput("w").addOutput("y");
        if (c.bias()) {
            node.addInput("b");
        }
        node.addAttribute(AttributeProto.newBuilder().setName("group")
                .setType(AttributeProto.AttributeType.INT).setI(c.group()));
        if (c.strides() != null) {
            node.addAttribute(ints("strides", c.strides()));
        }
        if (c.pads() != null) {
            node.addAttribute(ints("pads", c.pads()));
        }
        if (c.dilations() != null) {
            node.addAttribute(ints("dilations", c.dilations()));
        }
        if (c.outputPadding() != null) {
            node.addAttribute(ints("output_padding", c.outputPadding()));
        }
        if (c.autoPad() != null) {
            node.addAttribute(AttributeProto.newBuilder().setName("auto_pad")
                    .setType(AttributeProto.AttributeType.STRING)
                    .setS(com.google.protobuf.ByteString.copyFromUtf8(c.autoPad())));
        }
        NodeContext context = new NodeContext(node.build(), "", 22, "test",
                NodeContext::decodeInline, null);
        if (constantW != null) {
            context.setConstantInputs(new Tensor[] {null, constantW, null});
        }
        return c.op().equals("Conv") ? Convolutions.conv(context) : Convolutions.convTranspose(context);
    }

    private static Tensor run(Kernel kernel, int threads, Tensor... inputs) {
        RunContext.RunControl control = new RunContext.RunControl(new AtomicBoolean(), Long.MAX_VALUE,
                threads > 1 ? POOL : null, threads, null);
        return (Tensor) kernel.run(inputs, new RunContext(null, control))[0];
    }

    /**
     * Runs the case in double and in float on one and two threads, with W as an input and as a
     * constant, and compares the outputs.
     */
    private static void check(Case c) {
        Random random = new Random(Arrays.hashCode(c.xShape()) * 31L + Arrays.hashCode(c.wShape()));
        int channels = c.op().equals("Conv") ? c.wShape()[0] : c.wShape()[1] * c.group();
        double[] x = gaussianDoubles(random, 1.0, Arrays.stream(c.xShape()).reduce(1, (a, b) -> a * b));
        double[] w = gaussianDoubles(random, 1.0, Arrays.stream(c.wShape()).reduce(1, (a, b) -> a * b));
        double[] b = gaussianDoubles(random, 1.0, channels);
        Tensor[] doubles = c.bias()
                ? new Tensor[] {Tensor.of(x, c.xShape()), Tensor.of(w, c.wShape()), Tensor.of(b, channels)}
                : new Tensor[] {Tensor.of(x, c.xShape()), Tensor.of(w, c.wShape())};
        Tensor[] floats = c.bias()
                ? new Tensor[] {Tensor.fromDoubles(DataType.FLOAT, c.xShape(), x),
                        Tensor.fromDoubles(DataType.FLOAT, c.wShape(), w),
                        Tensor.fromDoubles(DataType.FLOAT, new int[] {channels}, b)}
                : new Tensor[] {Tensor.fromDoubles(DataType.FLOAT, c.xShape(), x),
                        Tensor.fromDoubles(DataType.FLOAT, c.wShape(), w)};
        Tensor expected = run(kernel(c, null), 1, doubles);
        // Once with W as a run input, once as a constant that the kernel packs when it plans.
        Kernel[] kernels = {kernel(c, null), kernel(c, floats[1])};
        for (int k = 0; k < kernels.length; k++) {
            String weights = k == 0 ? "input W" : "constant W";
            for (int threads = 1; threads <= 2; threads++) {
                Tensor actual = run(kernels[k], threads, floats);
                assertThat(actual.shape()).as("%s, %s, %d threads", c, weights, threads)
                        .containsExactly(expected.shape());
                double[] e = expected.doubles();
                float[] a = actual.floats();
                for (int i = 0; i < e.length; i++) {
                    assertThat((double) a[i]).as("output %d of %s, %s, %d threads", i, c, weights, threads)
                            .isCloseTo(e[i], within(1e-4 * (1 + Math.abs(e[i]))));
                }
            }
        }
    }

    @Test
    void depthwiseKernelSizesAndStrides() {
        for (int k : new int[] {1, 3, 5, 7}) {
            for (int s : new int[] {1, 2, 3}) {
                check(conv(new int[] {2, 5, 13, 11}, new int[] {5, 1, k, k}).group(5)
                        .strides(s, s).pads(k / 2, k / 2, k / 2, k / 2));
            }
        }
    }

    @Test
    void depthwiseAsymmetricPadsAndDilations() {
        check(conv(new int[] {1, 3, 17, 40}, new int[] {3, 1, 3, 3}).group(3)
                .pads(0, 2, 1, 3).dilations(2, 3));
        check(conv(new int[] {1, 9, 9, 37}, new int[] {9, 1, 5, 3}).group(9)
                .strides(2, 2).pads(1, 0, 2, 1).dilations(1, 2).noBias());
        check(conv(new int[] {1, 4, 8, 8}, new int[] {4, 1, 3, 3}).group(4).strides(2, 2)
                .autoPad("SAME_UPPER"));
        check(conv(new int[] {1, 4, 7, 9}, new int[] {4, 1, 4, 2}).group(4).autoPad("SAME_LOWER"));
    }

    @Test
    void depthwiseOneAndThreeDimensional() {
        check(conv(new int[] {2, 6, 45}, new int[] {6, 1, 5}).group(6).pads(2, 1).strides(2));
        check(conv(new int[] {1, 3, 5, 6, 7}, new int[] {3, 1, 3, 3, 3}).group(3)
                .pads(1, 0, 1, 1, 1, 0).strides(1, 2, 1));
    }

    @Test
    void im2colKernelSizesStridesAndPads() {
        for (int k : new int[] {1, 3, 5, 7}) {
            for (int s : new int[] {1, 2}) {
                check(conv(new int[] {1, 7, 19, 23}, new int[] {11, 7, k, k}).strides(s, s)
                        .pads(k / 2, k - 1 - k / 2, k / 2, 0));
            }
        }
    }

    @Test
    void im2colGroupsDilationsAndBatch() {
        check(conv(new int[] {3, 6, 15, 14}, new int[] {9, 2, 3, 3}).group(3).dilations(2, 1)
                .pads(2, 1, 2, 1));
        check(conv(new int[] {2, 4, 11, 11}, new int[] {8, 1, 3, 3}).group(4).strides(2, 1));
        check(conv(new int[] {1, 3, 64, 70}, new int[] {10, 3, 3, 3}).strides(2, 2)
                .pads(1, 1, 1, 1).noBias());
        check(conv(new int[] {1, 5, 9, 9}, new int[] {4, 5, 3, 3}).autoPad("VALID"));
    }

    @Test
    void im2colLargeEnoughForSeveralBlocks() {
        // 360 im2col rows by 2000 positions: several column blocks, split over two threads.
        check(conv(new int[] {1, 40, 40, 50}, new int[] {12, 40, 3, 3}).pads(1, 1, 1, 1));
    }

    @Test
    void im2colOneAndThreeDimensional() {
        check(conv(new int[] {2, 3, 50}, new int[] {5, 3, 4}).strides(3).pads(2, 0).dilations(2));
        check(conv(new int[] {1, 2, 6, 7, 5}, new int[] {3, 2, 3, 2, 3}).pads(1, 0, 1, 0, 1, 1)
                .strides(2, 1, 1));
    }

    @Test
    void pointwiseDirectAndStrided() {
        check(conv(new int[] {2, 13, 30, 31}, new int[] {17, 13, 1, 1}));
        check(conv(new int[] {1, 9, 60, 70}, new int[] {33, 9, 1, 1}).noBias());
        check(conv(new int[] {1, 6, 9, 9}, new int[] {5, 6, 1, 1}).strides(2, 2));
        check(conv(new int[] {1, 6, 5, 5}, new int[] {6, 3, 1, 1}).group(2).pads(1, 0, 0, 1));
        check(conv(new int[] {2, 13, 30, 31}, new int[] {7, 13, 1, 1}));
    }

    @Test
    void convTransposeStridesKernelsAndGroups() {
        check(convTranspose(new int[] {1, 5, 9, 7}, new int[] {5, 3, 2, 2}).strides(2, 2));
        check(convTranspose(new int[] {2, 4, 6, 5}, new int[] {4, 3, 3, 3}).strides(2, 1)
                .pads(1, 0, 0, 1));
        check(convTranspose(new int[] {1, 6, 5, 6}, new int[] {6, 2, 3, 2}).group(3)
                .dilations(2, 1).noBias());
        check(convTranspose(new int[] {1, 3, 7, 7}, new int[] {3, 4, 3, 3}).strides(2, 2)
                .pads(1, 1, 1, 1).outputPadding(1, 0));
        check(convTranspose(new int[] {1, 3, 4, 5}, new int[] {3, 2, 3, 3}).strides(2, 2)
                .autoPad("SAME_UPPER"));
        check(convTranspose(new int[] {1, 30, 33, 40}, new int[] {30, 9, 2, 2}).strides(2, 2));
    }

    @Test
    void convTransposeOneAndThreeDimensional() {
        check(convTranspose(new int[] {2, 3, 10}, new int[] {3, 2, 3}).strides(2).pads(1, 0));
        check(convTranspose(new int[] {1, 2, 3, 4, 3}, new int[] {2, 2, 2, 3, 2})
                .strides(2, 1, 2));
    }

    @Test
    void slidingOddChannelsGroupsAndDilations() {
        check(conv(new int[] {2, 7, 33, 29}, new int[] {5, 7, 3, 5}).dilations(2, 1).pads(2, 1, 1, 3));
        check(conv(new int[] {1, 6, 20, 21}, new int[] {10, 3, 3, 3}).group(2).pads(1, 1, 1, 1).noBias());
        check(conv(new int[] {1, 3, 12, 40}, new int[] {1, 3, 2, 2}));
        check(conv(new int[] {1, 4, 9, 9}, new int[] {6, 4, 3, 3}).autoPad("SAME_LOWER"));
    }

    @Test
    void slidingOneDimensional() {
        check(conv(new int[] {2, 5, 70}, new int[] {7, 5, 3}).pads(1, 1));
        check(conv(new int[] {1, 8, 41}, new int[] {4, 4, 5}).group(2).dilations(3).pads(0, 6));
    }

    @Test
    void narrowFewOutputPositions() {
        check(conv(new int[] {1, 129, 4}, new int[] {128, 129, 3}).pads(1, 1));
        check(conv(new int[] {1, 128, 4}, new int[] {64, 128, 3}).strides(2).pads(1, 1));
        check(conv(new int[] {1, 1, 640}, new int[] {258, 1, 256}).strides(128).noBias());
        check(conv(new int[] {2, 6, 5}, new int[] {9, 2, 3}).group(3).dilations(2).pads(1, 0));
        check(conv(new int[] {1, 5, 2, 3}, new int[] {7, 5, 2, 2}));
        check(conv(new int[] {2, 16, 2, 2}, new int[] {10, 16, 1, 1}));
        check(conv(new int[] {1, 64, 1}, new int[] {1, 64, 1}));
    }

    private static FloatConvolution.Strategy strategy(int[] xShape, int[] wShape, int stride, int pad, int group) {
        int rank = xShape.length - 2;
        int[] kernel = Arrays.copyOfRange(wShape, 2, wShape.length);
        int[] strides = new int[rank];
        int[] ones = new int[rank];
        int[] pads = new int[rank];
        int[] out = new int[rank];
        for (int d = 0; d < rank; d++) {
            strides[d] = stride;
            ones[d] = 1;
            pads[d] = pad;
            out[d] = (xShape[2 + d] + 2 * pad - kernel[d]) / stride + 1;
        }
        Window window = new Window(kernel, strides, ones, pads, pads, out);
        return new FloatConvolution.Plan(xShape, wShape, window, group, null, 1).strategy;
    }

    @Test
    void planPicksStrategyByShape() {
        assertThat(strategy(new int[] {1, 96, 160, 160}, new int[] {24, 96, 3, 3}, 1, 1, 1))
                .isEqualTo(FloatConvolution.Strategy.WINOGRAD);
        assertThat(strategy(new int[] {1, 16, 160, 160}, new int[] {24, 16, 3, 3}, 1, 1, 1))
                .isEqualTo(FloatConvolution.Strategy.SLIDING);
        assertThat(strategy(new int[] {1, 96, 160, 160}, new int[] {24, 96, 3, 3}, 2, 1, 1))
                .isEqualTo(FloatConvolution.Strategy.IM2COL);
        assertThat(strategy(new int[] {1, 96, 40, 40}, new int[] {24, 96, 1, 1}, 1, 0, 1))
                .isEqualTo(FloatConvolution.Strategy.DIRECT);
        assertThat(strategy(new int[] {1, 48, 160, 160}, new int[] {12, 48, 1, 1}, 1, 0, 1))
                .isEqualTo(FloatConvolution.Strategy.SLIDING);
        assertThat(strategy(new int[] {1, 129, 4}, new int[] {128, 129, 3}, 1, 1, 1))
                .isEqualTo(FloatConvolution.Strategy.NARROW);
        assertThat(strategy(new int[] {1, 1, 640}, new int[] {258, 1, 256}, 128, 0, 1))
                .isEqualTo(FloatConvolution.Strategy.NARROW);
        assertThat(strategy(new int[] {1, 8, 16, 16}, new int[] {8, 1, 3, 3}, 1, 1, 8))
                .isEqualTo(FloatConvolution.Strategy.DEPTHWISE);
    }
}
