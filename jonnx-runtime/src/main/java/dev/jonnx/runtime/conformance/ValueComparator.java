package dev.jonnx.runtime.conformance;

import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.MapValue;
import dev.jonnx.tensor.OptionalValue;
import dev.jonnx.tensor.SequenceValue;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * Compares an actual value with an expected one by the ONNX backend suite's rule: floating
 * point within {@code |a - e| <= atol + rtol * |e|} with NaN equal to NaN and infinities equal
 * to themselves; integers, booleans and strings exactly; shapes and element types exactly.
 */
public final class ValueComparator {
    private final double rtol;
    private final double atol;

    public ValueComparator(double rtol, double atol) {
        this.rtol = rtol;
        this.atol = atol;
    }

    /** The suite's defaults: relative 1e-3, absolute 1e-7. */
    public static ValueComparator suiteDefault() {
        return new ValueComparator(1e-3, 1e-7);
    }

    /** Returns null when the values match, else a description of the first mismatch. */
    public String compare(Value expected, Value actual) {
        if (expected instanceof Tensor e) {
            if (!(actual instanceof Tensor a)) {
                return "expected " + expected.describe() + ", got " + actual.describe();
            }
            return compareTensors(e, a);
        }
        if (expected instanceof SequenceValue e) {
            if (!(actual instanceof SequenceValue a)) {
                return "expected " + expected.describe() + ", got " + actual.describe();
            }
            if (e.size() != a.size()) {
                return "expected a sequence of " + e.size() + " elements, got " + a.size();
            }
            for (int i = 0; i < e.size(); i++) {
                String d = compare(e.get(i), a.get(i));
                if (d != null) {
                    return "sequence element " + i + ": " + d;
                }
            }
            return null;
        }
        if (expected instanceof OptionalValue e) {
            Value inner = actual instanceof OptionalValue a ? a.value() : actual;
            if (e.value() == null) {
                return inner == null ? null : "expected an empty optional, got " + actual.describe();
            }
            if (inner == null) {
                return "expected " + e.describe() + ", got an empty optional";
            }
            return compare(e.value(), inner);
        }
        if (expected instanceof MapValue e) {
            if (!(actual instanceof MapValue a)) {
                return "expected " + expected.describe() + ", got " + actual.describe();
            }
            return compareMaps(e, a);
        }
        return "cannot compare " + expected.describe();
    }

    private String compareMaps(MapValue e, MapValue a) {
        if (e.size() != a.size()) {
            return "expected a map of " + e.size() + " entries, got " + a.size();
        }
        for (Map.Entry<Object, Object> entry : e.entries().entrySet()) {
            Object key = entry.getKey();
            Object other = a.entries().get(key);
            if (other == null) {
                return "map key " + key + " is missing";
            }
            Object ev = entry.getValue();
            if (ev instanceof Number n && other instanceof Number m) {
                if (!close(n.doubleValue(), m.doubleValue())) {
                    return "map key " + key + ": expected " + ev + ", got " + other;
                }
            } else if (ev instanceof Value v && other instanceof Value w) {
                String d = compare(v, w);
                if (d != null) {
                    return "map key " + key + ": " + d;
                }
            } else if (!Objects.equals(ev, other)) {
                return "map key " + key + ": expected " + ev + ", got " + other;
            }
        }
        return null;
    }

    private String compareTensors(Tensor e, Tensor a) {
        if (e.type() != a.type()) {
            return "expected element type " + e.type() + ", got " + a.type();
        }
        if (!Arrays.equals(e.shape(), a.shape())) {
            return "expected shape " + Arrays.toString(e.shape()) + ", got " + Arrays.toString(a.shape());
        }
        DataType type = e.type();
        int slots = e.size() * type.slotsPerElement();
        if (type == DataType.STRING) {
            String[] es = e.strings();
            String[] as = a.strings();
            for (int i = 0; i < slots; i++) {
                if (!es[i].equals(as[i])) {
                    return "at index " + i + ": expected \"" + es[i] + "\", got \"" + as[i] + "\"";
                }
            }
            return null;
        }
        if (type.isFloatingPoint() || type.isComplex()) {
            double worst = -1;
            int worstAt = -1;
            for (int i = 0; i < slots; i++) {
                double ev = e.getDouble(i);
                double av = a.getDouble(i);
                if (!close(ev, av)) {
                    double diff = Double.isNaN(ev) || Double.isNaN(av) ? Double.POSITIVE_INFINITY
                            : Math.abs(ev - av);
                    if (diff > worst || Double.isNaN(diff)) {
                        worst = diff;
                        worstAt = i;
                    }
                }
            }
            if (worstAt >= 0) {
                return "largest difference " + worst + " at index " + worstAt + ": expected "
                        + e.getDouble(worstAt) + ", got " + a.getDouble(worstAt);
            }
            return null;
        }
        for (int i = 0; i < slots; i++) {
            if (e.getLong(i) != a.getLong(i)) {
                return "at index " + i + ": expected " + e.getLong(i) + ", got " + a.getLong(i);
            }
        }
        return null;
    }

    private boolean close(double expected, double actual) {
        if (Double.isNaN(expected) || Double.isNaN(actual)) {
            return Double.isNaN(expected) && Double.isNaN(actual);
        }
        if (Double.isInfinite(expected) || Double.isInfinite(actual)) {
            return expected == actual;
        }
        return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
    }

}
