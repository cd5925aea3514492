package dev.jonnx.runtime.ops.math;

import static dev.jonnx.runtime.ops.math.Operands.FLOATS;
import static dev.jonnx.runtime.ops.math.Operands.NUMERIC;
import static dev.jonnx.runtime.ops.math.Operands.SIGNED_NUMERIC;

import dev.jonnx.runtime.kernel.Elementwise;
import dev.jonnx.runtime.kernel.FloatUnary;
import dev.jonnx.runtime.kernel.VectorMath;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongUnaryOperator;

/** Elementwise operators of one input: math functions and activations. */
final class UnaryOps {
    private UnaryOps() {}

    static void register(OpRegistry.Builder r) {
        r.add("Abs", withFloatPath(unary(NUMERIC, Math::abs, Math::abs, x -> x),
                FloatUnary.Op.ABS), 1, 6, 13);
        r.add("Neg", withFloatPath(unary(SIGNED_NUMERIC, x -> -x, x -> -x, null),
                FloatUnary.Op.NEG), 1, 6, 13);
        r.add("Sign", unary(NUMERIC, Math::signum, Long::signum, x -> x == 0 ? 0 : 1), 9, 13);
        r.add("Relu", withFloatPath(unary(SIGNED_NUMERIC, x -> Math.max(x, 0.0),
                x -> Math.max(x, 0), null), FloatUnary.Op.RELU), 1, 6, 13, 14);

        r.add("Acos", floats(Math::acos), 7, 22);
        r.add("Acosh", floats(x -> Math.log(x + Math.sqrt(x * x - 1))), 9, 22);
        r.add("Asin", floats(Math::asin), 7, 22);
        r.add("Asinh", floats(UnaryOps::asinh), 9, 22);
        r.add("Atan", floats(Math::atan), 7, 22);
        r.add("Atanh", floats(x -> 0.5 * Math.log1p(2 * x / (1 - x))), 9, 22);
        r.add("Cos", floats(Math::cos), 7, 22);
        r.add("Cosh", floats(Math::cosh), 9, 22);
        r.add("Sin", floats(Math::sin), 7, 22);
        r.add("Sinh", floats(Math::sinh), 9, 22);
        r.add("Tan", floats(Math::tan), 7, 22);
        r.add("Tanh", withFloatPath(floats(Math::tanh), VectorMath::tanh, TRANSCENDENTAL_COST),
                1, 6, 13);
        r.add("Ceil", floats(Math::ceil), 1, 6, 13);
        r.add("Floor", floats(Math::floor), 1, 6, 13);
        r.add("Round", floats(Math::rint), 11, 22);
        r.add("Erf", withFloatPath(unary(NUMERIC, SpecialFunctions::erf,
                x -> (long) SpecialFunctions.erf(x), x -> (long) SpecialFunctions.erf(x)),
                VectorMath::erf, TRANSCENDENTAL_COST), 9, 13);
        r.add("Exp", withFloatPath(floats(Math::exp), VectorMath::exp, TRANSCENDENTAL_COST),
                1, 6, 13);
        r.add("Log", withFloatPath(floats(Math::log), VectorMath::log, TRANSCENDENTAL_COST),
                1, 6, 13);
        r.add("Sqrt", withFloatPath(floats(Math::sqrt), FloatUnary.Op.SQRT), 1, 6, 13);
        r.add("Reciprocal", withFloatPath(floats(x -> 1 / x), FloatUnary.Op.RECIPROCAL),
                1, 6, 13);
        r.add("Sigmoid", withFloatPath(floats(UnaryOps::sigmoid), VectorMath::sigmoid,
                TRANSCENDENTAL_COST), 1, 6, 13);
        r.add("Softplus", floats(UnaryOps::softplus), 1, 22);
        r.add("Softsign", floats(x -> x / (1 + Math.abs(x))), 1, 22);
        r.add("Mish", floats(x -> x * Math.tanh(softplus(x))), 18, 22);

        r.add("Elu", node -> {
            double alpha = node.getFloat("alpha", 1.0f);
            return kernel(FLOATS, x -> x >= 0 ? x : alpha * Math.expm1(x), null, null);
        }, 1, 6, 22);
        r.add("Celu", node -> {
            double alpha = node.getFloat("alpha", 1.0f);
            if (alpha == 0) {
                throw node.error("attribute 'alpha' must not be 0");
            }
            return kernel(FLOATS,
                    x -> Math.max(0, x) + Math.min(0, alpha * Math.expm1(x / alpha)), null, null);
        }, 12, 28);
        r.add("Selu", node -> {
            double alpha = node.getFloat("alpha", 1.67326319217681884765625f);
            double gamma = node.getFloat("gamma", 1.05070102214813232421875f);
            return kernel(FLOATS, x -> x > 0 ? gamma * x : gamma * alpha * Math.expm1(x), null,
                    null);
        }, 1, 6, 22);
        r.add("LeakyRelu", node -> {
            float alpha = node.getFloat("alpha", 0.01f);
            return withFloatPath(kernel(FLOATS, x -> x >= 0 ? x : alpha * x, null, null),
                    FloatUnary.Op.LEAKY_RELU, alpha, 0);
        }, 1, 6, 16);
        r.add("ThresholdedRelu", node -> {
            double alpha = node.getFloat("alpha", 1.0f);
            return kernel(FLOATS, x -> x > alpha ? x : 0, null, null);
        }, 10, 22);
        r.add("HardSigmoid", node -> {
            float alpha = node.getFloat("alpha", 0.2f);
            float beta = node.getFloat("beta", 0.5f);
            return withFloatPath(kernel(FLOATS, x -> clamp01(alpha * x + beta), null, null),
                    FloatUnary.Op.HARD_SIGMOID, alpha, beta);
        }, 1, 6, 22);
        r.add("HardSwish", withFloatPath(floats(x -> x * clamp01(x / 6 + 0.5)),
                FloatUnary.Op.HARD_SWISH), 14, 22);
        r.add("Swish", node -> {
            double alpha = node.getFloat("alpha", 1.0f);
            return kernel(FLOATS, x -> x * sigmoid(alpha * x), null, null);
        }, 24);
        r.add("Gelu", UnaryOps::gelu, 20);
        r.add("Shrink", UnaryOps::shrink, 9);

        Set<DataType> withFloat8 = Operands.union(FLOATS, EnumSet.of(DataType.FLOAT8E4M3FN,
                DataType.FLOAT8E4M3FNUZ, DataType.FLOAT8E5M2, DataType.FLOAT8E5M2FNUZ));
        r.add("IsNaN", node -> predicate("IsNaN", withFloat8, Double::isNaN), 9, 13, 20);
        r.add("IsInf", node -> {
            boolean negative = node.getInt("detect_negative", 1) != 0;
            boolean positive = node.getInt("detect_positive", 1) != 0;
            return predicate("IsInf", withFloat8, x -> x == Double.POSITIVE_INFINITY ? positive
                    : x == Double.NEGATIVE_INFINITY && negative);
        }, 10, 20);
        r.add("Not", node -> (inputs, ctx) -> {
            Tensor x = Operands.tensor(inputs, 0);
            Operands.checkType("Not", 0, x, Operands.BOOL);
            boolean[] in = x.booleans();
            boolean[] out = new boolean[in.length];
            for (int i = 0; i < in.length; i++) {
                out[i] = !in[i];
            }
            return new Value[] {Tensor.of(DataType.BOOL, x.shape(), out)};
        }, 1);
        r.add("BitwiseNot", unary(Operands.INTEGERS, null, x -> ~x, x -> ~x), 18);
    }

    /** A float32 array kernel: y[yOffset..] = f(x[xOffset..]) over n elements. */
    @FunctionalInterface
    interface FloatArrayFunction {
        void apply(float[] x, int xOffset, float[] y, int yOffset, int n);
    }

    /** Rough operations per element of a {@link VectorMath} function, to size thread work. */
    static final int TRANSCENDENTAL_COST = 20;
    /** Elements per piece of work that {@link #map} hands to a thread. */
    static final int CHUNK = 4096;

    /**
     * Runs float32 inputs through a {@link VectorMath} array kernel, whose error bounds its tests
     * state, and every other type through the double-precision kernel.
     */
    private static KernelFactory withFloatPath(KernelFactory reference, FloatArrayFunction fast,
            int cost) {
        return node -> withFloatPath(reference.create(node), fast, cost);
    }

    private static Kernel withFloatPath(Kernel reference, FloatArrayFunction fast, int cost) {
        return (inputs, ctx) -> {
            if (inputs.length > 0 && inputs[0] instanceof Tensor x && x.type() == DataType.FLOAT) {
                float[] out = map(fast, cost, x.floats(), ctx);
                return new Value[] {Tensor.of(DataType.FLOAT, x.shape(), out)};
            }
            return reference.run(inputs, ctx);
        };
    }

    /** Like the other form, for a {@link FloatUnary} function without parameters. */
    private static KernelFactory withFloatPath(KernelFactory reference, FloatUnary.Op op) {
        return node -> withFloatPath(reference.create(node), op, 0, 0);
    }

    /**
     * Runs float32 inputs through {@link FloatUnary} function {@code op} with parameters
     * {@code p} and {@code q}, and every other type through the reference kernel.
     */
    static Kernel withFloatPath(Kernel reference, FloatUnary.Op op, float p, float q) {
        return withFloatPath(reference,
                (x, xOffset, y, yOffset, n) -> FloatUnary.apply(op, p, q, x, xOffset, y, yOffset, n),
                1);
    }

    /** Applies {@link FloatUnary} function {@code op} to every element of {@code x}. */
    static float[] map(FloatUnary.Op op, float p, float q, float[] x, RunContext ctx) {
        return map((in, inOffset, out, outOffset, n) ->
                FloatUnary.apply(op, p, q, in, inOffset, out, outOffset, n), 1, x, ctx);
    }

    /**
     * Applies an array function to every element of {@code x}, in chunks spread over the
     * context's threads; {@code cost} is a rough count of operations per element.
     */
    static float[] map(FloatArrayFunction f, int cost, float[] x, RunContext ctx) {
        int n = x.length;
        float[] out = ctx.newFloats(n);
        int chunks = (n + CHUNK - 1) / CHUNK;
        ctx.parallelFor(chunks, (long) CHUNK * cost, (from, to) -> {
            int start = from * CHUNK;
            int end = Math.min(n, to * CHUNK);
            f.apply(x, start, out, start, end - start);
        });
        return out;
    }

    static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }

    static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    private static double asinh(double x) {
        double a = Math.abs(x);
        double r = a > 1e8 ? Math.log(a) + Math.log(2) : Math.log(a + Math.sqrt(a * a + 1));
        return Math.copySign(r, x);
    }

    private static double clamp01(double v) {
        return Math.min(Math.max(v, 0), 1);
    }

    private static Kernel gelu(NodeContext node) {
        String approximate = node.getString("approximate", "none");
        return switch (approximate) {
            case "none" -> withFloatPath(kernel(FLOATS,
                    x -> 0.5 * x * (1 + SpecialFunctions.erf(x / Math.sqrt(2))), null, null),
                    VectorMath::gelu, TRANSCENDENTAL_COST);
            case "tanh" -> {
                double k = Math.sqrt(2 / Math.PI);
                yield withFloatPath(kernel(FLOATS,
                        x -> 0.5 * x * (1 + Math.tanh(k * (x + 0.044715 * x * x * x))), null, null),
                        VectorMath::geluTanh, TRANSCENDENTAL_COST);
            }
            default -> throw node.error("attribute 'approximate' must be 'none' or 'tanh', got '"
                    + approximate + "'");
        };
    }

    private static Kernel shrink(NodeContext node) {
        double bias = node.getFloat("bias", 0.0f);
        double lambd = node.getFloat("lambd", 0.5f);
        // Integer inputs compute in double and truncate back, as the float formula defines.
        DoubleUnaryOperator f = x -> {
            if (x < -lambd) {
                return x + bias;
            }
            return x > lambd ? x - bias : 0;
        };
        return kernel(NUMERIC, f, x -> (long) f.applyAsDouble(x), x -> (long) f.applyAsDouble(x));
    }

    /** Returns a factory for an operator without attributes on float types only. */
    private static KernelFactory floats(DoubleUnaryOperator f) {
        Kernel k = kernel(FLOATS, f, null, null);
        return node -> k;
    }

    /** Returns a factory for an operator without attributes. */
    private static KernelFactory unary(Set<DataType> types, DoubleUnaryOperator f,
            LongUnaryOperator signed, LongUnaryOperator unsigned) {
        Kernel k = kernel(types, f, signed, unsigned);
        return node -> k;
    }

    /**
     * Builds a kernel that applies {@code f} to float types (in double), {@code signed} to signed
     * integers and {@code unsigned} to unsigned integers (read zero-extended; uint64 as its raw
     * bits). A null operator rejects its kind of type even when {@code types} lists it.
     */
    static Kernel kernel(Set<DataType> types, DoubleUnaryOperator f, LongUnaryOperator signed,
            LongUnaryOperator unsigned) {
        return (inputs, ctx) -> {
            Tensor x = Operands.tensor(inputs, 0);
            DataType type = x.type();
            LongUnaryOperator integer = type.isUnsigned() ? unsigned : signed;
            boolean supported = types.contains(type)
                    && (type.isInteger() ? integer != null : f != null);
            if (!supported) {
                throw new IllegalArgumentException("input 0 has unsupported element type " + type);
            }
            Tensor y = switch (type) {
                case FLOAT -> Tensor.of(type, x.shape(), Elementwise.map(x.floats(), f,
                        ctx == null ? new float[x.size()] : ctx.newFloats(x.size())));
                case DOUBLE -> Tensor.of(type, x.shape(), Elementwise.map(x.doubles(), f));
                case FLOAT16, BFLOAT16 -> Operands.ofDoubles(type, x.shape(),
                        Elementwise.map(Operands.doubles(x), f));
                default -> Operands.ofLongs(type, x.shape(),
                        Elementwise.map(Operands.longs(x), integer));
            };
            return new Value[] {y};
        };
    }

    private static Kernel predicate(String op, Set<DataType> types, Elementwise.DoubleTest test) {
        return (inputs, ctx) -> {
            Tensor x = Operands.tensor(inputs, 0);
            Operands.checkType(op, 0, x, types);
            boolean[] out = Elementwise.test(Operands.doubles(x), test);
            return new Value[] {Tensor.of(DataType.BOOL, x.shape(), out)};
        };
    }
}
