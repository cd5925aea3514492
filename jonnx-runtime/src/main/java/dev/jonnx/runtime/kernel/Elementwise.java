package dev.jonnx.runtime.kernel;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * Loops for elementwise operators over typed arrays, with multidirectional (NumPy)
 * broadcasting of two inputs. Float arrays are computed through a double operator and rounded
 * back to float, which gives the correctly rounded result for +, -, * and / and a more accurate
 * one for transcendental functions.
 *
 * <p>Each loop picks its fast path (same shape, scalar operand) once, outside the loop; the
 * general broadcast case reads the inputs through index arrays from {@link Shapes}.
 */
public final class Elementwise {
    private Elementwise() {}

    /** A boolean function of two booleans. */
    @FunctionalInterface
    public interface BooleanBinaryOperator {
        boolean apply(boolean a, boolean b);
    }

    /** A boolean function of two doubles. */
    @FunctionalInterface
    public interface DoubleBiPredicate {
        boolean test(double a, double b);
    }

    /** A boolean function of two longs. */
    @FunctionalInterface
    public interface LongBiPredicate {
        boolean test(long a, long b);
    }

    /** A boolean function of one double. */
    @FunctionalInterface
    public interface DoubleTest {
        boolean test(double x);
    }

    /** The mapping of a binary loop's two inputs onto the output elements. */
    public enum Mode { SAME, A_SCALAR, B_SCALAR, GENERAL }

    /**
     * The broadcast of two input shapes: the output shape and, for the general case, the index
     * of each output element in each input.
     */
    public static final class Layout {
        private final int[] shape;
        private final int size;
        private final Mode mode;
        private final int[] indexA;
        private final int[] indexB;

        private Layout(int[] shape, Mode mode, int[] indexA, int[] indexB) {
            this.shape = shape;
            this.size = Shapes.size(shape);
            this.mode = mode;
            this.indexA = indexA;
            this.indexB = indexB;
        }

        /**
         * Broadcasts two shapes.
         *
         * @throws IllegalArgumentException if the shapes cannot be broadcast together
         */
        public static Layout of(int[] a, int[] b) {
            int[] out = Shapes.broadcast(a, b);
            boolean aFull = java.util.Arrays.equals(a, out);
            boolean bFull = java.util.Arrays.equals(b, out);
            if (aFull && bFull) {
                return new Layout(out, Mode.SAME, null, null);
            }
            if (bFull && Shapes.size(a) == 1) {
                return new Layout(out, Mode.A_SCALAR, null, null);
            }
            if (aFull && Shapes.size(b) == 1) {
                return new Layout(out, Mode.B_SCALAR, null, null);
            }
            return new Layout(out, Mode.GENERAL, Shapes.broadcastIndex(a, out),
                    Shapes.broadcastIndex(b, out));
        }

        /** The output shape; callers must not modify it. */
        public int[] shape() {
            return shape;
        }

        public int size() {
            return size;
        }

        public Mode mode() {
            return mode;
        }

        /** Returns the index into input A of output element {@code i}. */
        public int indexA(int i) {
            return switch (mode) {
                case SAME, B_SCALAR -> i;
                case A_SCALAR -> 0;
                case GENERAL -> indexA[i];
            };
        }

        /** Returns the index into input B of output element {@code i}. */
        public int indexB(int i) {
            return switch (mode) {
                case SAME, A_SCALAR -> i;
                case B_SCALAR -> 0;
                case GENERAL -> indexB[i];
            };
        }
    }

    /** Applies {@code op} to each float, computing in double. */
    public static float[] map(float[] x, DoubleUnaryOperator op) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) op.applyAsDouble(x[i]);
        }
        return out;
    }

    public static double[] map(double[] x, DoubleUnaryOperator op) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = op.applyAsDouble(x[i]);
        }
        return out;
    }

    public static long[] map(long[] x, LongUnaryOperator op) {
        long[] out = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = op.applyAsLong(x[i]);
        }
        return out;
    }

    /** Tests each double, for operators such as IsNaN that return bool. */
    public static boolean[] test(double[] x, DoubleTest op) {
        boolean[] out = new boolean[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = op.test(x[i]);
        }
        return out;
    }

    /** Applies {@code op} to the broadcast floats of {@code a} and {@code b}, computing in double. */
    public static float[] zip(Layout layout, float[] a, float[] b, DoubleBinaryOperator op) {
        int n = layout.size;
        float[] out = new float[n];
        switch (layout.mode) {
            case SAME -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) op.applyAsDouble(a[i], b[i]);
                }
            }
            case A_SCALAR -> {
                double s = a[0];
                for (int i = 0; i < n; i++) {
                    out[i] = (float) op.applyAsDouble(s, b[i]);
                }
            }
            case B_SCALAR -> {
                double s = b[0];
                for (int i = 0; i < n; i++) {
                    out[i] = (float) op.applyAsDouble(a[i], s);
                }
            }
            case GENERAL -> {
                int[] ia = layout.indexA;
                int[] ib = layout.indexB;
                for (int i = 0; i < n; i++) {
                    out[i] = (float) op.applyAsDouble(a[ia[i]], b[ib[i]]);
                }
            }
        }
        return out;
    }

    public static double[] zip(Layout layout, double[] a, double[] b, DoubleBinaryOperator op) {
        int n = layout.size;
        double[] out = new double[n];
        switch (layout.mode) {
            case SAME -> {
                for (int i = 0; i < n; i++) {
                    out[i] = op.applyAsDouble(a[i], b[i]);
                }
            }
            case A_SCALAR -> {
                double s = a[0];
                for (int i = 0; i < n; i++) {
                    out[i] = op.applyAsDouble(s, b[i]);
                }
            }
            case B_SCALAR -> {
                double s = b[0];
                for (int i = 0; i < n; i++) {
                    out[i] = op.applyAsDouble(a[i], s);
                }
            }
            case GENERAL -> {
                int[] ia = layout.indexA;
                int[] ib = layout.indexB;
                for (int i = 0; i < n; i++) {
                    out[i] = op.applyAsDouble(a[ia[i]], b[ib[i]]);
                }
            }
        }
        return out;
    }

    public static long[] zip(Layout layout, long[] a, long[] b, LongBinaryOperator op) {
        int n = layout.size;
        long[] out = new long[n];
        switch (layout.mode) {
            case SAME -> {
                for (int i = 0; i < n; i++) {
                    out[i] = op.applyAsLong(a[i], b[i]);
                }
            }
            case A_SCALAR -> {
                long s = a[0];
                for (int i = 0; i < n; i++) {
                    out[i] = op.applyAsLong(s, b[i]);
                }
            }
            case B_SCALAR -> {
                long s = b[0];
                for (int i = 0; i < n; i++) {
                    out[i] = op.applyAsLong(a[i], s);
                }
            }
            case GENERAL -> {
                int[] ia = layout.indexA;
                int[] ib = layout.indexB;
                for (int i = 0; i < n; i++) {
                    out[i] = op.applyAsLong(a[ia[i]], b[ib[i]]);
                }
            }
        }
        return out;
    }

    public static boolean[] zip(Layout layout, boolean[] a, boolean[] b, BooleanBinaryOperator op) {
        int n = layout.size;
        boolean[] out = new boolean[n];
        switch (layout.mode) {
            case SAME -> {
                for (int i = 0; i < n; i++) {
                    out[i] = op.apply(a[i], b[i]);
                }
            }
            case A_SCALAR -> {
                boolean s = a[0];
                for (int i = 0; i < n; i++) {
                    out[i] = op.apply(s, b[i]);
                }
            }
            case B_SCALAR -> {
                boolean s = b[0];
                for (int i = 0; i < n; i++) {
                    out[i] = op.apply(a[i], s);
                }
            }
            case GENERAL -> {
                int[] ia = layout.indexA;
                int[] ib = layout.indexB;
                for (int i = 0; i < n; i++) {
                    out[i] = op.apply(a[ia[i]], b[ib[i]]);
                }
            }
        }
        return out;
    }

    /** Compares the broadcast doubles of {@code a} and {@code b}. */
    public static boolean[] compare(Layout layout, double[] a, double[] b, DoubleBiPredicate op) {
        int n = layout.size;
        boolean[] out = new boolean[n];
        switch (layout.mode) {
            case SAME -> {
                for (int i = 0; i < n; i++) {
                    out[i] = op.test(a[i], b[i]);
                }
            }
            case A_SCALAR -> {
                double s = a[0];
                for (int i = 0; i < n; i++) {
                    out[i] = op.test(s, b[i]);
                }
            }
            case B_SCALAR -> {
                double s = b[0];
                for (int i = 0; i < n; i++) {
                    out[i] = op.test(a[i], s);
                }
            }
            case GENERAL -> {
                int[] ia = layout.indexA;
                int[] ib = layout.indexB;
                for (int i = 0; i < n; i++) {
                    out[i] = op.test(a[ia[i]], b[ib[i]]);
                }
            }
        }
        return out;
    }

    /** Compares the broadcast longs of {@code a} and {@code b}. */
    public static boolean[] compare(Layout layout, long[] a, long[] b, LongBiPredicate op) {
        int n = layout.size;
        boolean[] out = new boolean[n];
        switch (layout.mode) {
            case SAME -> {
                for (int i = 0; i < n; i++) {
                    out[i] = op.test(a[i], b[i]);
                }
            }
            case A_SCALAR -> {
                long s = a[0];
                for (int i = 0; i < n; i++) {
                    out[i] = op.test(s, b[i]);
                }
            }
            case B_SCALAR -> {
                long s = b[0];
                for (int i = 0; i < n; i++) {
                    out[i] = op.test(a[i], s);
                }
            }
            case GENERAL -> {
                int[] ia = layout.indexA;
                int[] ib = layout.indexB;
                for (int i = 0; i < n; i++) {
                    out[i] = op.test(a[ia[i]], b[ib[i]]);
                }
            }
        }
        return out;
    }

    /** Tests the broadcast strings of {@code a} and {@code b} for equality. */
    public static boolean[] equal(Layout layout, String[] a, String[] b) {
        int n = layout.size;
        boolean[] out = new boolean[n];
        for (int i = 0; i < n; i++) {
            out[i] = a[layout.indexA(i)].equals(b[layout.indexB(i)]);
        }
        return out;
    }

    /**
     * Selects elements of {@code x} where {@code condition} is true and of {@code y} elsewhere,
     * with all three broadcast together. The arrays must be storage arrays of the same class,
     * with {@code slots} array slots per element (2 for complex types, else 1).
     *
     * @return a new storage array of {@code Shapes.size(outShape) * slots} slots
     */
    public static Object select(int[] outShape, boolean[] condition, int[] conditionShape,
            Object x, int[] xShape, Object y, int[] yShape, int slots) {
        int n = Shapes.size(outShape);
        int[] ic = indexOrNull(conditionShape, outShape);
        int[] ix = indexOrNull(xShape, outShape);
        int[] iy = indexOrNull(yShape, outShape);
        // The source array and index of each output element, resolved once and copied per type.
        int[] from = new int[n];
        boolean[] pickX = new boolean[n];
        for (int i = 0; i < n; i++) {
            boolean c = condition[ic == null ? i : ic[i]];
            pickX[i] = c;
            int[] index = c ? ix : iy;
            from[i] = index == null ? i : index[i];
        }
        Object out = java.lang.reflect.Array.newInstance(x.getClass().getComponentType(), n * slots);
        if (slots == 2) {
            selectPairs(out, x, y, from, pickX);
            return out;
        }
        switch (out) {
            case float[] o -> {
                float[] a = (float[]) x;
                float[] b = (float[]) y;
                for (int i = 0; i < n; i++) {
                    o[i] = pickX[i] ? a[from[i]] : b[from[i]];
                }
            }
            case double[] o -> {
                double[] a = (double[]) x;
                double[] b = (double[]) y;
                for (int i = 0; i < n; i++) {
                    o[i] = pickX[i] ? a[from[i]] : b[from[i]];
                }
            }
            case long[] o -> {
                long[] a = (long[]) x;
                long[] b = (long[]) y;
                for (int i = 0; i < n; i++) {
                    o[i] = pickX[i] ? a[from[i]] : b[from[i]];
                }
            }
            case int[] o -> {
                int[] a = (int[]) x;
                int[] b = (int[]) y;
                for (int i = 0; i < n; i++) {
                    o[i] = pickX[i] ? a[from[i]] : b[from[i]];
                }
            }
            case short[] o -> {
                short[] a = (short[]) x;
                short[] b = (short[]) y;
                for (int i = 0; i < n; i++) {
                    o[i] = pickX[i] ? a[from[i]] : b[from[i]];
                }
            }
            case byte[] o -> {
                byte[] a = (byte[]) x;
                byte[] b = (byte[]) y;
                for (int i = 0; i < n; i++) {
                    o[i] = pickX[i] ? a[from[i]] : b[from[i]];
                }
            }
            case boolean[] o -> {
                boolean[] a = (boolean[]) x;
                boolean[] b = (boolean[]) y;
                for (int i = 0; i < n; i++) {
                    o[i] = pickX[i] ? a[from[i]] : b[from[i]];
                }
            }
            case Object[] o -> {
                Object[] a = (Object[]) x;
                Object[] b = (Object[]) y;
                for (int i = 0; i < n; i++) {
                    o[i] = pickX[i] ? a[from[i]] : b[from[i]];
                }
            }
            default -> throw new IllegalArgumentException("unsupported storage "
                    + out.getClass().getSimpleName());
        }
        return out;
    }

    /** Copies two-slot (complex) elements; only float and double arrays store complex types. */
    private static void selectPairs(Object out, Object x, Object y, int[] from, boolean[] pickX) {
        int n = from.length;
        if (out instanceof float[] o) {
            for (int i = 0; i < n; i++) {
                float[] src = (float[]) (pickX[i] ? x : y);
                o[2 * i] = src[2 * from[i]];
                o[2 * i + 1] = src[2 * from[i] + 1];
            }
        } else {
            double[] o = (double[]) out;
            for (int i = 0; i < n; i++) {
                double[] src = (double[]) (pickX[i] ? x : y);
                o[2 * i] = src[2 * from[i]];
                o[2 * i + 1] = src[2 * from[i] + 1];
            }
        }
    }

    private static int[] indexOrNull(int[] in, int[] out) {
        return java.util.Arrays.equals(in, out) ? null : Shapes.broadcastIndex(in, out);
    }
}
