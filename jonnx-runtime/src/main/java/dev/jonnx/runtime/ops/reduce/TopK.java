package dev.jonnx.runtime.ops.reduce;

import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;

/**
 * TopK: the k largest (or smallest) elements along an axis and their int64 indices. Equal
 * values keep index order, so the lower index comes first. The output is always sorted, which
 * the spec allows when {@code sorted} is 0. NaN counts as larger than any number.
 */
final class TopK {
    private TopK() {}

    static KernelFactory factory() {
        return node -> {
            long axisAttribute = node.getInt("axis", -1);
            boolean largest = node.getInt("largest", 1) != 0;
            boolean kFromInput = node.opset() >= 10;
            long kAttribute = kFromInput ? -1 : node.getInt("k");
            return (inputs, ctx) -> {
                long k = kAttribute;
                if (kFromInput) {
                    Tensor kTensor = (Tensor) inputs[1];
                    if (kTensor.size() != 1) {
                        throw new IllegalArgumentException("input 'K' must contain one value, got "
                                + kTensor.describe());
                    }
                    k = kTensor.getLong(0);
                }
                return topK((Tensor) inputs[0], k, axisAttribute, largest);
            };
        };
    }

    static Value[] topK(Tensor x, long k, long axisAttribute, boolean largest) {
        int rank = x.rank();
        int axis = Shapes.axis(axisAttribute, rank);
        int[] shape = x.shape();
        int n = shape[axis];
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("input 'K' is " + k + " but must lie in [0, " + n
                    + "], the size of axis " + axis);
        }
        int kk = (int) k;
        int inner = 1;
        for (int d = axis + 1; d < rank; d++) {
            inner *= shape[d];
        }
        int outer = n * inner == 0 ? 0 : x.size() / (n * inner);
        int[] outShape = shape.clone();
        outShape[axis] = kk;
        int outSize = Shapes.size(outShape);

        long[] indices = new long[outSize];
        DataType type = x.type();
        boolean exact = type.isInteger();
        double[] doubles = exact ? null : x.toDoubleArray();
        long[] longs = exact ? x.toLongArray() : null;
        boolean unsigned64 = type == DataType.UINT64;

        int[] order = new int[n];
        int[] scratch = new int[n];
        int[] slice = new int[2];
        IndexComparator comparator = (a, b) -> {
            int ia = slice[0] + a * slice[1];
            int ib = slice[0] + b * slice[1];
            int cmp;
            if (exact) {
                cmp = unsigned64 ? Long.compareUnsigned(longs[ia], longs[ib]) : Long.compare(longs[ia], longs[ib]);
            } else {
                double va = doubles[ia];
                double vb = doubles[ib];
                cmp = Double.compare(va == 0.0 ? 0.0 : va, vb == 0.0 ? 0.0 : vb);
            }
            return largest ? -cmp : cmp;
        };
        slice[1] = inner;
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                slice[0] = o * n * inner + i;
                for (int j = 0; j < n; j++) {
                    order[j] = j;
                }
                mergeSort(order, scratch, 0, n, comparator);
                for (int j = 0; j < kk; j++) {
                    indices[(o * kk + j) * inner + i] = order[j];
                }
            }
        }

        Object values = Tensor.allocate(type, outSize);
        Object source = x.data();
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < kk; j++) {
                for (int i = 0; i < inner; i++) {
                    int out = (o * kk + j) * inner + i;
                    int in = (o * n + (int) indices[out]) * inner + i;
                    System.arraycopy(source, in, values, out, 1);
                }
            }
        }
        return new Value[] {Tensor.of(type, outShape, values), Tensor.of(DataType.INT64, outShape, indices)};
    }

    /** Compares two positions along the sorted axis. */
    @FunctionalInterface
    interface IndexComparator {
        int compare(int a, int b);
    }

    /** Sorts {@code order[from, to)} stably, so equal keys keep their index order. */
    static void mergeSort(int[] order, int[] scratch, int from, int to, IndexComparator comparator) {
        if (to - from < 2) {
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(order, scratch, from, mid, comparator);
        mergeSort(order, scratch, mid, to, comparator);
        if (comparator.compare(order[mid - 1], order[mid]) <= 0) {
            return;
        }
        System.arraycopy(order, from, scratch, from, to - from);
        int left = from;
        int right = mid;
        for (int out = from; out < to; out++) {
            if (right >= to || (left < mid && comparator.compare(scratch[left], scratch[right]) <= 0)) {
                order[out] = scratch[left++];
            } else {
                order[out] = scratch[right++];
            }
        }
    }
}
