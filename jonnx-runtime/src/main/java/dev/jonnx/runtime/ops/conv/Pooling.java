package dev.jonnx.runtime.ops.conv;

import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * Windowed and global pooling, MaxUnpool and LRN. Values compute in double, which represents
 * every int8 and uint8 value of MaxPool exactly.
 */
final class Pooling {
    private Pooling() {}

    private enum Kind { AVERAGE, MAX, LP }

    static Kernel averagePool(NodeContext node) {
        Window.Attributes attributes = new Window.Attributes(node).requireKernelShape(node);
        boolean countPadding = node.getInt("count_include_pad", 0) != 0;
        return (inputs, ctx) -> pool(inputs, attributes, Kind.AVERAGE, countPadding, 0, false, 0,
                ctx);
    }

    static Kernel maxPool(NodeContext node) {
        Window.Attributes attributes = new Window.Attributes(node).requireKernelShape(node);
        long storageOrder = node.getInt("storage_order", 0);
        if (storageOrder != 0 && storageOrder != 1) {
            throw node.error("storage_order must be 0 (row major) or 1 (column major), got "
                    + storageOrder);
        }
        boolean indices = node.hasOutput(1);
        return (inputs, ctx) -> pool(inputs, attributes, Kind.MAX, false, 0, indices,
                (int) storageOrder, ctx);
    }

    static Kernel lpPool(NodeContext node) {
        Window.Attributes attributes = new Window.Attributes(node).requireKernelShape(node);
        double p = exponent(node);
        return (inputs, ctx) -> pool(inputs, attributes, Kind.LP, false, p, false, 0, ctx);
    }

    /** Reads attribute p, a float in version 1 of LpPool and GlobalLpPool and an int later. */
    private static double exponent(NodeContext node) {
        AttributeProto a = node.attribute("p");
        if (a == null) {
            return 2;
        }
        double p = a.getType() == AttributeProto.AttributeType.FLOAT ? a.getF() : a.getI();
        if (!(p > 0)) {
            throw node.error("p must be positive, got " + p);
        }
        return p;
    }

    private static Value[] pool(Value[] inputs, Window.Attributes attributes, Kind kind,
            boolean countPadding, double p, boolean withIndices, int storageOrder,
            RunContext ctx) {
        Tensor x = Inputs.required(inputs, 0, "X");
        DataType type = x.type();
        boolean integer = type == DataType.INT8 || type == DataType.UINT8;
        if (!Inputs.isFloat(type) && !(kind == Kind.MAX && integer)) {
            throw new IllegalArgumentException("input X must be float16, bfloat16, float or double"
                    + (kind == Kind.MAX ? " (or int8, uint8)" : "") + ", got " + type);
        }
        Inputs.requireSpatial(x, "X");
        int[] in = Inputs.spatial(x);
        int rank = in.length;
        Window window = attributes.resolve(in, null, true);
        int planes = x.dim(0) * x.dim(1);
        int inSize = Window.product(in);
        int outSize = window.outputSize();
        int kernelSize = window.kernelSize();
        if (type == DataType.FLOAT && rank == 2 && kind != Kind.LP && !withIndices
                && window.dilations()[0] == 1 && window.dilations()[1] == 1) {
            float[] y = PoolingFloat.pool2d(x.floats(), planes, in[0], in[1], window,
                    kind == Kind.MAX, countPadding, ctx);
            return new Value[] {Tensor.of(type,
                    Inputs.withSpatial(x.dim(0), x.dim(1), window.output()), y)};
        }
        double[] xd = x.toDoubleArray();
        double[] y = new double[planes * outSize];
        long[] argmax = withIndices ? new long[planes * outSize] : null;
        int[] rowStrides = dev.jonnx.runtime.kernel.Shapes.strides(in);
        int[] columnStrides = new int[rank];
        for (int d = 0, stride = 1; d < rank; d++) {
            columnStrides[d] = stride;
            stride *= in[d];
        }
        int[] o = new int[rank];
        int[] k = new int[rank];
        for (int plane = 0; plane < planes; plane++) {
            int base = plane * inSize;
            Arrays.fill(o, 0);
            for (int of = 0; of < outSize; of++) {
                double sum = 0;
                double max = Double.NEGATIVE_INFINITY;
                long maxIndex = -1;
                int count = 0;
                Arrays.fill(k, 0);
                for (int kf = 0; kf < kernelSize; kf++) {
                    int offset = 0;
                    int columnOffset = 0;
                    boolean inside = true;
                    boolean inPadding = true;
                    for (int d = 0; d < rank; d++) {
                        int coordinate = o[d] * window.strides()[d] - window.padBegin()[d]
                                + k[d] * window.dilations()[d];
                        if (coordinate < 0 || coordinate >= in[d]) {
                            inside = false;
                            if (coordinate < -window.padBegin()[d]
                                    || coordinate >= in[d] + window.padEnd()[d]) {
                                inPadding = false;
                            }
                        } else {
                            offset += coordinate * rowStrides[d];
                            columnOffset += coordinate * columnStrides[d];
                        }
                    }
                    Im2Col.increment(k, window.kernel());
                    if (!inside) {
                        if (countPadding && inPadding) {
                            count++;
                        }
                        continue;
                    }
                    double v = xd[base + offset];
                    count++;
                    switch (kind) {
                        case AVERAGE -> sum += v;
                        case LP -> sum += Math.pow(Math.abs(v), p);
                        case MAX -> {
                            if (v > max || maxIndex < 0) {
                                max = v;
                                maxIndex = base + (storageOrder == 0 ? offset : columnOffset);
                            }
                        }
                    }
                }
                int at = plane * outSize + of;
                y[at] = switch (kind) {
                    case AVERAGE -> count == 0 ? Double.NaN : sum / count;
                    case LP -> Math.pow(sum, 1 / p);
                    case MAX -> max;
                };
                if (argmax != null) {
                    argmax[at] = maxIndex;
                }
                Im2Col.increment(o, window.output());
            }
        }
        int[] outShape = Inputs.withSpatial(x.dim(0), x.dim(1), window.output());
        Tensor result = integer ? Tensor.fromLongs(type, outShape, toLongs(y))
                : Tensor.fromDoubles(type, outShape, y);
        if (argmax == null) {
            return new Value[] {result};
        }
        return new Value[] {result, Tensor.of(argmax, outShape)};
    }

    private static long[] toLongs(double[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            // A window entirely inside padding has no maximum; 0 is the closest integer result.
            out[i] = Double.isInfinite(values[i]) ? 0 : (long) values[i];
        }
        return out;
    }

    static Kernel globalAveragePool(NodeContext node) {
        return (inputs, ctx) -> global(inputs, Kind.AVERAGE, 0, ctx);
    }

    static Kernel globalMaxPool(NodeContext node) {
        return (inputs, ctx) -> global(inputs, Kind.MAX, 0, ctx);
    }

    static Kernel globalLpPool(NodeContext node) {
        double p = exponent(node);
        return (inputs, ctx) -> global(inputs, Kind.LP, p, ctx);
    }

    private static Value[] global(Value[] inputs, Kind kind, double p, RunContext ctx) {
        Tensor x = Inputs.required(inputs, 0, "X");
        Inputs.requireFloat(x, "X");
        Inputs.requireSpatial(x, "X");
        int planes = x.dim(0) * x.dim(1);
        int inSize = Window.product(Inputs.spatial(x));
        int[] ones = new int[x.rank() - 2];
        Arrays.fill(ones, 1);
        int[] outShape = Inputs.withSpatial(x.dim(0), x.dim(1), ones);
        if (x.type() == DataType.FLOAT && kind != Kind.LP) {
            float[] y = kind == Kind.AVERAGE
                    ? PoolingFloat.globalAverage(x.floats(), planes, inSize, ctx)
                    : PoolingFloat.globalMax(x.floats(), planes, inSize, ctx);
            return new Value[] {Tensor.of(DataType.FLOAT, outShape, y)};
        }
        double[] xd = x.toDoubleArray();
        double[] y = new double[planes];
        for (int plane = 0; plane < planes; plane++) {
            int base = plane * inSize;
            double acc = kind == Kind.MAX ? Double.NEGATIVE_INFINITY : 0;
            for (int i = 0; i < inSize; i++) {
                double v = xd[base + i];
                switch (kind) {
                    case AVERAGE -> acc += v;
                    case LP -> acc += Math.pow(Math.abs(v), p);
                    case MAX -> acc = Double.isNaN(v) || v > acc ? v : acc;
                }
                if (Double.isNaN(acc) && kind == Kind.MAX) {
                    break;
                }
            }
            y[plane] = switch (kind) {
                case AVERAGE -> acc / inSize;
                case LP -> Math.pow(acc, 1 / p);
                case MAX -> acc;
            };
        }
        return new Value[] {Tensor.fromDoubles(x.type(), outShape, y)};
    }

    static Kernel maxUnpool(NodeContext node) {
        Window.Attributes attributes = new Window.Attributes(node).requireKernelShape(node);
        return (inputs, ctx) -> {
            Tensor x = Inputs.required(inputs, 0, "X");
            Tensor indices = Inputs.required(inputs, 1, "I");
            Tensor outputShape = Inputs.optional(inputs, 2, "output_shape");
            Inputs.requireFloat(x, "X");
            Inputs.requireSpatial(x, "X");
            if (!Arrays.equals(indices.shape(), x.shape())) {
                throw new IllegalArgumentException("input I must have the shape of X "
                        + Arrays.toString(x.shape()) + ", got " + Arrays.toString(indices.shape()));
            }
            int[] in = Inputs.spatial(x);
            int rank = in.length;
            int[] k = attributes.kernel(null, rank);
            int[] s = attributes.strides(rank);
            int[] pads = attributes.pads(rank);
            int[] natural = new int[rank];
            for (int d = 0; d < rank; d++) {
                natural[d] = (in[d] - 1) * s[d] + k[d] - pads[d] - pads[d + rank];
            }
            int[] naturalShape = Inputs.withSpatial(x.dim(0), x.dim(1), natural);
            int[] shape = naturalShape;
            if (outputShape != null) {
                shape = outputShape.toIntArray().clone();
                if (shape.length != x.rank() || shape[0] != x.dim(0) || shape[1] != x.dim(1)) {
                    throw new IllegalArgumentException("input output_shape must be (N, C, D...)"
                            + " with N and C of X " + Arrays.toString(x.shape()) + ", got "
                            + Arrays.toString(shape));
                }
            }
            // Indices address the unpooled shape that the attributes imply. A larger
            // output_shape keeps each value at the same coordinates, leaving zeros at the end.
            int naturalSize = Tensor.sizeOf(naturalShape);
            int[] naturalStrides = dev.jonnx.runtime.kernel.Shapes.strides(naturalShape);
            int[] strides = dev.jonnx.runtime.kernel.Shapes.strides(shape);
            boolean same = Arrays.equals(shape, naturalShape);
            int size = Tensor.sizeOf(shape);
            double[] y = new double[size];
            double[] xd = x.toDoubleArray();
            long[] index = indices.toLongArray();
            for (int i = 0; i < xd.length; i++) {
                long target = index[i];
                if (target < 0 || target >= naturalSize) {
                    throw new IllegalArgumentException("index " + target + " in I is out of range"
                            + " for the unpooled shape " + Arrays.toString(naturalShape));
                }
                int at = (int) target;
                if (!same) {
                    int rest = at;
                    at = 0;
                    for (int d = 0; d < shape.length; d++) {
                        int coordinate = rest / naturalStrides[d];
                        rest %= naturalStrides[d];
                        if (coordinate >= shape[d]) {
                            throw new IllegalArgumentException("index " + target + " in I lies"
                                    + " outside output_shape " + Arrays.toString(shape));
                        }
                        at += coordinate * strides[d];
                    }
                }
                y[at] = xd[i];
            }
            return new Value[] {Tensor.fromDoubles(x.type(), shape, y)};
        };
    }

    static Kernel lrn(NodeContext node) {
        long size = node.getInt("size");
        if (size <= 0) {
            throw node.error("size must be positive, got " + size);
        }
        double alpha = node.getFloat("alpha", 0.0001f);
        double beta = node.getFloat("beta", 0.75f);
        double bias = node.getFloat("bias", 1.0f);
        int before = (int) ((size - 1) / 2);
        int after = (int) (size - 1 - before);
        return (inputs, ctx) -> {
            Tensor x = Inputs.required(inputs, 0, "X");
            Inputs.requireFloat(x, "X");
            if (x.rank() < 2) {
                throw new IllegalArgumentException("input X must have shape (N, C, ...), got "
                        + Arrays.toString(x.shape()));
            }
            int n = x.dim(0);
            int c = x.dim(1);
            int inner = x.size() / Math.max(1, n * c);
            double[] xd = x.toDoubleArray();
            double[] y = new double[xd.length];
            for (int i = 0; i < n; i++) {
                for (int ch = 0; ch < c; ch++) {
                    int from = Math.max(0, ch - before);
                    int to = Math.min(c - 1, ch + after);
                    for (int j = 0; j < inner; j++) {
                        double squares = 0;
                        for (int other = from; other <= to; other++) {
                            double v = xd[(i * c + other) * inner + j];
                            squares += v * v;
                        }
                        int at = (i * c + ch) * inner + j;
                        y[at] = xd[at] / Math.pow(bias + alpha / size * squares, beta);
                    }
                }
            }
            return new Value[] {Tensor.fromDoubles(x.type(), x.shape(), y)};
        };
    }
}
