package dev.jonnx.runtime.ops.ml;

import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.HashMap;
import java.util.Map;

/** Value-to-value mappings of ai.onnx.ml: LabelEncoder (versions 1, 2 and 4) and CategoryMapper. */
final class Encoders {
    private Encoders() {}

    // ---- LabelEncoder-1: strings to indices into classes_strings and back ----

    static Kernel labelEncoderV1(NodeContext node) {
        for (String later : new String[] {"keys_strings", "keys_int64s", "keys_floats",
            "values_strings", "values_int64s", "values_floats"}) {
            if (node.hasAttribute(later)) {
                throw node.error("attribute '" + later + "' needs ai.onnx.ml opset 2 or later;"
                        + " version 1 maps through 'classes_strings'");
            }
        }
        String[] classes = node.getStrings("classes_strings", new String[0]);
        long defaultInt = node.getInt("default_int64", -1);
        String defaultString = node.getString("default_string", "_Unused");
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < classes.length; i++) {
            index.putIfAbsent(classes[i], i);
        }
        return (inputs, ctx) -> {
            Tensor x = FeatureOps.tensorInput(inputs[0], "LabelEncoder", "X");
            int n = x.size();
            if (x.type() == DataType.STRING) {
                String[] in = x.strings();
                long[] out = new long[n];
                for (int i = 0; i < n; i++) {
                    Integer found = index.get(in[i]);
                    out[i] = found == null ? defaultInt : found;
                }
                return new Value[] {Tensor.of(DataType.INT64, x.shape(), out)};
            }
            if (x.type() == DataType.INT64) {
                long[] in = x.longs();
                String[] out = new String[n];
                for (int i = 0; i < n; i++) {
                    out[i] = in[i] >= 0 && in[i] < classes.length ? classes[(int) in[i]] : defaultString;
                }
                return new Value[] {Tensor.of(DataType.STRING, x.shape(), out)};
            }
            throw new IllegalArgumentException("LabelEncoder: input X must be string or int64,"
                    + " got " + x.describe());
        };
    }

    // ---- LabelEncoder-2 and -4: parallel keys_* and values_* ----

    static Kernel labelEncoder(NodeContext node) {
        boolean v4 = node.opset() >= 4;
        Tensor keys = oneOf(node, "keys", v4);
        Tensor values = oneOf(node, "values", v4);
        if (keys.size() != values.size()) {
            throw node.error("the keys have " + keys.size() + " entries but the values have "
                    + values.size() + "; they must have the same length");
        }
        Tensor defaultValue = defaultFor(node, values.type(), v4);
        DataType keyType = keys.type();
        // Version 2 compares float keys bit by bit; version 4 treats every NaN as one key.
        boolean bitwise = !v4;
        LongLookup numericIndex = null;
        Map<String, Integer> stringIndex = null;
        if (keyType == DataType.STRING) {
            stringIndex = new HashMap<>();
            String[] k = keys.strings();
            for (int i = 0; i < k.length; i++) {
                stringIndex.put(k[i], i);
            }
        } else {
            long[] bits = new long[keys.size()];
            for (int i = 0; i < bits.length; i++) {
                bits[i] = keyBits(keys, i, bitwise);
            }
            numericIndex = new LongLookup(bits);
        }
        LongLookup finalNumericIndex = numericIndex;
        Map<String, Integer> finalStringIndex = stringIndex;
        Object valueData = values.data();
        Object defaultData = defaultValue.data();
        return (inputs, ctx) -> {
            Tensor x = FeatureOps.tensorInput(inputs[0], "LabelEncoder", "X");
            if (x.type() != keyType) {
                throw new IllegalArgumentException("LabelEncoder: input X must have the element"
                        + " type of the keys (" + keyType + "), got " + x.describe());
            }
            int n = x.size();
            Object out = Tensor.allocate(values.type(), n);
            for (int i = 0; i < n; i++) {
                int position;
                if (finalStringIndex != null) {
                    Integer found = finalStringIndex.get(x.strings()[i]);
                    position = found == null ? -1 : found;
                } else {
                    position = finalNumericIndex.find(keyBits(x, i, bitwise));
                }
                if (position >= 0) {
                    FeatureOps.copyElement(valueData, position, out, i);
                } else {
                    FeatureOps.copyElement(defaultData, 0, out, i);
                }
            }
            return new Value[] {Tensor.of(values.type(), x.shape(), out)};
        };
    }

    /**
     * Returns a lookup key for element {@code i}: the value itself for integers, and the bits
     * for floating types, with NaNs and signed zeros merged unless {@code bitwise}.
     */
    private static long keyBits(Tensor t, int i, boolean bitwise) {
        switch (t.type()) {
            case FLOAT -> {
                float v = t.floats()[i];
                if (!bitwise && (v == 0 || Float.isNaN(v))) {
                    return Float.isNaN(v) ? Float.floatToIntBits(Float.NaN) : 0;
                }
                return Float.floatToRawIntBits(v);
            }
            case DOUBLE -> {
                double v = t.doubles()[i];
                if (!bitwise && (v == 0 || Double.isNaN(v))) {
                    return Double.isNaN(v) ? Double.doubleToLongBits(Double.NaN) : 0;
                }
                return Double.doubleToRawLongBits(v);
            }
            default -> {
                return t.getLong(i);
            }
        }
    }

    private static final DataType[] V4_TYPES = {
        DataType.STRING, DataType.INT64, DataType.FLOAT, DataType.INT32, DataType.INT16, DataType.DOUBLE
    };

    /** Reads the one attribute of {@code prefix}_strings, _int64s, _floats (or _tensor) set. */
    private static Tensor oneOf(NodeContext node, String prefix, boolean allowTensor) {
        Tensor found = null;
        int count = 0;
        String[] strings = node.getStrings(prefix + "_strings", null);
        if (strings != null) {
            found = Tensor.of(strings, strings.length);
            count++;
        }
        long[] ints = node.getInts(prefix + "_int64s", null);
        if (ints != null) {
            found = Tensor.of(ints, ints.length);
            count++;
        }
        float[] floats = node.getFloats(prefix + "_floats", null);
        if (floats != null) {
            found = Tensor.of(floats, floats.length);
            count++;
        }
        if (node.hasAttribute(prefix + "_tensor")) {
            if (!allowTensor) {
                throw node.error("attribute '" + prefix + "_tensor' needs ai.onnx.ml opset 4 or"
                        + " later");
            }
            Tensor t = node.getTensor(prefix + "_tensor");
            if (!java.util.Arrays.asList(V4_TYPES).contains(t.type())) {
                throw node.error("attribute '" + prefix + "_tensor' must be string, int64, float,"
                        + " int32, int16 or double, got " + t.describe());
            }
            found = t.reshape(t.size());
            count++;
        }
        if (count != 1) {
            throw node.error("exactly one of the attributes '" + prefix + "_strings', '" + prefix
                    + "_int64s', '" + prefix + "_floats'" + (allowTensor ? ", '" + prefix
                    + "_tensor'" : "") + " must be set, got " + count);
        }
        return found;
    }

    private static Tensor defaultFor(NodeContext node, DataType type, boolean v4) {
        if (v4 && node.hasAttribute("default_tensor")) {
            Tensor t = node.getTensor("default_tensor");
            if (t.type() != type || t.size() != 1) {
                throw node.error("attribute 'default_tensor' must hold one " + type
                        + " element like the values, got " + t.describe());
            }
            return t.reshape(1);
        }
        return switch (type) {
            case STRING -> Tensor.of(new String[] {node.getString("default_string", "_Unused")}, 1);
            case FLOAT, DOUBLE -> Tensor.fromDoubles(type, new int[] {1},
                    new double[] {node.getFloat("default_float", -0.0f)});
            default -> Tensor.fromLongs(type, new int[] {1},
                    new long[] {node.getInt("default_int64", -1)});
        };
    }

    // ---- CategoryMapper ----

    static Kernel categoryMapper(NodeContext node) {
        long[] ints = node.getInts("cats_int64s", new long[0]);
        String[] strings = node.getStrings("cats_strings", new String[0]);
        if (ints.length != strings.length) {
            throw node.error("attributes 'cats_int64s' (" + ints.length + " entries) and"
                    + " 'cats_strings' (" + strings.length + " entries) must have the same length");
        }
        long defaultInt = node.getInt("default_int64", -1);
        String defaultString = node.getString("default_string", "_Unused");
        LongLookup intIndex = new LongLookup(ints);
        Map<String, Integer> stringIndex = new HashMap<>();
        for (int i = 0; i < strings.length; i++) {
            stringIndex.put(strings[i], i);
        }
        return (inputs, ctx) -> {
            Tensor x = FeatureOps.tensorInput(inputs[0], "CategoryMapper", "X");
            int n = x.size();
            if (x.type() == DataType.STRING) {
                String[] in = x.strings();
                long[] out = new long[n];
                for (int i = 0; i < n; i++) {
                    Integer found = stringIndex.get(in[i]);
                    out[i] = found == null ? defaultInt : ints[found];
                }
                return new Value[] {Tensor.of(DataType.INT64, x.shape(), out)};
            }
            if (x.type() == DataType.INT64) {
                long[] in = x.longs();
                String[] out = new String[n];
                for (int i = 0; i < n; i++) {
                    int found = intIndex.find(in[i]);
                    out[i] = found < 0 ? defaultString : strings[found];
                }
                return new Value[] {Tensor.of(DataType.STRING, x.shape(), out)};
            }
            throw new IllegalArgumentException("CategoryMapper: input X must be string or int64,"
                    + " got " + x.describe());
        };
    }
}
