package dev.jonnx.runtime.ops.shape;

import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.kernel.StridedCopy;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.FloatFormats;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/** Indexed writes: Scatter, ScatterElements, ScatterND and TensorScatter. */
final class ScatterOps {
    private ScatterOps() {}

    /** The rule that combines an update with the value already at its position. */
    enum Reduction { NONE, ADD, MUL, MAX, MIN }

    static void register(OpRegistry.Builder registry) {
        registry.add("Scatter", ScatterOps::scatterElements, 9, 11);
        registry.add("ScatterElements", ScatterOps::scatterElements, 11, 13, 16, 18);
        registry.add("ScatterND", ScatterOps::scatterNd, 11, 13, 16, 18);
        registry.add("TensorScatter", ScatterOps::tensorScatter, 24);
    }

    private static Reduction reduction(NodeContext node) {
        String name = node.getString("reduction", "none");
        Reduction r = switch (name) {
            case "none" -> Reduction.NONE;
            case "add" -> Reduction.ADD;
            case "mul" -> Reduction.MUL;
            case "max" -> Reduction.MAX;
            case "min" -> Reduction.MIN;
            default -> throw node.error("attribute 'reduction' must be none, add, mul, max or"
                    + " min, got '" + name + "'");
        };
        if (node.opset() < 16 && r != Reduction.NONE
                || node.opset() < 18 && (r == Reduction.MAX || r == Reduction.MIN)) {
            throw node.error("reduction '" + name + "' is not defined for opset " + node.opset());
        }
        return r;
    }

    private static Kernel scatterElements(NodeContext node) {
        long axis = node.getInt("axis", 0);
        Reduction reduction = reduction(node);
        return (inputs, ctx) -> {
            Tensor data = Args.tensor(inputs, 0, "data");
            Tensor indicesTensor = Args.tensor(inputs, 1, "indices");
            Tensor updates = Args.tensor(inputs, 2, "updates");
            long[] indices = Args.integers(indicesTensor, "indices");
            int rank = data.rank();
            if (indicesTensor.rank() != rank || rank == 0
                    || !Arrays.equals(indicesTensor.shape(), updates.shape())) {
                throw new IllegalArgumentException("'indices' and 'updates' must have the same"
                        + " shape and the rank of 'data' (1 or more), got " + data.describe()
                        + ", " + indicesTensor.describe() + " and " + updates.describe());
            }
            checkSameType(data, updates);
            int a = Args.axis(axis, rank);
            int[] offsets = GatherOps.elementOffsets(data.shape(), indicesTensor.shape(), indices,
                    a, "indices");
            Tensor result = data.copy();
            if (reduction == Reduction.NONE) {
                StridedCopy.scatter(updates.data(), offsets, result.data(), Args.slots(data));
            } else {
                for (int i = 0; i < offsets.length; i++) {
                    combine(data.type(), result.data(), offsets[i], updates.data(), i, reduction);
                }
            }
            return new Value[] {result};
        };
    }

    private static Kernel scatterNd(NodeContext node) {
        Reduction reduction = reduction(node);
        return (inputs, ctx) -> {
            Tensor data = Args.tensor(inputs, 0, "data");
            Tensor indicesTensor = Args.tensor(inputs, 1, "indices");
            Tensor updates = Args.tensor(inputs, 2, "updates");
            checkSameType(data, updates);
            GatherOps.NdIndex nd = GatherOps.NdIndex.resolve(data.shape(), indicesTensor, 0,
                    "indices");
            int[] indexShape = indicesTensor.shape();
            int[] dataShape = data.shape();
            int[] expected = new int[indexShape.length - 1 + dataShape.length - nd.depth()];
            System.arraycopy(indexShape, 0, expected, 0, indexShape.length - 1);
            System.arraycopy(dataShape, nd.depth(), expected, indexShape.length - 1,
                    dataShape.length - nd.depth());
            if (!Arrays.equals(expected, updates.shape())) {
                throw new IllegalArgumentException("input 'updates' must have shape "
                        + Arrays.toString(expected) + ", got " + updates.describe());
            }
            Tensor result = data.copy();
            int slots = Args.slots(data);
            int block = nd.block();
            int[] offsets = nd.offsets();
            for (int t = 0; t < offsets.length; t++) {
                if (reduction == Reduction.NONE) {
                    System.arraycopy(updates.data(), t * block * slots, result.data(),
                            offsets[t] * slots, block * slots);
                } else {
                    for (int k = 0; k < block; k++) {
                        combine(data.type(), result.data(), offsets[t] + k, updates.data(),
                                t * block + k, reduction);
                    }
                }
            }
            return new Value[] {result};
        };
    }

    private static void checkSameType(Tensor data, Tensor updates) {
        if (data.type() != updates.type()) {
            throw new IllegalArgumentException("input 'updates' must have the type of 'data' ("
                    + data.type() + "), got " + updates.describe());
        }
    }

    /** Combines element {@code si} of {@code src} into element {@code di} of {@code dst}. */
    static void combine(DataType type, Object dst, int di, Object src, int si, Reduction r) {
        switch (type) {
            case FLOAT -> {
                float[] d = (float[]) dst;
                d[di] = (float) apply(d[di], ((float[]) src)[si], r);
            }
            case DOUBLE -> {
                double[] d = (double[]) dst;
                d[di] = apply(d[di], ((double[]) src)[si], r);
            }
            case INT64 -> {
                long[] d = (long[]) dst;
                d[di] = applySigned(d[di], ((long[]) src)[si], r);
            }
            case UINT64 -> {
                long[] d = (long[]) dst;
                d[di] = applyUnsigned(d[di], ((long[]) src)[si], r);
            }
            case INT32 -> {
                int[] d = (int[]) dst;
                d[di] = (int) applySigned(d[di], ((int[]) src)[si], r);
            }
            case UINT32 -> {
                int[] d = (int[]) dst;
                d[di] = (int) applySigned(d[di] & 0xFFFFFFFFL, ((int[]) src)[si] & 0xFFFFFFFFL, r);
            }
            case INT16 -> {
                short[] d = (short[]) dst;
                d[di] = (short) applySigned(d[di], ((short[]) src)[si], r);
            }
            case UINT16 -> {
                short[] d = (short[]) dst;
                d[di] = (short) applySigned(d[di] & 0xFFFF, ((short[]) src)[si] & 0xFFFF, r);
            }
            case INT8 -> {
                byte[] d = (byte[]) dst;
                d[di] = (byte) applySigned(d[di], ((byte[]) src)[si], r);
            }
            case UINT8 -> {
                byte[] d = (byte[]) dst;
                d[di] = (byte) applySigned(d[di] & 0xFF, ((byte[]) src)[si] & 0xFF, r);
            }
            case BOOL -> {
                boolean[] d = (boolean[]) dst;
                boolean s = ((boolean[]) src)[si];
                d[di] = switch (r) {
                    case ADD, MAX -> d[di] || s;
                    case MUL, MIN -> d[di] && s;
                    case NONE -> s;
                };
            }
            case FLOAT16, BFLOAT16 -> {
                short[] d = (short[]) dst;
                float x = FloatFormats.toFloat(type, d[di]);
                float y = FloatFormats.toFloat(type, ((short[]) src)[si]);
                d[di] = (short) FloatFormats.fromFloat(type, (float) apply(x, y, r), true);
            }
            case FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ, FLOAT8E8M0,
                    FLOAT4E2M1 -> {
                byte[] d = (byte[]) dst;
                float x = FloatFormats.toFloat(type, d[di] & 0xFF);
                float y = FloatFormats.toFloat(type, ((byte[]) src)[si] & 0xFF);
                d[di] = (byte) FloatFormats.fromFloat(type, (float) apply(x, y, r), true);
            }
            case INT4, UINT4, INT2, UINT2 -> {
                byte[] d = (byte[]) dst;
                long x = type.isUnsigned() ? d[di] & 0xFF : d[di];
                long y = type.isUnsigned() ? ((byte[]) src)[si] & 0xFF : ((byte[]) src)[si];
                Tensor.storeLong(type, dst, di, applySigned(x, y, r));
            }
            default -> throw new IllegalArgumentException("reduction " + r.name().toLowerCase()
                    + " is not supported for " + type + " tensors");
        }
    }

    private static double apply(double x, double y, Reduction r) {
        return switch (r) {
            case NONE -> y;
            case ADD -> x + y;
            case MUL -> x * y;
            case MAX -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y);
            case MIN -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.min(x, y);
        };
    }

    private static long applySigned(long x, long y, Reduction r) {
        return switch (r) {
            case NONE -> y;
            case ADD -> x + y;
            case MUL -> x * y;
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
        };
    }

    private static long applyUnsigned(long x, long y, Reduction r) {
        return switch (r) {
            case MAX -> Long.compareUnsigned(x, y) >= 0 ? x : y;
            case MIN -> Long.compareUnsigned(x, y) <= 0 ? x : y;
            default -> applySigned(x, y, r);
        };
    }

    private static Kernel tensorScatter(NodeContext node) {
        long axis = node.getInt("axis", -2);
        String mode = node.getString("mode", "linear");
        if (!mode.equals("linear") && !mode.equals("circular")) {
            throw node.error("attribute 'mode' must be linear or circular, got '" + mode + "'");
        }
        boolean circular = mode.equals("circular");
        return (inputs, ctx) -> {
            Tensor past = Args.tensor(inputs, 0, "past_cache");
            Tensor update = Args.tensor(inputs, 1, "update");
            Tensor writeTensor = Args.optionalTensor(inputs, 2, "write_indices");
            checkSameType(past, update);
            int rank = past.rank();
            int a = Args.axis(axis, rank);
            if (a == 0) {
                throw new IllegalArgumentException("attribute 'axis' must not be the batch axis 0");
            }
            int[] shape = past.shape();
            int[] updateShape = update.shape();
            boolean matches = updateShape.length == rank;
            for (int d = 0; matches && d < rank; d++) {
                matches = d == a ? updateShape[d] <= shape[d] : updateShape[d] == shape[d];
            }
            if (!matches) {
                throw new IllegalArgumentException("input 'update' " + update.describe()
                        + " must match 'past_cache' " + past.describe()
                        + " except for a sequence length no larger on axis " + a);
            }
            int batch = shape[0];
            long[] write = writeTensor == null ? new long[batch]
                    : Args.integers(writeTensor, "write_indices");
            if (write.length != batch) {
                throw new IllegalArgumentException("input 'write_indices' has " + write.length
                        + " values, expected the batch size " + batch);
            }
            int maxLength = shape[a];
            int length = updateShape[a];
            int[] strides = Shapes.strides(shape);
            int[] updateStrides = Shapes.strides(updateShape);
            int prefixPerBatch = 1;
            for (int d = 1; d < a; d++) {
                prefixPerBatch *= shape[d];
            }
            int inner = strides[a];
            int slots = Args.slots(past);
            Tensor result = past.copy();
            for (int b = 0; b < batch; b++) {
                long start = write[b];
                if (start < 0 || (!circular && start + length > maxLength)) {
                    throw new IllegalArgumentException("write index " + start + " for batch entry "
                            + b + " with " + length + " updates does not fit the sequence"
                            + " length " + maxLength);
                }
                for (int p = 0; p < prefixPerBatch; p++) {
                    int prefix = b * prefixPerBatch + p;
                    for (int s = 0; s < length; s++) {
                        long position = circular ? (start + s) % maxLength : start + s;
                        int dst = prefix * maxLength * inner + (int) position * inner;
                        int src = prefix * length * inner + s * updateStrides[a];
                        System.arraycopy(update.data(), src * slots, result.data(), dst * slots,
                                inner * slots);
                    }
                }
            }
            return new Value[] {result};
        };
    }
}
