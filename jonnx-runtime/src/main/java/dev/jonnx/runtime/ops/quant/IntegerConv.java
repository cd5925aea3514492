package dev.jonnx.runtime.ops.quant;

import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;
import java.util.Set;

/**
 * ConvInteger and QLinearConv: N-D grouped convolution of 8-bit operands minus their zero
 * points, as im2col followed by an int GEMM per image and group.
 */
final class IntegerConv {
    private IntegerConv() {}

    private static final Set<DataType> INT8 = Set.of(DataType.INT8, DataType.UINT8);

    /** Convolution attributes as the node gives them; missing lists stay null. */
    record Attributes(String autoPad, long[] dilations, long group, long[] kernelShape,
            long[] pads, long[] strides) {

        static Attributes of(NodeContext node) {
            String autoPad = node.getString("auto_pad", "NOTSET");
            if (!Set.of("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID").contains(autoPad)) {
                throw node.error("auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got '"
                        + autoPad + "'");
            }
            long group = node.getInt("group", 1);
            if (group < 1) {
                throw node.error("group must be positive, got " + group);
            }
            long[] pads = node.getInts("pads", null);
            if (pads != null && !autoPad.equals("NOTSET")) {
                throw node.error("pads cannot be used together with auto_pad " + autoPad);
            }
            return new Attributes(autoPad, node.getInts("dilations", null), group,
                    node.getInts("kernel_shape", null), pads, node.getInts("strides", null));
        }
    }

    /** Resolved geometry for one call: spatial sizes, strides, dilations and begin pads. */
    record Geometry(int batch, int channels, int outChannels, int group, int[] inSpatial,
            int[] kernel, int[] outSpatial, int[] strides, int[] dilations, int[] padBegin) {

        static Geometry of(Attributes attrs, int[] x, int[] w) {
            if (x.length < 3 || w.length != x.length) {
                throw new IllegalArgumentException("x must have rank 3 or more and w the same rank, "
                        + "got shapes " + Arrays.toString(x) + " and " + Arrays.toString(w));
            }
            int spatial = x.length - 2;
            int group = (int) attrs.group();
            if (x[1] != w[1] * group) {
                throw new IllegalArgumentException("x has " + x[1] + " channels but w expects "
                        + w[1] + " per group times " + group + " groups");
            }
            if (w[0] % group != 0) {
                throw new IllegalArgumentException("w has " + w[0]
                        + " output channels, which is not a multiple of group " + group);
            }

            int[] kernel = Arrays.copyOfRange(w, 2, w.length);
            if (attrs.kernelShape() != null && !Arrays.equals(toInts(attrs.kernelShape()), kernel)) {
                throw new IllegalArgumentException("kernel_shape "
                        + Arrays.toString(attrs.kernelShape()) + " does not match the spatial "
                        + "dimensions of w " + Arrays.toString(kernel));
            }
            int[] strides = fill(attrs.strides(), spatial, "strides");
            int[] dilations = fill(attrs.dilations(), spatial, "dilations");

            int[] in = Arrays.copyOfRange(x, 2, x.length);
            int[] padBegin = new int[spatial];
            int[] out = new int[spatial];
            for (int d = 0; d < spatial; d++) {
                int extent = (kernel[d] - 1) * dilations[d] + 1;
                switch (attrs.autoPad()) {
                    case "SAME_UPPER", "SAME_LOWER" -> {
                        out[d] = (in[d] + strides[d] - 1) / strides[d];
                        int total = Math.max(0, (out[d] - 1) * strides[d] + extent - in[d]);
                        padBegin[d] = attrs.autoPad().equals("SAME_UPPER") ? total / 2 : total - total / 2;
                    }
                    case "VALID" -> out[d] = Math.max(0, (in[d] - extent) / strides[d] + 1);
                    default -> {
                        long[] pads = attrs.pads();
                        if (pads != null && pads.length != 2 * spatial) {
                            throw new IllegalArgumentException("pads must have " + 2 * spatial
                                    + " values, got " + pads.length);
                        }
                        int begin = pads == null ? 0 : (int) pads[d];
                        int end = pads == null ? 0 : (int) pads[d + spatial];
                        padBegin[d] = begin;
                        int padded = in[d] + begin + end - extent;
                        out[d] = padded < 0 ? 0 : padded / strides[d] + 1;
                    }
                }
            }
            return new Geometry(x[0], x[1], w[0], group, in, kernel, out, strides, dilations, padBegin);
        }

        int[] outShape() {
            int[] shape = new int[2 + outSpatial.length];
            shape[0] = batch;
            shape[1] = outChannels;
            System.arraycopy(outSpatial, 0, shape, 2, outSpatial.length);
            return shape;
        }
    }

    private static int[] fill(long[] values, int spatial, String name) {
        int[] out = new int[spatial];
        if (values == null) {
            Arrays.fill(out, 1);
            return out;
        }
        if (values.length != spatial) {
            throw new IllegalArgumentException(name + " must have " + spatial + " values, got "
                    + values.length);
        }
        for (int d = 0; d < spatial; d++) {
            if (values[d] < 1) {
                throw new IllegalArgumentException(name + " must be positive, got "
                        + Arrays.toString(values));
            }
            out[d] = (int) values[d];
        }
        return out;
    }

    private static int[] toInts(long[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (int) values[i];
        }
        return out;
    }

    /**
     * Convolves x minus {@code xZero} with w minus its per-output-channel zero points and
     * returns the int32 sums in {@code [N, M, out...]} order.
     */
    static int[] convolve(Tensor x, long xZero, Tensor w, long[] wZero, Geometry g) {
        int spatial = g.kernel().length;
        int kernelSize = size(g.kernel());
        int inSize = size(g.inSpatial());
        int outSize = size(g.outSpatial());
        int groupChannels = g.channels() / g.group();
        int groupOut = g.outChannels() / g.group();
        int rows = groupChannels * kernelSize;

        // For each spatial dimension d, kernel tap t and output position o: the input
        // coordinate read, or -1 where it falls in the padding.
        int[][][] source = new int[spatial][][];
        for (int d = 0; d < spatial; d++) {
            source[d] = new int[g.kernel()[d]][g.outSpatial()[d]];
            for (int t = 0; t < g.kernel()[d]; t++) {
                for (int o = 0; o < g.outSpatial()[d]; o++) {
                    int coordinate = o * g.strides()[d] - g.padBegin()[d] + t * g.dilations()[d];
                    source[d][t][o] = coordinate >= 0 && coordinate < g.inSpatial()[d] ? coordinate : -1;
                }
            }
        }
        int[][] kernelTaps = unravel(g.kernel(), kernelSize);
        int[][] outPositions = unravel(g.outSpatial(), outSize);
        int[] inStrides = dev.jonnx.runtime.kernel.Shapes.strides(g.inSpatial());

        int[] weights = new int[w.size()];
        int perOutChannel = w.size() / Math.max(1, g.outChannels());
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (int) (w.getLong(i) - wZero[i / perOutChannel]);
        }
        int[] columns = new int[rows * outSize];
        int[] out = new int[g.batch() * g.outChannels() * outSize];
        for (int n = 0; n < g.batch(); n++) {
            for (int grp = 0; grp < g.group(); grp++) {
                int channelBase = (n * g.channels() + grp * groupChannels) * inSize;
                for (int c = 0; c < groupChannels; c++) {
                    for (int tap = 0; tap < kernelSize; tap++) {
                        int row = (c * kernelSize + tap) * outSize;
                        int[] taps = kernelTaps[tap];
                        for (int o = 0; o < outSize; o++) {
                            int offset = 0;
                            int[] position = outPositions[o];
                            for (int d = 0; d < spatial; d++) {
                                int coordinate = source[d][taps[d]][position[d]];
                                if (coordinate < 0) {
                                    offset = -1;
                                    break;
                                }
                                offset += coordinate * inStrides[d];
                            }
                            columns[row + o] = offset < 0 ? 0
                                    : (int) (x.getLong(channelBase + c * inSize + offset) - xZero);
                        }
                    }
                }
                for (int mo = 0; mo < groupOut; mo++) {
                    int outChannel = grp * groupOut + mo;
                    int outBase = (n * g.outChannels() + outChannel) * outSize;
                    int weightBase = outChannel * rows;
                    for (int r = 0; r < rows; r++) {
                        int wv = weights[weightBase + r];
                        if (wv == 0) {
                            continue;
                        }
                        int columnBase = r * outSize;
                        for (int o = 0; o < outSize; o++) {
                            out[outBase + o] += wv * columns[columnBase + o];
                        }
                    }
                }
            }
        }
        return out;
    }

    private static int[][] unravel(int[] shape, int count) {
        int[][] out = new int[count][shape.length];
        int[] counter = new int[shape.length];
        for (int i = 0; i < count; i++) {
            out[i] = counter.clone();
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++counter[d] < shape[d]) {
                    break;
                }
                counter[d] = 0;
            }
        }
        return out;
    }

    private static int size(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** Returns one zero point per output channel from a scalar or 1-D tensor. */
    private static long[] perChannel(Tensor p, int channels, String name) {
        long[] out = new long[channels];
        if (p == null) {
            return out;
        }
        if (p.size() == 1) {
            Arrays.fill(out, p.getLong(0));
            return out;
        }
        if (p.rank() != 1 || p.size() != channels) {
            throw new IllegalArgumentException(name + " of shape " + Arrays.toString(p.shape())
                    + " must be a scalar or a 1-D tensor of " + channels + " output channels");
        }
        for (int i = 0; i < channels; i++) {
            out[i] = p.getLong(i);
        }
        return out;
    }

    private static double[] perChannelDouble(Tensor p, int channels, String name) {
        double[] out = new double[channels];
        if (p.size() == 1) {
            Arrays.fill(out, p.getDouble(0));
            return out;
        }
        if (p.rank() != 1 || p.size() != channels) {
            throw new IllegalArgumentException(name + " of shape " + Arrays.toString(p.shape())
                    + " must be a scalar or a 1-D tensor of " + channels + " output channels");
        }
        for (int i = 0; i < channels; i++) {
            out[i] = p.getDouble(i);
        }
        return out;
    }

    private static long scalarZero(Tensor p, String name) {
        if (p == null) {
            return 0;
        }
        if (p.size() != 1) {
            throw new IllegalArgumentException(name + " must be a scalar, got shape "
                    + Arrays.toString(p.shape()));
        }
        return p.getLong(0);
    }

    /** ConvInteger-10. */
    static KernelFactory convInteger() {
        return node -> {
            Attributes attrs = Attributes.of(node);
            return (inputs, ctx) -> {
                Tensor x = (Tensor) inputs[0];
                Tensor w = (Tensor) inputs[1];
                Tensor xZero = inputs.length > 2 ? (Tensor) inputs[2] : null;
                Tensor wZero = inputs.length > 3 ? (Tensor) inputs[3] : null;
                IntegerMatMul.requireType(x, INT8, "input x");
                IntegerMatMul.requireType(w, INT8, "input w");
                IntegerMatMul.requireSameType(xZero, x, "x_zero_point", "x");
                IntegerMatMul.requireSameType(wZero, w, "w_zero_point", "w");
                Geometry g = Geometry.of(attrs, x.shape(), w.shape());
                int[] sums = convolve(x, scalarZero(xZero, "x_zero_point"), w,
                        perChannel(wZero, g.outChannels(), "w_zero_point"), g);
                return new Value[] {Tensor.of(DataType.INT32, g.outShape(), sums)};
            };
        };
    }

    /**
     * QLinearConv-10: the int32 sums plus the bias are rescaled by
     * {@code x_scale * w_scale / y_scale} in double and quantized to the output type.
     */
    static KernelFactory qlinearConv() {
        return node -> {
            Attributes attrs = Attributes.of(node);
            return (inputs, ctx) -> {
                Tensor x = (Tensor) inputs[0];
                Tensor xScale = (Tensor) inputs[1];
                Tensor xZero = (Tensor) inputs[2];
                Tensor w = (Tensor) inputs[3];
                Tensor wScale = (Tensor) inputs[4];
                Tensor wZero = (Tensor) inputs[5];
                Tensor yScale = (Tensor) inputs[6];
                Tensor yZero = (Tensor) inputs[7];
                Tensor bias = inputs.length > 8 ? (Tensor) inputs[8] : null;
                IntegerMatMul.requireType(x, INT8, "input x");
                IntegerMatMul.requireType(w, INT8, "input w");
                IntegerMatMul.requireType(yZero, INT8, "y_zero_point");
                IntegerMatMul.requireSameType(xZero, x, "x_zero_point", "x");
                IntegerMatMul.requireSameType(wZero, w, "w_zero_point", "w");
                for (Tensor scale : new Tensor[] {xScale, wScale, yScale}) {
                    if (scale.type() != DataType.FLOAT) {
                        throw new IllegalArgumentException("scales must be float, got " + scale.type());
                    }
                }
                Geometry g = Geometry.of(attrs, x.shape(), w.shape());
                int channels = g.outChannels();
                int[] sums = convolve(x, scalarZero(xZero, "x_zero_point"), w,
                        perChannel(wZero, channels, "w_zero_point"), g);
                double[] wScales = perChannelDouble(wScale, channels, "w_scale");
                if (xScale.size() != 1 || yScale.size() != 1) {
                    throw new IllegalArgumentException("x_scale and y_scale must be scalars");
                }
                if (bias != null && (bias.type() != DataType.INT32 || bias.size() != channels)) {
                    throw new IllegalArgumentException("B must be an int32 tensor of " + channels
                            + " values, got " + bias.describe());
                }
                double xs = xScale.getDouble(0);
                double ys = yScale.getDouble(0);
                long yz = scalarZero(yZero, "y_zero_point");
                DataType target = yZero.type();
                long min = QuantParams.minValue(target);
                long max = QuantParams.maxValue(target);
                int outSize = sums.length / Math.max(1, g.batch() * channels);
                byte[] out = new byte[sums.length];
                for (int i = 0; i < sums.length; i++) {
                    int channel = (i / Math.max(1, outSize)) % channels;
                    long sum = (long) sums[i] + (bias == null ? 0 : bias.ints()[channel]);
                    double value = sum * (xs * wScales[channel]) / ys;
                    out[i] = (byte) QuantParams.quantizeToInteger(value, yz, min, max);
                }
                return new Value[] {Tensor.of(target, g.outShape(), out)};
            };
        };
    }
}
