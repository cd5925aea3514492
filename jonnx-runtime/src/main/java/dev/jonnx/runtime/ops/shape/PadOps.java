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
import java.util.concurrent.atomic.AtomicReference;

/** Pad: constant, reflect, edge and wrap padding, with negative pads cropping. */
final class PadOps {
    private PadOps() {}

    enum Mode { CONSTANT, REFLECT, EDGE, WRAP }

    static void register(OpRegistry.Builder registry) {
        registry.add("Pad", PadOps::pad, 1, 2, 11, 13, 18, 19, 21, 23, 24, 25);
    }

    private static Kernel pad(NodeContext node) {
        String modeName = node.getString("mode", "constant");
        Mode mode = switch (modeName) {
            case "constant" -> Mode.CONSTANT;
            case "reflect" -> Mode.REFLECT;
            case "edge" -> Mode.EDGE;
            case "wrap" -> Mode.WRAP;
            default -> throw node.error("attribute 'mode' must be constant, reflect, edge or wrap,"
                    + " got '" + modeName + "'");
        };
        if (mode == Mode.WRAP && node.opset() < 19) {
            throw node.error("mode 'wrap' needs opset 19 or later");
        }
        if (node.opset() < 11) {
            // NOTE: Pad-1 'paddings' is read like 'pads' (all begins, then all ends), as its
            // description and the ONNX reference implementation read it, though its example
            // suggests (begin, end) pairs per axis.
            String name = node.opset() < 2 ? "paddings" : "pads";
            long[] pads = node.getInts(name, null);
            if (pads == null) {
                throw node.error("required attribute '" + name + "' is missing");
            }
            double value = node.getFloat("value", 0f);
            return (inputs, ctx) -> {
                Tensor data = Args.tensor(inputs, 0, "data");
                Tensor constant = Tensor.fromDoubles(data.type(), new int[0],
                        new double[data.type().slotsPerElement()]);
                Tensor.store(data.type(), constant.data(), 0, value);
                return new Value[] {pad(data, pads, null, mode, constant, ctx)};
            };
        }
        AtomicReference<SourceIndex> cache = new AtomicReference<>();
        return (inputs, ctx) -> {
            Tensor data = Args.tensor(inputs, 0, "data");
            long[] pads = Args.integers(Args.tensor(inputs, 1, "pads"), "pads");
            Tensor constant = Args.optionalTensor(inputs, 2, "constant_value");
            Tensor axesTensor = Args.optionalTensor(inputs, 3, "axes");
            long[] axes = axesTensor == null ? null : Args.integers(axesTensor, "axes");
            if (constant != null && (constant.type() != data.type() || constant.size() != 1)) {
                if (constant.size() == 0) {
                    constant = null;
                } else {
                    throw new IllegalArgumentException("input 'constant_value' must be one "
                            + data.type() + " value, got " + constant.describe());
                }
            }
            return new Value[] {pad(data, pads, axes, mode, constant, ctx, cache)};
        };
    }

    /**
     * The source offset of every output element in a non-constant mode, for one input shape,
     * pads and axes. A node keeps the most recent one, because building it allocates an int per
     * output element; it is never written after it is built.
     */
    private record SourceIndex(int[] shape, long[] pads, long[] axes, int[] index) {}

    /**
     * Pads {@code data}. {@code pads} lists all begin counts, then all end counts, for
     * {@code axes} (every axis in order when null). {@code constant} is a one-element tensor of
     * the data type, or null for zero.
     */
    static Tensor pad(Tensor data, long[] pads, long[] axes, Mode mode, Tensor constant,
            RunContext ctx) {
        return pad(data, pads, axes, mode, constant, ctx, null);
    }

    /** Pads {@code data} as above, reusing the source offsets in {@code cache} when they fit. */
    private static Tensor pad(Tensor data, long[] pads, long[] axes, Mode mode, Tensor constant,
            RunContext ctx, AtomicReference<SourceIndex> cache) {
        int rank = data.rank();
        int[] axisList;
        if (axes == null) {
            axisList = new int[rank];
            for (int i = 0; i < rank; i++) {
                axisList[i] = i;
            }
        } else {
            axisList = Args.axes(axes, rank, "axes");
        }

        if (pads.length != 2 * axisList.length) {
            throw new IllegalArgumentException("pads " + Arrays.toString(pads) + " has "
                    + pads.length + " values, expected " + 2 * axisList.length
                    + " (begin and end for each of " + axisList.length + " axes)");
        }

        int[] shape = data.shape();
        long[] begin = new long[rank];
        long[] end = new long[rank];
        for (int i = 0; i < axisList.length; i++) {
            begin[axisList[i]] = pads[i];
            end[axisList[i]] = pads[i + axisList.length];
        }

        int[] outShape = new int[rank];
        for (int d = 0; d < rank; d++) {
            long size = shape[d] + begin[d] + end[d];
            if (size < 0) {
                throw new IllegalArgumentException("pads " + Arrays.toString(pads)
                        + " crop more than the size " + shape[d] + " of axis " + d);
            }
            if (mode != Mode.CONSTANT && shape[d] == 0 && size > 0) {
                throw new IllegalArgumentException("cannot pad the empty axis " + d
                        + " in mode " + mode.name().toLowerCase());
            }
            outShape[d] = Args.toInt(size, "output dimension");
        }

        DataType type = data.type();
        int slots = type.slotsPerElement();
        int outSize = Tensor.sizeOf(outShape);
        Object out = Args.allocate(type, outSize, ctx);
        if (mode == Mode.CONSTANT) {
            if (constant != null) {
                StridedCopy.fill(out, 0, outSize, constant.data(), 0, slots);
            } else if (out instanceof float[] floats) {
                Arrays.fill(floats, 0f); // the other types arrive zero-filled
            }
            // Copy the part of the input that survives cropping into its place.
            int[] strides = Shapes.strides(shape);
            int[] outStrides = Shapes.strides(outShape);
            int[] block = new int[rank];
            int srcOffset = 0;
            int dstOffset = 0;
            for (int d = 0; d < rank; d++) {
                long from = Math.max(0, -begin[d]);
                long to = Math.min(shape[d], shape[d] + end[d]);
                block[d] = (int) Math.max(0, to - from);
                srcOffset += (int) from * strides[d];
                dstOffset += (int) Math.max(0, begin[d]) * outStrides[d];
            }
            StridedCopy.copy(data.data(), srcOffset, strides, out, dstOffset, outStrides, block,
                    slots);
            return Tensor.of(type, outShape, out);
        }
        SourceIndex cached = cache == null ? null : cache.get();
        int[] index;
        if (cached != null && Arrays.equals(cached.shape(), shape) && Arrays.equals(cached.pads(), pads)
                && Arrays.equals(cached.axes(), axes)) {
            index = cached.index();
        } else {
            index = sourceIndex(shape, outShape, begin, mode);
            if (cache != null) {
                cache.set(new SourceIndex(shape, pads.clone(), axes == null ? null : axes.clone(), index));
            }
        }
        StridedCopy.gather(data.data(), index, out, slots);
        return Tensor.of(type, outShape, out);
    }

    /**
     * Returns the source offset of each output element for a non-constant mode: each output
     * coordinate maps to a source coordinate, axis by axis.
     */
    private static int[] sourceIndex(int[] shape, int[] outShape, long[] begin, Mode mode) {
        int rank = shape.length;
        int outSize = Tensor.sizeOf(outShape);
        int[] strides = Shapes.strides(shape);
        int[][] sourceOffset = new int[rank][];
        for (int d = 0; d < rank; d++) {
            sourceOffset[d] = new int[outShape[d]];
            for (int o = 0; o < outShape[d]; o++) {
                sourceOffset[d][o] = sourceIndex(o - begin[d], shape[d], mode) * strides[d];
            }
        }

        int[] index = new int[outSize];
        int[] counter = new int[rank];
        for (int i = 0; i < outSize; i++) {
            int offset = 0;
            for (int d = 0; d < rank; d++) {
                offset += sourceOffset[d][counter[d]];
            }
            index[i] = offset;
            for (int d = rank - 1; d >= 0; d--) {
                if (++counter[d] < outShape[d]) {
                    break;
                }
                counter[d] = 0;
            }
        }
        return index;
    }

    /** Maps a coordinate outside [0, size) back into the input for the non-constant modes. */
    static int sourceIndex(long i, int size, Mode mode) {
        if (i >= 0 && i < size) {
            return (int) i;
        }
        return switch (mode) {
            case EDGE -> i < 0 ? 0 : size - 1;
            case WRAP -> (int) Math.floorMod(i, (long) size);
            case REFLECT -> {
                if (size == 1) {
                    yield 0;
                }
                long period = 2L * (size - 1);
                long j = Math.floorMod(i, period);
                yield (int) (j < size ? j : period - j);
            }
            case CONSTANT -> throw new IllegalStateException("constant mode has no source index");
        };
    }
}
