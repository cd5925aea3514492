package dev.jonnx.runtime.ops.math;

import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.FloatFormats;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.EnumSet;
import java.util.Set;

/** Type sets of the elementwise operators and checked access to their inputs. */
final class Operands {
    private Operands() {}

    static final Set<DataType> FLOATS =
            EnumSet.of(DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, DataType.BFLOAT16);
    static final Set<DataType> SIGNED =
            EnumSet.of(DataType.INT8, DataType.INT16, DataType.INT32, DataType.INT64);
    static final Set<DataType> UNSIGNED =
            EnumSet.of(DataType.UINT8, DataType.UINT16, DataType.UINT32, DataType.UINT64);
    static final Set<DataType> INTEGERS = union(SIGNED, UNSIGNED);
    static final Set<DataType> SIGNED_NUMERIC = union(FLOATS, SIGNED);
    static final Set<DataType> NUMERIC = union(FLOATS, INTEGERS);
    static final Set<DataType> BOOL = EnumSet.of(DataType.BOOL);

    @SafeVarargs
    static Set<DataType> union(Set<DataType>... sets) {
        EnumSet<DataType> out = EnumSet.noneOf(DataType.class);
        for (Set<DataType> s : sets) {
            out.addAll(s);
        }
        return out;
    }

    /**
     * Returns input {@code i} as a tensor.
     *
     * @throws IllegalArgumentException if it is missing or not a tensor
     */
    static Tensor tensor(Value[] inputs, int i) {
        if (i >= inputs.length || inputs[i] == null) {
            throw new IllegalArgumentException("input " + i + " is missing");
        }
        if (!(inputs[i] instanceof Tensor t)) {
            throw new IllegalArgumentException("input " + i + " must be a tensor, got "
                    + inputs[i].describe());
        }
        return t;
    }

    /** Returns input {@code i} as a tensor, or null when it is omitted. */
    static Tensor optionalTensor(Value[] inputs, int i) {
        if (i >= inputs.length || inputs[i] == null) {
            return null;
        }
        return tensor(inputs, i);
    }

    /** Checks that a tensor's element type is one the operator accepts. */
    static void checkType(String op, int input, Tensor t, Set<DataType> allowed) {
        if (!allowed.contains(t.type())) {
            throw new IllegalArgumentException(op + " input " + input + " has element type "
                    + t.type() + ", expected one of " + allowed);
        }
    }

    /** Checks that two inputs share an element type. */
    static void checkSameType(String op, Tensor a, Tensor b) {
        if (a.type() != b.type()) {
            throw new IllegalArgumentException(op + " inputs must have the same element type, got "
                    + a.type() + " and " + b.type());
        }
    }

    /**
     * Returns the elements of a non-complex float tensor as doubles. The array is the tensor's
     * storage for DOUBLE, so callers must not write into it.
     */
    static double[] doubles(Tensor t) {
        int n = t.size();
        switch (t.type()) {
            case DOUBLE -> {
                return t.doubles();
            }
            case FLOAT -> {
                float[] v = t.floats();
                double[] out = new double[n];
                for (int i = 0; i < n; i++) {
                    out[i] = v[i];
                }
                return out;
            }
            case FLOAT16 -> {
                short[] v = t.shorts();
                double[] out = new double[n];
                for (int i = 0; i < n; i++) {
                    out[i] = Float.float16ToFloat(v[i]);
                }
                return out;
            }
            case BFLOAT16 -> {
                short[] v = t.shorts();
                double[] out = new double[n];
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat(v[i] << 16);
                }
                return out;
            }
            default -> {
                return t.toDoubleArray();
            }
        }
    }

    /**
     * Wraps double results as a tensor of a float type. Each value is rounded once to the
     * target format, so float16 and bfloat16 results do not suffer double rounding.
     */
    static Tensor ofDoubles(DataType type, int[] shape, double[] values) {
        int n = values.length;
        switch (type) {
            case DOUBLE -> {
                return Tensor.of(type, shape, values);
            }
            case FLOAT -> {
                float[] out = new float[n];
                for (int i = 0; i < n; i++) {
                    out[i] = (float) values[i];
                }
                return Tensor.of(type, shape, out);
            }
            case FLOAT16, BFLOAT16 -> {
                short[] out = new short[n];
                for (int i = 0; i < n; i++) {
                    out[i] = (short) FloatFormats.fromDouble(type, values[i], true);
                }
                return Tensor.of(type, shape, out);
            }
            default -> {
                return Tensor.fromDoubles(type, shape, values);
            }
        }
    }

    /**
     * Returns the elements of an integer or bool tensor as longs: unsigned types zero-extended,
     * uint64 as its raw bits. The array is the tensor's storage for INT64 and UINT64, so callers
     * must not write into it.
     */
    static long[] longs(Tensor t) {
        int n = t.size();
        long[] out;
        switch (t.type()) {
            case INT64, UINT64 -> {
                return t.longs();
            }
            case INT32 -> {
                int[] v = t.ints();
                out = new long[n];
                for (int i = 0; i < n; i++) {
                    out[i] = v[i];
                }
            }
            case UINT32 -> {
                int[] v = t.ints();
                out = new long[n];
                for (int i = 0; i < n; i++) {
                    out[i] = v[i] & 0xFFFFFFFFL;
                }
            }
            case INT16 -> {
                short[] v = t.shorts();
                out = new long[n];
                for (int i = 0; i < n; i++) {
                    out[i] = v[i];
                }
            }
            case UINT16 -> {
                short[] v = t.shorts();
                out = new long[n];
                for (int i = 0; i < n; i++) {
                    out[i] = v[i] & 0xFFFF;
                }
            }
            case INT8 -> {
                byte[] v = t.bytes();
                out = new long[n];
                for (int i = 0; i < n; i++) {
                    out[i] = v[i];
                }
            }
            case UINT8 -> {
                byte[] v = t.bytes();
                out = new long[n];
                for (int i = 0; i < n; i++) {
                    out[i] = v[i] & 0xFF;
                }
            }
            default -> out = t.toLongArray();
        }
        return out;
    }

    /** Wraps integer results as a tensor of an integer type, keeping the low bits of each. */
    static Tensor ofLongs(DataType type, int[] shape, long[] values) {
        int n = values.length;
        switch (type) {
            case INT64, UINT64 -> {
                return Tensor.of(type, shape, values);
            }
            case INT32, UINT32 -> {
                int[] out = new int[n];
                for (int i = 0; i < n; i++) {
                    out[i] = (int) values[i];
                }
                return Tensor.of(type, shape, out);
            }
            case INT16, UINT16 -> {
                short[] out = new short[n];
                for (int i = 0; i < n; i++) {
                    out[i] = (short) values[i];
                }
                return Tensor.of(type, shape, out);
            }
            case INT8, UINT8 -> {
                byte[] out = new byte[n];
                for (int i = 0; i < n; i++) {
                    out[i] = (byte) values[i];
                }
                return Tensor.of(type, shape, out);
            }
            default -> {
                return Tensor.fromLongs(type, shape, values);
            }
        }
    }
}
