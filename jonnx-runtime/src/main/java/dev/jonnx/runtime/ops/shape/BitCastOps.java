package dev.jonnx.runtime.ops.shape;

import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;

/**
 * BitCast: reinterprets each element's bits as another type of the same bit width. Complex64
 * elements read as 64 bits with the real part in the low half, as little-endian bytes lay out.
 *
 * <p>NOTE: bool storage keeps one bit, so a byte other than 0 or 1 cast to bool and back
 * comes out as 1.
 */
final class BitCastOps {
    private BitCastOps() {}

    static void register(OpRegistry.Builder registry) {
        registry.add("BitCast", BitCastOps::bitCast, 26);
    }

    private static Kernel bitCast(NodeContext node) {
        long code = node.getInt("to");
        DataType to;
        try {
            to = DataType.fromCode((int) code);
        } catch (IllegalArgumentException e) {
            throw node.error("attribute 'to' " + code + " is not an ONNX element type");
        }
        if (to == DataType.STRING) {
            throw node.error("attribute 'to' must not be string");
        }
        return (inputs, ctx) -> {
            Tensor x = Args.tensor(inputs, 0, "input");
            DataType from = x.type();
            if (from == DataType.STRING) {
                throw new IllegalArgumentException("input 'input' must not be a string tensor");
            }
            if (from.bitWidth() != to.bitWidth()) {
                throw new IllegalArgumentException("cannot bit-cast " + from + " ("
                        + from.bitWidth() + " bits) to " + to + " (" + to.bitWidth()
                        + " bits): the widths must match");
            }
            if (from.storage() == to.storage() && from.slotsPerElement() == to.slotsPerElement()
                    && !isSubByte(from) && !isSubByte(to)) {
                // Same storage and width, so the output shares the stored bits.
                return new Value[] {Tensor.of(to, x.shape(), x.data())};
            }
            int size = x.size();
            Object out = Tensor.allocate(to, size);
            for (int i = 0; i < size; i++) {
                store(to, out, i, bits(from, x.data(), i));
            }
            return new Value[] {Tensor.of(to, x.shape(), out)};
        };
    }

    private static boolean isSubByte(DataType type) {
        return type.bitWidth() < 8;
    }

    /** Returns the bits of element {@code i}, zero-extended to a long (at most 64 bits). */
    private static long bits(DataType type, Object data, int i) {
        return switch (type) {
            case FLOAT -> Float.floatToRawIntBits(((float[]) data)[i]) & 0xFFFFFFFFL;
            case COMPLEX64 -> {
                float[] f = (float[]) data;
                long re = Float.floatToRawIntBits(f[2 * i]) & 0xFFFFFFFFL;
                long im = Float.floatToRawIntBits(f[2 * i + 1]) & 0xFFFFFFFFL;
                yield re | im << 32;
            }
            case DOUBLE -> Double.doubleToRawLongBits(((double[]) data)[i]);
            case INT32, UINT32 -> ((int[]) data)[i] & 0xFFFFFFFFL;
            case INT64, UINT64 -> ((long[]) data)[i];
            case INT16, UINT16, FLOAT16, BFLOAT16 -> ((short[]) data)[i] & 0xFFFFL;
            case BOOL -> ((boolean[]) data)[i] ? 1 : 0;
            case INT4, UINT4, FLOAT4E2M1 -> ((byte[]) data)[i] & 0xFL;
            case INT2, UINT2 -> ((byte[]) data)[i] & 0x3L;
            case COMPLEX128, STRING -> throw new IllegalArgumentException(
                    "no 64-bit pattern for " + type);
            default -> ((byte[]) data)[i] & 0xFFL;
        };
    }

    /** Stores the low bits of {@code bits} as element {@code i}, sign-extending int4 and int2. */
    private static void store(DataType type, Object data, int i, long bits) {
        switch (type) {
            case FLOAT -> ((float[]) data)[i] = Float.intBitsToFloat((int) bits);
            case COMPLEX64 -> {
                float[] f = (float[]) data;
                f[2 * i] = Float.intBitsToFloat((int) bits);
                f[2 * i + 1] = Float.intBitsToFloat((int) (bits >>> 32));
            }
            case DOUBLE -> ((double[]) data)[i] = Double.longBitsToDouble(bits);
            case INT32, UINT32 -> ((int[]) data)[i] = (int) bits;
            case INT64, UINT64 -> ((long[]) data)[i] = bits;
            case INT16, UINT16, FLOAT16, BFLOAT16 -> ((short[]) data)[i] = (short) bits;
            case BOOL -> ((boolean[]) data)[i] = bits != 0;
            case INT4 -> ((byte[]) data)[i] = (byte) ((bits << 60) >> 60);
            case INT2 -> ((byte[]) data)[i] = (byte) ((bits << 62) >> 62);
            case UINT4, FLOAT4E2M1 -> ((byte[]) data)[i] = (byte) (bits & 0xF);
            case UINT2 -> ((byte[]) data)[i] = (byte) (bits & 0x3);
            case COMPLEX128, STRING -> throw new IllegalArgumentException(
                    "no 64-bit pattern for " + type);
            default -> ((byte[]) data)[i] = (byte) bits;
        }
    }
}
