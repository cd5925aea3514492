package dev.jonnx.runtime.ops.ml;

import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Element and feature transforms of ai.onnx.ml: ArrayFeatureExtractor, Binarizer,
 * FeatureVectorizer, Imputer, Normalizer, OneHotEncoder and Scaler.
 */
final class FeatureOps {
    private FeatureOps() {}

    static Tensor tensorInput(Value value, String op, String name) {
        if (!(value instanceof Tensor t)) {
            throw new IllegalArgumentException(op + ": input " + name + " must be a tensor, got "
                    + (value == null ? "nothing" : value.describe()));
        }
        return t;
    }

    // ---- ArrayFeatureExtractor ----

    static Kernel arrayFeatureExtractor(NodeContext node) {
        return (inputs, ctx) -> {
            Tensor x = tensorInput(inputs[0], "ArrayFeatureExtractor", "X");
            Tensor y = tensorInput(inputs[1], "ArrayFeatureExtractor", "Y");
            DataType type = x.type();
            if (type != DataType.FLOAT && type != DataType.DOUBLE && type != DataType.INT64
                    && type != DataType.INT32 && type != DataType.STRING) {
                throw new IllegalArgumentException("ArrayFeatureExtractor: input X must be float,"
                        + " double, int64, int32 or string, got " + x.describe());
            }
            if (y.type() != DataType.INT64) {
                throw new IllegalArgumentException("ArrayFeatureExtractor: input Y must be int64"
                        + " indices, got " + y.describe());
            }
            if (x.rank() == 0) {
                throw new IllegalArgumentException("ArrayFeatureExtractor: input X must have rank"
                        + " 1 or more, got a scalar");
            }
            int last = x.dim(-1);
            long[] indices = y.longs();
            for (long index : indices) {
                if (index < 0 || index >= last) {
                    throw new IllegalArgumentException("ArrayFeatureExtractor: index " + index
                            + " in Y is out of range [0, " + last + ") for the last axis of X "
                            + Arrays.toString(x.shape()));
                }
            }
            int[] shape = x.shape();
            int[] outShape;
            if (x.rank() == 1) {
                // A 1-D input is one row: the output is [1, K] as in onnxruntime.
                outShape = new int[] {1, indices.length};
            } else {
                outShape = shape.clone();
                outShape[outShape.length - 1] = indices.length;
            }
            int outer = Tensor.sizeOf(Arrays.copyOf(shape, shape.length - 1));
            int k = indices.length;
            Object src = x.data();
            Object dst = Tensor.allocate(type, outer * k);
            for (int o = 0; o < outer; o++) {
                for (int j = 0; j < k; j++) {
                    copyElement(src, o * last + (int) indices[j], dst, o * k + j);
                }
            }
            return new Value[] {Tensor.of(type, outShape, dst)};
        };
    }

    /** Copies element {@code from} of a storage array into element {@code to} of another. */
    static void copyElement(Object src, int from, Object dst, int to) {
        switch (src) {
            case float[] a -> ((float[]) dst)[to] = a[from];
            case double[] a -> ((double[]) dst)[to] = a[from];
            case long[] a -> ((long[]) dst)[to] = a[from];
            case int[] a -> ((int[]) dst)[to] = a[from];
            case short[] a -> ((short[]) dst)[to] = a[from];
            case String[] a -> ((String[]) dst)[to] = a[from];
            default -> throw new IllegalStateException("unexpected storage " + src.getClass());
        }
    }

    // ---- Binarizer ----

    static Kernel binarizer(NodeContext node) {
        double threshold = node.getFloat("threshold", 0f);
        return (inputs, ctx) -> {
            Tensor x = Features.numericTensor(inputs[0], "Binarizer");
            int n = x.size();
            Object out = Tensor.allocate(x.type(), n);
            switch (x.data()) {
                case float[] a -> {
                    float[] o = (float[]) out;
                    for (int i = 0; i < n; i++) {
                        o[i] = a[i] > threshold ? 1 : 0;
                    }
                }
                case double[] a -> {
                    double[] o = (double[]) out;
                    for (int i = 0; i < n; i++) {
                        o[i] = a[i] > threshold ? 1 : 0;
                    }
                }
                case long[] a -> {
                    long[] o = (long[]) out;
                    for (int i = 0; i < n; i++) {
                        o[i] = a[i] > threshold ? 1 : 0;
                    }
                }
                case int[] a -> {
                    int[] o = (int[]) out;
                    for (int i = 0; i < n; i++) {
                        o[i] = a[i] > threshold ? 1 : 0;
                    }
                }
                default -> throw new IllegalStateException("unexpected storage of " + x.describe());
            }
            return new Value[] {Tensor.of(x.type(), x.shape(), out)};
        };
    }

    // ---- FeatureVectorizer ----

    static Kernel featureVectorizer(NodeContext node) {
        long[] dims = node.getInts("inputdimensions", null);
        if (dims != null) {
            if (dims.length != node.inputCount()) {
                throw node.error("attribute 'inputdimensions' has " + dims.length
                        + " entries but the node has " + node.inputCount() + " inputs");
            }
            for (long d : dims) {
                if (d < 0) {
                    throw node.error("attribute 'inputdimensions' must not be negative, got "
                            + Arrays.toString(dims));
                }
            }
        }
        return (inputs, ctx) -> {
            Features[] parts = new Features[inputs.length];
            int rows = -1;
            int total = 0;
            int[] widths = new int[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                Tensor t = Features.numericTensor(inputs[i], "FeatureVectorizer");
                parts[i] = t.rank() == 0
                        ? new Features(t.toDoubleArray(), 1, 1)
                        : Features.of(t, "FeatureVectorizer");
                if (rows >= 0 && parts[i].rows() != rows) {
                    throw new IllegalArgumentException("FeatureVectorizer: input " + i + " has "
                            + parts[i].rows() + " rows but input 0 has " + rows);
                }
                rows = parts[i].rows();
                widths[i] = dims != null ? (int) dims[i] : parts[i].columns();
                total += widths[i];
            }
            float[] out = new float[rows * total];
            int column = 0;
            for (int i = 0; i < parts.length; i++) {
                Features f = parts[i];
                // Columns beyond inputdimensions are dropped and missing ones stay zero.
                int copy = Math.min(widths[i], f.columns());
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < copy; c++) {
                        out[r * total + column + c] = (float) f.values()[r * f.columns() + c];
                    }
                }
                column += widths[i];
            }
            return new Value[] {Tensor.of(out, rows, total)};
        };
    }

    // ---- Imputer ----

    static Kernel imputer(NodeContext node) {
        float[] floats = node.getFloats("imputed_value_floats", new float[0]);
        long[] ints = node.getInts("imputed_value_int64s", new long[0]);
        if ((floats.length > 0) == (ints.length > 0)) {
            throw node.error("exactly one of the attributes 'imputed_value_floats' and"
                    + " 'imputed_value_int64s' must be set and non-empty");
        }
        double replacedFloat = node.getFloat("replaced_value_float", 0f);
        long replacedInt = node.getInt("replaced_value_int64", 0);
        return (inputs, ctx) -> {
            Tensor x = Features.numericTensor(inputs[0], "Imputer");
            boolean floating = x.type() == DataType.FLOAT || x.type() == DataType.DOUBLE;
            int count = floating ? floats.length : ints.length;
            if (count == 0) {
                throw new IllegalArgumentException("Imputer: input X is " + x.describe()
                        + " but the node sets " + (floating ? "'imputed_value_int64s'; a"
                        + " floating-point input needs 'imputed_value_floats'"
                        : "'imputed_value_floats'; an integer input needs 'imputed_value_int64s'"));
            }
            int features = x.rank() == 0 ? 1 : x.dim(-1);
            if (count != 1 && count != features) {
                throw new IllegalArgumentException("Imputer: the imputed values have " + count
                        + " entries, expected 1 or the " + features + " features of X "
                        + Arrays.toString(x.shape()));
            }
            // Expand a single imputed value to one per feature.
            double[] imputed = new double[features];
            long[] imputedInts = new long[features];
            for (int j = 0; j < features; j++) {
                int source = count == 1 ? 0 : j;
                if (floating) {
                    imputed[j] = floats[source];
                } else {
                    imputedInts[j] = ints[source];
                }
            }
            int n = x.size();
            Object out = Tensor.allocate(x.type(), n);
            switch (x.data()) {
                case float[] a -> {
                    float[] o = (float[]) out;
                    float replaced = (float) replacedFloat;
                    boolean nan = Float.isNaN(replaced);
                    for (int i = 0; i < n; i++) {
                        boolean hit = a[i] == replaced || (nan && Float.isNaN(a[i]));
                        o[i] = hit ? (float) imputed[i % features] : a[i];
                    }
                }
                case double[] a -> {
                    double[] o = (double[]) out;
                    boolean nan = Double.isNaN(replacedFloat);
                    for (int i = 0; i < n; i++) {
                        boolean hit = a[i] == replacedFloat || (nan && Double.isNaN(a[i]));
                        o[i] = hit ? imputed[i % features] : a[i];
                    }
                }
                case long[] a -> {
                    long[] o = (long[]) out;
                    for (int i = 0; i < n; i++) {
                        o[i] = a[i] == replacedInt ? imputedInts[i % features] : a[i];
                    }
                }
                case int[] a -> {
                    int[] o = (int[]) out;
                    for (int i = 0; i < n; i++) {
                        o[i] = a[i] == replacedInt ? (int) imputedInts[i % features] : a[i];
                    }
                }
                default -> throw new IllegalStateException("unexpected storage of " + x.describe());
            }
            return new Value[] {Tensor.of(x.type(), x.shape(), out)};
        };
    }

    // ---- Normalizer ----

    static Kernel normalizer(NodeContext node) {
        String norm = node.getString("norm", "MAX");
        if (!norm.equals("MAX") && !norm.equals("L1") && !norm.equals("L2")) {
            throw node.error("attribute 'norm' must be MAX, L1 or L2, got '" + norm + "'");
        }
        return (inputs, ctx) -> {
            Features f = Features.of(inputs[0], "Normalizer");
            int c = f.columns();
            double[] x = f.values();
            float[] out = new float[f.rows() * c];
            for (int r = 0; r < f.rows(); r++) {
                int base = r * c;
                double divisor = switch (norm) {
                    case "MAX" -> {
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j < c; j++) {
                            max = Math.max(max, x[base + j]);
                        }
                        yield max;
                    }
                    case "L1" -> {
                        double sum = 0;
                        for (int j = 0; j < c; j++) {
                            sum += Math.abs(x[base + j]);
                        }
                        yield sum;
                    }
                    default -> {
                        double sum = 0;
                        for (int j = 0; j < c; j++) {
                            sum += x[base + j] * x[base + j];
                        }
                        yield Math.sqrt(sum);
                    }
                };
                // The spec leaves the input unchanged when the divisor is zero.
                boolean divide = divisor != 0;
                for (int j = 0; j < c; j++) {
                    out[base + j] = (float) (divide ? x[base + j] / divisor : x[base + j]);
                }
            }
            Tensor x0 = (Tensor) inputs[0];
            return new Value[] {Tensor.of(DataType.FLOAT, x0.shape(), out)};
        };
    }

    // ---- Scaler ----

    static Kernel scaler(NodeContext node) {
        float[] offset = node.getFloats("offset", new float[0]);
        float[] scale = node.getFloats("scale", new float[0]);
        return (inputs, ctx) -> {
            Tensor x = Features.numericTensor(inputs[0], "Scaler");
            int features = x.rank() == 0 ? 1 : x.dim(-1);
            checkPerFeature("offset", offset.length, features, x);
            checkPerFeature("scale", scale.length, features, x);
            double[] offsets = perFeature(offset, features, 0);
            double[] scales = perFeature(scale, features, 1);
            int n = x.size();
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                int j = i % features;
                out[i] = (float) ((x.getDouble(i) - offsets[j]) * scales[j]);
            }
            return new Value[] {Tensor.of(DataType.FLOAT, x.shape(), out)};
        };
    }

    /** Expands an attribute of 0, 1 or {@code features} values to one value per feature. */
    private static double[] perFeature(float[] values, int features, double absent) {
        double[] out = new double[features];
        for (int j = 0; j < features; j++) {
            if (values.length == 0) {
                out[j] = absent;
            } else {
                out[j] = values[values.length == 1 ? 0 : j];
            }
        }
        return out;
    }

    private static void checkPerFeature(String attribute, int length, int features, Tensor x) {
        if (length > 1 && length != features) {
            throw new IllegalArgumentException("Scaler: attribute '" + attribute + "' has " + length
                    + " entries, expected 1 or the " + features + " features of X "
                    + Arrays.toString(x.shape()));
        }
    }

    // ---- OneHotEncoder ----

    static Kernel oneHotEncoder(NodeContext node) {
        long[] catsInts = node.getInts("cats_int64s", new long[0]);
        String[] catsStrings = node.getStrings("cats_strings", new String[0]);
        if ((catsInts.length > 0) == (catsStrings.length > 0)) {
            throw node.error("exactly one of the attributes 'cats_int64s' and 'cats_strings' must"
                    + " be set and non-empty");
        }
        boolean zeros = node.getInt("zeros", 1) != 0;
        LongLookup intIndex = new LongLookup(catsInts);
        Map<String, Integer> stringIndex = new HashMap<>();
        for (int i = 0; i < catsStrings.length; i++) {
            stringIndex.put(catsStrings[i], i);
        }
        int k = Math.max(catsInts.length, catsStrings.length);
        return (inputs, ctx) -> {
            Tensor x = tensorInput(inputs[0], "OneHotEncoder", "X");
            boolean strings = x.type() == DataType.STRING;
            if (strings != (catsStrings.length > 0)) {
                throw new IllegalArgumentException("OneHotEncoder: input X is " + x.describe()
                        + " but the categories are " + (catsStrings.length > 0 ? "strings" : "int64s"));
            }
            if (!strings) {
                Features.numericTensor(x, "OneHotEncoder");
            }
            int n = x.size();
            float[] out = new float[n * k];
            for (int i = 0; i < n; i++) {
                int category;
                if (strings) {
                    Integer found = stringIndex.get(x.strings()[i]);
                    category = found == null ? -1 : found;
                } else {
                    double v = x.getDouble(i);
                    // Floating-point inputs are truncated to integers before the lookup.
                    category = Double.isNaN(v) ? -1 : intIndex.find(x.getLong(i));
                }
                if (category < 0) {
                    if (!zeros) {
                        throw new IllegalArgumentException("OneHotEncoder: element " + i
                                + " of X (" + (strings ? "'" + x.strings()[i] + "'" : x.getDouble(i))
                                + ") is not a known category and attribute 'zeros' is 0");
                    }
                    continue;
                }
                out[i * k + category] = 1;
            }
            int[] shape = Arrays.copyOf(x.shape(), x.rank() + 1);
            shape[x.rank()] = k;
            return new Value[] {Tensor.of(DataType.FLOAT, shape, out)};
        };
    }
}
