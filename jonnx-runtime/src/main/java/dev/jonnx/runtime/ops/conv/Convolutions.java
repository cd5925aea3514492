package dev.jonnx.runtime.ops.conv;

import dev.jonnx.runtime.kernel.ConvKernels;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Conv, ConvTranspose, DeformConv and Col2Im. Float Conv and ConvTranspose run on
 * {@link FloatConvolution}; the other floating-point types, and the other operators, compute in
 * double and round once to the element type, with im2col followed by a plain GEMM loop that
 * serves as the reference.
 */
public final class Convolutions {
    private Convolutions() {}

    static int group(NodeContext node) {
        long group = node.getInt("group", 1);
        if (group <= 0 || group > Integer.MAX_VALUE) {
            throw node.error("group must be positive, got " + group);
        }
        return (int) group;
    }

    static Kernel conv(NodeContext node) {
        return conv(node, ConvKernels.Activation.NONE);
    }

    /**
     * Creates a Conv kernel for the node's Conv attributes that applies {@code activation} to
     * its result (in float for float inputs, in double otherwise). FusedConv uses it.
     */
    public static Kernel conv(NodeContext node, ConvKernels.Activation activation) {
        Window.Attributes attributes = new Window.Attributes(node);
        int group = group(node);
        Tensor constantW = node.constantInput(1);
        float[] constantWeights = constantW != null && constantW.type() == DataType.FLOAT ? constantW.floats() : null;
        // The plan for the most recent input shapes; plans are immutable, so threads may share one.
        AtomicReference<FloatConvolution.Plan> cache = new AtomicReference<>();
        return (inputs, ctx) -> {
            Tensor x = Inputs.required(inputs, 0, "X");
            Tensor w = Inputs.required(inputs, 1, "W");
            Tensor b = Inputs.optional(inputs, 2, "B");
            Inputs.requireFloat(x, "X");
            Inputs.requireSpatial(x, "X");
            Inputs.requireSameType(w, "W", x, "X");
            FloatConvolution.Plan plan = cache.get();
            if (plan == null || !plan.matches(x.shape(), w.shape())) {
                checkWeights(x, w, group, w.dim(0));
                Window window = attributes.resolve(Inputs.spatial(x), Inputs.spatial(w), false);
                plan = new FloatConvolution.Plan(x.shape(), w.shape(), window, group,
                        w.type() == DataType.FLOAT && w.floats() == constantWeights ? constantWeights : null,
                        ctx.threads());
                cache.set(plan);
            }
            int n = plan.n;
            int m = plan.m;
            Window window = plan.window;
            checkBias(b, x, m);
            int[] outShape = Inputs.withSpatial(n, m, window.output());
            if (x.type() == DataType.FLOAT) {
                float[] y = FloatConvolution.conv(x.floats(), w.floats(),
                        b == null ? null : b.floats(), activation, plan, ctx);
                return new Value[] {Tensor.of(DataType.FLOAT, outShape, y)};
            }
            double[] y = convolve(x.toDoubleArray(), n, plan.c, Inputs.spatial(x),
                    w.toDoubleArray(), m, group, window, b == null ? null : b.toDoubleArray());
            if (activation.kind() != ConvKernels.Kind.NONE) {
                for (int i = 0; i < y.length; i++) {
                    y[i] = activation.apply(y[i]);
                }
            }
            return new Value[] {Tensor.fromDoubles(x.type(), outShape, y)};
        };
    }

    /** Checks W of shape (M, C / group, k...) against X of shape (N, C, D...). */
    private static void checkWeights(Tensor x, Tensor w, int group, int m) {
        if (w.rank() != x.rank()) {
            throw new IllegalArgumentException("input W must have the rank of X (" + x.rank()
                    + "), got shape " + Arrays.toString(w.shape()));
        }
        int c = x.dim(1);
        if (c % group != 0 || (long) w.dim(1) * group != c) {
            throw new IllegalArgumentException("input W must have C / group = " + c + " / "
                    + group + " input channels in dimension 1, got shape "
                    + Arrays.toString(w.shape()));
        }
        if (m % group != 0) {
            throw new IllegalArgumentException("the " + m + " output channels of W are not"
                    + " divisible by group " + group);
        }
    }

    /** Checks that B, when given, has X's type and one element per output channel. */
    private static void checkBias(Tensor b, Tensor x, int channels) {
        if (b == null) {
            return;
        }
        Inputs.requireSameType(b, "B", x, "X");
        if (b.rank() != 1 || b.dim(0) != channels) {
            throw new IllegalArgumentException("input B must have shape [" + channels + "], got "
                    + Arrays.toString(b.shape()));
        }
    }

    /** Convolves X (n, c, in...) with W (m, c / group, k...) and adds the optional bias. */
    static double[] convolve(double[] x, int n, int c, int[] in, double[] w, int m, int group,
            Window window, double[] bias) {
        int cg = c / group;
        int mg = m / group;
        int inSize = Window.product(in);
        Im2Col im2col = Im2Col.of(cg, in, window);
        int rows = im2col.rows();
        int positions = im2col.positions();
        double[] col = new double[rows * positions];
        double[] y = new double[n * m * positions];
        for (int i = 0; i < n; i++) {
            for (int g = 0; g < group; g++) {
                im2col.im2col(x, (i * c + g * cg) * inSize, col);
                gemm(w, g * mg * rows, col, y, (i * m + g * mg) * positions, mg, rows, positions);
            }
        }
        addBias(y, bias, n, m, positions);
        return y;
    }

    /** Accumulates a (m x k) times b (k x n) into c, all row-major at the given offsets. */
    static void gemm(double[] a, int aOffset, double[] b, double[] c, int cOffset, int m, int k,
            int n) {
        for (int i = 0; i < m; i++) {
            int cRow = cOffset + i * n;
            int aRow = aOffset + i * k;
            for (int p = 0; p < k; p++) {
                double av = a[aRow + p];
                int bRow = p * n;
                for (int j = 0; j < n; j++) {
                    c[cRow + j] += av * b[bRow + j];
                }
            }
        }
    }

    static void addBias(double[] y, double[] bias, int n, int m, int positions) {
        if (bias == null) {
            return;
        }
        for (int i = 0; i < n; i++) {
            for (int oc = 0; oc < m; oc++) {
                int base = (i * m + oc) * positions;
                double v = bias[oc];
                for (int p = 0; p < positions; p++) {
                    y[base + p] += v;
                }
            }
        }
    }

    static Kernel convTranspose(NodeContext node) {
        Window.Attributes attributes = new Window.Attributes(node);
        int group = group(node);
        long[] outputPaddingAttribute = node.getInts("output_padding", null);
        long[] outputShapeAttribute = node.getInts("output_shape", null);
        // The float col2im geometry for the most recent input shapes, which alone determine it.
        AtomicReference<TransposeGeometry> cache = new AtomicReference<>();
        // Weights rearranged for the direct float path, reused only while W and B are the
        // node's initializers: a computed W may change its contents in the same array.
        Tensor constantW = node.constantInput(1);
        Tensor constantB = node.hasInput(2) ? node.constantInput(2) : null;
        AtomicReference<ConvTransposeFloat.Packed> packedCache = new AtomicReference<>();
        return (inputs, ctx) -> {
            Tensor x = Inputs.required(inputs, 0, "X");
            Tensor w = Inputs.required(inputs, 1, "W");
            Tensor b = Inputs.optional(inputs, 2, "B");
            Inputs.requireFloat(x, "X");
            Inputs.requireSpatial(x, "X");
            Inputs.requireSameType(w, "W", x, "X");
            int n = x.dim(0);
            int c = x.dim(1);
            if (w.rank() != x.rank() || w.dim(0) != c || c % group != 0) {
                throw new IllegalArgumentException("input W must have shape (C, M / group, k...)"
                        + " with C = " + c + " divisible by group " + group + ", got "
                        + Arrays.toString(w.shape()));
            }
            int mg = w.dim(1);
            int m = mg * group;
            int[] in = Inputs.spatial(x);
            int rank = in.length;
            int[] k = attributes.kernel(Inputs.spatial(w), rank);
            int[] s = attributes.strides(rank);
            int[] dil = attributes.dilations(rank);
            int[] outputPadding = Window.Attributes.expect("output_padding",
                    outputPaddingAttribute, rank, 0);
            int[] begin = new int[rank];
            int[] out = new int[rank];
            for (int d = 0; d < rank; d++) {
                int full = s[d] * (in[d] - 1) + outputPadding[d] + (k[d] - 1) * dil[d] + 1;
                int target;
                if (outputShapeAttribute != null) {
                    if (outputShapeAttribute.length < rank) {
                        throw new IllegalArgumentException("attribute output_shape must have "
                                + rank + " values, got " + Arrays.toString(outputShapeAttribute));
                    }
                    target = Math.toIntExact(outputShapeAttribute[outputShapeAttribute.length
                            - rank + d]);
                } else if (attributes.autoPad.startsWith("SAME")) {
                    target = in[d] * s[d];
                } else if (attributes.autoPad.equals("VALID")) {
                    target = full;
                } else {
                    int[] pads = attributes.pads(rank);
                    begin[d] = pads[d];
                    out[d] = full - pads[d] - pads[d + rank];
                    continue;
                }
                // A negative total (output larger than the full result) puts the extra
                // elements at the end, so the halves round toward negative infinity.
                int total = full - target;
                int half = Math.floorDiv(total, 2);
                begin[d] = attributes.autoPad.equals("SAME_UPPER") ? half : total - half;
                out[d] = target;
            }
            for (int d = 0; d < rank; d++) {
                if (out[d] < 0) {
                    throw new IllegalArgumentException("the output of ConvTranspose would have"
                            + " negative size " + out[d] + " along spatial axis " + d);
                }
            }
            checkBias(b, x, m);
            if (x.type() == DataType.FLOAT && Arrays.equals(Inputs.spatial(w), k)
                    && ConvTransposeFloat.applies(in, k, s, dil, begin, out)) {
                float[] wValues = w.floats();
                float[] bValues = b == null ? null : b.floats();
                ConvTransposeFloat.Packed packed = packedCache.get();
                if (packed == null || !packed.matches(wValues, bValues, c, m, group, k, in)) {
                    packed = ConvTransposeFloat.pack(wValues, bValues, c, m, group, k, in);
                    boolean constant = constantW != null && wValues == constantW.data()
                            && (b == null || constantB != null && bValues == constantB.data());
                    if (constant) {
                        packedCache.set(packed);
                    }
                }
                float[] y = ConvTransposeFloat.compute(x.floats(), packed, n, ctx);
                return new Value[] {Tensor.of(DataType.FLOAT, Inputs.withSpatial(n, m, out), y)};
            }
            if (x.type() == DataType.FLOAT) {
                TransposeGeometry cached = cache.get();
                if (cached == null || !Arrays.equals(cached.xShape(), x.shape())
                        || !Arrays.equals(cached.wShape(), w.shape())) {
                    cached = new TransposeGeometry(x.shape().clone(), w.shape().clone(),
                            new ColumnGeometry(mg, out, k, in, s, dil, begin));
                    cache.set(cached);
                }
                ColumnGeometry geometry = cached.columns();
                float[] y = FloatConvolution.convTranspose(x.floats(), w.floats(),
                        b == null ? null : b.floats(), n, c, in, m, group, geometry, ctx);
                return new Value[] {Tensor.of(DataType.FLOAT, Inputs.withSpatial(n, m, out), y)};
            }
            double[] xd = x.toDoubleArray();
            double[] wd = w.toDoubleArray();
            int cg = c / group;
            int inSize = Window.product(in);
            int outSize = Window.product(out);
            Im2Col geometry = new Im2Col(mg, out, k, in, s, dil, begin);
            int rows = geometry.rows();
            double[] col = new double[rows * inSize];
            double[] y = new double[n * m * outSize];
            for (int i = 0; i < n; i++) {
                for (int g = 0; g < group; g++) {
                    Arrays.fill(col, 0);
                    // col = W_g^T X_g, where W_g is (cg x rows) and X_g is (cg x inSize).
                    for (int cc = 0; cc < cg; cc++) {
                        int wRow = (g * cg + cc) * rows;
                        int xRow = (i * c + g * cg + cc) * inSize;
                        for (int r = 0; r < rows; r++) {
                            double wv = wd[wRow + r];
                            int colRow = r * inSize;
                            for (int p = 0; p < inSize; p++) {
                                col[colRow + p] += wv * xd[xRow + p];
                            }
                        }
                    }
                    geometry.col2im(col, 0, y, (i * m + g * mg) * outSize);
                }
            }
            addBias(y, b == null ? null : b.toDoubleArray(), n, m, outSize);
            return new Value[] {Tensor.fromDoubles(x.type(), Inputs.withSpatial(n, m, out), y)};
        };
    }

    /** The col2im geometry of a ConvTranspose node for one pair of input shapes. */
    private record TransposeGeometry(int[] xShape, int[] wShape, ColumnGeometry columns) {}

    static Kernel deformConv(NodeContext node) {
        Window.Attributes attributes = new Window.Attributes(node);
        int group = group(node);
        long offsetGroupAttribute = node.getInt("offset_group", 1);
        if (offsetGroupAttribute <= 0 || offsetGroupAttribute > Integer.MAX_VALUE) {
            throw node.error("offset_group must be positive, got " + offsetGroupAttribute);
        }
        int offsetGroups = (int) offsetGroupAttribute;
        return (inputs, ctx) -> {
            Tensor x = Inputs.required(inputs, 0, "X");
            Tensor w = Inputs.required(inputs, 1, "W");
            Tensor offset = Inputs.required(inputs, 2, "offset");
            Tensor b = Inputs.optional(inputs, 3, "B");
            Tensor mask = Inputs.optional(inputs, 4, "mask");
            Inputs.requireFloat(x, "X");
            Inputs.requireSpatial(x, "X");
            Inputs.requireSameType(w, "W", x, "X");
            Inputs.requireSameType(offset, "offset", x, "X");
            checkWeights(x, w, group, w.dim(0));
            int n = x.dim(0);
            int c = x.dim(1);
            int m = w.dim(0);
            if (c % offsetGroups != 0) {
                throw new IllegalArgumentException("the " + c + " input channels are not"
                        + " divisible by offset_group " + offsetGroups);
            }
            int[] in = Inputs.spatial(x);
            int rank = in.length;
            Window window = attributes.resolve(in, Inputs.spatial(w), false);
            int kernelSize = window.kernelSize();
            int positions = window.outputSize();
            int[] offsetShape = Inputs.withSpatial(n, offsetGroups * kernelSize * rank,
                    window.output());
            if (!Arrays.equals(offset.shape(), offsetShape)) {
                throw new IllegalArgumentException("input offset must have shape "
                        + Arrays.toString(offsetShape) + ", got "
                        + Arrays.toString(offset.shape()));
            }
            double[] maskValues = null;
            if (mask != null) {
                Inputs.requireSameType(mask, "mask", x, "X");
                int[] maskShape = Inputs.withSpatial(n, offsetGroups * kernelSize,
                        window.output());
                if (!Arrays.equals(mask.shape(), maskShape)) {
                    throw new IllegalArgumentException("input mask must have shape "
                            + Arrays.toString(maskShape) + ", got "
                            + Arrays.toString(mask.shape()));
                }
                maskValues = mask.toDoubleArray();
            }
            checkBias(b, x, m);
            double[] y = deform(x.toDoubleArray(), n, c, in, w.toDoubleArray(), m, group,
                    offsetGroups, offset.toDoubleArray(), maskValues, window);
            addBias(y, b == null ? null : b.toDoubleArray(), n, m, positions);
            return new Value[] {Tensor.fromDoubles(x.type(), Inputs.withSpatial(n, m,
                    window.output()), y)};
        };
    }

    private static double[] deform(double[] x, int n, int c, int[] in, double[] w, int m,
            int group, int offsetGroups, double[] offset, double[] mask, Window window) {
        int rank = in.length;
        int cg = c / group;
        int mg = m / group;
        int channelsPerOffsetGroup = c / offsetGroups;
        int inSize = Window.product(in);
        int kernelSize = window.kernelSize();
        int positions = window.outputSize();
        int rows = cg * kernelSize;
        double[] col = new double[rows * positions];
        double[] y = new double[n * m * positions];
        int[] k = new int[rank];
        int[] p = new int[rank];
        double[] point = new double[rank];
        Interpolator interpolator = new Interpolator(in);
        for (int i = 0; i < n; i++) {
            for (int g = 0; g < group; g++) {
                for (int cc = 0; cc < cg; cc++) {
                    int channel = g * cg + cc;
                    int og = channel / channelsPerOffsetGroup;
                    int plane = (i * c + channel) * inSize;
                    Arrays.fill(k, 0);
                    for (int kf = 0; kf < kernelSize; kf++) {
                        int offsetChannel = (i * offsetGroups + og) * kernelSize + kf;
                        int colRow = (cc * kernelSize + kf) * positions;
                        Arrays.fill(p, 0);
                        for (int pf = 0; pf < positions; pf++) {
                            for (int d = 0; d < rank; d++) {
                                double shift = offset[(offsetChannel * rank + d) * positions + pf];
                                point[d] = p[d] * window.strides()[d] - window.padBegin()[d]
                                        + k[d] * window.dilations()[d] + shift;
                            }
                            double v = interpolator.sample(x, plane, point);
                            if (mask != null) {
                                v *= mask[offsetChannel * positions + pf];
                            }
                            col[colRow + pf] = v;
                            Im2Col.increment(p, window.output());
                        }
                        Im2Col.increment(k, window.kernel());
                    }
                }
                gemm(w, g * mg * rows, col, y, (i * m + g * mg) * positions, mg, rows, positions);
            }
        }
        return y;
    }

    /** Multilinear interpolation over N-D planes, reading zero outside the plane. */
    static final class Interpolator {
        private final int[] dims;
        private final int[] strides;
        private final int[] low;
        private final double[] fraction;

        Interpolator(int[] dims) {
            this.dims = dims;
            this.strides = dev.jonnx.runtime.kernel.Shapes.strides(dims);
            this.low = new int[dims.length];
            this.fraction = new double[dims.length];
        }

        /** Samples the plane starting at {@code data[base]} at fractional {@code point}. */
        double sample(double[] data, int base, double[] point) {
            int rank = dims.length;
            for (int d = 0; d < rank; d++) {
                double v = point[d];
                if (!(v > -1 && v < dims[d])) {
                    return 0;
                }
                double floor = Math.floor(v);
                low[d] = (int) floor;
                fraction[d] = v - floor;
            }
            double sum = 0;
            for (int corner = 0; corner < 1 << rank; corner++) {
                double weight = 1;
                int index = base;
                boolean inside = true;
                for (int d = 0; d < rank; d++) {
                    boolean high = (corner >> (rank - 1 - d) & 1) != 0;
                    int coordinate = high ? low[d] + 1 : low[d];
                    weight *= high ? fraction[d] : 1 - fraction[d];
                    if (coordinate < 0 || coordinate >= dims[d]) {
                        inside = false;
                        break;
                    }
                    index += coordinate * strides[d];
                }
                if (inside && weight != 0) {
                    sum += weight * data[index];
                }
            }
            return sum;
        }
    }

    static Kernel col2Im(NodeContext node) {
        long[] stridesAttribute = node.getInts("strides", null);
        long[] dilationsAttribute = node.getInts("dilations", null);
        long[] padsAttribute = node.getInts("pads", null);
        return (inputs, ctx) -> {
            Tensor input = Inputs.required(inputs, 0, "input");
            int[] image = Inputs.required(inputs, 1, "image_shape").toIntArray();
            int[] block = Inputs.required(inputs, 2, "block_shape").toIntArray();
            int rank = image.length;
            if (block.length != rank) {
                throw new IllegalArgumentException("image_shape and block_shape must have the"
                        + " same length, got " + Arrays.toString(image) + " and "
                        + Arrays.toString(block));
            }
            if (input.rank() != 3) {
                throw new IllegalArgumentException("input must have shape (N, C * prod("
                        + "block_shape), L), got " + Arrays.toString(input.shape()));
            }
            int[] s = Window.Attributes.expect("strides", stridesAttribute, rank, 1);
            int[] dil = Window.Attributes.expect("dilations", dilationsAttribute, rank, 1);
            int[] pads = Window.Attributes.expect("pads", padsAttribute, 2 * rank, 0);
            int blockSize = Window.product(block);
            if (blockSize == 0 || input.dim(1) % blockSize != 0) {
                throw new IllegalArgumentException("dimension 1 of input (" + input.dim(1)
                        + ") must be divisible by the block size " + blockSize);
            }
            int[] positions = new int[rank];
            for (int d = 0; d < rank; d++) {
                int span = (block[d] - 1) * dil[d] + 1;
                positions[d] = (image[d] + pads[d] + pads[d + rank] - span) / s[d] + 1;
            }
            if (Window.product(positions) != input.dim(2)) {
                throw new IllegalArgumentException("dimension 2 of input must be the number of"
                        + " blocks " + Window.product(positions) + " (" + Arrays.toString(positions)
                        + "), got " + input.dim(2));
            }
            int n = input.dim(0);
            int c = input.dim(1) / blockSize;
            int imageSize = Window.product(image);
            int colSize = input.dim(1) * input.dim(2);
            Im2Col geometry = new Im2Col(c, image, block, positions, s, dil,
                    Arrays.copyOf(pads, rank));
            int[] outShape = Inputs.withSpatial(n, c, image);
            DataType type = input.type();
            if (type == DataType.STRING) {
                throw new IllegalArgumentException("Col2Im adds overlapping values and cannot"
                        + " add STRING elements");
            }
            if (type.isComplex()) {
                double[] all = input.toDoubleArray();
                double[] out = new double[2 * n * c * imageSize];
                double[] part = new double[all.length / 2];
                double[] partOut = new double[out.length / 2];
                for (int half = 0; half < 2; half++) {
                    for (int j = 0; j < part.length; j++) {
                        part[j] = all[2 * j + half];
                    }
                    Arrays.fill(partOut, 0);
                    for (int i = 0; i < n; i++) {
                        geometry.col2im(part, i * colSize, partOut, i * c * imageSize);
                    }
                    for (int j = 0; j < partOut.length; j++) {
                        out[2 * j + half] = partOut[j];
                    }
                }
                return new Value[] {Tensor.fromDoubles(type, outShape, out)};
            }
            if (type.isFloatingPoint()) {
                double[] col = input.toDoubleArray();
                double[] out = new double[n * c * imageSize];
                for (int i = 0; i < n; i++) {
                    geometry.col2im(col, i * colSize, out, i * c * imageSize);
                }
                return new Value[] {Tensor.fromDoubles(type, outShape, out)};
            }
            long[] col = input.toLongArray();
            long[] out = new long[n * c * imageSize];
            for (int i = 0; i < n; i++) {
                geometry.col2im(col, i * colSize, out, i * c * imageSize);
            }
            return new Value[] {Tensor.fromLongs(type, outShape, out)};
        };
    }
}
