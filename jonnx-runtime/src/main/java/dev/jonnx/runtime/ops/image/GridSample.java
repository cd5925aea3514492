package dev.jonnx.runtime.ops.image;

import dev.jonnx.runtime.kernel.ElementGather;
import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * GridSample (version 16: 4-D input, modes bilinear, nearest and bicubic; version 20: N-D
 * input, modes linear, nearest and cubic) and AffineGrid. The grid's last axis lists
 * normalized coordinates in reverse axis order: x (the last spatial axis) first.
 */
final class GridSample {
    private GridSample() {}

    private enum Mode { NEAREST, LINEAR, CUBIC }

    private enum Padding { ZEROS, BORDER, REFLECTION }

    static Kernel gridSample(NodeContext node) {
        int opset = node.opset();
        String modeName = node.getString("mode", opset < 20 ? "bilinear" : "linear");
        Mode mode = switch (modeName) {
            case "nearest" -> Mode.NEAREST;
            case "bilinear" -> opset < 20 ? Mode.LINEAR : null;
            case "bicubic" -> opset < 20 ? Mode.CUBIC : null;
            case "linear" -> opset >= 20 ? Mode.LINEAR : null;
            case "cubic" -> opset >= 20 ? Mode.CUBIC : null;
            default -> null;
        };
        if (mode == null) {
            throw node.error("mode must be " + (opset < 20 ? "bilinear, nearest or bicubic"
                    : "linear, nearest or cubic") + " in GridSample version "
                    + (opset < 20 ? 16 : 20) + ", got '" + modeName + "'");
        }
        String paddingName = node.getString("padding_mode", "zeros");
        Padding padding = switch (paddingName) {
            case "zeros" -> Padding.ZEROS;
            case "border" -> Padding.BORDER;
            case "reflection" -> Padding.REFLECTION;
            default -> throw node.error("padding_mode must be zeros, border or reflection, got '"
                    + paddingName + "'");
        };
        boolean alignCorners = node.getInt("align_corners", 0) != 0;
        return (inputs, ctx) -> {
            Tensor x = ImageInputs.required(inputs, 0, "X");
            Tensor grid = ImageInputs.required(inputs, 1, "grid");
            ImageInputs.requireFloat(grid, "grid");
            if (mode != Mode.NEAREST && !ImageInputs.isRealNumber(x.type())) {
                throw new IllegalArgumentException("mode " + modeName + " needs input X of a"
                        + " real numeric type, got " + x.type());
            }
            int rank = x.rank() - 2;
            if (rank < 1 || (opset < 20 && rank != 2)) {
                throw new IllegalArgumentException("input X must have shape (N, C, "
                        + (opset < 20 ? "H, W" : "D1, ...") + "), got "
                        + Arrays.toString(x.shape()));
            }
            if (grid.rank() != rank + 2 || grid.dim(0) != x.dim(0)
                    || grid.dim(rank + 1) != rank) {
                throw new IllegalArgumentException("input grid must have shape (N, "
                        + "out..., " + rank + ") with N = " + x.dim(0) + ", got "
                        + Arrays.toString(grid.shape()));
            }
            return new Value[] {sample(x, grid, mode, padding, alignCorners)};
        };
    }

    private static Tensor sample(Tensor x, Tensor grid, Mode mode, Padding padding,
            boolean alignCorners) {
        int n = x.dim(0);
        int channels = x.dim(1);
        int rank = x.rank() - 2;
        int[] dims = Arrays.copyOfRange(x.shape(), 2, x.rank());
        int[] outDims = Arrays.copyOfRange(grid.shape(), 1, rank + 1);
        int inSize = Tensor.sizeOf(dims);
        int outSize = Tensor.sizeOf(outDims);
        int[] strides = Shapes.strides(dims);
        // Nearest mode only picks elements, so it keeps every type (and int64) exact.
        boolean nearest = mode == Mode.NEAREST;
        double[] xd = nearest ? null : x.toDoubleArray();
        int[] picked = nearest ? new int[n * channels * outSize] : null;
        double[] gd = grid.toDoubleArray();
        double[] y = nearest ? null : new double[n * channels * outSize];
        int points = switch (mode) {
            case NEAREST -> 1;
            case LINEAR -> 2;
            case CUBIC -> 4;
        };
        double[] low = new double[rank];
        double[] high = new double[rank];
        for (int d = 0; d < rank; d++) {
            low[d] = alignCorners ? 0 : -0.5;
            high[d] = alignCorners ? dims[d] - 1 : dims[d] - 0.5;
        }
        // Per axis and point: the source index (-1 for a zero read) and the weight.
        int[][] index = new int[rank][points];
        double[][] weight = new double[rank][points];
        int combinations = 1;
        for (int d = 0; d < rank; d++) {
            combinations *= points;
        }
        int[] counter = new int[rank];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < outSize; o++) {
                int g = (b * outSize + o) * rank;
                for (int d = 0; d < rank; d++) {
                    double normalized = gd[g + rank - 1 - d];
                    double v = alignCorners ? (normalized + 1) / 2 * (dims[d] - 1)
                            : ((normalized + 1) * dims[d] - 1) / 2;
                    if (mode == Mode.NEAREST) {
                        // Ties round to even in every rank, which the backend test data of
                        // 2-D and 3-D grids both expect.
                        v = Math.rint(v);
                    }
                    if (v < low[d] || v > high[d]) {
                        if (padding == Padding.BORDER) {
                            v = Math.min(Math.max(v, 0), dims[d] - 1);
                        } else if (padding == Padding.REFLECTION) {
                            v = reflect(v, low[d], high[d]);
                        }
                    }
                    axisPoints(mode, padding, v, dims[d], low[d], high[d], index[d], weight[d]);
                }
                for (int c = 0; c < channels; c++) {
                    int plane = (b * channels + c) * inSize;
                    if (nearest) {
                        int offset = plane;
                        for (int d = 0; d < rank && offset >= 0; d++) {
                            offset = index[d][0] < 0 ? -1 : offset + index[d][0] * strides[d];
                        }
                        picked[(b * channels + c) * outSize + o] = offset;
                        continue;
                    }
                    double sum = 0;
                    Arrays.fill(counter, 0);
                    for (int k = 0; k < combinations; k++) {
                        double w = 1;
                        int offset = plane;
                        for (int d = 0; d < rank; d++) {
                            int i = index[d][counter[d]];
                            w *= weight[d][counter[d]];
                            if (i < 0) {
                                offset = -1;
                                break;
                            }
                            offset += i * strides[d];
                        }
                        if (offset >= 0) {
                            sum += w * xd[offset];
                        }
                        for (int d = rank - 1; d >= 0; d--) {
                            if (++counter[d] < points) {
                                break;
                            }
                            counter[d] = 0;
                        }
                    }
                    y[(b * channels + c) * outSize + o] = sum;
                }
            }
        }
        int[] outShape = new int[rank + 2];
        outShape[0] = n;
        outShape[1] = channels;
        System.arraycopy(outDims, 0, outShape, 2, rank);
        if (nearest) {
            return ElementGather.gather(x, outShape, picked);
        }
        return ImageInputs.fromComputed(x.type(), outShape, y);
    }

    /** Fills the source indices and weights of one axis for coordinate {@code v}. */
    private static void axisPoints(Mode mode, Padding padding, double v, int length, double low,
            double high, int[] index, double[] weight) {
        if (mode == Mode.NEAREST) {
            index[0] = source((long) v, padding, length, low, high);
            weight[0] = 1;
            return;
        }
        double floor = Math.floor(v);
        long base = (long) floor;
        double t = v - floor;
        if (mode == Mode.LINEAR) {
            index[0] = source(base, padding, length, low, high);
            index[1] = source(base + 1, padding, length, low, high);
            weight[0] = 1 - t;
            weight[1] = t;
            return;
        }
        for (int j = 0; j < 4; j++) {
            index[j] = source(base - 1 + j, padding, length, low, high);
            weight[j] = cubic(t - (j - 1));
        }
    }

    /** Evaluates the Keys cubic kernel with a = -0.75, the value GridSample fixes. */
    private static double cubic(double t) {
        double a = -0.75;
        double x = Math.abs(t);
        if (x <= 1) {
            return ((a + 2) * x - (a + 3)) * x * x + 1;
        }
        if (x < 2) {
            return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
        }
        return 0;
    }

    /** Maps an integer source position to an index, or -1 where zero padding reads zero. */
    private static int source(long i, Padding padding, int length, double low, double high) {
        return switch (padding) {
            case ZEROS -> i >= 0 && i < length ? (int) i : -1;
            case BORDER -> (int) Math.min(Math.max(i, 0), length - 1);
            case REFLECTION -> (int) Math.min(Math.max((long) reflect(i, low, high), 0),
                    length - 1);
        };
    }

    /** Reflects {@code v} at the nearer border, repeatedly, until it lies in [low, high]. */
    static double reflect(double v, double low, double high) {
        double range = high - low;
        if (range <= 0) {
            return low;
        }
        if (v < low) {
            double dx = low - v;
            long flips = (long) (dx / range);
            double r = dx - flips * range;
            return flips % 2 == 0 ? low + r : high - r;
        }
        if (v > high) {
            double dx = v - high;
            long flips = (long) (dx / range);
            double r = dx - flips * range;
            return flips % 2 == 0 ? high - r : low + r;
        }
        return v;
    }

    static Kernel affineGrid(NodeContext node) {
        boolean alignCorners = node.getInt("align_corners", 0) != 0;
        return (inputs, ctx) -> {
            Tensor theta = ImageInputs.required(inputs, 0, "theta");
            long[] size = ImageInputs.required(inputs, 1, "size").toLongArray();
            ImageInputs.requireFloat(theta, "theta");
            if (size.length != 4 && size.length != 5) {
                throw new IllegalArgumentException("input size must be (N, C, H, W) or"
                        + " (N, C, D, H, W), got " + Arrays.toString(size));
            }
            int rank = size.length - 2;
            int n = Math.toIntExact(size[0]);
            if (theta.rank() != 3 || theta.dim(0) != n || theta.dim(1) != rank
                    || theta.dim(2) != rank + 1) {
                throw new IllegalArgumentException("input theta must have shape [" + n + ", "
                        + rank + ", " + (rank + 1) + "] for size " + Arrays.toString(size)
                        + ", got " + Arrays.toString(theta.shape()));
            }
            int[] dims = new int[rank];
            for (int d = 0; d < rank; d++) {
                dims[d] = Math.toIntExact(size[2 + d]);
            }
            int points = Tensor.sizeOf(dims);
            double[] t = theta.toDoubleArray();
            double[] out = new double[n * points * rank];
            // base[k] is the normalized coordinate of the k-th axis in x, y, z order.
            double[] base = new double[rank];
            int[] counter = new int[rank];
            for (int b = 0; b < n; b++) {
                Arrays.fill(counter, 0);
                for (int p = 0; p < points; p++) {
                    for (int k = 0; k < rank; k++) {
                        int d = rank - 1 - k;
                        base[k] = normalized(counter[d], dims[d], alignCorners);
                    }
                    int at = (b * points + p) * rank;
                    for (int row = 0; row < rank; row++) {
                        int m = (b * rank + row) * (rank + 1);
                        double v = t[m + rank];
                        for (int k = 0; k < rank; k++) {
                            v += t[m + k] * base[k];
                        }
                        out[at + row] = v;
                    }
                    for (int d = rank - 1; d >= 0; d--) {
                        if (++counter[d] < dims[d]) {
                            break;
                        }
                        counter[d] = 0;
                    }
                }
            }
            int[] shape = new int[rank + 2];
            shape[0] = n;
            System.arraycopy(dims, 0, shape, 1, rank);
            shape[rank + 1] = rank;
            return new Value[] {Tensor.fromDoubles(theta.type(), shape, out)};
        };
    }

    private static double normalized(int i, int length, boolean alignCorners) {
        if (alignCorners) {
            return length == 1 ? -1 : -1 + 2.0 * i / (length - 1);
        }
        return (2.0 * i + 1) / length - 1;
    }
}
