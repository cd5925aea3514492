package dev.jonnx.runtime.ops.shape;

import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.kernel.StridedCopy;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * Operators that copy elements to new positions without looking at their values: Transpose,
 * Tile, Expand, ReverseSequence and Trilu.
 */
final class LayoutOps {
    private LayoutOps() {}

    static void register(OpRegistry.Builder registry) {
        registry.add("Transpose", LayoutOps::transpose, 1, 13, 21, 23, 24, 25);
        registry.add("Tile", LayoutOps::tile, 1, 6, 13);
        registry.add("Expand", node -> LayoutOps::expand, 8, 13);
        registry.add("ReverseSequence", LayoutOps::reverseSequence, 10);
        registry.add("Trilu", LayoutOps::trilu, 14);
    }

    private static Kernel transpose(NodeContext node) {
        long[] perm = node.getInts("perm", null);
        return (inputs, ctx) -> {
            Tensor data = Args.tensor(inputs, 0, "data");
            int rank = data.rank();
            int[] p = new int[rank];
            if (perm == null) {
                for (int i = 0; i < rank; i++) {
                    p[i] = rank - 1 - i;
                }
            } else {
                if (perm.length != rank) {
                    throw new IllegalArgumentException("attribute 'perm' "
                            + Arrays.toString(perm) + " has " + perm.length
                            + " entries, expected the input rank " + rank);
                }
                p = Args.axes(perm, rank, "attribute 'perm'");
            }
            return new Value[] {transpose(data, p, ctx)};
        };
    }

    /** Returns {@code data} with its axes permuted: output axis i is input axis {@code perm[i]}. */
    static Tensor transpose(Tensor data, int[] perm, RunContext ctx) {
        int[] shape = data.shape();
        int[] strides = Shapes.strides(shape);
        int[] outShape = new int[perm.length];
        int[] srcStrides = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            outShape[i] = shape[perm[i]];
            srcStrides[i] = strides[perm[i]];
        }
        return Args.copyView(data, 0, srcStrides, outShape, ctx);
    }

    private static Kernel tile(NodeContext node) {
        if (node.opset() < 6) {
            return (inputs, ctx) -> {
                Tensor data = Args.tensor(inputs, 0, "input");
                long tiles = Args.scalarInteger(Args.tensor(inputs, 1, "tiles"), "tiles");
                long axis = Args.scalarInteger(Args.tensor(inputs, 2, "axis"), "axis");
                long[] repeats = new long[data.rank()];
                Arrays.fill(repeats, 1);
                repeats[Args.axis(axis, data.rank())] = tiles;
                return new Value[] {tile(data, repeats, ctx)};
            };
        }
        return (inputs, ctx) -> {
            Tensor data = Args.tensor(inputs, 0, "input");
            long[] repeats = Args.integers(Args.tensor(inputs, 1, "repeats"), "repeats");
            return new Value[] {tile(data, repeats, ctx)};
        };
    }

    static Tensor tile(Tensor data, long[] repeats, RunContext ctx) {
        int rank = data.rank();
        if (repeats.length != rank) {
            throw new IllegalArgumentException("input 'repeats' has " + repeats.length
                    + " values, expected one per input dimension (" + rank + ")");
        }

        int[] shape = data.shape();
        int[] outShape = new int[rank];
        for (int d = 0; d < rank; d++) {
            if (repeats[d] < 0) {
                throw new IllegalArgumentException("input 'repeats' "
                        + Arrays.toString(repeats) + " contains a negative value");
            }
            outShape[d] = Args.toInt(shape[d] * repeats[d], "output dimension");
        }
        // View the output as (repeat_0, dim_0, repeat_1, dim_1, ...): the source ignores repeats.
        int[] inStrides = Shapes.strides(shape);
        int[] outStrides = Shapes.strides(outShape);
        int[] viewShape = new int[2 * rank];
        int[] srcStrides = new int[2 * rank];
        int[] dstStrides = new int[2 * rank];
        for (int d = 0; d < rank; d++) {
            viewShape[2 * d] = (int) repeats[d];
            viewShape[2 * d + 1] = shape[d];
            srcStrides[2 * d + 1] = inStrides[d];
            dstStrides[2 * d] = outStrides[d] * shape[d];
            dstStrides[2 * d + 1] = outStrides[d];
        }
        DataType type = data.type();
        Object out = Args.allocate(type, Tensor.sizeOf(outShape), ctx);
        StridedCopy.copy(data.data(), 0, srcStrides, out, 0, dstStrides, viewShape,
                type.slotsPerElement());
        return Tensor.of(type, outShape, out);
    }

    private static Value[] expand(Value[] inputs, RunContext ctx) {
        Tensor data = Args.tensor(inputs, 0, "input");
        long[] requested = Args.integers(Args.tensor(inputs, 1, "shape"), "shape");
        int[] target = new int[requested.length];
        for (int i = 0; i < target.length; i++) {
            if (requested[i] < 0) {
                throw new IllegalArgumentException("input 'shape' "
                        + Arrays.toString(requested) + " contains a negative dimension");
            }
            target[i] = Args.toInt(requested[i], "dimension");
        }
        int[] outShape = Shapes.broadcast(data.shape(), target);
        return new Value[] {Args.copyView(data, 0, Shapes.broadcastStrides(data.shape(), outShape),
                outShape, ctx)};
    }

    private static Kernel reverseSequence(NodeContext node) {
        long batchAxisAttribute = node.getInt("batch_axis", 1);
        long timeAxisAttribute = node.getInt("time_axis", 0);
        if (!((batchAxisAttribute == 0 && timeAxisAttribute == 1)
                || (batchAxisAttribute == 1 && timeAxisAttribute == 0))) {
            throw node.error("attributes 'batch_axis' and 'time_axis' must be 0 and 1 in some"
                    + " order, got " + batchAxisAttribute + " and " + timeAxisAttribute);
        }
        int batchAxis = (int) batchAxisAttribute;
        int timeAxis = (int) timeAxisAttribute;
        return (inputs, ctx) -> {
            Tensor data = Args.tensor(inputs, 0, "input");
            Tensor lengthsTensor = Args.tensor(inputs, 1, "sequence_lens");
            long[] lengths = Args.integers(lengthsTensor, "sequence_lens");
            if (data.rank() < 2) {
                throw new IllegalArgumentException("input 'input' must have rank 2 or more, got "
                        + data.describe());
            }
            int[] shape = data.shape();
            int batch = shape[batchAxis];
            int time = shape[timeAxis];
            if (lengths.length != batch) {
                throw new IllegalArgumentException("input 'sequence_lens' has " + lengths.length
                        + " values, expected the batch size " + batch);
            }
            int[] strides = Shapes.strides(shape);
            // Copy one batch entry at a time: the shape without the batch axis, in source order.
            int[] slabShape = shape.clone();
            slabShape[batchAxis] = 1;
            DataType type = data.type();
            Object out = Tensor.allocate(type, data.size());
            for (int b = 0; b < batch; b++) {
                long length = lengths[b];
                if (length < 0 || length > time) {
                    throw new IllegalArgumentException("input 'sequence_lens' value " + length
                            + " for batch entry " + b + " is outside [0, " + time + "]");
                }
                int base = b * strides[batchAxis];
                int[] reversed = slabShape.clone();
                reversed[timeAxis] = (int) length;
                int[] srcStrides = strides.clone();
                srcStrides[timeAxis] = -strides[timeAxis];
                int srcBase = base + (int) Math.max(0, length - 1) * strides[timeAxis];
                StridedCopy.copy(data.data(), srcBase, srcStrides, out, base, strides, reversed,
                        type.slotsPerElement());
                int[] rest = slabShape.clone();
                rest[timeAxis] = time - (int) length;
                int restBase = base + (int) length * strides[timeAxis];
                StridedCopy.copy(data.data(), restBase, strides, out, restBase, strides, rest,
                        type.slotsPerElement());
            }
            return new Value[] {Tensor.of(type, shape, out)};
        };
    }

    private static Kernel trilu(NodeContext node) {
        boolean upper = node.getInt("upper", 1) != 0;
        return (inputs, ctx) -> {
            Tensor data = Args.tensor(inputs, 0, "input");
            Tensor kTensor = Args.optionalTensor(inputs, 1, "k");
            long k = kTensor == null ? 0 : Args.scalarInteger(kTensor, "k");
            if (data.rank() < 2) {
                throw new IllegalArgumentException("input 'input' must have rank 2 or more, got "
                        + data.describe());
            }
            int rows = data.dim(-2);
            int cols = data.dim(-1);
            DataType type = data.type();
            int slots = type.slotsPerElement();
            Tensor result = data.copy();
            Object out = result.data();
            Object zero = Tensor.allocate(type, 1);
            int matrices = rows * cols == 0 ? 0 : data.size() / (rows * cols);
            for (int m = 0; m < matrices; m++) {
                int base = m * rows * cols;
                for (int i = 0; i < rows; i++) {
                    // Keep column j when j - i >= k (upper) or j - i <= k (lower).
                    long from;
                    long to;
                    if (upper) {
                        from = 0;
                        to = Math.max(0, Math.min(cols, i + k));
                    } else {
                        from = Math.max(0, Math.min(cols, i + k + 1));
                        to = cols;
                    }
                    int rowBase = base + i * cols;
                    StridedCopy.fill(out, rowBase + (int) from, rowBase + (int) to, zero, 0, slots);
                }
            }
            return new Value[] {result};
        };
    }
}
