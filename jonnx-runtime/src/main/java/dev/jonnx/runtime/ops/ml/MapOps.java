package dev.jonnx.runtime.ops.ml;

import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.MapValue;
import dev.jonnx.tensor.SequenceValue;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Operators of ai.onnx.ml that read or build maps: CastMap, DictVectorizer and ZipMap. */
final class MapOps {
    private MapOps() {}

    private static MapValue mapInput(Value value, String op) {
        if (!(value instanceof MapValue map)) {
            throw new IllegalArgumentException(op + ": input X must be a map, got "
                    + (value == null ? "nothing" : value.describe()));
        }
        return map;
    }

    // ---- CastMap ----

    static Kernel castMap(NodeContext node) {
        String castTo = node.getString("cast_to", "TO_FLOAT");
        DataType outType = switch (castTo) {
            case "TO_FLOAT" -> DataType.FLOAT;
            case "TO_STRING" -> DataType.STRING;
            case "TO_INT64" -> DataType.INT64;
            default -> throw node.error("attribute 'cast_to' must be TO_FLOAT, TO_STRING or"
                    + " TO_INT64, got '" + castTo + "'");
        };
        String form = node.getString("map_form", "DENSE");
        if (!form.equals("DENSE") && !form.equals("SPARSE")) {
            throw node.error("attribute 'map_form' must be DENSE or SPARSE, got '" + form + "'");
        }
        boolean sparse = form.equals("SPARSE");
        long maxMap = node.getInt("max_map", 1);
        if (sparse && (maxMap < 0 || maxMap > Integer.MAX_VALUE)) {
            throw node.error("attribute 'max_map' must be in [0, " + Integer.MAX_VALUE + "], got "
                    + maxMap);
        }
        return (inputs, ctx) -> {
            MapValue map = mapInput(inputs[0], "CastMap");
            if (map.keyType() != DataType.INT64) {
                throw new IllegalArgumentException("CastMap: input X must have int64 keys, got "
                        + map.describe());
            }
            long[] keys = new long[map.size()];
            int k = 0;
            for (Object key : map.entries().keySet()) {
                keys[k++] = (Long) key;
            }
            Arrays.sort(keys);
            int width = sparse ? (int) maxMap : keys.length;
            // NOTE: the output is [1, width] as in onnxruntime, although the spec calls it 1-D.
            Object out = Tensor.allocate(outType, width);
            if (sparse && outType == DataType.STRING) {
                // Positions without a key hold the zero pad value, as for the numeric types.
                Arrays.fill((String[]) out, "0");
            }
            for (int i = 0; i < keys.length; i++) {
                int position = i;
                if (sparse) {
                    if (keys[i] < 0 || keys[i] >= maxMap) {
                        throw new IllegalArgumentException("CastMap: key " + keys[i] + " is out of"
                                + " range [0, " + maxMap + ") set by attribute 'max_map'");
                    }
                    position = (int) keys[i];
                }
                storeCast(map.entries().get(keys[i]), outType, out, position);
            }
            return new Value[] {Tensor.of(outType, new int[] {1, width}, out)};
        };
    }

    /**
     * Stores a float or string map value, converted to {@code type}.
     *
     * <p>NOTE: floats become strings in Java's shortest form ("1.5"); onnxruntime prints them
     * with six decimals ("1.500000").
     */
    private static void storeCast(Object value, DataType type, Object out, int i) {
        try {
            switch (type) {
                case FLOAT -> ((float[]) out)[i] = value instanceof String s
                        ? Float.parseFloat(s.trim()) : ((Number) value).floatValue();
                case INT64 -> ((long[]) out)[i] = value instanceof String s
                        ? Long.parseLong(s.trim()) : (long) ((Number) value).floatValue();
                default -> ((String[]) out)[i] = value instanceof String s
                        ? s : Float.toString(((Number) value).floatValue());
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("CastMap: map value '" + value + "' is not a valid "
                    + type + " number", e);
        }
    }

    // ---- DictVectorizer ----

    static Kernel dictVectorizer(NodeContext node) {
        long[] intVocabulary = node.getInts("int64_vocabulary", new long[0]);
        String[] stringVocabulary = node.getStrings("string_vocabulary", new String[0]);
        if ((intVocabulary.length > 0) == (stringVocabulary.length > 0)) {
            throw node.error("exactly one of the attributes 'int64_vocabulary' and"
                    + " 'string_vocabulary' must be set and non-empty");
        }
        boolean stringKeys = stringVocabulary.length > 0;
        int width = stringKeys ? stringVocabulary.length : intVocabulary.length;
        Map<Object, Integer> index = new HashMap<>();
        for (int i = 0; i < width; i++) {
            index.putIfAbsent(stringKeys ? stringVocabulary[i] : (Object) intVocabulary[i], i);
        }
        return (inputs, ctx) -> {
            MapValue map = mapInput(inputs[0], "DictVectorizer");
            DataType expectedKey = stringKeys ? DataType.STRING : DataType.INT64;
            if (map.keyType() != expectedKey) {
                throw new IllegalArgumentException("DictVectorizer: the vocabulary has "
                        + expectedKey + " keys but input X is " + map.describe());
            }
            DataType valueType = map.valueType() != null ? map.valueType() : DataType.FLOAT;
            if (valueType != DataType.FLOAT && valueType != DataType.DOUBLE
                    && valueType != DataType.INT64 && valueType != DataType.STRING) {
                throw new IllegalArgumentException("DictVectorizer: map values must be float,"
                        + " double, int64 or string, got " + map.describe());
            }
            Object out = Tensor.allocate(valueType, width);
            // NOTE: keys missing from the vocabulary are skipped, as onnxruntime does, although
            // the spec requires every key to be in it.
            for (Map.Entry<Object, Object> e : map.entries().entrySet()) {
                Integer position = index.get(e.getKey());
                if (position == null) {
                    continue;
                }
                Object v = e.getValue();
                switch (valueType) {
                    case FLOAT -> ((float[]) out)[position] = ((Number) v).floatValue();
                    case DOUBLE -> ((double[]) out)[position] = ((Number) v).doubleValue();
                    case INT64 -> ((long[]) out)[position] = ((Number) v).longValue();
                    default -> ((String[]) out)[position] = (String) v;
                }
            }
            return new Value[] {Tensor.of(valueType, new int[] {1, width}, out)};
        };
    }

    // ---- ZipMap ----

    static Kernel zipMap(NodeContext node) {
        long[] intLabels = node.getInts("classlabels_int64s", new long[0]);
        String[] stringLabels = node.getStrings("classlabels_strings", new String[0]);
        if ((intLabels.length > 0) == (stringLabels.length > 0)) {
            throw node.error("exactly one of the attributes 'classlabels_int64s' and"
                    + " 'classlabels_strings' must be set and non-empty");
        }
        boolean strings = stringLabels.length > 0;
        int width = strings ? stringLabels.length : intLabels.length;
        Object[] keys = new Object[width];
        for (int i = 0; i < width; i++) {
            keys[i] = strings ? stringLabels[i] : (Object) intLabels[i];
        }
        DataType keyType = strings ? DataType.STRING : DataType.INT64;
        return (inputs, ctx) -> {
            Tensor x = FeatureOps.tensorInput(inputs[0], "ZipMap", "X");
            if (x.type() != DataType.FLOAT) {
                throw new IllegalArgumentException("ZipMap: input X must be float, got "
                        + x.describe());
            }
            if (x.rank() == 0 || x.rank() > 2) {
                throw new IllegalArgumentException("ZipMap: input X must be [N, C] or [C], got "
                        + x.describe());
            }
            int columns = x.dim(-1);
            if (columns != width) {
                throw new IllegalArgumentException("ZipMap: input X has " + columns
                        + " columns but there are " + width + " class labels");
            }
            int rows = x.rank() == 1 ? 1 : x.dim(0);
            float[] values = x.floats();
            List<Value> maps = new ArrayList<>(rows);
            for (int r = 0; r < rows; r++) {
                Map<Object, Object> entries = new LinkedHashMap<>();
                for (int c = 0; c < width; c++) {
                    entries.put(keys[c], values[r * width + c]);
                }
                maps.add(new MapValue(keyType, DataType.FLOAT, entries));
            }
            return new Value[] {new SequenceValue(maps, null)};
        };
    }
}
