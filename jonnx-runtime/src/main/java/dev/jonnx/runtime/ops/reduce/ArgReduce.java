package dev.jonnx.runtime.ops.reduce;

import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;

/**
 * ArgMax and ArgMin: the int64 index of the largest or smallest element along one axis. Ties go
 * to the first index, or the last with {@code select_last_index}. NaN counts as the extreme
 * value, as in NumPy.
 */
final class ArgReduce {
    private ArgReduce() {}

    static KernelFactory factory(boolean max) {
        return node -> {
            long axisAttribute = node.getInt("axis", 0);
            boolean keepDims = node.getInt("keepdims", 1) != 0;
            boolean selectLast = node.getInt("select_last_index", 0) != 0;
            return (inputs, ctx) -> new Value[] {
                argReduce((Tensor) inputs[0], axisAttribute, keepDims, selectLast, max)
            };
        };
    }

    static Tensor argReduce(Tensor data, long axisAttribute, boolean keepDims, boolean selectLast, boolean max) {
        int rank = data.rank();
        int axis = Shapes.axis(axisAttribute, rank);
        int[] shape = data.shape();
        int n = rank == 0 ? 1 : shape[axis];
        int outer = 1;
        for (int d = 0; d < axis; d++) {
            outer *= shape[d];
        }
        int inner = 1;
        for (int d = axis + 1; d < rank; d++) {
            inner *= shape[d];
        }

        int[] outShape;
        if (rank == 0) {
            outShape = new int[0];
        } else if (keepDims) {
            outShape = shape.clone();
            outShape[axis] = 1;
        } else {
            outShape = new int[rank - 1];
            for (int d = 0, j = 0; d < rank; d++) {
                if (d != axis) {
                    outShape[j++] = shape[d];
                }
            }
        }
        if (n == 0 && outer * inner > 0) {
            throw new IllegalArgumentException("input 'data' has no elements along axis " + axis
                    + ", so it has no arg " + (max ? "max" : "min"));
        }

        long[] out = new long[outer * inner];
        DataType type = data.type();
        boolean useLongs = type.isInteger() || type == DataType.BOOL;
        double[] doubles = useLongs ? null : data.toDoubleArray();
        long[] longs = useLongs ? data.toLongArray() : null;
        boolean unsigned64 = type == DataType.UINT64;
        int sign = max ? 1 : -1;
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                int best = 0;
                for (int k = 1; k < n; k++) {
                    int index = base + k * inner;
                    int bestIndex = base + best * inner;
                    int cmp;
                    if (useLongs) {
                        cmp = unsigned64 ? Long.compareUnsigned(longs[index], longs[bestIndex])
                                : Long.compare(longs[index], longs[bestIndex]);
                        cmp *= sign;
                    } else {
                        double v = doubles[index];
                        double b = doubles[bestIndex];
                        if (Double.isNaN(b)) {
                            cmp = Double.isNaN(v) ? 0 : -1;
                        } else if (Double.isNaN(v)) {
                            cmp = 1;
                        } else {
                            cmp = sign * Double.compare(v == 0.0 ? 0.0 : v, b == 0.0 ? 0.0 : b);
                        }
                    }
                    if (cmp > 0 || (cmp == 0 && selectLast)) {
                        best = k;
                    }
                }
                out[o * inner + i] = best;
            }
        }
        return Tensor.of(DataType.INT64, outShape, out);
    }
}
