package dev.jonnx.runtime.kernel;

import java.util.Arrays;
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
 * <p>A {@link Layout} splits the output into runs of consecutive elements along which each
 * input either advances by one element or repeats one element. The loops choose among those
 * two cases once per run, so the inner loops have no index arithmetic beyond an offset.
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

    /**
     * A consumer of runs: output elements {@code out .. out + length - 1} read input A from
     * {@code a} and input B from {@code b}, each advancing by its stride (1, or 0 to repeat).
     */
    @FunctionalInterface
    public interface RunConsumer {
        void accept(int out, int a, int strideA, int b, int strideB, int length);
    }

    /** Arithmetic with inline loops: addition, subtraction, multiplication and division. */
    public enum BasicOp { ADD, SUB, MUL, DIV }

    /** The relation of the two input shapes to the output shape, fast paths first. */
    public enum Mode { SAME, A_SCALAR, B_SCALAR, GENERAL }

    /**
     * The broadcast of two input shapes: the output shape and, for the general case, the output
     * dimensions with adjacent dimensions merged where both inputs allow it, and each input's
     * stride along them (0 where it repeats).
     */
    public static final class Layout {
        private final int[] shape;
        private final int size;
        private final Mode mode;
        private final int[] dims;
        private final int[] stridesA;
        private final int[] stridesB;

        private Layout(int[] shape, Mode mode, int[] dims, int[] stridesA, int[] stridesB) {
            this.shape = shape;
            this.size = Shapes.size(shape);
            this.mode = mode;
            this.dims = dims;
            this.stridesA = stridesA;
            this.stridesB = stridesB;
        }

        /**
         * Broadcasts two shapes.
         *
         * @throws IllegalArgumentException if the shapes cannot be broadcast together
         */
        public static Layout of(int[] a, int[] b) {
            int[] out = Shapes.broadcast(a, b);
            boolean aFull = Arrays.equals(a, out);
            boolean bFull = Arrays.equals(b, out);
            if (aFull && bFull) {
                return new Layout(out, Mode.SAME, null, null, null);
            }
            if (bFull && Shapes.size(a) == 1) {
                return new Layout(out, Mode.A_SCALAR, null, null, null);
            }
            if (aFull && Shapes.size(b) == 1) {
                return new Layout(out, Mode.B_SCALAR, null, null, null);
            }
            return general(out, Shapes.broadcastStrides(a, out), Shapes.broadcastStrides(b, out));
        }

        /**
         * Drops output dimensions of size 1 and merges each dimension into the one before it
         * when both inputs step through the pair as through one dimension.
         */
        private static Layout general(int[] out, int[] fullA, int[] fullB) {
            int[] dims = new int[out.length];
            int[] stridesA = new int[out.length];
            int[] stridesB = new int[out.length];
            int rank = 0;
            for (int d = 0; d < out.length; d++) {
                if (out[d] == 1) {
                    continue;
                }
                int last = rank - 1;
                if (rank > 0 && stridesA[last] == fullA[d] * out[d]
                        && stridesB[last] == fullB[d] * out[d]) {
                    dims[last] *= out[d];
                    stridesA[last] = fullA[d];
                    stridesB[last] = fullB[d];
                } else {
                    dims[rank] = out[d];
                    stridesA[rank] = fullA[d];
                    stridesB[rank] = fullB[d];
                    rank++;
                }
            }
            if (rank == 0) {
                // Every dimension is 1: a single element.
                return new Layout(out, Mode.GENERAL, new int[] {1}, new int[] {0}, new int[] {0});
            }
            return new Layout(out, Mode.GENERAL, Arrays.copyOf(dims, rank),
                    Arrays.copyOf(stridesA, rank), Arrays.copyOf(stridesB, rank));
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

        /** The merged output dimensions of the general case, or null for the fast paths. */
        int[] dims() {
            return dims;
        }

        /** Input A's stride along each merged dimension (0 where it repeats), or null. */
        int[] stridesA() {
            return stridesA;
        }

        /** Input B's stride along each merged dimension (0 where it repeats), or null. */
        int[] stridesB() {
            return stridesB;
        }

        /**
         * Calls {@code consumer} for each run of the output, in order. The fast paths are one
         * run over the whole output; the general case has one run per innermost row.
         */
        public void forEachRun(RunConsumer consumer) {
            if (size == 0) {
                return;
            }
            switch (mode) {
                case SAME -> consumer.accept(0, 0, 1, 0, 1, size);
                case A_SCALAR -> consumer.accept(0, 0, 0, 0, 1, size);
                case B_SCALAR -> consumer.accept(0, 0, 1, 0, 0, size);
                case GENERAL -> forEachRow(consumer);
            }
        }

        private void forEachRow(RunConsumer consumer) {
            int rank = dims.length;
            int inner = dims[rank - 1];
            int innerA = stridesA[rank - 1];
            int innerB = stridesB[rank - 1];
            int[] counter = new int[rank];
            int offsetA = 0;
            int offsetB = 0;
            for (int out = 0; out < size; out += inner) {
                consumer.accept(out, offsetA, innerA, offsetB, innerB, inner);
                // Advance the outer dimensions like an odometer.
                for (int d = rank - 2; d >= 0; d--) {
                    counter[d]++;
                    offsetA += stridesA[d];
                    offsetB += stridesB[d];
                    if (counter[d] < dims[d]) {
                        break;
                    }
                    offsetA -= stridesA[d] * dims[d];
                    offsetB -= stridesB[d] * dims[d];
                    counter[d] = 0;
                }
            }
        }
    }

    /** Applies {@code op} to each float, computing in double. */
    public static float[] map(float[] x, DoubleUnaryOperator op) {
        return map(x, op, new float[x.length]);
    }

    /** Applies {@code op} to each float, computing in double, into {@code out} of x's length. */
    public static float[] map(float[] x, DoubleUnaryOperator op, float[] out) {
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

    /** Applies {@code op} to the broadcast floats of {@code a} and {@code b}, in double. */
    public static float[] zip(Layout layout, float[] a, float[] b, DoubleBinaryOperator op) {
        return zip(layout, a, b, op, new float[layout.size]);
    }

    /**
     * Applies {@code op} to the broadcast floats of {@code a} and {@code b}, in double, into
     * {@code out} of the layout's size.
     */
    public static float[] zip(Layout layout, float[] a, float[] b, DoubleBinaryOperator op,
            float[] out) {
        layout.forEachRun((o, ia, sa, ib, sb, n) -> {
            if (sa != 0 && sb != 0) {
                for (int j = 0; j < n; j++) {
                    out[o + j] = (float) op.applyAsDouble(a[ia + j], b[ib + j]);
                }
            } else if (sb != 0) {
                double s = a[ia];
                for (int j = 0; j < n; j++) {
                    out[o + j] = (float) op.applyAsDouble(s, b[ib + j]);
                }
            } else if (sa != 0) {
                double s = b[ib];
                for (int j = 0; j < n; j++) {
                    out[o + j] = (float) op.applyAsDouble(a[ia + j], s);
                }
            } else {
                Arrays.fill(out, o, o + n, (float) op.applyAsDouble(a[ia], b[ib]));
            }
        });
        return out;
    }

    /**
     * Applies one of the four basic arithmetic operations to broadcast floats. It gives the same
     * results as the operator form but runs the operation inline, without a call per element.
     */
    public static float[] zip(Layout layout, float[] a, float[] b, BasicOp op) {
        float[] out = new float[layout.size];
        layout.forEachRun((o, ia, sa, ib, sb, n) -> {
            switch (op) {
                case ADD -> {
                    if (sa != 0 && sb != 0) {
                        for (int j = 0; j < n; j++) {
                            out[o + j] = a[ia + j] + b[ib + j];
                        }
                    } else {
                        for (int j = 0; j < n; j++) {
                            out[o + j] = a[ia + j * sa] + b[ib + j * sb];
                        }
                    }
                }
                case SUB -> {
                    if (sa != 0 && sb != 0) {
                        for (int j = 0; j < n; j++) {
                            out[o + j] = a[ia + j] - b[ib + j];
                        }
                    } else {
                        for (int j = 0; j < n; j++) {
                            out[o + j] = a[ia + j * sa] - b[ib + j * sb];
                        }
                    }
                }
                case MUL -> {
                    if (sa != 0 && sb != 0) {
                        for (int j = 0; j < n; j++) {
                            out[o + j] = a[ia + j] * b[ib + j];
                        }
                    } else {
                        for (int j = 0; j < n; j++) {
                            out[o + j] = a[ia + j * sa] * b[ib + j * sb];
                        }
                    }
                }
                case DIV -> {
                    if (sa != 0 && sb != 0) {
                        for (int j = 0; j < n; j++) {
                            out[o + j] = a[ia + j] / b[ib + j];
                        }
                    } else {
                        for (int j = 0; j < n; j++) {
                            out[o + j] = a[ia + j * sa] / b[ib + j * sb];
                        }
                    }
                }
            }
        });
        return out;
    }

    /** Like {@link #zip(Layout, float[], float[], BasicOp)} for doubles. */
    public static double[] zip(Layout layout, double[] a, double[] b, BasicOp op) {
        double[] out = new double[layout.size];
        layout.forEachRun((o, ia, sa, ib, sb, n) -> {
            switch (op) {
                case ADD -> {
                    if (sa != 0 && sb != 0) {
                        for (int j = 0; j < n; j++) {
                            out[o + j] = a[ia + j] + b[ib + j];
                        }
                    } else {
                        for (int j = 0; j < n; j++) {
                            out[o + j] = a[ia + j * sa] + b[ib + j * sb];
                        }
                    }
                }
                case SUB -> {
                    if (sa != 0 && sb != 0) {
                        for (int j = 0; j < n; j++) {
                            out[o + j] = a[ia + j] - b[ib + j];
                        }
                    } else {
                        for (int j = 0; j < n; j++) {
                            out[o + j] = a[ia + j * sa] - b[ib + j * sb];
                        }
                    }
                }
                case MUL -> {
                    if (sa != 0 && sb != 0) {
                        for (int j = 0; j < n; j++) {
                            out[o + j] = a[ia + j] * b[ib + j];
                        }
                    } else {
                        for (int j = 0; j < n; j++) {
                            out[o + j] = a[ia + j * sa] * b[ib + j * sb];
                        }
                    }
                }
                case DIV -> {
                    if (sa != 0 && sb != 0) {
                        for (int j = 0; j < n; j++) {
                            out[o + j] = a[ia + j] / b[ib + j];
                        }
                    } else {
                        for (int j = 0; j < n; j++) {
                            out[o + j] = a[ia + j * sa] / b[ib + j * sb];
                        }
                    }
                }
            }
        });
        return out;
    }

    public static double[] zip(Layout layout, double[] a, double[] b, DoubleBinaryOperator op) {
        double[] out = new double[layout.size];
        layout.forEachRun((o, ia, sa, ib, sb, n) -> {
            if (sa != 0 && sb != 0) {
                for (int j = 0; j < n; j++) {
                    out[o + j] = op.applyAsDouble(a[ia + j], b[ib + j]);
                }
            } else if (sb != 0) {
                double s = a[ia];
                for (int j = 0; j < n; j++) {
                    out[o + j] = op.applyAsDouble(s, b[ib + j]);
                }
            } else if (sa != 0) {
                double s = b[ib];
                for (int j = 0; j < n; j++) {
                    out[o + j] = op.applyAsDouble(a[ia + j], s);
                }
            } else {
                Arrays.fill(out, o, o + n, op.applyAsDouble(a[ia], b[ib]));
            }
        });
        return out;
    }

    public static long[] zip(Layout layout, long[] a, long[] b, LongBinaryOperator op) {
        long[] out = new long[layout.size];
        layout.forEachRun((o, ia, sa, ib, sb, n) -> {
            if (sa != 0 && sb != 0) {
                for (int j = 0; j < n; j++) {
                    out[o + j] = op.applyAsLong(a[ia + j], b[ib + j]);
                }
            } else if (sb != 0) {
                long s = a[ia];
                for (int j = 0; j < n; j++) {
                    out[o + j] = op.applyAsLong(s, b[ib + j]);
                }
            } else if (sa != 0) {
                long s = b[ib];
                for (int j = 0; j < n; j++) {
                    out[o + j] = op.applyAsLong(a[ia + j], s);
                }
            } else {
                Arrays.fill(out, o, o + n, op.applyAsLong(a[ia], b[ib]));
            }
        });
        return out;
    }

    public static boolean[] zip(Layout layout, boolean[] a, boolean[] b, BooleanBinaryOperator op) {
        boolean[] out = new boolean[layout.size];
        layout.forEachRun((o, ia, sa, ib, sb, n) -> {
            for (int j = 0; j < n; j++) {
                out[o + j] = op.apply(a[ia + j * sa], b[ib + j * sb]);
            }
        });
        return out;
    }

    /** Compares the broadcast doubles of {@code a} and {@code b}. */
    public static boolean[] compare(Layout layout, double[] a, double[] b, DoubleBiPredicate op) {
        boolean[] out = new boolean[layout.size];
        layout.forEachRun((o, ia, sa, ib, sb, n) -> {
            if (sa != 0 && sb != 0) {
                for (int j = 0; j < n; j++) {
                    out[o + j] = op.test(a[ia + j], b[ib + j]);
                }
            } else {
                for (int j = 0; j < n; j++) {
                    out[o + j] = op.test(a[ia + j * sa], b[ib + j * sb]);
                }
            }
        });
        return out;
    }

    /** Compares the broadcast longs of {@code a} and {@code b}. */
    public static boolean[] compare(Layout layout, long[] a, long[] b, LongBiPredicate op) {
        boolean[] out = new boolean[layout.size];
        layout.forEachRun((o, ia, sa, ib, sb, n) -> {
            if (sa != 0 && sb != 0) {
                for (int j = 0; j < n; j++) {
                    out[o + j] = op.test(a[ia + j], b[ib + j]);
                }
            } else {
                for (int j = 0; j < n; j++) {
                    out[o + j] = op.test(a[ia + j * sa], b[ib + j * sb]);
                }
            }
        });
        return out;
    }

    /** Tests the broadcast strings of {@code a} and {@code b} for equality. */
    public static boolean[] equal(Layout layout, String[] a, String[] b) {
        boolean[] out = new boolean[layout.size];
        layout.forEachRun((o, ia, sa, ib, sb, n) -> {
            for (int j = 0; j < n; j++) {
                out[o + j] = a[ia + j * sa].equals(b[ib + j * sb]);
            }
        });
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
        Class<?> component = x.getClass().getComponentType();
        Object out = java.lang.reflect.Array.newInstance(component, n * slots);
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
        return Arrays.equals(in, out) ? null : Shapes.broadcastIndex(in, out);
    }
}
