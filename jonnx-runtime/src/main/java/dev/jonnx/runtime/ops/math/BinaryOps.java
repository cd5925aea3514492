package dev.jonnx.runtime.ops.math;

import static dev.jonnx.runtime.ops.math.Operands.FLOATS;
import static dev.jonnx.runtime.ops.math.Operands.INTEGERS;
import static dev.jonnx.runtime.ops.math.Operands.NUMERIC;

import dev.jonnx.runtime.kernel.Elementwise;
import dev.jonnx.runtime.kernel.Elementwise.BasicOp;
import dev.jonnx.runtime.kernel.Elementwise.Layout;
import dev.jonnx.runtime.kernel.Elementwise.LongBiPredicate;
import dev.jonnx.runtime.kernel.FloatBinary;
import dev.jonnx.runtime.kernel.FloatUnary;
import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;

/** Elementwise operators of two inputs: arithmetic, comparison, logic and bitwise. */
final class BinaryOps {
    private BinaryOps() {}

    /**
     * An arithmetic operation: {@code f} for float types (in double), {@code signed} for signed
     * integers and unsigned ones up to 32 bits (read zero-extended), {@code unsigned64} for
     * uint64 (raw bits). A null operator rejects that kind of type. For double, {@code basic},
     * when not null, names the same operation to run with inline loops, and for float,
     * {@code floatOp}, when not null, names it for the vectorized, threaded float path.
     */
    record Arithmetic(DoubleBinaryOperator f, LongBinaryOperator signed,
            LongBinaryOperator unsigned64, BasicOp basic, FloatBinary.Op floatOp) {
        Arithmetic(DoubleBinaryOperator f, LongBinaryOperator signed,
                LongBinaryOperator unsigned64) {
            this(f, signed, unsigned64, null, null);
        }
    }

    /** A comparison, with the same split by type as {@link Arithmetic}. */
    record Comparison(Elementwise.DoubleBiPredicate f, LongBiPredicate signed,
            LongBiPredicate unsigned64) {}

    static final Arithmetic ADD = new Arithmetic(Double::sum, Long::sum, Long::sum, BasicOp.ADD,
            FloatBinary.Op.ADD);
    static final Arithmetic SUB = new Arithmetic((a, b) -> a - b, (a, b) -> a - b,
            (a, b) -> a - b, BasicOp.SUB,
            FloatBinary.Op.SUB);
    static final Arithmetic MUL = new Arithmetic((a, b) -> a * b, (a, b) -> a * b,
            (a, b) -> a * b, BasicOp.MUL,
            FloatBinary.Op.MUL);
    static final Arithmetic DIV = new Arithmetic((a, b) -> a / b, (a, b) -> a / b,
            Long::divideUnsigned, BasicOp.DIV,
            FloatBinary.Op.DIV);
    static final Arithmetic MAX = new Arithmetic(Math::max, Math::max,
            (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b, null, FloatBinary.Op.MAX);
    static final Arithmetic MIN = new Arithmetic(Math::min, Math::min,
            (a, b) -> Long.compareUnsigned(a, b) <= 0 ? a : b, null, FloatBinary.Op.MIN);

    static void register(OpRegistry.Builder r) {
        r.add("Add", arithmetic("Add", ADD, NUMERIC), 1, 6, 7, 13, 14);
        r.add("Sub", arithmetic("Sub", SUB, NUMERIC), 1, 6, 7, 13, 14);
        r.add("Mul", arithmetic("Mul", MUL, NUMERIC), 1, 6, 7, 13, 14);
        r.add("Div", arithmetic("Div", DIV, NUMERIC), 1, 6, 7, 13, 14);
        r.add("Mod", BinaryOps::mod, 10, 13);
        r.add("Pow", BinaryOps::pow, 1, 7, 12, 13, 15);
        r.add("PRelu", BinaryOps::prelu, 1, 6, 7, 9, 16);

        Set<DataType> equalTypes = Operands.union(NUMERIC, Operands.BOOL,
                EnumSet.of(DataType.STRING));
        r.add("Equal", comparison("Equal", new Comparison((a, b) -> a == b, (a, b) -> a == b,
                (a, b) -> a == b), equalTypes), 1, 7, 11, 13, 19);
        r.add("Greater", comparison("Greater", new Comparison((a, b) -> a > b, (a, b) -> a > b,
                (a, b) -> Long.compareUnsigned(a, b) > 0), NUMERIC), 1, 7, 9, 13);
        r.add("Less", comparison("Less", new Comparison((a, b) -> a < b, (a, b) -> a < b,
                (a, b) -> Long.compareUnsigned(a, b) < 0), NUMERIC), 1, 7, 9, 13);
        r.add("GreaterOrEqual", comparison("GreaterOrEqual", new Comparison((a, b) -> a >= b,
                (a, b) -> a >= b, (a, b) -> Long.compareUnsigned(a, b) >= 0), NUMERIC), 12, 16);
        r.add("LessOrEqual", comparison("LessOrEqual", new Comparison((a, b) -> a <= b,
                (a, b) -> a <= b, (a, b) -> Long.compareUnsigned(a, b) <= 0), NUMERIC), 12, 16);

        r.add("And", logical("And", (a, b) -> a & b), 1, 7);
        r.add("Or", logical("Or", (a, b) -> a | b), 1, 7);
        r.add("Xor", logical("Xor", (a, b) -> a ^ b), 1, 7);

        LongBinaryOperator and = (a, b) -> a & b;
        LongBinaryOperator or = (a, b) -> a | b;
        LongBinaryOperator xor = (a, b) -> a ^ b;
        r.add("BitwiseAnd", arithmetic("BitwiseAnd", new Arithmetic(null, and, and), INTEGERS), 18);
        r.add("BitwiseOr", arithmetic("BitwiseOr", new Arithmetic(null, or, or), INTEGERS), 18);
        r.add("BitwiseXor", arithmetic("BitwiseXor", new Arithmetic(null, xor, xor), INTEGERS), 18);
        r.add("BitShift", BinaryOps::bitShift, 11);
    }

    /**
     * Broadcasting as a node's opset defines it. From opset 7 on, inputs broadcast
     * multidirectionally. Before, the operators take a {@code broadcast} attribute: with it, B is
     * broadcast onto A with its dimensions matched to A's starting at {@code axis} (by default
     * aligned to the right); without it, the shapes must be equal.
     */
    record Broadcasting(boolean legacy, boolean enabled, Long axis) {
        static Broadcasting of(NodeContext node) {
            if (node.opset() >= 7) {
                return new Broadcasting(false, true, null);
            }
            boolean enabled = node.getInt("broadcast", 0) != 0;
            Long axis = node.hasAttribute("axis") ? node.getInt("axis") : null;
            return new Broadcasting(true, enabled, axis);
        }

        Layout layout(Tensor a, Tensor b) {
            if (!legacy) {
                return Layout.of(a.shape(), b.shape());
            }
            int[] sa = a.shape();
            int[] sb = b.shape();
            if (!enabled) {
                if (!Arrays.equals(sa, sb)) {
                    throw new IllegalArgumentException("input shapes " + Arrays.toString(sa)
                            + " and " + Arrays.toString(sb) + " differ and attribute 'broadcast'"
                            + " is not set");
                }
                return Layout.of(sa, sb);
            }
            int start = axis == null ? sa.length - sb.length : Shapes.axis(axis, sa.length);
            if (sb.length > sa.length || start < 0 || start + sb.length > sa.length) {
                throw new IllegalArgumentException("input B of shape " + Arrays.toString(sb)
                        + " cannot be broadcast onto A of shape " + Arrays.toString(sa)
                        + " at axis " + start);
            }
            int[] aligned = new int[sa.length];
            Arrays.fill(aligned, 1);
            System.arraycopy(sb, 0, aligned, start, sb.length);
            for (int i = 0; i < sb.length; i++) {
                if (sb[i] != 1 && sb[i] != sa[start + i]) {
                    throw new IllegalArgumentException("input B of shape " + Arrays.toString(sb)
                            + " does not match A of shape " + Arrays.toString(sa)
                            + " at axis " + start);
                }
            }
            return Layout.of(sa, aligned);
        }
    }

    private static KernelFactory arithmetic(String op, Arithmetic arithmetic, Set<DataType> types) {
        return node -> {
            Broadcasting broadcasting = Broadcasting.of(node);
            // The layout of the most recent input shapes, so that a steady run builds none.
            AtomicReference<ShapedLayout> last = new AtomicReference<>();
            return (inputs, ctx) -> {
                Tensor a = Operands.tensor(inputs, 0);
                Tensor b = Operands.tensor(inputs, 1);
                Operands.checkSameType(op, a, b);
                Operands.checkType(op, 0, a, types);
                ShapedLayout cached = last.get();
                if (cached == null || !a.hasShape(cached.shapeA) || !b.hasShape(cached.shapeB)) {
                    Layout layout = broadcasting.layout(a, b);
                    cached = new ShapedLayout(a.shape(), b.shape(), layout, FloatBinary.Plan.of(layout));
                    last.set(cached);
                }
                return new Value[] {apply(op, arithmetic, cached.layout, cached.plan, a, b, ctx)};
            };
        };
    }

    /** A broadcast layout and its float plan, for inputs of shapes {@code shapeA} and {@code shapeB}. */
    private record ShapedLayout(int[] shapeA, int[] shapeB, Layout layout, FloatBinary.Plan plan) {}

    /** Applies an arithmetic operation to two tensors of one type, on the calling thread. */
    static Tensor apply(String op, Arithmetic arithmetic, Layout layout, Tensor a, Tensor b) {
        return apply(op, arithmetic, layout, a, b, null);
    }

    /**
     * Applies an arithmetic operation to two tensors of one type with the given layout. With
     * a context, float work is split over its threads and the output comes from it.
     */
    static Tensor apply(String op, Arithmetic arithmetic, Layout layout, Tensor a, Tensor b,
            RunContext ctx) {
        return apply(op, arithmetic, layout, null, a, b, ctx);
    }

    /** Like {@link #apply(String, Arithmetic, Layout, Tensor, Tensor, RunContext)} with the layout's float plan, or null to build it. */
    private static Tensor apply(String op, Arithmetic arithmetic, Layout layout, FloatBinary.Plan plan,
            Tensor a, Tensor b, RunContext ctx) {
        DataType type = a.type();
        int[] shape = layout.shape();
        if (type.isInteger()) {
            LongBinaryOperator f = type == DataType.UINT64 ? arithmetic.unsigned64()
                    : arithmetic.signed();
            if (f == null) {
                throw new IllegalArgumentException(op + " does not accept element type " + type);
            }
            try {
                return Operands.ofLongs(type, shape,
                        Elementwise.zip(layout, Operands.longs(a), Operands.longs(b), f));
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(op + " on " + type + ": integer division by"
                        + " zero", e);
            }
        }
        if (arithmetic.f() == null || !FLOATS.contains(type)) {
            throw new IllegalArgumentException(op + " does not accept element type " + type);
        }
        BasicOp basic = arithmetic.basic();
        if (type == DataType.FLOAT && arithmetic.floatOp() != null) {
            return Tensor.of(type, shape, floats(arithmetic.floatOp(), layout,
                    plan == null ? FloatBinary.Plan.of(layout) : plan, a.floats(), b.floats(), ctx));
        }
        return switch (type) {
            case FLOAT -> Tensor.of(type, shape, Elementwise.zip(layout, a.floats(), b.floats(),
                    arithmetic.f(), ctx == null ? new float[layout.size()] : ctx.newFloats(layout.size())));
            case DOUBLE -> Tensor.of(type, shape, basic != null
                    ? Elementwise.zip(layout, a.doubles(), b.doubles(), basic)
                    : Elementwise.zip(layout, a.doubles(), b.doubles(), arithmetic.f()));
            default -> Operands.ofDoubles(type, shape, Elementwise.zip(layout,
                    Operands.doubles(a), Operands.doubles(b), arithmetic.f()));
        };
    }

    /**
     * Computes a float operator over a broadcast layout, split by rows over the context's
     * threads when one is given.
     */
    static float[] floats(FloatBinary.Op op, Layout layout, float[] a, float[] b,
            RunContext ctx) {
        return floats(op, layout, FloatBinary.Plan.of(layout), a, b, ctx);
    }

    private static float[] floats(FloatBinary.Op op, Layout layout, FloatBinary.Plan plan, float[] a,
            float[] b, RunContext ctx) {
        if (ctx == null) {
            float[] out = new float[layout.size()];
            plan.run(op, a, b, out, 0, plan.rows());
            return out;
        }
        float[] out = ctx.newFloats(layout.size());
        ctx.parallelFor(plan.rows(), plan.rowLength(),
                (from, to) -> plan.run(op, a, b, out, from, to));
        return out;
    }

    private static KernelFactory comparison(String op, Comparison comparison,
            Set<DataType> types) {
        return node -> {
            Broadcasting broadcasting = Broadcasting.of(node);
            return (inputs, ctx) -> {
                Tensor a = Operands.tensor(inputs, 0);
                Tensor b = Operands.tensor(inputs, 1);
                Operands.checkSameType(op, a, b);
                Operands.checkType(op, 0, a, types);
                Layout layout = broadcasting.layout(a, b);
                DataType type = a.type();
                boolean[] out;
                if (type == DataType.STRING) {
                    out = Elementwise.equal(layout, a.strings(), b.strings());
                } else if (type.isInteger() || type == DataType.BOOL) {
                    LongBiPredicate test = type == DataType.UINT64 ? comparison.unsigned64()
                            : comparison.signed();
                    out = Elementwise.compare(layout, Operands.longs(a), Operands.longs(b), test);
                } else {
                    out = Elementwise.compare(layout, Operands.doubles(a), Operands.doubles(b),
                            comparison.f());
                }
                return new Value[] {Tensor.of(DataType.BOOL, layout.shape(), out)};
            };
        };
    }

    private static KernelFactory logical(String op, Elementwise.BooleanBinaryOperator f) {
        return node -> {
            Broadcasting broadcasting = Broadcasting.of(node);
            return (inputs, ctx) -> {
                Tensor a = Operands.tensor(inputs, 0);
                Tensor b = Operands.tensor(inputs, 1);
                Operands.checkType(op, 0, a, Operands.BOOL);
                Operands.checkType(op, 1, b, Operands.BOOL);
                Layout layout = broadcasting.layout(a, b);
                boolean[] out = Elementwise.zip(layout, a.booleans(), b.booleans(), f);
                return new Value[] {Tensor.of(DataType.BOOL, layout.shape(), out)};
            };
        };
    }

    private static Kernel mod(NodeContext node) {
        boolean fmod = node.getInt("fmod", 0) != 0;
        // fmod takes the sign of the dividend (C fmod, Java %); otherwise of the divisor.
        Arithmetic arithmetic = fmod
                ? new Arithmetic((a, b) -> a % b, (a, b) -> a % b, Long::remainderUnsigned)
                : new Arithmetic(null, Math::floorMod, Long::remainderUnsigned);
        return (inputs, ctx) -> {
            Tensor a = Operands.tensor(inputs, 0);
            Tensor b = Operands.tensor(inputs, 1);
            Operands.checkSameType("Mod", a, b);
            Operands.checkType("Mod", 0, a, NUMERIC);
            if (!fmod && !a.type().isInteger()) {
                throw new IllegalArgumentException("Mod of " + a.type() + " needs attribute fmod=1;"
                        + " fmod=0 is defined for integers only");
            }
            return new Value[] {apply("Mod", arithmetic, Layout.of(a.shape(), b.shape()), a, b)};
        };
    }

    private static Kernel pow(NodeContext node) {
        Broadcasting broadcasting = Broadcasting.of(node);
        return (inputs, ctx) -> {
            Tensor base = Operands.tensor(inputs, 0);
            Tensor exponent = Operands.tensor(inputs, 1);
            Operands.checkType("Pow", 0, base, NUMERIC);
            Operands.checkType("Pow", 1, exponent, NUMERIC);
            Layout layout = broadcasting.layout(base, exponent);
            DataType type = base.type();
            if (type.isInteger() && exponent.type().isInteger()) {
                LongBinaryOperator f = exponent.type() == DataType.UINT64
                        ? BinaryOps::powUnsignedExponent : BinaryOps::integerPow;
                try {
                    long[] out = Elementwise.zip(layout, Operands.longs(base),
                            Operands.longs(exponent), f);
                    return new Value[] {Operands.ofLongs(type, layout.shape(), out)};
                } catch (ArithmeticException e) {
                    throw new IllegalArgumentException("Pow of integers: 0 raised to a negative"
                            + " power is undefined", e);
                }
            }
            if (type == DataType.FLOAT && exponent.type() == DataType.FLOAT) {
                float[] fast = powByScalar(base, exponent, layout, ctx);
                if (fast != null) {
                    return new Value[] {Tensor.of(type, layout.shape(), fast)};
                }
                float[] out = ctx == null ? new float[layout.size()] : ctx.newFloats(layout.size());
                return new Value[] {Tensor.of(type, layout.shape(),
                        Elementwise.zip(layout, base.floats(), exponent.floats(), Math::pow, out))};
            }
            // Mixed types compute in double; an integer base truncates the result toward zero.
            double[] out = Elementwise.zip(layout, Operands.doubles(base),
                    Operands.doubles(exponent), Math::pow);
            return new Value[] {Operands.ofDoubles(type, layout.shape(), out)};
        };
    }

    /**
     * Returns float base^exponent for a scalar exponent of 1, 2 or 0.5 by a multiply or a
     * square root, which give the double-precision pow rounded to float, or null for any
     * other exponent.
     */
    private static float[] powByScalar(Tensor base, Tensor exponent, Layout layout,
            RunContext ctx) {
        if (layout.mode() != Elementwise.Mode.B_SCALAR && layout.mode() != Elementwise.Mode.SAME
                || exponent.size() != 1) {
            return null;
        }
        float e = exponent.floats()[0];
        FloatUnary.Op op;
        if (e == 2f) {
            op = FloatUnary.Op.SQUARE;
        } else if (e == 0.5f) {
            op = FloatUnary.Op.POW_HALF;
        } else if (e == 1f) {
            // x^1 is x, NaN included; only the storage is copied.
            return base.floats().clone();
        } else {
            return null;
        }
        return UnaryOps.map(op, 0, 0, base.floats(), ctx);
    }

    /** base^exponent with wrap-around; a negative exponent gives the truncated reciprocal. */
    static long integerPow(long base, long exponent) {
        if (exponent < 0) {
            if (base == 1) {
                return 1;
            }
            if (base == -1) {
                return (exponent & 1) == 0 ? 1 : -1;
            }
            if (base == 0) {
                throw new ArithmeticException("0 to a negative power");
            }
            return 0;
        }
        long result = 1;
        long b = base;
        long e = exponent;
        while (e != 0) {
            if ((e & 1) != 0) {
                result *= b;
            }
            b *= b;
            e >>>= 1;
        }
        return result;
    }

    private static long powUnsignedExponent(long base, long exponent) {
        long result = 1;
        long b = base;
        long e = exponent;
        while (e != 0) {
            if ((e & 1) != 0) {
                result *= b;
            }
            b *= b;
            e >>>= 1;
        }
        return result;
    }

    private static Kernel prelu(NodeContext node) {
        boolean legacy = node.opset() < 7;
        Arithmetic arithmetic = new Arithmetic((x, s) -> x < 0 ? s * x : x,
                (x, s) -> x < 0 ? s * x : x, (x, s) -> x, null, FloatBinary.Op.PRELU);
        return (inputs, ctx) -> {
            Tensor x = Operands.tensor(inputs, 0);
            Tensor slope = Operands.tensor(inputs, 1);
            Operands.checkSameType("PRelu", x, slope);
            Operands.checkType("PRelu", 0, x, NUMERIC);
            int[] xShape = x.shape();
            int[] slopeShape = slope.shape();
            if (legacy && slope.rank() == 1 && xShape.length > 2 && slopeShape[0] == xShape[1]) {
                // Before opset 7 the slope is shared across channels when of size 1, so a 1-D
                // slope of C values gives one value per channel (axis 1).
                slopeShape = new int[xShape.length - 1];
                Arrays.fill(slopeShape, 1);
                slopeShape[0] = xShape[1];
            }
            Layout layout = Layout.of(xShape, slopeShape);
            if (!Arrays.equals(layout.shape(), xShape)) {
                throw new IllegalArgumentException("PRelu slope of shape "
                        + Arrays.toString(slope.shape()) + " does not broadcast to X of shape "
                        + Arrays.toString(xShape));
            }
            return new Value[] {apply("PRelu", arithmetic, layout, x, slope, ctx)};
        };
    }

    private static Kernel bitShift(NodeContext node) {
        String direction = node.getString("direction");
        LongBinaryOperator shift = switch (direction) {
            case "LEFT" -> (x, s) -> Long.compareUnsigned(s, 64) >= 0 ? 0 : x << s;
            case "RIGHT" -> (x, s) -> Long.compareUnsigned(s, 64) >= 0 ? 0 : x >>> s;
            default -> throw node.error("attribute 'direction' must be LEFT or RIGHT, got '"
                    + direction + "'");
        };
        Arithmetic arithmetic = new Arithmetic(null, shift, shift);
        return (inputs, ctx) -> {
            Tensor a = Operands.tensor(inputs, 0);
            Tensor b = Operands.tensor(inputs, 1);
            Operands.checkSameType("BitShift", a, b);
            Operands.checkType("BitShift", 0, a, Operands.UNSIGNED);
            return new Value[] {apply("BitShift", arithmetic, Layout.of(a.shape(), b.shape()), a,
                    b)};
        };
    }
}
