package dev.jonnx.runtime.ops.shape;

import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * Operators that only change the shape or describe it and share the input's storage:
 * Reshape, Flatten, Squeeze, Unsqueeze, Identity, Shape and Size.
 */
final class ViewOps {
    private ViewOps() {}

    static void register(OpRegistry.Builder registry) {
        registry.add("Reshape", ViewOps::reshape, 1, 5, 13, 14, 19, 21, 23, 24, 25);
        registry.add("Flatten", ViewOps::flatten, 1, 9, 11, 13, 21, 23, 24, 25);
        registry.add("Squeeze", ViewOps::squeeze, 1, 11, 13, 21, 23, 24, 25);
        registry.add("Unsqueeze", ViewOps::unsqueeze, 1, 11, 13, 21, 23, 24, 25);
        registry.add("Identity", node -> (inputs, ctx) -> new Value[] {inputs[0]},
                1, 13, 14, 16, 19, 21, 23, 24, 25);
        registry.add("Shape", ViewOps::shape, 1, 13, 15, 19, 21, 23, 24, 25);
        registry.add("Size", node -> (inputs, ctx) -> new Value[] {
                Tensor.scalar((long) Args.tensor(inputs, 0, "data").size())},
                1, 13, 19, 21, 23, 24, 25);
    }

    private static Kernel reshape(NodeContext node) {
        boolean allowZero = node.getInt("allowzero", 0) != 0;
        if (node.opset() < 5) {
            long[] shape = node.getInts("shape", null);
            if (shape == null) {
                throw node.error("required attribute 'shape' is missing");
            }
            return (inputs, ctx) -> {
                Tensor data = Args.tensor(inputs, 0, "data");
                return new Value[] {data.reshape(reshapeTarget(data.shape(), shape, false))};
            };
        }
        return (inputs, ctx) -> {
            Tensor data = Args.tensor(inputs, 0, "data");
            long[] shape = Args.integers(Args.tensor(inputs, 1, "shape"), "shape");
            return new Value[] {data.reshape(reshapeTarget(data.shape(), shape, allowZero))};
        };
    }

    /**
     * Resolves a Reshape target: 0 copies the input dimension (unless {@code allowZero}, when it
     * is a literal 0) and one -1 takes the remaining size.
     */
    static int[] reshapeTarget(int[] in, long[] requested, boolean allowZero) {
        int[] out = new int[requested.length];
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < requested.length; i++) {
            long d = requested[i];
            if (d == -1) {
                if (inferred >= 0) {
                    throw new IllegalArgumentException("shape " + Arrays.toString(requested)
                            + " contains -1 more than once");
                }
                inferred = i;
                continue;
            }
            if (d == 0 && !allowZero) {
                if (i >= in.length) {
                    throw new IllegalArgumentException("shape " + Arrays.toString(requested)
                            + " has 0 at position " + i + " but the input "
                            + Arrays.toString(in) + " has only " + in.length + " dimensions");
                }
                out[i] = in[i];
            } else if (d < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(requested)
                        + " contains the invalid dimension " + d);
            } else {
                out[i] = Args.toInt(d, "dimension");
            }
            known *= out[i];
        }
        int size = Tensor.sizeOf(in);
        if (inferred >= 0) {
            if (known == 0 || size % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + Arrays.toString(in)
                        + " to " + Arrays.toString(requested) + ": the -1 dimension cannot be"
                        + " inferred from " + size + " elements");
            }
            out[inferred] = (int) (size / known);
        } else if (known != size) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(in) + " ("
                    + size + " elements) to " + Arrays.toString(out) + " (" + known
                    + " elements)");
        }
        return out;
    }

    private static Kernel flatten(NodeContext node) {
        long axis = node.getInt("axis", 1);
        return (inputs, ctx) -> {
            Tensor data = Args.tensor(inputs, 0, "input");
            int rank = data.rank();
            if (axis < -rank || axis > rank) {
                throw new IllegalArgumentException("attribute 'axis' " + axis
                        + " is out of range for rank " + rank + ", expected [" + -rank + ", "
                        + rank + "]");
            }
            int a = (int) (axis < 0 ? axis + rank : axis);
            int[] shape = data.shape();
            long outer = 1;
            for (int i = 0; i < a; i++) {
                outer *= shape[i];
            }
            long inner = 1;
            for (int i = a; i < rank; i++) {
                inner *= shape[i];
            }
            return new Value[] {data.reshape((int) outer, (int) inner)};
        };
    }

    private static Kernel squeeze(NodeContext node) {
        long[] attributeAxes = node.opset() < 13 ? node.getInts("axes", null) : null;
        boolean axesInput = node.opset() >= 13;
        return (inputs, ctx) -> {
            Tensor data = Args.tensor(inputs, 0, "data");
            long[] axes = attributeAxes;
            if (axesInput) {
                Tensor t = Args.optionalTensor(inputs, 1, "axes");
                axes = t == null ? null : Args.integers(t, "axes");
            }
            int[] shape = data.shape();
            boolean[] drop = new boolean[shape.length];
            if (axes == null) {
                for (int i = 0; i < shape.length; i++) {
                    drop[i] = shape[i] == 1;
                }
            } else {
                for (int a : Args.axes(axes, shape.length, "axes")) {
                    if (shape[a] != 1) {
                        throw new IllegalArgumentException("cannot squeeze axis " + a
                                + " of shape " + Arrays.toString(shape) + ": its size is not 1");
                    }
                    drop[a] = true;
                }
            }
            int[] out = new int[shape.length];
            int n = 0;
            for (int i = 0; i < shape.length; i++) {
                if (!drop[i]) {
                    out[n++] = shape[i];
                }
            }
            return new Value[] {data.reshape(Arrays.copyOf(out, n))};
        };
    }

    private static Kernel unsqueeze(NodeContext node) {
        long[] attributeAxes = node.opset() < 13 ? node.getInts("axes", null) : null;
        if (node.opset() < 13 && attributeAxes == null) {
            throw node.error("required attribute 'axes' is missing");
        }
        return (inputs, ctx) -> {
            Tensor data = Args.tensor(inputs, 0, "data");
            long[] axes = attributeAxes != null ? attributeAxes
                    : Args.integers(Args.tensor(inputs, 1, "axes"), "axes");
            int[] shape = data.shape();
            int rank = shape.length + axes.length;
            boolean[] inserted = new boolean[rank];
            for (int a : Args.axes(axes, rank, "axes")) {
                inserted[a] = true;
            }
            int[] out = new int[rank];
            int next = 0;
            for (int i = 0; i < rank; i++) {
                out[i] = inserted[i] ? 1 : shape[next++];
            }
            return new Value[] {data.reshape(out)};
        };
    }

    private static Kernel shape(NodeContext node) {
        long start = node.getInt("start", 0);
        Long end = node.hasAttribute("end") ? node.getInt("end") : null;
        return (inputs, ctx) -> {
            Tensor data = Args.tensor(inputs, 0, "data");
            int rank = data.rank();
            int from = clampAxis(start, rank);
            int to = end == null ? rank : clampAxis(end, rank);
            int[] shape = data.shape();
            long[] out = new long[Math.max(0, to - from)];
            for (int i = 0; i < out.length; i++) {
                out[i] = shape[from + i];
            }
            return new Value[] {Tensor.of(out, out.length)};
        };
    }

    private static int clampAxis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        return (int) Math.max(0, Math.min(rank, a));
    }
}
