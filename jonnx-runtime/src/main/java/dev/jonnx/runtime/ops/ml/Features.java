package dev.jonnx.runtime.ops.ml;

import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;

/**
 * A numeric model input viewed as a [rows, columns] matrix of doubles: a [C] tensor is one
 * row, a [N, C] tensor is N rows, and a tensor of higher rank is [N, product of the rest].
 * The values array may be the input's own storage, so it is read-only.
 */
record Features(double[] values, int rows, int columns) {

    /**
     * Reads input {@code X} of an operator that accepts float, double, int64 and int32.
     *
     * @throws IllegalArgumentException if the value is not a tensor of those types or is a
     *     scalar
     */
    static Features of(Value value, String op) {
        Tensor x = numericTensor(value, op);
        if (x.rank() == 0) {
            throw new IllegalArgumentException(op + ": input X must have rank 1 [C] or 2 [N, C],"
                    + " got a scalar");
        }
        int rows = x.rank() == 1 ? 1 : x.dim(0);
        int columns = x.rank() == 1 ? x.dim(0) : (rows == 0 ? productAfterFirst(x) : x.size() / rows);
        return new Features(x.toDoubleArray(), rows, columns);
    }

    static Tensor numericTensor(Value value, String op) {
        if (!(value instanceof Tensor x)) {
            throw new IllegalArgumentException(op + ": input X must be a tensor, got "
                    + (value == null ? "nothing" : value.describe()));
        }
        DataType t = x.type();
        if (t != DataType.FLOAT && t != DataType.DOUBLE && t != DataType.INT64 && t != DataType.INT32) {
            throw new IllegalArgumentException(op + ": input X must be float, double, int64 or"
                    + " int32, got " + x.describe());
        }
        return x;
    }

    private static int productAfterFirst(Tensor x) {
        int[] shape = x.shape();
        long p = 1;
        for (int i = 1; i < shape.length; i++) {
            p *= shape[i];
        }
        return (int) p;
    }

    /** Raises an error unless the matrix has {@code expected} columns. */
    void requireColumns(int expected, String op, String source) {
        if (columns != expected) {
            throw new IllegalArgumentException(op + ": input X must have " + expected
                    + " features (columns), as " + source + " implies, got " + columns);
        }
    }

    /** Returns the shape {@code [rows, width]} as a float tensor of the given row-major data. */
    static Tensor floatMatrix(double[] data, int rows, int width) {
        float[] out = new float[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = (float) data[i];
        }
        return Tensor.of(out, rows, width);
    }
}
