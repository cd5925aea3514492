package dev.jonnx.runtime.ops.shape;

import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.kernel.StridedCopy;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/** Input checks shared by the shape kernels. */
final class Args {
    private Args() {}

    /** Returns input {@code i} as a tensor, or throws if it is missing or not a tensor. */
    static Tensor tensor(Value[] inputs, int i, String name) {
        Value v = i < inputs.length ? inputs[i] : null;
        if (v == null) {
            throw new IllegalArgumentException("input '" + name + "' is missing");
        }
        if (!(v instanceof Tensor t)) {
            throw new IllegalArgumentException("input '" + name + "' must be a tensor, got "
                    + v.describe());
        }
        return t;
    }

    /** Returns input {@code i} as a tensor, or null when it is omitted. */
    static Tensor optionalTensor(Value[] inputs, int i, String name) {
        if (i >= inputs.length || inputs[i] == null) {
            return null;
        }
        return tensor(inputs, i, name);
    }

    /** Returns the values of an integer tensor (shapes, axes, indices) as longs. */
    static long[] integers(Tensor t, String name) {
        if (!t.type().isInteger()) {
            throw new IllegalArgumentException("input '" + name
                    + "' must be an integer tensor, got " + t.describe());
        }
        return t.toLongArray();
    }

    /** Returns the single value of a one-element integer tensor (a scalar or shape [1]). */
    static long scalarInteger(Tensor t, String name) {
        if (t.size() != 1) {
            throw new IllegalArgumentException("input '" + name
                    + "' must contain exactly one value, got " + t.describe());
        }
        return integers(t, name)[0];
    }

    /** Converts a dimension or index to int, throwing when it does not fit. */
    static int toInt(long v, String what) {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + " " + v + " is out of the supported range");
        }
        return (int) v;
    }

    /**
     * Normalizes an axis attribute of an operator that needs at least one dimension: accepts
     * [-rank, rank - 1] and rejects every axis of a scalar.
     */
    static int axis(long axis, int rank) {
        if (rank == 0) {
            throw new IllegalArgumentException("the input is a scalar, so it has no axis "
                    + axis + "; expected rank 1 or more");
        }
        return Shapes.axis(axis, rank);
    }

    /** Normalizes axes against a rank and rejects duplicates. */
    static int[] axes(long[] axes, int rank, String name) {
        int[] out = new int[axes.length];
        boolean[] seen = new boolean[Math.max(rank, 1)];
        for (int i = 0; i < axes.length; i++) {
            if (axes[i] < -rank || axes[i] >= rank) {
                throw new IllegalArgumentException(name + " " + Arrays.toString(axes)
                        + " contains " + axes[i] + ", outside [" + -rank + ", " + (rank - 1)
                        + "]");
            }
            out[i] = (int) (axes[i] < 0 ? axes[i] + rank : axes[i]);
            if (seen[out[i]]) {
                throw new IllegalArgumentException(name + " " + Arrays.toString(axes)
                        + " contains axis " + out[i] + " twice");
            }
            seen[out[i]] = true;
        }
        return out;
    }

    /** Normalizes an index into a dimension of size {@code dim}, accepting [-dim, dim - 1]. */
    static int index(long index, int dim, String name) {
        if (index < -dim || index >= dim) {
            throw new IllegalArgumentException(name + " value " + index
                    + " is out of range for a dimension of size " + dim);
        }
        return (int) (index < 0 ? index + dim : index);
    }

    /**
     * Allocates storage for an output of {@code size} elements: float storage comes from
     * {@link RunContext#newFloats}, so it may be a reused buffer and the kernel must write every
     * element. Other types get a new array, zero-filled.
     */
    static Object allocate(DataType type, int size, RunContext ctx) {
        return type == DataType.FLOAT ? ctx.newFloats(size) : Tensor.allocate(type, size);
    }

    /** Returns a new tensor that copies the block described by a view of {@code t}. */
    static Tensor copyView(Tensor t, int offset, int[] strides, int[] shape, RunContext ctx) {
        DataType type = t.type();
        Object out = allocate(type, Tensor.sizeOf(shape), ctx);
        StridedCopy.copy(t.data(), offset, strides, out, 0, Shapes.strides(shape), shape,
                type.slotsPerElement());
        return Tensor.of(type, shape, out);
    }

    /** Returns the array slots per element of a tensor's type: 2 for complex, else 1. */
    static int slots(Tensor t) {
        return t.type().slotsPerElement();
    }
}
