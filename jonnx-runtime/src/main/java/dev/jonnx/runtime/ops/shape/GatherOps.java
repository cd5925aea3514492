package dev.jonnx.runtime.ops.shape;

import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.kernel.StridedCopy;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/** Indexed reads: Gather, GatherElements and GatherND. */
final class GatherOps {
    private GatherOps() {}

    static void register(OpRegistry.Builder registry) {
        registry.add("Gather", GatherOps::gather, 1, 11, 13);
        registry.add("GatherElements", GatherOps::gatherElements, 11, 13);
        registry.add("GatherND", GatherOps::gatherNd, 11, 12, 13);
    }

    private static Kernel gather(NodeContext node) {
        long axis = node.getInt("axis", 0);
        return (inputs, ctx) -> {
            Tensor data = Args.tensor(inputs, 0, "data");
            Tensor indicesTensor = Args.tensor(inputs, 1, "indices");
            long[] indices = Args.integers(indicesTensor, "indices");
            int rank = data.rank();
            if (rank == 0) {
                throw new IllegalArgumentException("input 'data' must have rank 1 or more, got "
                        + data.describe());
            }
            int a = Args.axis(axis, rank);
            int[] shape = data.shape();
            int dim = shape[a];
            int outer = 1;
            for (int d = 0; d < a; d++) {
                outer *= shape[d];
            }
            int inner = 1;
            for (int d = a + 1; d < rank; d++) {
                inner *= shape[d];
            }
            int[] indexShape = indicesTensor.shape();
            int[] outShape = new int[rank - 1 + indexShape.length];
            System.arraycopy(shape, 0, outShape, 0, a);
            System.arraycopy(indexShape, 0, outShape, a, indexShape.length);
            System.arraycopy(shape, a + 1, outShape, a + indexShape.length, rank - a - 1);
            int[] positions = new int[indices.length];
            for (int j = 0; j < indices.length; j++) {
                positions[j] = Args.index(indices[j], dim, "indices");
            }
            DataType type = data.type();
            int slots = type.slotsPerElement();
            Object src = data.data();
            Object out = Args.allocate(type, Tensor.sizeOf(outShape), ctx);
            if (inner == 1) {
                int[] index = new int[outer * positions.length];
                for (int o = 0, k = 0; o < outer; o++) {
                    for (int p : positions) {
                        index[k++] = o * dim + p;
                    }
                }
                StridedCopy.gather(src, index, out, slots);
            } else {
                int block = inner * slots;
                int t = 0;
                for (int o = 0; o < outer; o++) {
                    for (int p : positions) {
                        System.arraycopy(src, (o * dim + p) * block, out, t, block);
                        t += block;
                    }
                }
            }
            return new Value[] {Tensor.of(type, outShape, out)};
        };
    }

    private static Kernel gatherElements(NodeContext node) {
        long axis = node.getInt("axis", 0);
        return (inputs, ctx) -> {
            Tensor data = Args.tensor(inputs, 0, "data");
            Tensor indicesTensor = Args.tensor(inputs, 1, "indices");
            long[] indices = Args.integers(indicesTensor, "indices");
            int rank = data.rank();
            if (indicesTensor.rank() != rank || rank == 0) {
                throw new IllegalArgumentException("inputs 'data' and 'indices' must have the same"
                        + " rank of 1 or more, got " + data.describe() + " and "
                        + indicesTensor.describe());
            }
            int a = Args.axis(axis, rank);
            int[] index = elementOffsets(data.shape(), indicesTensor.shape(), indices, a,
                    "indices");
            DataType type = data.type();
            Object out = Tensor.allocate(type, index.length);
            StridedCopy.gather(data.data(), index, out, type.slotsPerElement());
            return new Value[] {Tensor.of(type, indicesTensor.shape(), out)};
        };
    }

    /**
     * For each element of an index tensor of shape {@code indexShape}, returns the offset into a
     * row-major tensor of shape {@code shape} at the same coordinates except along {@code axis},
     * where the coordinate is the index value. Used by GatherElements and ScatterElements.
     */
    static int[] elementOffsets(int[] shape, int[] indexShape, long[] indices, int axis,
            String name) {
        int rank = shape.length;
        for (int d = 0; d < rank; d++) {
            if (d != axis && indexShape[d] > shape[d]) {
                throw new IllegalArgumentException(name + " shape " + Arrays.toString(indexShape)
                        + " exceeds the data shape " + Arrays.toString(shape) + " on axis " + d);
            }
        }
        int[] strides = Shapes.strides(shape);
        int[] offsets = new int[indices.length];
        int[] counter = new int[rank];
        int base = 0;
        for (int i = 0; i < indices.length; i++) {
            offsets[i] = base + Args.index(indices[i], shape[axis], name) * strides[axis];
            for (int d = rank - 1; d >= 0; d--) {
                if (d != axis) {
                    base += strides[d];
                }
                if (++counter[d] < indexShape[d]) {
                    break;
                }
                if (d != axis) {
                    base -= strides[d] * counter[d];
                }
                counter[d] = 0;
            }
        }
        return offsets;
    }

    private static Kernel gatherNd(NodeContext node) {
        long batchDims = node.getInt("batch_dims", 0);
        return (inputs, ctx) -> {
            Tensor data = Args.tensor(inputs, 0, "data");
            Tensor indicesTensor = Args.tensor(inputs, 1, "indices");
            NdIndex nd = NdIndex.resolve(data.shape(), indicesTensor, (int) batchDims, "indices");
            int[] dataShape = data.shape();
            int[] indexShape = indicesTensor.shape();
            int q = indexShape.length;
            int r = dataShape.length;
            int[] outShape = new int[q - 1 + r - nd.depth() - (int) batchDims];
            System.arraycopy(indexShape, 0, outShape, 0, q - 1);
            System.arraycopy(dataShape, (int) batchDims + nd.depth(), outShape, q - 1,
                    r - (int) batchDims - nd.depth());
            DataType type = data.type();
            int slots = type.slotsPerElement();
            int block = nd.block() * slots;
            Object out = Tensor.allocate(type, Tensor.sizeOf(outShape));
            int[] offsets = nd.offsets();
            for (int i = 0; i < offsets.length; i++) {
                System.arraycopy(data.data(), offsets[i] * slots, out, i * block, block);
            }
            return new Value[] {Tensor.of(type, outShape, out)};
        };
    }

    /**
     * The start offsets of the blocks that GatherND reads and ScatterND writes: one per index
     * tuple (the last axis of the index tensor), each covering {@code block} elements.
     */
    record NdIndex(int[] offsets, int block, int depth) {

        static NdIndex resolve(int[] dataShape, Tensor indicesTensor, int batchDims, String name) {
            long[] indices = Args.integers(indicesTensor, name);
            int[] indexShape = indicesTensor.shape();
            int q = indexShape.length;
            int r = dataShape.length;
            if (q < 1 || r < 1) {
                throw new IllegalArgumentException("data and " + name + " must have rank 1 or"
                        + " more, got " + Arrays.toString(dataShape) + " and "
                        + Arrays.toString(indexShape));
            }
            if (batchDims < 0 || batchDims >= Math.min(q, r)) {
                throw new IllegalArgumentException("batch_dims " + batchDims
                        + " must be less than the ranks of data and " + name);
            }

            int depth = indexShape[q - 1];
            if (depth < 1 || depth > r - batchDims) {
                throw new IllegalArgumentException("the last dimension of " + name + " is "
                        + depth + ", expected 1 to " + (r - batchDims));
            }
            for (int d = 0; d < batchDims; d++) {
                if (indexShape[d] != dataShape[d]) {
                    throw new IllegalArgumentException("batch dimension " + d + " differs: data "
                            + Arrays.toString(dataShape) + ", " + name + " "
                            + Arrays.toString(indexShape));
                }
            }

            int[] strides = Shapes.strides(dataShape);
            int block = 1;
            for (int d = batchDims + depth; d < r; d++) {
                block *= dataShape[d];
            }
            int batchSize = 1;
            for (int d = 0; d < batchDims; d++) {
                batchSize *= dataShape[d];
            }

            // Each batch entry is a block of the data, and its index tuples follow each other.
            int batchStride = batchDims == 0 ? 0 : strides[batchDims - 1];
            int tuples = indices.length / depth;
            int tuplesPerBatch = batchSize == 0 ? 0 : tuples / batchSize;
            int[] offsets = new int[tuples];
            for (int t = 0; t < tuples; t++) {
                int offset = tuplesPerBatch == 0 ? 0 : (t / tuplesPerBatch) * batchStride;
                for (int k = 0; k < depth; k++) {
                    int dim = dataShape[batchDims + k];
                    offset += Args.index(indices[t * depth + k], dim, name)
                            * strides[batchDims + k];
                }
                offsets[t] = offset;
            }
            return new NdIndex(offsets, block, depth);
        }
    }
}
