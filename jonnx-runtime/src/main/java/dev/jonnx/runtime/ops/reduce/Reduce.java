package dev.jonnx.runtime.ops.reduce;

import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * The Reduce* operators. Axes come from the {@code axes} attribute before the opset where they
 * became an input (13 for ReduceSum, 18 for the others). Floating types accumulate in double,
 * integer types in long with the width's wrap-around when stored.
 */
final class Reduce {
    private Reduce() {}

    /** The reduction an operator performs. */
    enum Kind {
        SUM, SUM_SQUARE, MEAN, PROD, MAX, MIN, L1, L2, LOG_SUM, LOG_SUM_EXP
    }

    /** Returns a factory for a reduction whose axes became an input at {@code axesInputSince}. */
    static KernelFactory factory(Kind kind, int axesInputSince) {
        return node -> {
            boolean keepDims = node.getInt("keepdims", 1) != 0;
            boolean noopWithEmptyAxes = node.getInt("noop_with_empty_axes", 0) != 0;
            boolean axesFromInput = node.opset() >= axesInputSince;
            long[] attributeAxes = axesFromInput ? null : node.getInts("axes", null);
            return (inputs, ctx) -> {
                Tensor data = (Tensor) inputs[0];
                long[] axes = attributeAxes;
                if (axesFromInput && inputs.length > 1 && inputs[1] != null) {
                    axes = ((Tensor) inputs[1]).toLongArray();
                }
                return new Value[] {reduce(kind, data, axes, keepDims, noopWithEmptyAxes)};
            };
        };
    }

    /**
     * Reduces {@code data} over {@code axes}. Null or empty axes mean every axis, unless
     * {@code noopWithEmptyAxes} is set, in which case no axis is reduced.
     */
    static Tensor reduce(Kind kind, Tensor data, long[] axes, boolean keepDims, boolean noopWithEmptyAxes) {
        int rank = data.rank();
        int[] shape = data.shape();
        boolean[] reduced = reducedAxes(axes, rank, noopWithEmptyAxes);

        int[] keptShape = shape.clone();
        int outRank = 0;
        for (int d = 0; d < rank; d++) {
            if (reduced[d]) {
                keptShape[d] = 1;
            } else {
                outRank++;
            }
        }
        int[] outShape = keptShape;
        if (!keepDims) {
            outShape = new int[outRank];
            for (int d = 0, j = 0; d < rank; d++) {
                if (!reduced[d]) {
                    outShape[j++] = shape[d];
                }
            }
        }

        int outSize = Shapes.size(keptShape);
        int inSize = data.size();
        int count = outSize == 0 ? 0 : inSize / outSize;
        int[] target = Shapes.broadcastIndex(keptShape, shape);

        DataType type = data.type();
        if (type == DataType.BOOL) {
            return reduceBool(kind, data, target, outShape, outSize);
        }
        if (type.isInteger() && integerKind(kind)) {
            long[] values = data.toLongArray();
            long[] acc = reduceLongs(kind, values, target, outSize, count, type);
            return Tensor.fromLongs(type, outShape, acc);
        }
        if (!type.isFloatingPoint() && !type.isInteger()) {
            throw new IllegalArgumentException("input 'data' has unsupported type " + type);
        }
        double[] values = data.toDoubleArray();
        double[] acc = reduceDoubles(kind, values, target, outSize, count);
        return Tensor.fromDoubles(type, outShape, acc);
    }

    /** Marks the axes to reduce, rejecting out-of-range and repeated axes. */
    private static boolean[] reducedAxes(long[] axes, int rank, boolean noopWithEmptyAxes) {
        boolean[] reduced = new boolean[rank];
        if (axes == null || axes.length == 0) {
            if (!noopWithEmptyAxes) {
                Arrays.fill(reduced, true);
            }
            return reduced;
        }
        for (long a : axes) {
            int axis = Shapes.axis(a, rank);
            if (reduced[axis]) {
                throw new IllegalArgumentException("input 'axes' lists axis " + a + " twice: " + Arrays.toString(axes));
            }
            reduced[axis] = true;
        }
        return reduced;
    }

    private static boolean integerKind(Kind kind) {
        return switch (kind) {
            case SUM, SUM_SQUARE, MEAN, PROD, MAX, MIN, L1 -> true;
            default -> false;
        };
    }

    private static Tensor reduceBool(Kind kind, Tensor data, int[] target, int[] outShape, int outSize) {
        if (kind != Kind.MAX && kind != Kind.MIN) {
            throw new IllegalArgumentException("input 'data' of type bool is only valid for ReduceMax and ReduceMin");
        }
        boolean[] values = data.booleans();
        boolean[] out = new boolean[outSize];
        // Max starts at false and any true wins. Min starts at true and any false wins.
        boolean init = kind == Kind.MIN;
        Arrays.fill(out, init);
        for (int i = 0; i < values.length; i++) {
            if (values[i] != init) {
                out[target[i]] = values[i];
            }
        }
        return Tensor.of(DataType.BOOL, outShape, out);
    }

    private static long[] reduceLongs(Kind kind, long[] values, int[] target, int outSize, int count, DataType type) {
        long[] acc = new long[outSize];
        boolean unsigned64 = type == DataType.UINT64;
        switch (kind) {
            case SUM, MEAN -> {
                for (int i = 0; i < values.length; i++) {
                    acc[target[i]] += values[i];
                }
            }
            case SUM_SQUARE -> {
                for (int i = 0; i < values.length; i++) {
                    acc[target[i]] += values[i] * values[i];
                }
            }
            case L1 -> {
                for (int i = 0; i < values.length; i++) {
                    acc[target[i]] += unsigned64 ? values[i] : Math.abs(values[i]);
                }
            }
            case PROD -> {
                Arrays.fill(acc, 1);
                for (int i = 0; i < values.length; i++) {
                    acc[target[i]] *= values[i];
                }
            }
            case MAX -> {
                Arrays.fill(acc, minValue(type));
                for (int i = 0; i < values.length; i++) {
                    int o = target[i];
                    if (unsigned64 ? Long.compareUnsigned(values[i], acc[o]) > 0 : values[i] > acc[o]) {
                        acc[o] = values[i];
                    }
                }
            }
            case MIN -> {
                Arrays.fill(acc, maxValue(type));
                for (int i = 0; i < values.length; i++) {
                    int o = target[i];
                    if (unsigned64 ? Long.compareUnsigned(values[i], acc[o]) < 0 : values[i] < acc[o]) {
                        acc[o] = values[i];
                    }
                }
            }
            default -> throw new IllegalStateException(kind + " has no integer path");
        }
        if (kind == Kind.MEAN && count > 0) {
            for (int o = 0; o < outSize; o++) {
                acc[o] = unsigned64 ? Long.divideUnsigned(acc[o], count) : acc[o] / count;
            }
        }
        return acc;
    }

    /** Returns the smallest value of an integer type, as read back by {@link Tensor#getLong}. */
    static long minValue(DataType type) {
        return switch (type) {
            case INT8 -> Byte.MIN_VALUE;
            case INT16 -> Short.MIN_VALUE;
            case INT32 -> Integer.MIN_VALUE;
            case INT64 -> Long.MIN_VALUE;
            case INT4 -> -8;
            case INT2 -> -2;
            default -> 0;
        };
    }

    /** Returns the largest value of an integer type, as read back by {@link Tensor#getLong}. */
    static long maxValue(DataType type) {
        return switch (type) {
            case INT8 -> Byte.MAX_VALUE;
            case UINT8 -> 0xFF;
            case INT16 -> Short.MAX_VALUE;
            case UINT16 -> 0xFFFF;
            case INT32 -> Integer.MAX_VALUE;
            case UINT32 -> 0xFFFFFFFFL;
            case INT64 -> Long.MAX_VALUE;
            case UINT64 -> -1L;
            case INT4 -> 7;
            case UINT4 -> 15;
            case INT2 -> 1;
            case UINT2 -> 3;
            default -> throw new IllegalArgumentException(type + " is not an integer type");
        };
    }

    private static double[] reduceDoubles(Kind kind, double[] values, int[] target, int outSize, int count) {
        double[] acc = new double[outSize];
        switch (kind) {
            case SUM, MEAN -> {
                for (int i = 0; i < values.length; i++) {
                    acc[target[i]] += values[i];
                }
            }
            case SUM_SQUARE, L2 -> {
                for (int i = 0; i < values.length; i++) {
                    acc[target[i]] += values[i] * values[i];
                }
            }
            case L1 -> {
                for (int i = 0; i < values.length; i++) {
                    acc[target[i]] += Math.abs(values[i]);
                }
            }
            case LOG_SUM -> {
                for (int i = 0; i < values.length; i++) {
                    acc[target[i]] += values[i];
                }
            }
            case PROD -> {
                Arrays.fill(acc, 1);
                for (int i = 0; i < values.length; i++) {
                    acc[target[i]] *= values[i];
                }
            }
            case MAX -> {
                Arrays.fill(acc, Double.NEGATIVE_INFINITY);
                for (int i = 0; i < values.length; i++) {
                    int o = target[i];
                    double v = values[i];
                    // NaN propagates, as in NumPy.
                    if (v > acc[o] || Double.isNaN(v)) {
                        acc[o] = v;
                    }
                }
            }
            case MIN -> {
                Arrays.fill(acc, Double.POSITIVE_INFINITY);
                for (int i = 0; i < values.length; i++) {
                    int o = target[i];
                    double v = values[i];
                    if (v < acc[o] || Double.isNaN(v)) {
                        acc[o] = v;
                    }
                }
            }
            case LOG_SUM_EXP -> {
                // Subtract the per-output max before exponentiating so large inputs do not overflow.
                double[] max = new double[outSize];
                Arrays.fill(max, Double.NEGATIVE_INFINITY);
                for (int i = 0; i < values.length; i++) {
                    int o = target[i];
                    if (values[i] > max[o]) {
                        max[o] = values[i];
                    }
                }
                for (int i = 0; i < values.length; i++) {
                    int o = target[i];
                    acc[o] += Math.exp(values[i] - (Double.isInfinite(max[o]) ? 0 : max[o]));
                }
                for (int o = 0; o < outSize; o++) {
                    acc[o] = Double.isInfinite(max[o]) ? Math.log(acc[o]) : Math.log(acc[o]) + max[o];
                    if (max[o] == Double.POSITIVE_INFINITY) {
                        acc[o] = Double.POSITIVE_INFINITY;
                    }
                }
            }
        }
        switch (kind) {
            case MEAN -> {
                for (int o = 0; o < outSize; o++) {
                    acc[o] /= count;
                }
            }
            case L2 -> {
                for (int o = 0; o < outSize; o++) {
                    acc[o] = Math.sqrt(acc[o]);
                }
            }
            case LOG_SUM -> {
                for (int o = 0; o < outSize; o++) {
                    acc[o] = Math.log(acc[o]);
                }
            }
            default -> { }
        }
        return acc;
    }
}
