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

/** Operators that cut tensors apart or join them: Slice, Split, Concat and Compress. */
final class SliceOps {
    private SliceOps() {}

    static void register(OpRegistry.Builder registry) {
        registry.add("Slice", SliceOps::slice, 1, 10, 11, 13);
        registry.add("Split", SliceOps::split, 1, 2, 11, 13, 18);
        registry.add("Concat", SliceOps::concat, 1, 4, 11, 13);
        registry.add("Compress", SliceOps::compress, 9, 11);
    }

    private static Kernel slice(NodeContext node) {
        if (node.opset() < 10) {
            long[] starts = node.getInts("starts", null);
            long[] ends = node.getInts("ends", null);
            long[] axes = node.getInts("axes", null);
            if (starts == null || ends == null) {
                throw node.error("required attributes 'starts' and 'ends' must both be present");
            }
            return (inputs, ctx) -> new Value[] {
                slice(Args.tensor(inputs, 0, "data"), starts, ends, axes, null, ctx)};
        }
        return (inputs, ctx) -> {
            Tensor data = Args.tensor(inputs, 0, "data");
            long[] starts = Args.integers(Args.tensor(inputs, 1, "starts"), "starts");
            long[] ends = Args.integers(Args.tensor(inputs, 2, "ends"), "ends");
            Tensor axesTensor = Args.optionalTensor(inputs, 3, "axes");
            Tensor stepsTensor = Args.optionalTensor(inputs, 4, "steps");
            long[] axes = axesTensor == null ? null : Args.integers(axesTensor, "axes");
            long[] steps = stepsTensor == null ? null : Args.integers(stepsTensor, "steps");
            return new Value[] {slice(data, starts, ends, axes, steps, ctx)};
        };
    }

    /**
     * Slices {@code data} as NumPy does: starts and ends count from the back when negative and
     * are clamped to the dimension; {@code axes} and {@code steps} may be null (all axes in order,
     * step 1).
     */
    static Tensor slice(Tensor data, long[] starts, long[] ends, long[] axes, long[] steps, RunContext ctx) {
        int rank = data.rank();
        int n = starts.length;
        if (ends.length != n || (axes != null && axes.length != n)
                || (steps != null && steps.length != n)) {
            throw new IllegalArgumentException("starts, ends, axes and steps must have the same"
                    + " length, got " + n + ", " + ends.length + ", "
                    + (axes == null ? "none" : axes.length) + " and "
                    + (steps == null ? "none" : steps.length));
        }
        if (axes == null && n > rank) {
            throw new IllegalArgumentException("starts has " + n
                    + " values but the input has rank " + rank);
        }

        int[] axisList = new int[n];
        if (axes == null) {
            for (int i = 0; i < n; i++) {
                axisList[i] = i;
            }
        } else {
            axisList = Args.axes(axes, rank, "axes");
        }

        int[] shape = data.shape();
        int[] strides = Shapes.strides(shape);
        int[] outShape = shape.clone();
        int[] srcStrides = strides.clone();
        long offset = 0;
        for (int i = 0; i < n; i++) {
            int axis = axisList[i];
            long dim = shape[axis];
            long step = steps == null ? 1 : steps[i];
            if (step == 0) {
                throw new IllegalArgumentException("steps must not contain 0 (axis " + axis + ")");
            }

            long start = starts[i] < 0 ? starts[i] + dim : starts[i];
            long end = ends[i] < 0 ? ends[i] + dim : ends[i];
            long count;
            if (step > 0) {
                start = Math.clamp(start, 0, dim);
                end = Math.clamp(end, 0, dim);
                count = end > start ? (end - start - 1) / step + 1 : 0;
            } else {
                start = Math.clamp(start, -1, dim - 1);
                end = Math.clamp(end, -1, dim - 1);
                long stride = -Math.max(step, -Long.MAX_VALUE);
                count = start > end ? (start - end - 1) / stride + 1 : 0;
            }
            outShape[axis] = (int) count;
            if (count > 0) {
                offset += start * strides[axis];
            }
            if (count > 1) {
                srcStrides[axis] = Args.toInt(strides[axis] * step, "stride");
            }
        }
        return Args.copyView(data, (int) offset, srcStrides, outShape, ctx);
    }

    private static Kernel split(NodeContext node) {
        int opset = node.opset();
        long axis = node.getInt("axis", 0);
        long[] splitAttribute = opset < 13 ? node.getInts("split", null) : null;
        Long numOutputs = node.hasAttribute("num_outputs") ? node.getInt("num_outputs") : null;
        int outputs = node.outputCount();
        if (opset >= 18 && node.hasInput(1) && numOutputs != null) {
            throw node.error("input 'split' and attribute 'num_outputs' must not both be given");
        }
        if (numOutputs != null && numOutputs != outputs) {
            throw node.error("attribute 'num_outputs' is " + numOutputs + " but the node has "
                    + outputs + " outputs");
        }
        boolean splitInput = (opset >= 13 || opset == 1) && node.hasInput(1);
        boolean uneven = opset >= 18;
        return (inputs, ctx) -> {
            Tensor data = Args.tensor(inputs, 0, "input");
            int rank = data.rank();
            int a = Args.axis(axis, rank);
            int dim = data.dim(a);
            long[] sizes = splitAttribute;
            if (splitInput) {
                sizes = Args.integers(Args.tensor(inputs, 1, "split"), "split");
            }
            if (sizes == null) {
                sizes = new long[outputs];
                if (uneven) {
                    long chunk = (dim + outputs - 1) / outputs;
                    long left = dim;
                    for (int i = 0; i < outputs; i++) {
                        sizes[i] = Math.min(chunk, left);
                        left -= sizes[i];
                    }
                } else {
                    if (dim % outputs != 0) {
                        throw new IllegalArgumentException("dimension " + a + " of size " + dim
                                + " cannot be split evenly into " + outputs + " outputs");
                    }
                    Arrays.fill(sizes, dim / outputs);
                }
            }
            if (sizes.length != outputs) {
                throw new IllegalArgumentException("split " + Arrays.toString(sizes) + " has "
                        + sizes.length + " values but the node has " + outputs + " outputs");
            }
            long total = 0;
            for (long s : sizes) {
                if (s < 0) {
                    throw new IllegalArgumentException("split " + Arrays.toString(sizes)
                            + " contains a negative size");
                }
                total += s;
            }
            if (total != dim) {
                throw new IllegalArgumentException("split " + Arrays.toString(sizes) + " sums to "
                        + total + ", expected the size " + dim + " of axis " + a);
            }
            int[] shape = data.shape();
            int[] strides = Shapes.strides(shape);
            Value[] result = new Value[outputs];
            int start = 0;
            for (int i = 0; i < outputs; i++) {
                int[] partShape = shape.clone();
                partShape[a] = (int) sizes[i];
                result[i] = Args.copyView(data, start * strides[a], strides, partShape, ctx);
                start += (int) sizes[i];
            }
            return result;
        };
    }

    private static Kernel concat(NodeContext node) {
        if (node.opset() >= 4 && !node.hasAttribute("axis")) {
            throw node.error("required attribute 'axis' is missing");
        }
        long axis = node.getInt("axis", 1);
        return (inputs, ctx) -> {
            if (inputs.length == 0) {
                throw new IllegalArgumentException("Concat needs at least one input");
            }
            Tensor first = Args.tensor(inputs, 0, "inputs[0]");
            int rank = first.rank();
            int a = Args.axis(axis, rank);
            int[] outShape = first.shape();
            outShape[a] = 0;
            for (int i = 0; i < inputs.length; i++) {
                Tensor t = Args.tensor(inputs, i, "inputs[" + i + "]");
                if (t.type() != first.type()) {
                    throw new IllegalArgumentException("input " + i + " is " + t.describe()
                            + " but input 0 is " + first.describe());
                }
                int[] s = t.shape();
                boolean matches = s.length == rank;
                for (int d = 0; matches && d < rank; d++) {
                    matches = d == a || s[d] == outShape[d];
                }
                if (!matches) {
                    throw new IllegalArgumentException("input " + i + " has shape "
                            + Arrays.toString(s) + ", which does not match input 0 "
                            + Arrays.toString(first.shape()) + " outside axis " + a);
                }
                outShape[a] += s[a];
            }
            DataType type = first.type();
            Object out = Args.allocate(type, Tensor.sizeOf(outShape), ctx);
            int[] outStrides = Shapes.strides(outShape);
            int offset = 0;
            for (int i = 0; i < inputs.length; i++) {
                Tensor t = (Tensor) inputs[i];
                StridedCopy.copy(t.data(), t.shape(), out, offset * outStrides[a], outStrides,
                        type.slotsPerElement());
                offset += t.dim(a);
            }
            return new Value[] {Tensor.of(type, outShape, out)};
        };
    }

    private static Kernel compress(NodeContext node) {
        Long axis = node.hasAttribute("axis") ? node.getInt("axis") : null;
        return (inputs, ctx) -> {
            Tensor data = Args.tensor(inputs, 0, "input");
            Tensor conditionTensor = Args.tensor(inputs, 1, "condition");
            if (conditionTensor.type() != DataType.BOOL || conditionTensor.rank() != 1) {
                throw new IllegalArgumentException("input 'condition' must be a 1-D bool tensor,"
                        + " got " + conditionTensor.describe());
            }
            boolean[] condition = conditionTensor.booleans();
            Tensor source = axis == null ? data.reshape(data.size()) : data;
            int a = axis == null ? 0 : Args.axis(axis, data.rank());
            int[] shape = source.shape();
            int dim = shape[a];
            if (condition.length > dim) {
                throw new IllegalArgumentException("input 'condition' has " + condition.length
                        + " values, more than the size " + dim + " of axis " + a);
            }
            int kept = 0;
            for (boolean c : condition) {
                kept += c ? 1 : 0;
            }
            int[] outShape = shape.clone();
            outShape[a] = kept;
            DataType type = data.type();
            Object out = Tensor.allocate(type, Tensor.sizeOf(outShape));
            int[] strides = Shapes.strides(shape);
            int[] outStrides = Shapes.strides(outShape);
            int[] slab = shape.clone();
            slab[a] = 1;
            int next = 0;
            for (int i = 0; i < condition.length; i++) {
                if (condition[i]) {
                    StridedCopy.copy(source.data(), i * strides[a], strides, out,
                            next * outStrides[a], outStrides, slab, type.slotsPerElement());
                    next++;
                }
            }
            return new Value[] {Tensor.of(type, outShape, out)};
        };
    }
}
