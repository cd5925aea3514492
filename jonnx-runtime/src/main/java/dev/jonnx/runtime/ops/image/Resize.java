package dev.jonnx.runtime.ops.image;

import dev.jonnx.runtime.kernel.ElementGather;
import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Resize (versions 10 to 19) and the deprecated Upsample. Each resized axis gets a table of
 * source indices and weights per output index, and the axes are then resampled one after
 * another, which equals N-linear or N-cubic interpolation because those filters are separable.
 * Nearest mode only moves elements, so it serves every element type; linear and cubic compute
 * in double and need a real numeric type.
 */
final class Resize {
    private Resize() {}

    enum Mode { NEAREST, LINEAR, CUBIC }

    /**
     * The nearest rounding of Resize 10 and Upsample, which have no nearest_mode attribute:
     * floor when upsampling and ceil when downsampling.
     * NOTE: the spec does not state this rule. It follows ONNX Runtime, whose choice matches
     * the old Resize 10 backend test that downsamples [1, 2, 3, 4] by 0.6 to [1, 3].
     */
    static final String LEGACY_NEAREST = "legacy";

    /** The parsed attributes of one node. */
    record Settings(Mode mode, String transform, String nearestMode, double cubicA,
            boolean excludeOutside, double extrapolation, boolean antialias, long[] axes,
            String keepAspectRatio) {}

    static Kernel resize(NodeContext node) {
        int opset = node.opset();
        String modeName = node.getString("mode", "nearest");
        Mode mode = switch (modeName) {
            case "nearest" -> Mode.NEAREST;
            case "linear" -> Mode.LINEAR;
            case "cubic" -> {
                if (opset < 11) {
                    throw node.error("mode cubic needs Resize version 11 or later");
                }
                yield Mode.CUBIC;
            }
            default -> throw node.error("mode must be nearest, linear or cubic, got '"
                    + modeName + "'");
        };
        Settings settings;
        if (opset < 11) {
            // Version 10 maps coordinates as x / scale and has no nearest_mode attribute.
            settings = new Settings(mode, "asymmetric", LEGACY_NEAREST, -0.75, false, 0, false,
                    null, "stretch");
        } else {
            String transform = node.getString("coordinate_transformation_mode", "half_pixel");
            switch (transform) {
                case "half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                        "tf_crop_and_resize" -> { }
                case "tf_half_pixel_for_nn" -> {
                    if (opset >= 13) {
                        throw node.error("coordinate_transformation_mode tf_half_pixel_for_nn"
                                + " was removed in Resize version 13");
                    }
                }
                case "half_pixel_symmetric" -> {
                    if (opset < 19) {
                        throw node.error("coordinate_transformation_mode half_pixel_symmetric"
                                + " needs Resize version 19 or later");
                    }
                }
                default -> throw node.error("unknown coordinate_transformation_mode '"
                        + transform + "'");
            }
            String nearestMode = node.getString("nearest_mode", "round_prefer_floor");
            switch (nearestMode) {
                case "round_prefer_floor", "round_prefer_ceil", "floor", "ceil" -> { }
                default -> throw node.error("nearest_mode must be round_prefer_floor,"
                        + " round_prefer_ceil, floor or ceil, got '" + nearestMode + "'");
            }
            String keep = node.getString("keep_aspect_ratio_policy", "stretch");
            switch (keep) {
                case "stretch", "not_larger", "not_smaller" -> { }
                default -> throw node.error("keep_aspect_ratio_policy must be stretch,"
                        + " not_larger or not_smaller, got '" + keep + "'");
            }
            boolean antialias = node.getInt("antialias", 0) != 0;
            settings = new Settings(mode, transform, nearestMode,
                    node.getFloat("cubic_coeff_a", -0.75f),
                    node.getInt("exclude_outside", 0) != 0,
                    node.getFloat("extrapolation_value", 0f),
                    antialias && mode != Mode.NEAREST,
                    node.getInts("axes", null), keep);
        }
        TableCache cache = new TableCache();
        return (inputs, ctx) -> {
            Tensor x = ImageInputs.required(inputs, 0, "X");
            if (opset < 11) {
                double[] scales = ImageInputs.required(inputs, 1, "scales").toDoubleArray();
                return new Value[] {run(x, null, scales, null, settings, ctx, cache)};
            }
            Tensor roi = ImageInputs.optional(inputs, 1, "roi");
            Tensor scales = ImageInputs.optional(inputs, 2, "scales");
            Tensor sizes = ImageInputs.optional(inputs, 3, "sizes");
            boolean hasScales = scales != null && scales.size() > 0;
            boolean hasSizes = sizes != null && sizes.size() > 0;
            if (hasScales == hasSizes) {
                throw new IllegalArgumentException("exactly one of the inputs scales and sizes"
                        + " must be given and non-empty, got "
                        + (hasScales ? "both" : "neither"));
            }
            double[] roiValues = roi == null || roi.size() == 0 ? null : roi.toDoubleArray();
            return new Value[] {run(x, roiValues, hasScales ? scales.toDoubleArray() : null,
                    hasSizes ? sizes.toLongArray() : null, settings, ctx, cache)};
        };
    }

    static Kernel upsample(NodeContext node) {
        int opset = node.opset();
        String modeName = node.getString("mode", "nearest");
        Mode mode = switch (modeName.toLowerCase(java.util.Locale.ROOT)) {
            case "nearest" -> Mode.NEAREST;
            case "linear", "bilinear" -> Mode.LINEAR;
            default -> throw node.error("mode must be nearest or linear, got '" + modeName + "'");
        };
        Settings settings = new Settings(mode, "asymmetric", LEGACY_NEAREST, -0.75, false, 0,
                false, null, "stretch");
        double[] attributeScales;
        if (opset < 7) {
            attributeScales = new double[] {1, 1, node.getFloat("height_scale"),
                    node.getFloat("width_scale")};
        } else if (opset < 9) {
            float[] scales = node.getFloats("scales", null);
            if (scales == null) {
                throw node.error("required attribute 'scales' is missing");
            }
            attributeScales = new double[scales.length];
            for (int i = 0; i < scales.length; i++) {
                attributeScales[i] = scales[i];
            }
        } else {
            attributeScales = null;
        }
        TableCache cache = new TableCache();
        return (inputs, ctx) -> {
            Tensor x = ImageInputs.required(inputs, 0, "X");
            double[] scales = attributeScales != null ? attributeScales
                    : ImageInputs.required(inputs, 1, "scales").toDoubleArray();
            for (double s : scales) {
                if (s < 1) {
                    throw new IllegalArgumentException("Upsample scales must be at least 1, got "
                            + Arrays.toString(scales));
                }
            }
            return new Value[] {run(x, null, scales, null, settings, ctx, cache)};
        };
    }

    /**
     * The output shape and axis tables of a node's most recent run, reused while the input
     * shape, roi, scales and sizes stay the same, because building them allocates arrays as
     * long as the output axes. The tables are never written after they are built, so runs on
     * several threads may share them.
     */
    static final class TableCache {
        private final AtomicReference<Entry> last = new AtomicReference<>();

        private record Entry(int[] in, double[] roi, double[] scales, long[] sizes, int[] out,
                AxisTable[] tables) {}
    }

    /**
     * Resizes {@code x}. Exactly one of {@code scales} and {@code sizes} is non-null. With a
     * context, float inputs may take the threaded fast path of {@link ResizeFloat}.
     */
    static Tensor run(Tensor x, double[] roi, double[] scales, long[] sizes, Settings s,
            RunContext ctx) {
        return run(x, roi, scales, sizes, s, ctx, null);
    }

    /** Resizes {@code x} as above, taking the tables from {@code cache} when they match these inputs. */
    static Tensor run(Tensor x, double[] roi, double[] scales, long[] sizes, Settings s,
            RunContext ctx, TableCache cache) {
        int rank = x.rank();
        int[] in = x.shape();
        TableCache.Entry cached = cache == null ? null : cache.last.get();
        int[] out;
        AxisTable[] tables;
        if (cached != null && Arrays.equals(cached.in(), in) && Arrays.equals(cached.roi(), roi)
                && Arrays.equals(cached.scales(), scales) && Arrays.equals(cached.sizes(), sizes)) {
            out = cached.out();
            tables = cached.tables();
        } else {
            int[] axes = resolveAxes(s.axes(), rank);
            Geometry g = Geometry.resolve(in, axes, roi, scales, sizes, s);
            out = g.out();
            tables = new AxisTable[rank];
            for (int d = 0; d < rank; d++) {
                if (in[d] == 0 && out[d] > 0) {
                    throw new IllegalArgumentException("cannot resize empty axis " + d + " to "
                            + out[d]);
                }
                tables[d] = AxisTable.build(s, in[d], out[d], g.scale()[d], g.outLength()[d],
                        g.roiStart()[d], g.roiEnd()[d]);
            }
            if (cache != null) {
                cache.last.set(new TableCache.Entry(in, roi == null ? null : roi.clone(),
                        scales == null ? null : scales.clone(), sizes == null ? null : sizes.clone(),
                        out, tables));
            }
        }
        Tensor fast = ResizeFloat.tryResize(x, out, tables, s.mode(), ctx);
        if (fast != null) {
            return fast;
        }
        if (s.mode() == Mode.NEAREST) {
            return nearest(x, out, tables, s.extrapolation());
        }

        DataType type = x.type();
        if (!ImageInputs.isRealNumber(type)) {
            throw new IllegalArgumentException("mode " + s.mode().name().toLowerCase(java.util.Locale.ROOT)
                    + " needs a numeric input, got " + type);
        }
        double[] data = x.toDoubleArray();
        int[] shape = in.clone();
        for (int d = 0; d < rank; d++) {
            if (!tables[d].isIdentity()) {
                data = tables[d].apply(data, shape, d, s.extrapolation());
                shape[d] = out[d];
            }
        }
        return ImageInputs.fromComputed(type, out, data);
    }

    private static int[] resolveAxes(long[] attribute, int rank) {
        if (attribute == null) {
            int[] axes = new int[rank];
            for (int i = 0; i < rank; i++) {
                axes[i] = i;
            }
            return axes;
        }
        int[] axes = new int[attribute.length];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = Shapes.axis(attribute[i], rank);
        }
        return axes;
    }

    /**
     * Per-axis output size and the values the coordinate mappings read: the scale, the
     * fractional output length scale * in, and the region of interest (0 to 1 unless
     * tf_crop_and_resize).
     */
    record Geometry(int[] out, double[] scale, double[] outLength, double[] roiStart,
            double[] roiEnd) {

        static Geometry resolve(int[] in, int[] axes, double[] roi, double[] scales,
                long[] sizes, Settings s) {
            int rank = in.length;
            int count = axes.length;
            double[] scale = new double[rank];
            Arrays.fill(scale, 1);
            double[] roiStart = new double[rank];
            double[] roiEnd = new double[rank];
            Arrays.fill(roiEnd, 1);
            boolean crop = s.transform().equals("tf_crop_and_resize");
            if (crop) {
                if (roi == null || roi.length != 2 * count) {
                    throw new IllegalArgumentException("input roi must have " + 2 * count
                            + " values for coordinate_transformation_mode tf_crop_and_resize, got "
                            + (roi == null ? "none" : Arrays.toString(roi)));
                }
                for (int i = 0; i < count; i++) {
                    roiStart[axes[i]] = roi[i];
                    roiEnd[axes[i]] = roi[count + i];
                }
            }
            int[] out = in.clone();
            // The fractional output length scale * in, which the coordinate mappings use.
            double[] outLength = new double[rank];
            for (int d = 0; d < rank; d++) {
                outLength[d] = in[d];
            }
            if (sizes != null) {
                if (sizes.length != count) {
                    throw new IllegalArgumentException("input sizes must have " + count
                            + " values, got " + Arrays.toString(sizes));
                }
                if (s.keepAspectRatio().equals("stretch")) {
                    for (int i = 0; i < count; i++) {
                        int d = axes[i];
                        out[d] = Math.toIntExact(sizes[i]);
                        scale[d] = (double) sizes[i] / in[d];
                        outLength[d] = out[d];
                    }
                } else {
                    boolean notLarger = s.keepAspectRatio().equals("not_larger");
                    double common = notLarger ? Double.POSITIVE_INFINITY : 0;
                    for (int i = 0; i < count; i++) {
                        double r = (double) sizes[i] / in[axes[i]];
                        common = notLarger ? Math.min(common, r) : Math.max(common, r);
                    }
                    for (int i = 0; i < count; i++) {
                        int d = axes[i];
                        scale[d] = common;
                        out[d] = (int) (common * in[d] + 0.5);
                        outLength[d] = common * in[d];
                    }
                }
            } else {
                if (scales.length != count) {
                    throw new IllegalArgumentException("input scales must have " + count
                            + " values, got " + Arrays.toString(scales));
                }
                for (int i = 0; i < count; i++) {
                    int d = axes[i];
                    if (!(scales[i] > 0)) {
                        throw new IllegalArgumentException("scales must be positive, got "
                                + Arrays.toString(scales));
                    }
                    scale[d] = scales[i];
                    out[d] = (int) Math.floor(in[d] * (roiEnd[d] - roiStart[d]) * scales[i]);
                    outLength[d] = scales[i] * in[d];
                }
            }
            for (int d = 0; d < rank; d++) {
                if (out[d] < 0) {
                    throw new IllegalArgumentException("output dimension " + d + " would be "
                            + out[d]);
                }
            }
            return new Geometry(out, scale, outLength, roiStart, roiEnd);
        }
    }

    private static Tensor nearest(Tensor x, int[] out, AxisTable[] tables, double extrapolation) {
        int rank = out.length;
        int size = Tensor.sizeOf(out);
        int[] inStrides = Shapes.strides(x.shape());
        int[] index = new int[size];
        int[] counter = new int[rank];
        boolean extrapolated = false;
        for (int i = 0; i < size; i++) {
            int offset = 0;
            for (int d = 0; d < rank; d++) {
                AxisTable t = tables[d];
                int o = counter[d];
                if (t.outside[o]) {
                    offset = -1;
                    break;
                }
                offset += t.index[o * t.points] * inStrides[d];
            }
            if (offset < 0) {
                extrapolated = true;
            }
            index[i] = offset;
            for (int d = rank - 1; d >= 0; d--) {
                if (++counter[d] < out[d]) {
                    break;
                }
                counter[d] = 0;
            }
        }
        Tensor result = ElementGather.gather(x, out, index);
        if (extrapolated && extrapolation != 0 && ImageInputs.isRealNumber(x.type())) {
            Object data = result.data();
            for (int i = 0; i < size; i++) {
                if (index[i] < 0) {
                    Tensor.store(x.type(), data, i, extrapolation);
                }
            }
        }
        return result;
    }

    /**
     * Source indices and weights along one axis. Output index {@code o} reads
     * {@code index[o * points + j]} with weight {@code weight[o * points + j]}, or takes the
     * extrapolation value when {@code outside[o]}.
     */
    static final class AxisTable {
        final int points;
        final int[] index;
        final double[] weight;
        final boolean[] outside;
        final int inLength;
        final int outLength;
        /** The weights rounded to float, made on first use by the float path. */
        private volatile float[] floatWeights;

        private AxisTable(int points, int inLength, int outLength) {
            this.points = points;
            this.inLength = inLength;
            this.outLength = outLength;
            this.index = new int[points * outLength];
            this.weight = new double[points * outLength];
            this.outside = new boolean[outLength];
        }

        /** Returns {@link #weight} rounded to float; the caller must not modify the array. */
        float[] floatWeights() {
            float[] w = floatWeights;
            if (w == null) {
                w = new float[weight.length];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) weight[i];
                }
                floatWeights = w;
            }
            return w;
        }

        static AxisTable build(Settings s, int in, int out, double scale, double outLength,
                double roiStart, double roiEnd) {
            if (s.mode() == Mode.NEAREST) {
                AxisTable t = new AxisTable(1, in, out);
                for (int o = 0; o < out; o++) {
                    double x = original(s.transform(), o, in, out, scale, outLength, roiStart,
                            roiEnd);
                    if (s.transform().equals("tf_crop_and_resize") && (x < 0 || x > in - 1)) {
                        t.outside[o] = true;
                        continue;
                    }
                    String rounding = s.nearestMode();
                    if (rounding.equals(LEGACY_NEAREST)) {
                        rounding = scale < 1 ? "ceil" : "floor";
                    }
                    t.index[o] = clamp(round(x, rounding), in);
                    t.weight[o] = 1;
                }
                return t;
            }
            int radius = s.mode() == Mode.LINEAR ? 1 : 2;
            double filterScale = s.antialias() ? Math.min(scale, 1) : 1;
            int start = (int) Math.floor(-radius / filterScale) + 1;
            int points = 2 - 2 * start;
            AxisTable t = new AxisTable(points, in, out);
            for (int o = 0; o < out; o++) {
                double x = original(s.transform(), o, in, out, scale, outLength, roiStart, roiEnd);
                if (s.transform().equals("tf_crop_and_resize") && (x < 0 || x > in - 1)) {
                    t.outside[o] = true;
                    continue;
                }
                // The fraction lies in (0, 1]: an integral x counts as 1 past the point below.
                double floor = Math.floor(x);
                int base = (int) floor;
                double fraction = x - floor;
                if (fraction == 0) {
                    base -= 1;
                    fraction = 1;
                }
                double sum = 0;
                for (int j = 0; j < points; j++) {
                    int offset = start + j;
                    double w = kernel(s, (offset - fraction) * filterScale);
                    int source = base + offset;
                    if (s.excludeOutside() && (source < 0 || source >= in)) {
                        w = 0;
                    }
                    t.index[o * points + j] = clamp(source, in);
                    t.weight[o * points + j] = w;
                    sum += w;
                }
                if (s.antialias() || s.excludeOutside()) {
                    for (int j = 0; j < points; j++) {
                        t.weight[o * points + j] /= sum;
                    }
                }
            }
            return t;
        }

        private static double kernel(Settings s, double t) {
            double a = Math.abs(t);
            if (s.mode() == Mode.LINEAR) {
                return Math.max(0, 1 - a);
            }
            double c = s.cubicA();
            if (a <= 1) {
                return ((c + 2) * a - (c + 3)) * a * a + 1;
            }
            if (a < 2) {
                return ((c * a - 5 * c) * a + 8 * c) * a - 4 * c;
            }
            return 0;
        }

        private static int clamp(long i, int length) {
            return (int) Math.min(Math.max(i, 0), length - 1);
        }

        private static long round(double x, String mode) {
            double floor = Math.floor(x);
            double fraction = x - floor;
            if (fraction == 0) {
                return (long) floor;
            }
            boolean up = switch (mode) {
                case "round_prefer_floor" -> fraction > 0.5;
                case "round_prefer_ceil" -> fraction >= 0.5;
                case "ceil" -> true;
                default -> false;
            };
            return (long) floor + (up ? 1 : 0);
        }

        /** Maps output coordinate {@code o} to the input coordinate along one axis. */
        static double original(String transform, int o, int in, int out, double scale,
                double outLength, double roiStart, double roiEnd) {
            return switch (transform) {
                case "half_pixel" -> (o + 0.5) / scale - 0.5;
                case "half_pixel_symmetric" -> {
                    double adjustment = out / outLength;
                    double center = in / 2.0;
                    yield center * (1 - adjustment) + (o + 0.5) / scale - 0.5;
                }
                case "pytorch_half_pixel" -> out > 1 ? (o + 0.5) / scale - 0.5 : 0;
                case "align_corners" -> outLength == 1 ? 0 : o * (in - 1) / (outLength - 1);
                case "asymmetric" -> o / scale;
                case "tf_half_pixel_for_nn" -> (o + 0.5) / scale;
                case "tf_crop_and_resize" -> outLength == 1
                        ? 0.5 * (roiStart + roiEnd) * (in - 1)
                        : roiStart * (in - 1) + o * (roiEnd - roiStart) * (in - 1) / (outLength - 1);
                default -> throw new IllegalStateException("unknown transform " + transform);
            };
        }

        boolean isIdentity() {
            if (inLength != outLength) {
                return false;
            }
            for (int o = 0; o < outLength; o++) {
                if (outside[o]) {
                    return false;
                }
                for (int j = 0; j < points; j++) {
                    double w = weight[o * points + j];
                    int i = index[o * points + j];
                    if (w != 0 && (i != o || w != 1)) {
                        return false;
                    }
                }
            }
            return true;
        }

        /** Resamples axis {@code axis} of {@code data} (of {@code shape}) with this table. */
        double[] apply(double[] data, int[] shape, int axis, double extrapolation) {
            int outer = 1;
            for (int d = 0; d < axis; d++) {
                outer *= shape[d];
            }
            int inner = 1;
            for (int d = axis + 1; d < shape.length; d++) {
                inner *= shape[d];
            }
            double[] result = new double[outer * outLength * inner];
            for (int a = 0; a < outer; a++) {
                int inBase = a * inLength * inner;
                int outBase = a * outLength * inner;
                for (int o = 0; o < outLength; o++) {
                    int target = outBase + o * inner;
                    if (outside[o]) {
                        Arrays.fill(result, target, target + inner, extrapolation);
                        continue;
                    }
                    for (int j = 0; j < points; j++) {
                        double w = weight[o * points + j];
                        if (w == 0) {
                            continue;
                        }
                        int source = inBase + index[o * points + j] * inner;
                        for (int b = 0; b < inner; b++) {
                            result[target + b] += w * data[source + b];
                        }
                    }
                }
            }
            return result;
        }
    }
}
