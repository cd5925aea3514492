package dev.jonnx.tensor;

import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.Objects;

/**
 * A dense, immutable-by-convention ONNX tensor: an element type, a shape and a Java array in
 * row-major order. See {@link DataType} for which array stores which type.
 *
 * <p>The array returned by {@link #data()} and the typed accessors ({@link #floats()},
 * {@link #longs()}, ...) is the tensor's own storage, returned without a copy. Kernels must not
 * write into the storage of an input; callers that need their own copy take one.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
 * float[] values = x.floats();
 * }</pre>
 */
public final class Tensor implements Value {
    private final DataType type;
    private final int[] shape;
    private final int size;
    private final Object data;

    private Tensor(DataType type, int[] shape, int size, Object data) {
        this.type = type;
        this.shape = shape;
        this.size = size;
        this.data = data;
    }

    /**
     * Wraps {@code data} as a tensor of the given type and shape without copying.
     *
     * @throws IllegalArgumentException if the array class does not store {@code type}, a
     *     dimension is negative, or the array length does not match the shape
     * @throws NullPointerException if {@code type} or {@code shape} is null
     */
    public static Tensor of(DataType type, int[] shape, Object data) {
        Objects.requireNonNull(type, "type must not be null");
        int size = sizeOf(shape);
        if (data == null || data.getClass() != type.storage()) {
            throw new IllegalArgumentException("tensor of " + type + " needs a "
                    + type.storage().getSimpleName() + ", got "
                    + (data == null ? "null" : data.getClass().getSimpleName()));
        }
        int expected = size * type.slotsPerElement();
        int length = Array.getLength(data);
        if (length != expected) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + type
                    + " needs " + expected + " array slots, got " + length);
        }
        return new Tensor(type, shape.clone(), size, data);
    }

    public static Tensor of(float[] data, int... shape) {
        return of(DataType.FLOAT, shape, data);
    }

    public static Tensor of(double[] data, int... shape) {
        return of(DataType.DOUBLE, shape, data);
    }

    public static Tensor of(long[] data, int... shape) {
        return of(DataType.INT64, shape, data);
    }

    public static Tensor of(int[] data, int... shape) {
        return of(DataType.INT32, shape, data);
    }

    public static Tensor of(boolean[] data, int... shape) {
        return of(DataType.BOOL, shape, data);
    }

    public static Tensor of(String[] data, int... shape) {
        return of(DataType.STRING, shape, data);
    }

    /** Copies the remaining floats of a buffer into a FLOAT tensor; the buffer is not moved. */
    public static Tensor of(java.nio.FloatBuffer buffer, int... shape) {
        Objects.requireNonNull(buffer, "buffer must not be null");
        float[] data = new float[buffer.remaining()];
        buffer.duplicate().get(data);
        return of(DataType.FLOAT, shape, data);
    }

    /** Copies the remaining doubles of a buffer into a DOUBLE tensor; the buffer is not moved. */
    public static Tensor of(java.nio.DoubleBuffer buffer, int... shape) {
        Objects.requireNonNull(buffer, "buffer must not be null");
        double[] data = new double[buffer.remaining()];
        buffer.duplicate().get(data);
        return of(DataType.DOUBLE, shape, data);
    }

    /** Copies the remaining longs of a buffer into an INT64 tensor; the buffer is not moved. */
    public static Tensor of(java.nio.LongBuffer buffer, int... shape) {
        Objects.requireNonNull(buffer, "buffer must not be null");
        long[] data = new long[buffer.remaining()];
        buffer.duplicate().get(data);
        return of(DataType.INT64, shape, data);
    }

    /** Copies the remaining ints of a buffer into an INT32 tensor; the buffer is not moved. */
    public static Tensor of(java.nio.IntBuffer buffer, int... shape) {
        Objects.requireNonNull(buffer, "buffer must not be null");
        int[] data = new int[buffer.remaining()];
        buffer.duplicate().get(data);
        return of(DataType.INT32, shape, data);
    }

    /**
     * Decodes a tensor of any fixed-width type from little-endian bytes laid out as ONNX raw
     * data (4-bit and 2-bit types packed); the buffer is not moved.
     *
     * @throws IllegalArgumentException if the byte count does not match the type and shape
     */
    public static Tensor fromBytes(DataType type, java.nio.ByteBuffer bytes, int... shape) {
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(bytes, "bytes must not be null");
        try {
            return dev.jonnx.io.TensorProtos.fromBytes(type, shape, sizeOf(shape), bytes, "(buffer)");
        } catch (dev.jonnx.ModelFormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    public static Tensor scalar(float value) {
        return of(new float[] {value});
    }

    public static Tensor scalar(double value) {
        return of(new double[] {value});
    }

    public static Tensor scalar(long value) {
        return of(new long[] {value});
    }

    public static Tensor scalar(boolean value) {
        return of(new boolean[] {value});
    }

    /** Returns a tensor of zeros (false, empty strings) with the given type and shape. */
    public static Tensor zeros(DataType type, int... shape) {
        Objects.requireNonNull(type, "type must not be null");
        int size = sizeOf(shape);
        return new Tensor(type, shape.clone(), size, allocate(type, size));
    }

    /** Allocates the storage array for {@code size} elements of {@code type}. */
    public static Object allocate(DataType type, int size) {
        int slots = Math.multiplyExact(size, type.slotsPerElement());
        if (type == DataType.STRING) {
            String[] strings = new String[slots];
            Arrays.fill(strings, "");
            return strings;
        }
        return Array.newInstance(type.storage().getComponentType(), slots);
    }

    /**
     * Builds a tensor of any non-string type from double values, converting each as a C cast
     * would: truncation toward zero and wrap-around for integers, non-zero for bool, rounding to
     * nearest even for reduced floats (saturating for the float8 types).
     */
    public static Tensor fromDoubles(DataType type, int[] shape, double[] values) {
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(values, "values must not be null");
        int size = sizeOf(shape);
        if (values.length != size * type.slotsPerElement()) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + size
                    + " values, got " + values.length);
        }
        Object data = allocate(type, size);
        for (int i = 0; i < values.length; i++) {
            store(type, data, i, values[i]);
        }
        return new Tensor(type, shape.clone(), size, data);
    }

    /** Like {@link #fromDoubles} for float values. */
    public static Tensor fromFloats(DataType type, int[] shape, float[] values) {
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(values, "values must not be null");
        if (type == DataType.FLOAT) {
            return of(type, shape, values);
        }
        int size = sizeOf(shape);
        if (values.length != size * type.slotsPerElement()) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + size
                    + " values, got " + values.length);
        }
        Object data = allocate(type, size);
        for (int i = 0; i < values.length; i++) {
            store(type, data, i, values[i]);
        }
        return new Tensor(type, shape.clone(), size, data);
    }

    /** Like {@link #fromDoubles} for long values; exact for every integer type. */
    public static Tensor fromLongs(DataType type, int[] shape, long[] values) {
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(values, "values must not be null");
        if (type == DataType.INT64) {
            return of(type, shape, values);
        }
        int size = sizeOf(shape);
        if (values.length != size * type.slotsPerElement()) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + size
                    + " values, got " + values.length);
        }
        Object data = allocate(type, size);
        for (int i = 0; i < values.length; i++) {
            storeLong(type, data, i, values[i]);
        }
        return new Tensor(type, shape.clone(), size, data);
    }

    /** Stores a double into slot {@code i} of a storage array of {@code type}. */
    public static void store(DataType type, Object data, int i, double v) {
        switch (type) {
            case FLOAT, COMPLEX64 -> ((float[]) data)[i] = (float) v;
            case DOUBLE, COMPLEX128 -> ((double[]) data)[i] = v;
            case INT8, UINT8 -> ((byte[]) data)[i] = (byte) toLong(v);
            case INT16, UINT16 -> ((short[]) data)[i] = (short) toLong(v);
            case INT32, UINT32 -> ((int[]) data)[i] = (int) toLong(v);
            case INT64 -> ((long[]) data)[i] = (long) v;
            case UINT64 -> ((long[]) data)[i] = toUnsignedLong(v);
            case BOOL -> ((boolean[]) data)[i] = v != 0;
            case INT4 -> ((byte[]) data)[i] = (byte) ((toLong(v) << 60) >> 60);
            case UINT4 -> ((byte[]) data)[i] = (byte) (toLong(v) & 0xF);
            case INT2 -> ((byte[]) data)[i] = (byte) ((toLong(v) << 62) >> 62);
            case UINT2 -> ((byte[]) data)[i] = (byte) (toLong(v) & 0x3);
            case FLOAT16, BFLOAT16 ->
                    ((short[]) data)[i] = (short) FloatFormats.fromFloat(type, (float) v, true);
            case FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ, FLOAT8E8M0, FLOAT4E2M1 ->
                    ((byte[]) data)[i] = (byte) FloatFormats.fromFloat(type, (float) v, true);
            case STRING -> ((String[]) data)[i] = formatNumber(v);
        }
    }

    /** Stores a long into slot {@code i}, exactly for integer types (wrapping to the width). */
    public static void storeLong(DataType type, Object data, int i, long v) {
        switch (type) {
            case INT8, UINT8 -> ((byte[]) data)[i] = (byte) v;
            case INT16, UINT16 -> ((short[]) data)[i] = (short) v;
            case INT32, UINT32 -> ((int[]) data)[i] = (int) v;
            case INT64, UINT64 -> ((long[]) data)[i] = v;
            case BOOL -> ((boolean[]) data)[i] = v != 0;
            case INT4 -> ((byte[]) data)[i] = (byte) ((v << 60) >> 60);
            case UINT4 -> ((byte[]) data)[i] = (byte) (v & 0xF);
            case INT2 -> ((byte[]) data)[i] = (byte) ((v << 62) >> 62);
            case UINT2 -> ((byte[]) data)[i] = (byte) (v & 0x3);
            case STRING -> ((String[]) data)[i] = Long.toString(v);
            default -> store(type, data, i, (double) v);
        }
    }

    private static long toLong(double v) {
        return Double.isNaN(v) ? 0 : (long) v;
    }

    private static long toUnsignedLong(double v) {
        if (v >= 0x1p63) {
            return (long) (v - 0x1p63) + Long.MIN_VALUE;
        }
        return toLong(v);
    }

    private static String formatNumber(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /**
     * Returns the element count of a shape.
     *
     * @throws IllegalArgumentException if a dimension is negative or the count passes
     *     {@link Limits#maxElements()}
     */
    public static int sizeOf(int[] shape) {
        Objects.requireNonNull(shape, "shape must not be null");
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape "
                        + Arrays.toString(shape));
            }
        }
        long size = Shapes64.product(shape);
        if (!Limits.fits(size)) {
            throw new IllegalArgumentException(Limits.describeExcess("shape",
                    Arrays.toString(shape), size));
        }
        return (int) size;
    }

    public DataType type() {
        return type;
    }

    /** Returns a copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /**
     * Returns whether this tensor's shape equals {@code dims}. Unlike comparing {@link #shape()},
     * it copies nothing, so kernels can check a cached plan on every run without garbage.
     */
    public boolean hasShape(int... dims) {
        return Arrays.equals(shape, dims);
    }

    /** Returns dimension {@code axis}; a negative axis counts from the end. */
    public int dim(int axis) {
        return shape[axis < 0 ? axis + shape.length : axis];
    }

    /** The number of elements. */
    public int size() {
        return size;
    }

    public boolean isScalar() {
        return shape.length == 0;
    }

    /** The storage array, not a copy. */
    public Object data() {
        return data;
    }

    public float[] floats() {
        return storage(float[].class, DataType.FLOAT, DataType.COMPLEX64);
    }

    public double[] doubles() {
        return storage(double[].class, DataType.DOUBLE, DataType.COMPLEX128);
    }

    public long[] longs() {
        return storage(long[].class, DataType.INT64, DataType.UINT64);
    }

    public int[] ints() {
        return storage(int[].class, DataType.INT32, DataType.UINT32);
    }

    public short[] shorts() {
        if (!(data instanceof short[] s)) {
            throw typeMismatch("a short[]-stored type");
        }
        return s;
    }

    public byte[] bytes() {
        if (!(data instanceof byte[] b)) {
            throw typeMismatch("a byte[]-stored type");
        }
        return b;
    }

    public boolean[] booleans() {
        return storage(boolean[].class, DataType.BOOL, DataType.BOOL);
    }

    public String[] strings() {
        return storage(String[].class, DataType.STRING, DataType.STRING);
    }

    private <T> T storage(Class<T> arrayClass, DataType a, DataType b) {
        if (type != a && type != b) {
            throw typeMismatch(a == b ? a.toString() : a + " or " + b);
        }
        return arrayClass.cast(data);
    }

    private IllegalStateException typeMismatch(String expected) {
        return new IllegalStateException("expected a tensor of " + expected + ", got " + describe());
    }

    /** Reads element (array slot) {@code i} as a double; unsigned types read unsigned. */
    public double getDouble(int i) {
        return switch (type) {
            case FLOAT, COMPLEX64 -> ((float[]) data)[i];
            case DOUBLE, COMPLEX128 -> ((double[]) data)[i];
            case UINT64 -> {
                long v = ((long[]) data)[i];
                yield v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
            }
            case FLOAT16, BFLOAT16 -> FloatFormats.toFloat(type, ((short[]) data)[i]);
            case FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ, FLOAT8E8M0, FLOAT4E2M1 ->
                    FloatFormats.toFloat(type, ((byte[]) data)[i] & 0xFF);
            case STRING -> Double.parseDouble(((String[]) data)[i].trim());
            default -> getLong(i);
        };
    }

    /** Reads element (array slot) {@code i} as a long; floating types truncate toward zero. */
    public long getLong(int i) {
        return switch (type) {
            case INT8, INT4, INT2 -> ((byte[]) data)[i];
            case UINT8, UINT4, UINT2 -> ((byte[]) data)[i] & 0xFFL;
            case INT16 -> ((short[]) data)[i];
            case UINT16 -> ((short[]) data)[i] & 0xFFFFL;
            case INT32 -> ((int[]) data)[i];
            case UINT32 -> ((int[]) data)[i] & 0xFFFFFFFFL;
            case INT64, UINT64 -> ((long[]) data)[i];
            case BOOL -> ((boolean[]) data)[i] ? 1 : 0;
            case STRING -> Long.parseLong(((String[]) data)[i].trim());
            default -> (long) getDouble(i);
        };
    }

    /** Returns the elements as floats: the storage itself for FLOAT, else a converted copy. */
    public float[] toFloatArray() {
        if (type == DataType.FLOAT) {
            return (float[]) data;
        }
        int slots = size * type.slotsPerElement();
        float[] out = new float[slots];
        for (int i = 0; i < slots; i++) {
            out[i] = (float) getDouble(i);
        }
        return out;
    }

    /** Returns the elements as doubles: the storage itself for DOUBLE, else a converted copy. */
    public double[] toDoubleArray() {
        if (type == DataType.DOUBLE) {
            return (double[]) data;
        }
        int slots = size * type.slotsPerElement();
        double[] out = new double[slots];
        for (int i = 0; i < slots; i++) {
            out[i] = getDouble(i);
        }
        return out;
    }

    /** Returns the elements as longs: the storage itself for INT64, else a converted copy. */
    public long[] toLongArray() {
        if (type == DataType.INT64) {
            return (long[]) data;
        }
        long[] out = new long[size];
        for (int i = 0; i < size; i++) {
            out[i] = getLong(i);
        }
        return out;
    }

    /** Returns the elements as ints (for shapes, axes and indices), truncating larger values. */
    public int[] toIntArray() {
        if (type == DataType.INT32) {
            return (int[]) data;
        }
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            out[i] = (int) getLong(i);
        }
        return out;
    }

    /** Returns a tensor with the same storage and a new shape of the same element count. */
    public Tensor reshape(int... newShape) {
        int newSize = sizeOf(newShape);
        if (newSize != size) {
            throw new IllegalArgumentException("cannot reshape " + describe() + " to "
                    + Arrays.toString(newShape));
        }
        return new Tensor(type, newShape.clone(), size, data);
    }

    /** Returns a deep copy with its own storage. */
    public Tensor copy() {
        Object copy = allocate(type, size);
        System.arraycopy(data, 0, copy, 0, Array.getLength(data));
        return new Tensor(type, shape.clone(), size, copy);
    }

    @Override
    public String describe() {
        return "tensor(" + type + ") " + Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return describe();
    }

    /** Element counts of shapes in long arithmetic, -1 on overflow. */
    private static final class Shapes64 {
        /** Returns the element count of a shape of non-negative dimensions, or -1 above 2^63 - 1. */
        static long product(int[] shape) {
            for (int d : shape) {
                if (d == 0) {
                    return 0;
                }
            }
            long n = 1;
            for (int d : shape) {
                n = Math.multiplyHigh(n, d) != 0 ? -1 : n * d;
                if (n < 0) {
                    return -1;
                }
            }
            return n;
        }
    }
}
