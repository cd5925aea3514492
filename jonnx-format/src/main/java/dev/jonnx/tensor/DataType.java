package dev.jonnx.tensor;

/**
 * ONNX tensor element types, with the code used in {@code TensorProto.DataType} and the Java
 * array that stores the elements of a {@link Tensor}.
 *
 * <p>Storage: unsigned integers use the signed Java type of the same width and are read back
 * unsigned; float16 and bfloat16 keep their bits in a {@code short[]}; the float8, float4 and
 * 2-bit and 4-bit integer types keep one element per {@code byte} (unpacked); complex types
 * interleave real and imaginary parts, so their arrays are twice the element count.
 */
public enum DataType {
    FLOAT(1, "float32", float[].class, 4),
    UINT8(2, "uint8", byte[].class, 1),
    INT8(3, "int8", byte[].class, 1),
    UINT16(4, "uint16", short[].class, 2),
    INT16(5, "int16", short[].class, 2),
    INT32(6, "int32", int[].class, 4),
    INT64(7, "int64", long[].class, 8),
    STRING(8, "string", String[].class, 0),
    BOOL(9, "bool", boolean[].class, 1),
    FLOAT16(10, "float16", short[].class, 2),
    DOUBLE(11, "float64", double[].class, 8),
    UINT32(12, "uint32", int[].class, 4),
    UINT64(13, "uint64", long[].class, 8),
    COMPLEX64(14, "complex64", float[].class, 8),
    COMPLEX128(15, "complex128", double[].class, 16),
    BFLOAT16(16, "bfloat16", short[].class, 2),
    FLOAT8E4M3FN(17, "float8e4m3fn", byte[].class, 1),
    FLOAT8E4M3FNUZ(18, "float8e4m3fnuz", byte[].class, 1),
    FLOAT8E5M2(19, "float8e5m2", byte[].class, 1),
    FLOAT8E5M2FNUZ(20, "float8e5m2fnuz", byte[].class, 1),
    UINT4(21, "uint4", byte[].class, 0),
    INT4(22, "int4", byte[].class, 0),
    FLOAT4E2M1(23, "float4e2m1", byte[].class, 0),
    FLOAT8E8M0(24, "float8e8m0", byte[].class, 1),
    UINT2(25, "uint2", byte[].class, 0),
    INT2(26, "int2", byte[].class, 0);

    private static final DataType[] BY_CODE = new DataType[27];

    static {
        for (DataType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final String displayName;
    private final Class<?> storage;
    private final int byteSize;

    DataType(int code, String displayName, Class<?> storage, int byteSize) {
        this.code = code;
        this.displayName = displayName;
        this.storage = storage;
        this.byteSize = byteSize;
    }

    /** Returns the type for an ONNX {@code TensorProto.DataType} code. */
    public static DataType fromCode(int code) {
        DataType t = code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        if (t == null) {
            throw new IllegalArgumentException("unknown ONNX element type code " + code);
        }
        return t;
    }

    /** Returns the type with this name as printed by {@link #toString()} or as an enum name. */
    public static DataType fromName(String name) {
        for (DataType t : values()) {
            if (t.displayName.equalsIgnoreCase(name) || t.name().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown element type '" + name + "'");
    }

    public int code() {
        return code;
    }

    /** The Java array class that stores elements of this type. */
    public Class<?> storage() {
        return storage;
    }

    /** Bytes per element in ONNX raw data, or 0 for strings and sub-byte types. */
    public int byteSize() {
        return byteSize;
    }

    /** Bits per element in ONNX raw data (sub-byte types are packed); 0 for strings. */
    public int bitWidth() {
        return switch (this) {
            case UINT4, INT4, FLOAT4E2M1 -> 4;
            case UINT2, INT2 -> 2;
            case STRING -> 0;
            default -> byteSize * 8;
        };
    }

    public boolean isFloatingPoint() {
        return switch (this) {
            case FLOAT, DOUBLE, FLOAT16, BFLOAT16, FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2,
                    FLOAT8E5M2FNUZ, FLOAT4E2M1, FLOAT8E8M0 -> true;
            default -> false;
        };
    }

    /** True for float16, bfloat16 and the float8 and float4 types: stored as bits, computed in float. */
    public boolean isReducedFloat() {
        return isFloatingPoint() && this != FLOAT && this != DOUBLE;
    }

    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, INT32, INT64, UINT32, UINT64, UINT4, INT4, UINT2,
                    INT2 -> true;
            default -> false;
        };
    }

    public boolean isUnsigned() {
        return switch (this) {
            case UINT8, UINT16, UINT32, UINT64, UINT4, UINT2 -> true;
            default -> false;
        };
    }

    public boolean isComplex() {
        return this == COMPLEX64 || this == COMPLEX128;
    }

    /** Array slots per element: 2 for complex types, else 1. */
    public int slotsPerElement() {
        return isComplex() ? 2 : 1;
    }

    /** The name used in messages and by NumPy where one exists, such as {@code float32}. */
    @Override
    public String toString() {
        return displayName;
    }
}
