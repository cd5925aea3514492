package dev.jonnx.runtime.ops.math;

import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.FloatFormats;
import dev.jonnx.tensor.FloatFormats.RoundMode;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.math.BigDecimal;
import java.util.Locale;

/** Cast and CastLike between every ONNX element type except the complex ones. */
final class CastOps {
    private CastOps() {}

    static void register(OpRegistry.Builder r) {
        r.add("Cast", CastOps::cast, 1, 6, 9, 13, 19, 21, 23, 24, 25);
        r.add("CastLike", CastOps::castLike, 15, 19, 21, 23, 24, 25);
    }

    /** The attributes that shape a conversion to a reduced float format. */
    record Options(boolean saturate, RoundMode roundMode) {
        static Options of(NodeContext node) {
            boolean saturate = node.getInt("saturate", 1) != 0;
            String mode = node.getString("round_mode", "up");
            RoundMode roundMode = switch (mode) {
                case "up" -> RoundMode.UP;
                case "down" -> RoundMode.DOWN;
                case "nearest" -> RoundMode.NEAREST;
                default -> throw node.error("attribute 'round_mode' must be up, down or nearest,"
                        + " got '" + mode + "'");
            };
            return new Options(saturate, roundMode);
        }
    }

    private static Kernel cast(NodeContext node) {
        AttributeProto to = node.attribute("to");
        if (to == null) {
            throw node.error("required attribute 'to' is missing");
        }
        DataType target;
        try {
            // Opset 1 names the type as a string such as "FLOAT"; later opsets use its code.
            target = to.getType() == AttributeProto.AttributeType.STRING
                    ? DataType.valueOf(node.getString("to").toUpperCase(Locale.ROOT))
                    : DataType.fromCode((int) node.getInt("to"));
        } catch (IllegalArgumentException e) {
            throw node.error("attribute 'to' is not a known element type: " + e.getMessage());
        }
        if (target.isComplex()) {
            throw node.unsupported("Cast to " + target);
        }
        Options options = Options.of(node);
        return (inputs, ctx) -> new Value[] {convert(Operands.tensor(inputs, 0), target, options)};
    }

    private static Kernel castLike(NodeContext node) {
        Options options = Options.of(node);
        return (inputs, ctx) -> {
            Tensor x = Operands.tensor(inputs, 0);
            Tensor like = Operands.tensor(inputs, 1);
            return new Value[] {convert(x, like.type(), options)};
        };
    }

    /** Converts a tensor to another element type, as the Cast operator defines. */
    static Tensor convert(Tensor x, DataType to, Options options) {
        DataType from = x.type();
        if (from == to) {
            return x;
        }
        if (from.isComplex() || to.isComplex()) {
            throw new IllegalArgumentException("Cast from " + from + " to " + to
                    + " is not defined: complex types cannot be cast");
        }
        int[] shape = x.shape();
        if (from == DataType.STRING) {
            return fromStrings(x.strings(), to, shape, options);
        }
        if (to == DataType.STRING) {
            return Tensor.of(DataType.STRING, shape, toStrings(x));
        }
        if (from.isFloatingPoint()) {
            return fromDoubles(Operands.doubles(x), from == DataType.DOUBLE, to, shape, options);
        }
        boolean shared = from == DataType.INT64 || from == DataType.UINT64;
        return fromLongs(Operands.longs(x), shared, from == DataType.UINT64, to, shape, options);
    }

    /**
     * Builds a tensor from double values. Integer targets truncate toward zero and keep the low
     * bits; NaN becomes 0. Pass {@code shared} when the array belongs to the input, so that a
     * double target gets a copy.
     */
    private static Tensor fromDoubles(double[] v, boolean shared, DataType to, int[] shape,
            Options options) {
        int n = v.length;
        Object out = Tensor.allocate(to, n);
        switch (to) {
            case FLOAT -> {
                float[] o = (float[]) out;
                for (int i = 0; i < n; i++) {
                    o[i] = (float) v[i];
                }
            }
            case DOUBLE -> out = shared ? v.clone() : v;
            case BOOL -> {
                boolean[] o = (boolean[]) out;
                for (int i = 0; i < n; i++) {
                    o[i] = v[i] != 0;
                }
            }
            case FLOAT16, BFLOAT16 -> {
                short[] o = (short[]) out;
                for (int i = 0; i < n; i++) {
                    o[i] = (short) FloatFormats.fromDouble(to, v[i], true);
                }
            }
            case FLOAT8E8M0 -> {
                byte[] o = (byte[]) out;
                boolean saturate = options.saturate();
                RoundMode mode = options.roundMode();
                for (int i = 0; i < n; i++) {
                    o[i] = (byte) FloatFormats.toE8m0(v[i], saturate, mode);
                }
            }
            case FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ, FLOAT4E2M1 -> {
                byte[] o = (byte[]) out;
                for (int i = 0; i < n; i++) {
                    o[i] = (byte) FloatFormats.fromDouble(to, v[i], options.saturate());
                }
            }
            case UINT64 -> {
                long[] o = (long[]) out;
                for (int i = 0; i < n; i++) {
                    o[i] = v[i] >= 0x1p63 ? (long) (v[i] - 0x1p63) ^ Long.MIN_VALUE : (long) v[i];
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    Tensor.storeLong(to, out, i, (long) v[i]);
                }
            }
        }
        return Tensor.of(to, shape, out);
    }

    /**
     * Builds a tensor from integer values; {@code unsigned64} reads them as uint64. Pass
     * {@code shared} when the array belongs to the input, so that a 64-bit target gets a copy.
     */
    private static Tensor fromLongs(long[] v, boolean shared, boolean unsigned64, DataType to,
            int[] shape, Options options) {
        int n = v.length;
        if (to.isInteger()) {
            boolean wide = to == DataType.INT64 || to == DataType.UINT64;
            return Operands.ofLongs(to, shape, shared && wide ? v.clone() : v);
        }
        Object out = Tensor.allocate(to, n);
        switch (to) {
            case BOOL -> {
                boolean[] o = (boolean[]) out;
                for (int i = 0; i < n; i++) {
                    o[i] = v[i] != 0;
                }
            }
            case FLOAT -> {
                float[] o = (float[]) out;
                for (int i = 0; i < n; i++) {
                    o[i] = unsigned64 && v[i] < 0 ? unsignedToFloat(v[i]) : (float) v[i];
                }
            }
            default -> {
                double[] d = new double[n];
                for (int i = 0; i < n; i++) {
                    d[i] = unsigned64 && v[i] < 0 ? unsignedToDouble(v[i]) : (double) v[i];
                }
                return fromDoubles(d, false, to, shape, options);
            }
        }
        return Tensor.of(to, shape, out);
    }

    private static double unsignedToDouble(long v) {
        // Halve with the low bit kept as a sticky bit, so the one rounding happens in the cast.
        return ((double) ((v >>> 1) | (v & 1))) * 2.0;
    }

    private static float unsignedToFloat(long v) {
        return ((float) ((v >>> 1) | (v & 1))) * 2.0f;
    }

    private static Tensor fromStrings(String[] strings, DataType to, int[] shape, Options options) {
        int n = strings.length;
        if (to.isInteger() || to == DataType.BOOL) {
            long[] values = new long[n];
            for (int i = 0; i < n; i++) {
                values[i] = parseInteger(strings[i], to);
            }
            return fromLongs(values, false, to == DataType.UINT64, to, shape, options);
        }
        if (to == DataType.FLOAT) {
            float[] values = new float[n];
            for (int i = 0; i < n; i++) {
                values[i] = (float) parseFloat(strings[i], true);
            }
            return Tensor.of(to, shape, values);
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = parseFloat(strings[i], false);
        }
        return fromDoubles(values, false, to, shape, options);
    }

    /**
     * Parses a number. "INF", "+INF", "-INF" and "NaN" in any case are the special values;
     * {@code asFloat} rounds decimal text directly to float, avoiding double rounding.
     */
    static double parseFloat(String text, boolean asFloat) {
        String s = text.trim();
        String lower = s.toLowerCase(Locale.ROOT);
        switch (lower) {
            case "inf", "+inf", "infinity", "+infinity" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf", "-infinity" -> {
                return Double.NEGATIVE_INFINITY;
            }
            case "nan", "+nan", "-nan" -> {
                return Double.NaN;
            }
            default -> { }
        }
        try {
            return asFloat ? Float.parseFloat(s) : Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Cast cannot read string '" + text
                    + "' as a number");
        }
    }

    private static long parseInteger(String text, DataType to) {
        String s = text.trim();
        if (to == DataType.BOOL) {
            if (s.equalsIgnoreCase("true")) {
                return 1;
            }
            if (s.equalsIgnoreCase("false")) {
                return 0;
            }
        }
        String digits = s.startsWith("+") ? s.substring(1) : s;
        try {
            return to == DataType.UINT64 ? Long.parseUnsignedLong(digits) : Long.parseLong(digits);
        } catch (NumberFormatException e) {
            // Text such as "2.5" or "1e3": read as a number and truncate, as a float would be.
            double d = parseFloat(s, false);
            if (to == DataType.BOOL) {
                return d != 0 ? 1 : 0;
            }
            return d >= 0x1p63 ? (long) (d - 0x1p63) ^ Long.MIN_VALUE : (long) d;
        }
    }

    private static String[] toStrings(Tensor x) {
        DataType type = x.type();
        int n = x.size();
        String[] out = new String[n];
        switch (type) {
            case FLOAT -> {
                float[] v = x.floats();
                for (int i = 0; i < n; i++) {
                    out[i] = formatFloat(v[i], Float.toString(v[i]));
                }
            }
            case DOUBLE -> {
                double[] v = x.doubles();
                for (int i = 0; i < n; i++) {
                    out[i] = formatFloat(v[i], Double.toString(v[i]));
                }
            }
            case BOOL -> {
                boolean[] v = x.booleans();
                for (int i = 0; i < n; i++) {
                    out[i] = v[i] ? "True" : "False";
                }
            }
            case UINT64 -> {
                long[] v = x.longs();
                for (int i = 0; i < n; i++) {
                    out[i] = Long.toUnsignedString(v[i]);
                }
            }
            default -> {
                if (type.isInteger()) {
                    for (int i = 0; i < n; i++) {
                        out[i] = Long.toString(x.getLong(i));
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        double v = x.getDouble(i);
                        out[i] = formatFloat(v, shortestDigits(type, v));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Returns the shortest decimal text that reads back to the same value of a reduced float
     * format, trying more significant digits until the value round-trips.
     */
    private static String shortestDigits(DataType type, double v) {
        if (!Double.isFinite(v) || v == 0) {
            return Double.toString(v);
        }
        int bits = type == DataType.FLOAT8E8M0 ? FloatFormats.toE8m0(v, true, RoundMode.NEAREST)
                : FloatFormats.fromDouble(type, v, true);
        for (int digits = 1; digits < 17; digits++) {
            String s = String.format(Locale.ROOT, "%." + (digits - 1) + "e", v);
            double back = Double.parseDouble(s);
            int backBits = type == DataType.FLOAT8E8M0
                    ? FloatFormats.toE8m0(back, true, RoundMode.NEAREST)
                    : FloatFormats.fromDouble(type, back, true);
            if (backBits == bits) {
                return s;
            }
        }
        return Double.toString(v);
    }

    /**
     * Formats a float the way NumPy prints it: positional notation ("3.0", "0.0001") for
     * magnitudes in [1e-4, 1e16), scientific notation ("1e+16", "1.5e-05") otherwise, with the
     * given shortest round-trip digits. Infinities print as "INF" and "-INF", which Cast reads
     * back.
     */
    static String formatFloat(double v, String shortest) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "INF" : "-INF";
        }
        if (v == 0) {
            return 1 / v < 0 ? "-0.0" : "0.0";
        }

        BigDecimal value = new BigDecimal(shortest).stripTrailingZeros();
        double magnitude = Math.abs(v);
        if (magnitude >= 1e-4 && magnitude < 1e16) {
            String plain = value.toPlainString();
            return plain.indexOf('.') < 0 ? plain + ".0" : plain;
        }

        String digits = value.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - value.scale();
        StringBuilder s = new StringBuilder();
        if (value.signum() < 0) {
            s.append('-');
        }
        s.append(digits.charAt(0));
        if (digits.length() > 1) {
            s.append('.').append(digits, 1, digits.length());
        }
        s.append('e').append(exponent < 0 ? '-' : '+');
        int absExponent = Math.abs(exponent);
        if (absExponent < 10) {
            s.append('0');
        }
        return s.append(absExponent).toString();
    }
}
