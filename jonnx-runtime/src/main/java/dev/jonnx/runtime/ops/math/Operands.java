package dev.jonnx.runtime.ops.math;

import dev.jonnx.tensor.DataType;
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
}
