package dev.jonnx.runtime.ops.conv;

import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/** Input access and checks shared by the kernels of this package. */
final class Inputs {
    private Inputs() {}

    /** Returns input {@code i} as a tensor, rejecting an omitted input or another value kind. */
    static Tensor required(Value[] inputs, int i, String name) {
        if (i >= inputs.length || inputs[i] == null) {
            throw new IllegalArgumentException("input " + name + " is missing");
        }
        return tensor(inputs[i], name);
    }

    /** Returns input {@code i} as a tensor, or null when it is omitted. */
    static Tensor optional(Value[] inputs, int i, String name) {
        if (i >= inputs.length || inputs[i] == null) {
            return null;
        }
        return tensor(inputs[i], name);
    }

    private static Tensor tensor(Value v, String name) {
        if (!(v instanceof Tensor t)) {
            throw new IllegalArgumentException("input " + name + " must be a tensor, got "
                    + v.getClass().getSimpleName());
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

    /** Rejects a tensor whose element type differs from that of {@code reference}. */
    static void requireSameType(Tensor t, String name, Tensor reference, String referenceName) {
        if (t.type() != reference.type()) {
            throw new IllegalArgumentException("input " + name + " must have the type of "
                    + referenceName + " (" + reference.type() + "), got " + t.type());
        }
    }

    /** Rejects an input of rank below 3, which has no spatial axis after (N, C). */
    static void requireSpatial(Tensor t, String name) {
        if (t.rank() < 3) {
            throw new IllegalArgumentException("input " + name
                    + " must have shape (N, C, D1, ...) with at least one spatial axis, got "
                    + Arrays.toString(t.shape()));
        }
    }

    /** Returns the dimensions after the first two (batch and channel). */
    static int[] spatial(Tensor t) {
        return Arrays.copyOfRange(t.shape(), 2, t.rank());
    }

    /** Returns {@code shape} with the spatial dimensions replaced by {@code spatial}. */
    static int[] withSpatial(int n, int c, int[] spatial) {
        int[] shape = new int[spatial.length + 2];
        shape[0] = n;
        shape[1] = c;
        System.arraycopy(spatial, 0, shape, 2, spatial.length);
        return shape;
    }
}
