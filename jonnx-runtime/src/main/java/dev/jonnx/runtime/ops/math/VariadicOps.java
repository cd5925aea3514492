package dev.jonnx.runtime.ops.math;

import static dev.jonnx.runtime.ops.math.Operands.FLOATS;
import static dev.jonnx.runtime.ops.math.Operands.NUMERIC;

import dev.jonnx.runtime.kernel.Elementwise;
import dev.jonnx.runtime.kernel.Elementwise.Layout;
import dev.jonnx.runtime.kernel.FloatUnary;
import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.ops.math.BinaryOps.Arithmetic;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;
import java.util.Set;

/** Max, Min, Sum and Mean of any number of inputs, Clip and Where. */
final class VariadicOps {
    private VariadicOps() {}

    static void register(OpRegistry.Builder r) {
        r.add("Max", fold("Max", BinaryOps.MAX, NUMERIC, false), 1, 6, 8, 12, 13);
        r.add("Min", fold("Min", BinaryOps.MIN, NUMERIC, false), 1, 6, 8, 12, 13);
        r.add("Sum", fold("Sum", BinaryOps.ADD, FLOATS, false), 1, 6, 8, 13);
        r.add("Mean", fold("Mean", BinaryOps.ADD, FLOATS, true), 1, 6, 8, 13);
        r.add("Clip", VariadicOps::clip, 1, 6, 11, 12, 13);
        r.add("Where", node -> VariadicOps::where, 9, 16);
    }

    /**
     * Combines the inputs left to right with {@code arithmetic}, broadcasting from opset 8 on
     * (earlier versions need equal shapes). With {@code mean}, divides the result by the input
     * count.
     */
    private static KernelFactory fold(String op, Arithmetic arithmetic, Set<DataType> types,
            boolean mean) {
        return node -> {
            boolean broadcast = node.opset() >= 8;
            return (inputs, ctx) -> {
                if (inputs.length == 0) {
                    throw new IllegalArgumentException(op + " needs at least one input");
                }
                Tensor result = Operands.tensor(inputs, 0);
                Operands.checkType(op, 0, result, types);
                for (int i = 1; i < inputs.length; i++) {
                    Tensor next = Operands.tensor(inputs, i);
                    Operands.checkSameType(op, result, next);
                    if (!broadcast && !Arrays.equals(result.shape(), next.shape())) {
                        throw new IllegalArgumentException(op + " inputs must have equal shapes"
                                + " before opset 8, got " + Arrays.toString(result.shape())
                                + " and " + Arrays.toString(next.shape()));
                    }
                    result = BinaryOps.apply(op, arithmetic,
                            Layout.of(result.shape(), next.shape()), result, next, ctx);
                }
                if (mean) {
                    double n = inputs.length;
                    Kernel divide = UnaryOps.kernel(FLOATS, x -> x / n, null, null);
                    result = (Tensor) divide.run(new Value[] {result}, ctx)[0];
                }
                return new Value[] {result};
            };
        };
    }

    private static Kernel clip(NodeContext node) {
        if (node.opset() < 11) {
            double min = node.getFloat("min", -Float.MAX_VALUE);
            double max = node.getFloat("max", Float.MAX_VALUE);
            Kernel k = UnaryOps.withFloatPath(
                    UnaryOps.kernel(FLOATS, v -> Math.min(Math.max(v, min), max), null, null),
                    FloatUnary.Op.CLIP, (float) min, (float) max);
            return (inputs, ctx) -> {
                Tensor x = Operands.tensor(inputs, 0);
                Operands.checkType("Clip", 0, x, FLOATS);
                return k.run(inputs, ctx);
            };
        }
        return (inputs, ctx) -> {
            Tensor x = Operands.tensor(inputs, 0);
            Tensor min = Operands.optionalTensor(inputs, 1);
            Tensor max = Operands.optionalTensor(inputs, 2);
            Operands.checkType("Clip", 0, x, NUMERIC);
            checkBound(x, min, "min");
            checkBound(x, max, "max");
            DataType type = x.type();
            if (type == DataType.FLOAT) {
                float lo = min == null ? Float.NEGATIVE_INFINITY : min.floats()[0];
                float hi = max == null ? Float.POSITIVE_INFINITY : max.floats()[0];
                float[] out = UnaryOps.map(FloatUnary.Op.CLIP, lo, hi, x.floats(), ctx);
                return new Value[] {Tensor.of(type, x.shape(), out)};
            }
            Kernel k;
            if (type.isInteger()) {
                // Without a bound, the type's own range applies; -1 is the largest uint64.
                long lowest = type.isUnsigned() ? 0 : Long.MIN_VALUE;
                long highest = type == DataType.UINT64 ? -1L : Long.MAX_VALUE;
                long lo = min == null ? lowest : min.getLong(0);
                long hi = max == null ? highest : max.getLong(0);
                k = UnaryOps.kernel(NUMERIC, null,
                        v -> Math.min(Math.max(v, lo), hi),
                        v -> unsignedMin(unsignedMax(v, lo), hi));
            } else {
                double lo = min == null ? Double.NEGATIVE_INFINITY : min.getDouble(0);
                double hi = max == null ? Double.POSITIVE_INFINITY : max.getDouble(0);
                k = UnaryOps.kernel(NUMERIC, v -> Math.min(Math.max(v, lo), hi), null, null);
            }
            return k.run(new Value[] {x}, ctx);
        };
    }

    private static long unsignedMax(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    private static long unsignedMin(long a, long b) {
        return Long.compareUnsigned(a, b) <= 0 ? a : b;
    }

    private static void checkBound(Tensor x, Tensor bound, String name) {
        if (bound == null) {
            return;
        }
        if (bound.type() != x.type()) {
            throw new IllegalArgumentException("Clip input '" + name + "' has element type "
                    + bound.type() + ", expected " + x.type() + " like the input");
        }
        if (bound.size() != 1) {
            throw new IllegalArgumentException("Clip input '" + name + "' must be a scalar, got"
                    + " shape " + Arrays.toString(bound.shape()));
        }
    }

    private static Value[] where(Value[] inputs, dev.jonnx.runtime.registry.RunContext ctx) {
        Tensor condition = Operands.tensor(inputs, 0);
        Tensor x = Operands.tensor(inputs, 1);
        Tensor y = Operands.tensor(inputs, 2);
        Operands.checkType("Where", 0, condition, Operands.BOOL);
        Operands.checkSameType("Where", x, y);
        int[] shape = Shapes.broadcast(condition.shape(), x.shape(), y.shape());
        Object out = Elementwise.select(shape, condition.booleans(), condition.shape(), x.data(),
                x.shape(), y.data(), y.shape(), x.type().slotsPerElement());
        return new Value[] {Tensor.of(x.type(), shape, out)};
    }
}
