package dev.jonnx.runtime.ops.quant;

import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.FloatFormats;
import dev.jonnx.tensor.Tensor;
import java.util.Arrays;

/**
 * Shared pieces of the quantization kernels: the layout of a scale over its input (per tensor,
 * per axis or blocked), integer saturation ranges and storing quantized values.
 */
final class QuantParams {
    private QuantParams() {}

    /**
     * The mapping of scale and zero point onto the elements of the quantized tensor. The tensor
     * is viewed as {@code [outer, axisDim, inner]} around the quantization axis, and element
     * {@code (o, a, i)} reads parameter {@link #index(int, int, int)}.
     */
    record Layout(int outer, int axisDim, int inner, Kind kind, int blockSize, int scaleAxisDim) {
        enum Kind { PER_TENSOR, PER_AXIS, BLOCKED }

        int index(int o, int a, int i) {
            return switch (kind) {
                case PER_TENSOR -> 0;
                case PER_AXIS -> a;
                case BLOCKED -> (o * scaleAxisDim + a / blockSize) * inner + i;
            };
        }

        /**
         * Determines the layout from the shapes of the tensor and its scale.
         *
         * @throws IllegalArgumentException if the scale shape fits none of the granularities
         */
        static Layout of(int[] shape, int[] scaleShape, long axisAttribute, long blockSize) {
            int scaleSize = Shapes.size(scaleShape);
            if (blockSize <= 0 && scaleSize == 1 && scaleShape.length <= 1) {
                // A one-element 1-D scale applies to every element, like a scalar.
                return new Layout(1, 1, Shapes.size(shape), Kind.PER_TENSOR, 0, 1);
            }

            int rank = shape.length;
            int axis = Shapes.axis(axisAttribute, rank);
            int outer = 1;
            for (int d = 0; d < axis; d++) {
                outer *= shape[d];
            }
            int inner = 1;
            for (int d = axis + 1; d < rank; d++) {
                inner *= shape[d];
            }
            int axisDim = rank == 0 ? 1 : shape[axis];

            if (blockSize <= 0) {
                if (scaleShape.length != 1 || scaleShape[0] != axisDim) {
                    throw new IllegalArgumentException("scale of shape "
                            + Arrays.toString(scaleShape) + " must be a scalar or a 1-D tensor of "
                            + axisDim + " elements (dimension " + axis + " of the input shape "
                            + Arrays.toString(shape) + ")");
                }
                return new Layout(outer, axisDim, inner, Kind.PER_AXIS, 0, axisDim);
            }

            if (scaleShape.length != rank) {
                throw new IllegalArgumentException("blocked quantization needs a scale of rank "
                        + rank + " like the input " + Arrays.toString(shape) + ", got shape "
                        + Arrays.toString(scaleShape));
            }
            for (int d = 0; d < rank; d++) {
                if (d != axis && scaleShape[d] != shape[d]) {
                    throw new IllegalArgumentException("blocked quantization: scale shape "
                            + Arrays.toString(scaleShape) + " must equal the input shape "
                            + Arrays.toString(shape) + " except along axis " + axis);
                }
            }
            long expectedBlocks = (axisDim + blockSize - 1) / blockSize;
            if (scaleShape[axis] != expectedBlocks) {
                throw new IllegalArgumentException("blocked quantization: dimension " + axis
                        + " of the scale is " + scaleShape[axis] + ", but " + axisDim
                        + " elements in blocks of " + blockSize + " need " + expectedBlocks);
            }
            return new Layout(outer, axisDim, inner, Kind.BLOCKED, (int) blockSize, scaleShape[axis]);
        }
    }

    /** Minimum representable value of an integer quantization type. */
    static long minValue(DataType type) {
        return switch (type) {
            case INT8 -> Byte.MIN_VALUE;
            case INT16 -> Short.MIN_VALUE;
            case INT32 -> Integer.MIN_VALUE;
            case INT4 -> -8;
            case INT2 -> -2;
            case UINT8, UINT16, UINT4, UINT2 -> 0;
            default -> throw new IllegalArgumentException(type + " is not an integer quantization type");
        };
    }

    /** Maximum representable value of an integer quantization type. */
    static long maxValue(DataType type) {
        return switch (type) {
            case INT8 -> Byte.MAX_VALUE;
            case INT16 -> Short.MAX_VALUE;
            case INT32 -> Integer.MAX_VALUE;
            case INT4 -> 7;
            case INT2 -> 1;
            case UINT8 -> 255;
            case UINT16 -> 65535;
            case UINT4 -> 15;
            case UINT2 -> 3;
            default -> throw new IllegalArgumentException(type + " is not an integer quantization type");
        };
    }

    /** True for the float8 and float4 targets, which encode a float instead of rounding. */
    static boolean isFloatTarget(DataType type) {
        return switch (type) {
            case FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ, FLOAT4E2M1 -> true;
            default -> false;
        };
    }

    /**
     * Rounds {@code value} to nearest even, adds the zero point and saturates to the range of an
     * integer {@code type}. NaN quantizes to the zero point.
     */
    static long quantizeToInteger(double value, long zeroPoint, long min, long max) {
        double rounded = Math.rint(value);
        double shifted = rounded + zeroPoint;
        if (Double.isNaN(shifted)) {
            return Math.clamp(zeroPoint, min, max);
        }
        if (shifted <= min) {
            return min;
        }
        if (shifted >= max) {
            return max;
        }
        return (long) shifted;
    }

    /** Encodes {@code value} in a float8 or float4 target; float4 always saturates. */
    static byte encodeFloat(DataType type, float value, boolean saturate) {
        return (byte) FloatFormats.fromFloat(type, value, saturate || type == DataType.FLOAT4E2M1);
    }

    /** Reads element {@code i} of a zero point as a float (decoding float8 and float4 bits). */
    static float floatValue(Tensor t, int i) {
        return (float) t.getDouble(i);
    }

    /** Rounds a float through a reduced precision type, or returns it as is for float. */
    static float roundTo(DataType precision, float value) {
        if (precision == DataType.FLOAT || precision == DataType.DOUBLE) {
            return value;
        }
        if (precision.isReducedFloat()) {
            return FloatFormats.toFloat(precision, FloatFormats.fromFloat(precision, value, true));
        }
        return value;
    }

    /** Checks that a zero point has the scale's shape. */
    static void checkSameShape(Tensor scale, Tensor zeroPoint, String scaleName, String zeroName) {
        if (zeroPoint != null && !Arrays.equals(scale.shape(), zeroPoint.shape())
                && !(scale.size() == 1 && zeroPoint.size() == 1)) {
            throw new IllegalArgumentException(zeroName + " of shape "
                    + Arrays.toString(zeroPoint.shape()) + " must have the shape of " + scaleName
                    + ", " + Arrays.toString(scale.shape()));
        }
    }
}
