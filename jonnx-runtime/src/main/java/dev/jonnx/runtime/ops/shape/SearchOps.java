package dev.jonnx.runtime.ops.shape;

import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.kernel.StridedCopy;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;

/** Operators whose output shape depends on the values: NonZero and Unique. */
final class SearchOps {
    private SearchOps() {}

    static void register(OpRegistry.Builder registry) {
        registry.add("NonZero", node -> SearchOps::nonZero, 9, 13);
        registry.add("Unique", SearchOps::unique, 11);
    }

    private static Value[] nonZero(Value[] inputs, dev.jonnx.runtime.registry.RunContext ctx) {
        Tensor x = Args.tensor(inputs, 0, "X");
        // A scalar counts as a 1-D tensor of one element, as NumPy's nonzero treats it.
        int[] shape = x.rank() == 0 ? new int[] {1} : x.shape();
        int rank = shape.length;
        int size = x.size();
        boolean[] hit = new boolean[size];
        int count = 0;
        for (int i = 0; i < size; i++) {
            hit[i] = isNonZero(x, i);
            count += hit[i] ? 1 : 0;
        }
        long[] out = new long[rank * count];
        int[] counter = new int[rank];
        int column = 0;
        for (int i = 0; i < size; i++) {
            if (hit[i]) {
                for (int d = 0; d < rank; d++) {
                    out[d * count + column] = counter[d];
                }
                column++;
            }
            for (int d = rank - 1; d >= 0; d--) {
                if (++counter[d] < shape[d]) {
                    break;
                }
                counter[d] = 0;
            }
        }
        return new Value[] {Tensor.of(out, rank, count)};
    }

    private static boolean isNonZero(Tensor x, int i) {
        return switch (x.type()) {
            case BOOL -> x.booleans()[i];
            case STRING -> !x.strings()[i].isEmpty();
            case COMPLEX64, COMPLEX128 -> x.getDouble(2 * i) != 0 || x.getDouble(2 * i + 1) != 0;
            case INT64, UINT64 -> x.longs()[i] != 0;
            default -> x.getDouble(i) != 0;
        };
    }

    private static Kernel unique(NodeContext node) {
        boolean sorted = node.getInt("sorted", 1) != 0;
        Long axis = node.hasAttribute("axis") ? node.getInt("axis") : null;
        return (inputs, ctx) -> {
            Tensor x = Args.tensor(inputs, 0, "X");
            Tensor source = axis == null ? x.reshape(x.size()) : x;
            int a = axis == null ? 0 : Args.axis(axis, x.rank());
            int[] shape = source.shape();
            int count = shape[a];
            int outer = 1;
            for (int d = 0; d < a; d++) {
                outer *= shape[d];
            }
            int inner = 1;
            for (int d = a + 1; d < shape.length; d++) {
                inner *= shape[d];
            }
            SliceComparator cmp = new SliceComparator(source, outer, count, inner);
            // Stable sort of slice positions: equal slices stay in order of first occurrence.
            int[] order = new int[count];
            for (int i = 0; i < count; i++) {
                order[i] = i;
            }
            mergeSort(order, new int[count], 0, count, cmp);
            int[] group = new int[count];
            int groups = 0;
            int[] firstOfGroup = new int[count];
            int[] groupCount = new int[count];
            for (int k = 0; k < count; k++) {
                if (k == 0 || cmp.compare(order[k - 1], order[k]) != 0) {
                    firstOfGroup[groups] = order[k];
                    groups++;
                }
                group[order[k]] = groups - 1;
                groupCount[groups - 1]++;
            }
            // Output rank of each group: sorted order, or order of first occurrence.
            int[] outputPosition = new int[groups];
            int[] groupAtPosition = new int[groups];
            if (sorted) {
                for (int g = 0; g < groups; g++) {
                    outputPosition[g] = g;
                }
            } else {
                boolean[] seen = new boolean[groups];
                int next = 0;
                for (int i = 0; i < count; i++) {
                    int g = group[i];
                    if (!seen[g]) {
                        seen[g] = true;
                        outputPosition[g] = next++;
                    }
                }
            }
            for (int g = 0; g < groups; g++) {
                groupAtPosition[outputPosition[g]] = g;
            }
            int[] outShape = shape.clone();
            outShape[a] = groups;
            DataType type = x.type();
            Object y = Tensor.allocate(type, Tensor.sizeOf(outShape));
            int[] strides = Shapes.strides(shape);
            int[] outStrides = Shapes.strides(outShape);
            int[] slab = shape.clone();
            slab[a] = 1;
            long[] indices = new long[groups];
            long[] counts = new long[groups];
            for (int p = 0; p < groups; p++) {
                int g = groupAtPosition[p];
                indices[p] = firstOfGroup[g];
                counts[p] = groupCount[g];
                StridedCopy.copy(source.data(), firstOfGroup[g] * strides[a], strides, y,
                        p * outStrides[a], outStrides, slab, type.slotsPerElement());
            }
            long[] inverse = new long[count];
            for (int i = 0; i < count; i++) {
                inverse[i] = outputPosition[group[i]];
            }
            return new Value[] {Tensor.of(type, outShape, y), Tensor.of(indices, groups),
                Tensor.of(inverse, count), Tensor.of(counts, groups)};
        };
    }

    /** Orders slices along an axis lexicographically by their elements in row-major order. */
    private record SliceComparator(Tensor t, int outer, int count, int inner) {
        int compare(int a, int b) {
            if (a == b) {
                return 0;
            }
            for (int o = 0; o < outer; o++) {
                int base = o * count * inner;
                for (int k = 0; k < inner; k++) {
                    int c = compareElements(t, base + a * inner + k, base + b * inner + k);
                    if (c != 0) {
                        return c;
                    }
                }
            }
            return 0;
        }
    }

    private static int compareElements(Tensor t, int i, int j) {
        return switch (t.type()) {
            case STRING -> t.strings()[i].compareTo(t.strings()[j]);
            case BOOL -> Boolean.compare(t.booleans()[i], t.booleans()[j]);
            case INT64 -> Long.compare(t.longs()[i], t.longs()[j]);
            case UINT64 -> Long.compareUnsigned(t.longs()[i], t.longs()[j]);
            case COMPLEX64, COMPLEX128 -> {
                int c = Double.compare(t.getDouble(2 * i), t.getDouble(2 * j));
                yield c != 0 ? c : Double.compare(t.getDouble(2 * i + 1), t.getDouble(2 * j + 1));
            }
            default -> {
                if (t.type().isInteger()) {
                    yield Long.compare(t.getLong(i), t.getLong(j));
                }
                // Equal values (0.0 and -0.0 included) are one value; NaN sorts last.
                double x = t.getDouble(i);
                double y = t.getDouble(j);
                yield x == y ? 0 : Double.compare(x, y);
            }
        };
    }

    private static void mergeSort(int[] a, int[] buffer, int from, int to, SliceComparator cmp) {
        if (to - from < 2) {
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(a, buffer, from, mid, cmp);
        mergeSort(a, buffer, mid, to, cmp);
        int i = from;
        int j = mid;
        int k = from;
        while (i < mid && j < to) {
            buffer[k++] = cmp.compare(a[j], a[i]) < 0 ? a[j++] : a[i++];
        }
        while (i < mid) {
            buffer[k++] = a[i++];
        }
        while (j < to) {
            buffer[k++] = a[j++];
        }
        System.arraycopy(buffer, from, a, from, to - from);
    }
}
