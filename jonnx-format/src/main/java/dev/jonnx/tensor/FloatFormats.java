package dev.jonnx.tensor;

import java.util.Arrays;

/**
 * Conversions between {@code float} and the reduced-precision float formats that ONNX defines:
 * float16, bfloat16, the four float8 formats, float8e8m0 and float4e2m1.
 *
 * <p>Encoding rounds to nearest, ties to even. With {@code saturate}, finite values beyond the
 * largest finite value of the format (and infinities) become that largest value with the same
 * sign; without it they become infinity where the format has one, else NaN. That is the rule of
 * the ONNX {@code Cast} operator (opset 19 and later). Float4e2m1 has neither infinity nor NaN,
 * so it always saturates and encodes NaN as negative zero. Float8e8m0 has its own rounding
 * modes, see {@link #toE8m0(float, boolean, RoundMode)}.
 */
public final class FloatFormats {
    private FloatFormats() {}

    /** Decodes the low bits of {@code bits} in the given reduced format to a float. */
    public static float toFloat(DataType type, int bits) {
        return switch (type) {
            case FLOAT16 -> Float.float16ToFloat((short) bits);
            case BFLOAT16 -> Float.intBitsToFloat((bits & 0xFFFF) << 16);
            case FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ, FLOAT4E2M1 ->
                    MiniFloat.of(type).decode(bits);
            case FLOAT8E8M0 -> {
                int e = bits & 0xFF;
                yield e == 0xFF ? Float.NaN : (float) Math.scalb(1.0, e - 127);
            }
            default -> throw new IllegalArgumentException(type + " is not a reduced float format");
        };
    }

    /** Encodes {@code value} in the given reduced format, returning the bits in the low bits. */
    public static int fromFloat(DataType type, float value, boolean saturate) {
        return switch (type) {
            case FLOAT16 -> Float.floatToFloat16(value) & 0xFFFF;
            case BFLOAT16 -> toBfloat16(value);
            case FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ, FLOAT4E2M1 ->
                    MiniFloat.of(type).encode(value, saturate);
            case FLOAT8E8M0 -> toE8m0(value, saturate, RoundMode.UP);
            default -> throw new IllegalArgumentException(type + " is not a reduced float format");
        };
    }

    /** Rounding of a float to float8e8m0, as the {@code round_mode} attribute of Cast names it. */
    public enum RoundMode { UP, DOWN, NEAREST }

    /**
     * Encodes a double in the given reduced format. The double is first narrowed to float with
     * rounding to odd. That float keeps enough information to round correctly once more to any
     * format with at least two fewer significand bits, so the result equals rounding the double
     * directly.
     */
    public static int fromDouble(DataType type, double value, boolean saturate) {
        return fromFloat(type, toFloatRoundToOdd(value), saturate);
    }

    /** Like {@link #fromDouble} for float8e8m0 with the given rounding. */
    public static int toE8m0(double value, boolean saturate, RoundMode mode) {
        return toE8m0(toFloatRoundToOdd(value), saturate, mode);
    }

    /**
     * Narrows a double to float, rounding to odd: an inexact result gets its lowest significand
     * bit set. Values beyond the float range become infinity.
     */
    static float toFloatRoundToOdd(double value) {
        float f = (float) value;
        if (Float.isInfinite(f) || Double.isNaN(value) || (double) f == value) {
            return f;
        }
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 1) != 0) {
            return f;
        }
        // f was rounded to an even significand; step it one unit toward the exact value.
        boolean magnitudeTooLarge = Math.abs((double) f) > Math.abs(value);
        return Float.intBitsToFloat(magnitudeTooLarge ? bits - 1 : bits + 1);
    }

    /**
     * Encodes a float as float8e8m0 (a power of two, 2^(bits - 127)), ignoring its sign. With
     * {@code saturate}, values that round beyond the range become the largest or smallest power
     * (infinity the largest); without it they, zero and infinity become NaN. NaN stays NaN.
     */
    public static int toE8m0(float value, boolean saturate, RoundMode mode) {
        if (Float.isNaN(value)) {
            return 0xFF;
        }
        if (Float.isInfinite(value)) {
            return saturate ? 0xFE : 0xFF;
        }
        int bits = Float.floatToRawIntBits(value);
        int exponent = (bits >>> 23) & 0xFF;
        int mantissa = bits & 0x7FFFFF;

        int e;
        if (exponent == 0) {
            // Zero or a subnormal float: code 0 is 2^-127, which is mantissa 0x400000 here.
            e = subnormalE8m0(mantissa, mode);
            if (e < 0) {
                return saturate ? 0 : 0xFF;
            }
            return e;
        }

        e = exponent;
        boolean roundUp = switch (mode) {
            case UP -> mantissa != 0;
            case NEAREST -> mantissa >= 0x400000;
            case DOWN -> false;
        };
        if (roundUp) {
            e++;
        }
        if (e >= 0xFF) {
            return saturate ? 0xFE : 0xFF;
        }
        return e;
    }

    /**
     * Rounds a subnormal float with this mantissa (value mantissa * 2^-149) to code 0 or 1, or
     * returns -1 when it rounds below 2^-127.
     */
    private static int subnormalE8m0(int mantissa, RoundMode mode) {
        if (mantissa == 0) {
            return -1;
        }
        if (mantissa < 0x400000) {
            // Between 0 and 2^-127: rounds up to 2^-127 or down below the range.
            return switch (mode) {
                case UP -> 0;
                case NEAREST -> mantissa >= 0x200000 ? 0 : -1;
                case DOWN -> -1;
            };
        }
        if (mantissa == 0x400000) {
            return 0;
        }
        // Between 2^-127 and 2^-126.
        return switch (mode) {
            case UP -> 1;
            case NEAREST -> mantissa >= 0x600000 ? 1 : 0;
            case DOWN -> 0;
        };
    }

    /** Encodes a float as bfloat16 with round to nearest even; NaN stays a quiet NaN. */
    public static int toBfloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return ((bits >>> 16) | 0x40) & 0xFFFF;
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return ((bits + rounding) >>> 16) & 0xFFFF;
    }

    /**
     * A small float format described by exponent and mantissa widths, exponent bias and how it
     * encodes infinity and NaN. Encoding searches the sorted table of its finite values.
     */
    private static final class MiniFloat {
        private static final MiniFloat E4M3FN = new MiniFloat(DataType.FLOAT8E4M3FN, 4, 3, 7);
        private static final MiniFloat E4M3FNUZ = new MiniFloat(DataType.FLOAT8E4M3FNUZ, 4, 3, 8);
        private static final MiniFloat E5M2 = new MiniFloat(DataType.FLOAT8E5M2, 5, 2, 15);
        private static final MiniFloat E5M2FNUZ = new MiniFloat(DataType.FLOAT8E5M2FNUZ, 5, 2, 16);
        private static final MiniFloat E2M1 = new MiniFloat(DataType.FLOAT4E2M1, 2, 1, 1);

        private final DataType type;
        private final int exponentBits;
        private final int mantissaBits;
        private final int bias;
        private final int signBit;
        private final float[] decoded;
        /** Positive finite values in increasing order, and the code of each. */
        private final float[] magnitudes;
        private final int[] codes;

        static MiniFloat of(DataType type) {
            return switch (type) {
                case FLOAT8E4M3FN -> E4M3FN;
                case FLOAT8E4M3FNUZ -> E4M3FNUZ;
                case FLOAT8E5M2 -> E5M2;
                case FLOAT8E5M2FNUZ -> E5M2FNUZ;
                case FLOAT4E2M1 -> E2M1;
                default -> throw new IllegalArgumentException(type.toString());
            };
        }

        private MiniFloat(DataType type, int exponentBits, int mantissaBits, int bias) {
            this.type = type;
            this.exponentBits = exponentBits;
            this.mantissaBits = mantissaBits;
            this.bias = bias;
            this.signBit = 1 << (exponentBits + mantissaBits);
            int count = signBit << 1;
            decoded = new float[count];
            for (int code = 0; code < count; code++) {
                decoded[code] = decodeSlow(code);
            }
            int positive = 0;
            for (int code = 0; code < signBit; code++) {
                if (Float.isFinite(decoded[code])) {
                    positive++;
                }
            }
            magnitudes = new float[positive];
            codes = new int[positive];
            int n = 0;
            for (int code = 0; code < signBit; code++) {
                if (Float.isFinite(decoded[code])) {
                    magnitudes[n] = decoded[code];
                    codes[n++] = code;
                }
            }
        }

        private boolean fnuz() {
            return type == DataType.FLOAT8E4M3FNUZ || type == DataType.FLOAT8E5M2FNUZ;
        }

        private float decodeSlow(int code) {
            boolean negative = (code & signBit) != 0;
            int exponent = (code >> mantissaBits) & ((1 << exponentBits) - 1);
            int mantissa = code & ((1 << mantissaBits) - 1);
            int maxExponent = (1 << exponentBits) - 1;
            if (fnuz() && code == signBit) {
                return Float.NaN;
            }
            if (type == DataType.FLOAT8E4M3FN && exponent == maxExponent
                    && mantissa == (1 << mantissaBits) - 1) {
                return Float.NaN;
            }
            if (type == DataType.FLOAT8E5M2 && exponent == maxExponent) {
                if (mantissa != 0) {
                    return Float.NaN;
                }
                return negative ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
            }
            double magnitude;
            if (exponent == 0) {
                magnitude = Math.scalb((double) mantissa, 1 - bias - mantissaBits);
            } else {
                magnitude = Math.scalb((double) ((1 << mantissaBits) | mantissa),
                        exponent - bias - mantissaBits);
            }
            return (float) (negative ? -magnitude : magnitude);
        }

        float decode(int bits) {
            return decoded[bits & (decoded.length - 1)];
        }

        int encode(float value, boolean saturate) {
            if (Float.isNaN(value)) {
                // Float4e2m1 has no NaN: NaN becomes negative zero, as the ONNX Cast tests expect.
                return type == DataType.FLOAT4E2M1 ? 0x8 : (fnuz() ? 0x80 : 0x7F);
            }
            int sign = (value < 0 || (value == 0 && 1 / value < 0)) ? signBit : 0;
            float magnitude = Math.abs(value);
            float max = magnitudes[magnitudes.length - 1];
            if (Float.isInfinite(magnitude)) {
                return overflow(sign, saturate, max);
            }
            int at = Arrays.binarySearch(magnitudes, magnitude);
            int code;
            if (at >= 0) {
                code = codes[at];
            } else {
                int upper = -at - 1;
                if (upper == magnitudes.length) {
                    // Beyond the largest value: round to it within half a step, else overflow.
                    float step = max - magnitudes[magnitudes.length - 2];
                    if (magnitude < max + step / 2
                            || (magnitude == max + step / 2 && (codes[codes.length - 1] & 1) == 0)) {
                        code = codes[codes.length - 1];
                    } else {
                        return overflow(sign, saturate, max);
                    }
                } else {
                    float below = magnitudes[upper - 1];
                    float above = magnitudes[upper];
                    double dBelow = (double) magnitude - below;
                    double dAbove = (double) above - magnitude;
                    if (dBelow < dAbove) {
                        code = codes[upper - 1];
                    } else if (dAbove < dBelow) {
                        code = codes[upper];
                    } else {
                        code = (codes[upper - 1] & 1) == 0 ? codes[upper - 1] : codes[upper];
                    }
                }
            }
            if (code == 0 && fnuz()) {
                return 0; // no negative zero in the FNUZ formats
            }
            return code | sign;
        }

        private int overflow(int sign, boolean saturate, float max) {
            if (saturate) {
                return encode(max, false) | sign;
            }
            return switch (type) {
                case FLOAT8E5M2 -> 0x7C | sign;
                case FLOAT8E4M3FN -> 0x7F | sign;
                case FLOAT4E2M1 -> 0x7 | sign; // no infinity or NaN: the largest value
                default -> 0x80;
            };
        }
    }
}
