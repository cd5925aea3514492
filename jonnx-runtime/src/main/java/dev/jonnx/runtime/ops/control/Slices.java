package dev.jonnx.runtime.ops.control;

import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Copies blocks of tensors along one axis: concatenation, stacking on a new axis and slicing.
 * Control flow and sequence operators share these, and they work for every element type
 * because they move whole array slots with {@link System#arraycopy}.
 */
public final class Slices {
    private Slices() {}

    /**
     * Concatenates tensors along an existing axis. Every tensor must have the same element type,
     * the same rank and the same dimensions except along {@code axis}.
     *
     * @throws IllegalArgumentException if the list is empty or the tensors do not match
     */
    public static Tensor concat(List<Tensor> parts, int axis) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("cannot concatenate an empty list of tensors");
        }
        Tensor first = parts.getFirst();
        DataType type = first.type();
        int[] shape = first.shape();
        if (axis < 0 || axis >= shape.length) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for rank "
                    + shape.length);
        }

        long total = 0;
        for (Tensor t : parts) {
            if (t.type() != type) {
                throw new IllegalArgumentException("all tensors must have element type " + type
                        + ", got " + t.describe());
            }
            if (t.rank() != shape.length) {
                throw new IllegalArgumentException("all tensors must have rank " + shape.length
                        + ", got " + t.describe());
            }
            for (int d = 0; d < shape.length; d++) {
                if (d != axis && t.dim(d) != shape[d]) {
                    throw new IllegalArgumentException("tensors to concatenate on axis " + axis
                            + " must match in every other dimension, got "
                            + first.describe() + " and " + t.describe());
                }
            }
            total += t.dim(axis);
        }

        int[] outShape = shape.clone();
        outShape[axis] = Math.toIntExact(total);
        int slots = type.slotsPerElement();
        int outer = prefixSize(shape, axis);
        int inner = suffixSize(shape, axis + 1) * slots;
        Object out = Tensor.allocate(type, Tensor.sizeOf(outShape));
        int outRow = outShape[axis] * inner;
        int offset = 0;
        for (Tensor t : parts) {
            int block = t.dim(axis) * inner;
            Object src = t.data();
            for (int o = 0; o < outer; o++) {
                System.arraycopy(src, o * block, out, o * outRow + offset, block);
            }
            offset += block;
        }
        return Tensor.of(type, outShape, out);
    }

    /**
     * Stacks tensors of one shape along a new axis inserted at {@code axis} (0 to rank).
     *
     * @throws IllegalArgumentException if the list is empty or the shapes or types differ
     */
    public static Tensor stack(List<Tensor> parts, int axis) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("cannot stack an empty list of tensors");
        }
        int[] shape = parts.getFirst().shape();
        Tensor[] expanded = new Tensor[parts.size()];
        for (int i = 0; i < expanded.length; i++) {
            Tensor t = parts.get(i);
            if (!Arrays.equals(t.shape(), shape)) {
                throw new IllegalArgumentException("tensors to stack must have one shape, got "
                        + parts.getFirst().describe() + " and " + t.describe());
            }
            expanded[i] = t.reshape(insertAxis(shape, axis, 1));
        }
        return concat(Arrays.asList(expanded), axis);
    }

    /** Returns the sub-tensor {@code [start, end)} along {@code axis}, keeping the axis. */
    public static Tensor range(Tensor t, int axis, int start, int end) {
        int[] shape = t.shape();
        int slots = t.type().slotsPerElement();
        int outer = prefixSize(shape, axis);
        int inner = suffixSize(shape, axis + 1) * slots;
        int[] outShape = shape.clone();
        outShape[axis] = end - start;
        Object out = Tensor.allocate(t.type(), Tensor.sizeOf(outShape));
        int block = (end - start) * inner;
        int srcRow = shape[axis] * inner;
        Object src = t.data();
        for (int o = 0; o < outer; o++) {
            System.arraycopy(src, o * srcRow + start * inner, out, o * block, block);
        }
        return Tensor.of(t.type(), outShape, out);
    }

    /** Returns position {@code index} along {@code axis}, with that axis removed. */
    public static Tensor index(Tensor t, int axis, int index) {
        return range(t, axis, index, index + 1).reshape(removeAxis(t.shape(), axis));
    }

    /** Returns {@code shape} with a dimension of size {@code size} inserted at {@code axis}. */
    public static int[] insertAxis(int[] shape, int axis, int size) {
        int[] out = new int[shape.length + 1];
        System.arraycopy(shape, 0, out, 0, axis);
        out[axis] = size;
        System.arraycopy(shape, axis, out, axis + 1, shape.length - axis);
        return out;
    }

    /** Returns {@code shape} without dimension {@code axis}. */
    public static int[] removeAxis(int[] shape, int axis) {
        int[] out = new int[shape.length - 1];
        System.arraycopy(shape, 0, out, 0, axis);
        System.arraycopy(shape, axis + 1, out, axis, shape.length - axis - 1);
        return out;
    }

    private static int prefixSize(int[] shape, int end) {
        int n = 1;
        for (int d = 0; d < end; d++) {
            n *= shape[d];
        }
        return n;
    }

    private static int suffixSize(int[] shape, int start) {
        int n = 1;
        for (int d = start; d < shape.length; d++) {
            n *= shape[d];
        }
        return n;
    }
}
