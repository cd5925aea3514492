package dev.jonnx.runtime.kernel;

/**
 * Cheap float activations and math functions over arrays, computed in float. Each result is
 * the double-precision result rounded to float, except that HARD_SIGMOID and HARD_SWISH round
 * in more steps and stay within two float ulps of it. Transcendental functions live in
 * {@link VectorMath}.
 */
public final class FloatUnary {
    private FloatUnary() {}

    /** The functions; {@code p} and {@code q} are the parameters that some of them take. */
    public enum Op {
        RELU, NEG, ABS, SQRT, RECIPROCAL, SQUARE,
        /** x^0.5 as Pow defines it: like sqrt, but +0 for -0 and +inf for -inf. */
        POW_HALF,
        /** min(max(x, p), q), NaN kept. */
        CLIP,
        /** x when x is not negative, else p * x. */
        LEAKY_RELU,
        /** clamp(p * x + q, 0, 1). */
        HARD_SIGMOID,
        /**
         * x * clamp(x / 6 + 1/2, 0, 1), computed as x * clamp((x + 3) / 6, 0, 1) so that no
         * rounded 1/6 loses accuracy where x / 6 and 1/2 cancel near x = -3.
         */
        HARD_SWISH
    }

    /** Applies {@code op} to one value. This is the reference for every path. */
    public static float apply(Op op, float p, float q, float x) {
        return switch (op) {
            case RELU -> Math.max(x, 0f);
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SQRT -> (float) Math.sqrt(x);
            case RECIPROCAL -> 1f / x;
            case SQUARE -> x * x;
            case POW_HALF -> x == Float.NEGATIVE_INFINITY ? Float.POSITIVE_INFINITY
                    : (float) Math.sqrt(x) + 0f;
            case CLIP -> Math.min(Math.max(x, p), q);
            case LEAKY_RELU -> x >= 0 ? x : p * x;
            case HARD_SIGMOID -> Math.min(Math.max(Math.fma(p, x, q), 0f), 1f);
            case HARD_SWISH -> x * Math.min(Math.max((x + 3f) / 6f, 0f), 1f);
        };
    }

    /** Computes {@code y[yOffset + i] = op(x[xOffset + i])} for i below n; y may be x. */
    public static void apply(Op op, float p, float q, float[] x, int xOffset, float[] y,
            int yOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                FloatUnaryVector.apply(op, p, q, x, xOffset + done, y, yOffset + done, count);
            }
        } else {
            applyScalar(op, p, q, x, xOffset, y, yOffset, n);
        }
    }

    /** The scalar twin of {@link #apply(Op, float, float, float[], int, float[], int, int)}. */
    public static void applyScalar(Op op, float p, float q, float[] x, int xOffset, float[] y,
            int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] = apply(op, p, q, x[xOffset + i]);
        }
    }
}
