package dev.jonnx.runtime.ops.quant;

import dev.jonnx.runtime.ops.quant.QuantParams.Layout;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Set;

/** QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear. */
final class LinearQuantization {
    private LinearQuantization() {}

    private static final Set<DataType> QUANTIZE_INPUTS =
            Set.of(DataType.FLOAT, DataType.FLOAT16, DataType.BFLOAT16, DataType.INT32);
    private static final Set<DataType> SCALES = Set.of(DataType.FLOAT, DataType.FLOAT16,
            DataType.BFLOAT16, DataType.INT32, DataType.FLOAT8E8M0);
    private static final Set<DataType> QUANTIZED = Set.of(DataType.INT8, DataType.UINT8,
            DataType.INT16, DataType.UINT16, DataType.INT32, DataType.FLOAT8E4M3FN,
            DataType.FLOAT8E4M3FNUZ, DataType.FLOAT8E5M2, DataType.FLOAT8E5M2FNUZ, DataType.UINT4,
            DataType.INT4, DataType.FLOAT4E2M1, DataType.UINT2, DataType.INT2);
    private static final Set<DataType> DEQUANTIZED =
            Set.of(DataType.FLOAT, DataType.FLOAT16, DataType.BFLOAT16);

    /**
     * QuantizeLinear, all versions: {@code y = saturate(round(x / y_scale) + y_zero_point)}.
     * Attributes that a version lacks keep their defaults, so one kernel serves every version.
     */
    static KernelFactory quantize() {
        return node -> {
            long axis = node.getInt("axis", 1);
            boolean saturate = node.getInt("saturate", 1) != 0;
            long blockSize = node.getInt("block_size", 0);
            DataType outputDtype = optionalType(node.getInt("output_dtype", 0), "output_dtype", node);
            DataType precisionAttribute = optionalType(node.getInt("precision", 0), "precision", node);
            if (blockSize < 0) {
                throw node.error("block_size must be 0 or positive, got " + blockSize);
            }
            if (outputDtype != null && (!QUANTIZED.contains(outputDtype) || outputDtype == DataType.INT32)) {
                throw node.error("output_dtype " + outputDtype + " is not a quantized type");
            }
            if (precisionAttribute != null && !DEQUANTIZED.contains(precisionAttribute)) {
                throw node.error("precision must be float, float16 or bfloat16, got "
                        + precisionAttribute);
            }
            return (inputs, ctx) -> {
                Tensor x = (Tensor) inputs[0];
                Tensor scale = (Tensor) inputs[1];
                Tensor zeroPoint = inputs.length > 2 ? (Tensor) inputs[2] : null;
                requireType(x, QUANTIZE_INPUTS, "input x");
                requireType(scale, SCALES, "y_scale");
                DataType target = zeroPoint != null ? zeroPoint.type()
                        : outputDtype != null ? outputDtype : DataType.UINT8;
                if (zeroPoint != null && outputDtype != null && outputDtype != zeroPoint.type()) {
                    throw new IllegalArgumentException("output_dtype " + outputDtype
                            + " differs from the y_zero_point type " + zeroPoint.type());
                }
                if (!QUANTIZED.contains(target) || target == DataType.INT32) {
                    throw new IllegalArgumentException("y_zero_point has type " + target
                            + ", which is not a quantized type");
                }
                QuantParams.checkSameShape(scale, zeroPoint, "y_scale", "y_zero_point");
                DataType precision = precisionAttribute != null ? precisionAttribute
                        : scale.type().isReducedFloat() && scale.type() != DataType.FLOAT8E8M0
                                ? scale.type() : DataType.FLOAT;
                Layout layout = Layout.of(x.shape(), scale.shape(), axis, blockSize);
                return new Value[] {quantize(x, scale, zeroPoint, target, precision, layout, saturate)};
            };
        };
    }

    private static Tensor quantize(Tensor x, Tensor scale, Tensor zeroPoint, DataType target,
            DataType precision, Layout layout, boolean saturate) {
        int n = x.size();
        Object out = Tensor.allocate(target, n);
        float[] scales = scale.toFloatArray();
        boolean exactInput = x.type() == DataType.INT32;
        float[] xs = exactInput ? null : x.toFloatArray();
        boolean floatTarget = QuantParams.isFloatTarget(target);
        float[] floatZeros = floatTarget ? zeroPoints(zeroPoint, scales.length) : null;
        long[] integerZeros = floatTarget ? null : integerZeroPoints(zeroPoint, scales.length);
        long min = floatTarget ? 0 : QuantParams.minValue(target);
        long max = floatTarget ? 0 : QuantParams.maxValue(target);
        int e = 0;
        for (int o = 0; o < layout.outer(); o++) {
            for (int a = 0; a < layout.axisDim(); a++) {
                for (int i = 0; i < layout.inner(); i++, e++) {
                    int p = layout.index(o, a, i);
                    double quotient;
                    if (exactInput) {
                        quotient = x.getLong(e) / (double) scales[p];
                    } else {
                        float xv = QuantParams.roundTo(precision, xs[e]);
                        quotient = QuantParams.roundTo(precision, xv / scales[p]);
                    }
                    if (floatTarget) {
                        ((byte[]) out)[e] = QuantParams.encodeFloat(target,
                                (float) quotient + floatZeros[p], saturate);
                    } else {
                        Tensor.storeLong(target, out, e,
                                QuantParams.quantizeToInteger(quotient, integerZeros[p], min, max));
                    }
                }
            }
        }
        return Tensor.of(target, x.shape(), out);
    }

    /** Returns the zero point values as floats, or zeros when the zero point is absent. */
    private static float[] zeroPoints(Tensor zeroPoint, int count) {
        float[] out = new float[count];
        if (zeroPoint != null) {
            for (int i = 0; i < count; i++) {
                out[i] = QuantParams.floatValue(zeroPoint, zeroPoint.size() == 1 ? 0 : i);
            }
        }
        return out;
    }

    /** Returns the zero point values as longs, or zeros when the zero point is absent. */
    private static long[] integerZeroPoints(Tensor zeroPoint, int count) {
        long[] out = new long[count];
        if (zeroPoint != null) {
            for (int i = 0; i < count; i++) {
                out[i] = zeroPoint.getLong(zeroPoint.size() == 1 ? 0 : i);
            }
        }
        return out;
    }

    /**
     * DequantizeLinear, all versions: {@code y = (x - x_zero_point) * x_scale}, computed in
     * float and rounded to the output type.
     */
    static KernelFactory dequantize() {
        return node -> {
            long axis = node.getInt("axis", 1);
            long blockSize = node.getInt("block_size", 0);
            DataType outputDtype = optionalType(node.getInt("output_dtype", 0), "output_dtype", node);
            if (blockSize < 0) {
                throw node.error("block_size must be 0 or positive, got " + blockSize);
            }
            if (outputDtype != null && !DEQUANTIZED.contains(outputDtype)) {
                throw node.error("output_dtype must be float, float16 or bfloat16, got " + outputDtype);
            }
            return (inputs, ctx) -> {
                Tensor x = (Tensor) inputs[0];
                Tensor scale = (Tensor) inputs[1];
                Tensor zeroPoint = inputs.length > 2 ? (Tensor) inputs[2] : null;
                requireType(x, QUANTIZED, "input x");
                requireType(scale, SCALES, "x_scale");
                if (scale.type() == DataType.INT32) {
                    throw new IllegalArgumentException("x_scale must be float, float16, bfloat16 or "
                            + "float8e8m0, got int32");
                }
                if (zeroPoint != null && zeroPoint.type() != x.type()) {
                    throw new IllegalArgumentException("x_zero_point has type " + zeroPoint.type()
                            + " but x has type " + x.type() + "; they must match");
                }
                QuantParams.checkSameShape(scale, zeroPoint, "x_scale", "x_zero_point");
                DataType target = outputDtype != null ? outputDtype : scale.type();
                if (!DEQUANTIZED.contains(target)) {
                    throw new IllegalArgumentException("x_scale of type " + target
                            + " needs the output_dtype attribute to choose the output type");
                }
                Layout layout = Layout.of(x.shape(), scale.shape(), axis, blockSize);
                float[] values = target == DataType.FLOAT ? ctx.newFloats(x.size()) : new float[x.size()];
                return new Value[] {dequantize(x, scale, zeroPoint, target, layout, values)};
            };
        };
    }

    /**
     * Dequantizes x into {@code values}, which has x's size and whose elements are all written,
     * and returns it as a tensor of the target type.
     */
    private static Tensor dequantize(Tensor x, Tensor scale, Tensor zeroPoint, DataType target,
            Layout layout, float[] values) {
        int n = x.size();
        float[] scales = scale.toFloatArray();
        boolean floatInput = QuantParams.isFloatTarget(x.type());
        float[] floatZeros = floatInput ? zeroPoints(zeroPoint, scales.length) : null;
        long[] integerZeros = floatInput ? null : integerZeroPoints(zeroPoint, scales.length);
        if (scales.length == 1 && target == DataType.FLOAT
                && (x.type() == DataType.INT8 || x.type() == DataType.UINT8)) {
            // Per-tensor 8-bit input: the same arithmetic as below, without the index mapping.
            byte[] bytes = x.bytes();
            boolean signed = x.type() == DataType.INT8;
            int zero = (int) integerZeros[0];
            float s = scales[0];
            for (int i = 0; i < n; i++) {
                values[i] = (float) ((signed ? bytes[i] : bytes[i] & 0xFF) - zero) * s;
            }
            return Tensor.of(DataType.FLOAT, x.shape(), values);
        }
        int e = 0;
        for (int o = 0; o < layout.outer(); o++) {
            for (int a = 0; a < layout.axisDim(); a++) {
                for (int i = 0; i < layout.inner(); i++, e++) {
                    int p = layout.index(o, a, i);
                    float shifted = floatInput
                            ? (float) x.getDouble(e) - floatZeros[p]
                            : (float) (x.getLong(e) - integerZeros[p]);
                    values[e] = shifted * scales[p];
                }
            }
        }
        return Tensor.fromFloats(target, x.shape(), values);
    }

    /**
     * DynamicQuantizeLinear-11: quantizes float input to uint8 with a scale and zero point
     * chosen so that the range [min(0, min x), max(0, max x)] maps onto [0, 255].
     */
    static KernelFactory dynamicQuantize() {
        return node -> (inputs, ctx) -> {
            Tensor x = (Tensor) inputs[0];
            if (x.type() != DataType.FLOAT) {
                throw new IllegalArgumentException("input x must be float, got " + x.type());
            }
            float[] xs = x.floats();
            float min = 0f;
            float max = 0f;
            for (float v : xs) {
                if (v < min) {
                    min = v;
                }
                if (v > max) {
                    max = v;
                }
            }
            float scale = (max - min) / 255f;
            long zeroPoint = 0;
            if (scale != 0f) {
                float intermediate = 0f - min / scale;
                zeroPoint = (long) Math.rint(Math.clamp(intermediate, 0f, 255f));
            }
            byte[] y = new byte[xs.length];
            for (int i = 0; i < xs.length; i++) {
                double quotient = scale == 0f ? 0.0 : xs[i] / scale;
                y[i] = (byte) QuantParams.quantizeToInteger(quotient, zeroPoint, 0, 255);
            }
            return new Value[] {
                Tensor.of(DataType.UINT8, x.shape(), y),
                Tensor.of(new float[] {scale}),
                Tensor.of(DataType.UINT8, new int[0], new byte[] {(byte) zeroPoint})
            };
        };
    }

    private static DataType optionalType(long code, String attribute,
            NodeContext node) {
        if (code == 0) {
            return null;
        }
        try {
            return DataType.fromCode((int) code);
        } catch (IllegalArgumentException e) {
            throw node.error(attribute + " " + code + " is not a valid element type code");
        }
    }

    private static void requireType(Tensor t, Set<DataType> allowed, String name) {
        if (!allowed.contains(t.type())) {
            throw new IllegalArgumentException(name + " has unsupported type " + t.type()
                    + "; expected one of " + allowed);
        }
    }
}
