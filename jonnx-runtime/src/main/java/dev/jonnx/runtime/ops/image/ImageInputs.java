package dev.jonnx.runtime.ops.image;

import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;

/** Input access and element-type checks shared by the kernels of this package. */
final class ImageInputs {
    private ImageInputs() {}

    /** Returns input {@code i} as a tensor, rejecting an omitted input or another value kind. */
    static Tensor required(Value[] inputs, int i, String name) {
        Tensor t = optional(inputs, i, name);
        if (t == null) {
            throw new IllegalArgumentException("input " + name + " is missing");
        }
        return t;
    }

    /** Returns input {@code i} as a tensor, or null when it is omitted. */
    static Tensor optional(Value[] inputs, int i, String name) {
        if (i >= inputs.length || inputs[i] == null) {
            return null;
        }
        if (!(inputs[i] instanceof Tensor t)) {
            throw new IllegalArgumentException("input " + name + " must be a tensor, got "
                    + inputs[i].getClass().getSimpleName());
        }
        return t;
    }

    static boolean isFloat(DataType type) {
        return type == DataType.FLOAT || type == DataType.DOUBLE || type == DataType.FLOAT16
                || type == DataType.BFLOAT16;
    }

    /** Rejects a tensor that is not float16, bfloat16, float or double. */
    static void requireFloat(Tensor t, String name) {
        if (!isFloat(t.type())) {
            throw new IllegalArgumentException("input " + name
                    + " must be float16, bfloat16, float or double, got " + t.type());
        }
    }

    /** True for real numeric types, whose values arithmetic can combine. */
    static boolean isRealNumber(DataType type) {
        return type.isFloatingPoint() || type.isInteger();
    }

    /**
     * Builds a tensor of {@code type} from computed values: floating types round to nearest,
     * integer types round half away from zero and saturate to the type's range.
     */
    static Tensor fromComputed(DataType type, int[] shape, double[] values) {
        if (type.isFloatingPoint()) {
            return Tensor.fromDoubles(type, shape, values);
        }
        double min = minimum(type);
        double max = maximum(type);
        long[] rounded = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            double r = Double.isNaN(v) ? 0 : Math.signum(v) * Math.floor(Math.abs(v) + 0.5);
            r = Math.min(Math.max(r, min), max);
            rounded[i] = type == DataType.UINT64 && r >= 0x1p63
                    ? (long) (r - 0x1p63) + Long.MIN_VALUE : (long) r;
        }
        return Tensor.fromLongs(type, shape, rounded);
    }

    private static double minimum(DataType type) {
        return switch (type) {
            case INT8 -> Byte.MIN_VALUE;
            case INT16 -> Short.MIN_VALUE;
            case INT32 -> Integer.MIN_VALUE;
            case INT64 -> Long.MIN_VALUE;
            case INT4 -> -8;
            case INT2 -> -2;
            default -> 0;
        };
    }

    private static double maximum(DataType type) {
        return switch (type) {
            case INT8 -> Byte.MAX_VALUE;
            case UINT8 -> 255;
            case INT16 -> Short.MAX_VALUE;
            case UINT16 -> 65535;
            case INT32 -> Integer.MAX_VALUE;
            case UINT32 -> 4294967295.0;
            case INT64 -> Long.MAX_VALUE;
            case UINT64 -> 0x1p64;
            case INT4 -> 7;
            case UINT4 -> 15;
            case INT2 -> 1;
            case UINT2 -> 3;
            case BOOL -> 1;
            default -> Double.MAX_VALUE;
        };
    }
}
