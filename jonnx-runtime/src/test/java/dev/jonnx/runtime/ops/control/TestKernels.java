package dev.jonnx.runtime.ops.control;

import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.ops.rnn.RnnOps;
import dev.jonnx.runtime.ops.sequence.SequenceOps;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleBinaryOperator;

/**
 * A registry for tests of control flow and sequence operators. It contains the control,
 * sequence and recurrent families and small stand-ins for the operators that their bodies call:
 * Identity, Constant, Add, Sub, Mul, Greater, Less, Not, Unsqueeze, Slice, Shape and Concat.
 * The stand-ins compute through doubles and support only what these tests need, so they are
 * exact only for integers below 2^53 and are no substitute for the real kernels.
 */
public final class TestKernels {
    private TestKernels() {}

    public static final OpRegistry REGISTRY = build();

    private static OpRegistry build() {
        OpRegistry.Builder b = OpRegistry.builder();
        ControlOps.register(b);
        SequenceOps.register(b);
        RnnOps.register(b);

        b.add("Identity", node -> (inputs, ctx) -> new Value[] {inputs[0]}, 1);
        b.add("Constant", TestKernels::constant, 1);
        b.add("Add", node -> binary(Double::sum, false), 1);
        b.add("Sub", node -> binary((x, y) -> x - y, false), 1);
        b.add("Mul", node -> binary((x, y) -> x * y, false), 1);
        b.add("Greater", node -> binary((x, y) -> x > y ? 1 : 0, true), 1);
        b.add("Less", node -> binary((x, y) -> x < y ? 1 : 0, true), 1);
        b.add("Not", node -> (inputs, ctx) -> {
            boolean[] x = ((Tensor) inputs[0]).booleans();
            boolean[] y = new boolean[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = !x[i];
            }
            return new Value[] {Tensor.of(DataType.BOOL, ((Tensor) inputs[0]).shape(), y)};
        }, 1);

        b.add("Unsqueeze", TestKernels::unsqueeze, 1);
        b.add("Slice", node -> TestKernels::slice, 10);

        b.add("Shape", node -> (inputs, ctx) -> {
            int[] shape = ((Tensor) inputs[0]).shape();
            long[] dims = new long[shape.length];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = shape[i];
            }
            return new Value[] {Tensor.of(dims, dims.length)};
        }, 1);
        b.add("Concat", node -> {
            long axis = node.getInt("axis");
            return (inputs, ctx) -> {
                List<Tensor> parts = new ArrayList<>();
                for (Value v : inputs) {
                    parts.add((Tensor) v);
                }
                return new Value[] {Slices.concat(parts, Shapes.axis(axis, parts.getFirst().rank()))};
            };
        }, 1);
        return b.build();
    }

    private static Kernel constant(NodeContext node) {
        Tensor value = node.getTensor("value");
        if (value == null) {
            throw node.unsupported("test Constant supports only the 'value' attribute");
        }
        return (inputs, ctx) -> new Value[] {value};
    }

    private static Kernel binary(DoubleBinaryOperator op, boolean toBool) {
        return (inputs, ctx) -> {
            Tensor a = (Tensor) inputs[0];
            Tensor c = (Tensor) inputs[1];
            int[] shape = Shapes.broadcast(a.shape(), c.shape());
            int[] ia = Shapes.broadcastIndex(a.shape(), shape);
            int[] ic = Shapes.broadcastIndex(c.shape(), shape);
            double[] out = new double[ia.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = op.applyAsDouble(a.getDouble(ia[i]), c.getDouble(ic[i]));
            }
            return new Value[] {Tensor.fromDoubles(toBool ? DataType.BOOL : a.type(), shape, out)};
        };
    }

    private static Kernel unsqueeze(NodeContext node) {
        long[] attributeAxes = node.getInts("axes", null);
        return (inputs, ctx) -> {
            Tensor x = (Tensor) inputs[0];
            long[] axes = attributeAxes != null ? attributeAxes : ((Tensor) inputs[1]).toLongArray();
            int rank = x.rank() + axes.length;
            boolean[] inserted = new boolean[rank];
            for (long a : axes) {
                inserted[Shapes.axis(a, rank)] = true;
            }
            int[] shape = new int[rank];
            int next = 0;
            for (int d = 0; d < rank; d++) {
                shape[d] = inserted[d] ? 1 : x.dim(next++);
            }
            return new Value[] {x.reshape(shape)};
        };
    }

    /** Slice with starts, ends and optional axes inputs; steps must be absent or 1. */
    private static Value[] slice(Value[] inputs, dev.jonnx.runtime.registry.RunContext ctx) {
        Tensor x = (Tensor) inputs[0];
        long[] starts = ((Tensor) inputs[1]).toLongArray();
        long[] ends = ((Tensor) inputs[2]).toLongArray();
        long[] axes = inputs.length > 3 && inputs[3] != null ? ((Tensor) inputs[3]).toLongArray() : null;
        if (inputs.length > 4 && inputs[4] != null) {
            for (long step : ((Tensor) inputs[4]).toLongArray()) {
                if (step != 1) {
                    throw new UnsupportedOperationException("test Slice supports only step 1");
                }
            }
        }
        Tensor out = x;
        for (int k = 0; k < starts.length; k++) {
            int axis = Shapes.axis(axes == null ? k : axes[k], x.rank());
            int n = x.dim(axis);
            long start = clamp(starts[k] < 0 ? starts[k] + n : starts[k], n);
            long end = clamp(ends[k] < 0 ? ends[k] + n : ends[k], n);
            out = Slices.range(out, axis, (int) start, (int) Math.max(start, end));
        }
        return new Value[] {out};
    }

    private static long clamp(long v, int n) {
        return Math.max(0, Math.min(n, v));
    }
}
