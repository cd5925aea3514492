package dev.jonnx.runtime.kernel;

import dev.jonnx.runtime.kernel.Elementwise.Layout;
import java.util.Arrays;

/**
 * Float binary operators over a broadcast {@link Layout}, computed in float. For these
 * operators the float result equals the double result rounded to float, so this path agrees
 * with the double-precision loops of {@link Elementwise}.
 *
 * <p>A {@link Plan} splits the output into rows once per call: the whole output in chunks
 * when both inputs have the output's shape or one is a scalar, and otherwise one row per
 * innermost merged dimension, along which each input advances by one or repeats one element.
 * Rows are independent, so callers may spread them over threads.
 */
public final class FloatBinary {
    private FloatBinary() {}

    /** The operators, each defined by {@link #apply}. */
    public enum Op {
        ADD, SUB, MUL, DIV, MAX, MIN,
        /** PRelu: a when a is not negative, else a * b (b is the slope). */
        PRELU
    }

    /** Applies {@code op} to one pair of values; this is the reference for every path. */
    public static float apply(Op op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case PRELU -> a < 0 ? a * b : a;
        };
    }

    /**
     * Computes one row: {@code out[o + j] = op(a[ia + j * sa], b[ib + j * sb])} for j below
     * n, where each stride is 0 or 1. {@code out} may be {@code a} or {@code b} at the same
     * offset.
     */
    public static void row(Op op, float[] a, int ia, int sa, float[] b, int ib, int sb,
            float[] out, int o, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                FloatBinaryVector.row(op, a, ia + done * sa, sa, b, ib + done * sb, sb, out, o + done, count);
            }
        } else {
            rowScalar(op, a, ia, sa, b, ib, sb, out, o, n);
        }
    }

    /** The scalar twin of {@link #row}. */
    public static void rowScalar(Op op, float[] a, int ia, int sa, float[] b, int ib, int sb,
            float[] out, int o, int n) {
        for (int j = 0; j < n; j++) {
            out[o + j] = apply(op, a[ia + j * sa], b[ib + j * sb]);
        }
    }

    /** The rows of one broadcast, and the input offsets of each row. */
    public static final class Plan {
        /** Elements per row when the whole output is one contiguous run. */
        static final int CHUNK = 8192;

        private final int size;
        private final int rows;
        private final int rowLength;
        private final int strideA;
        private final int strideB;
        /** The outer merged dimensions and strides; null when the output is one run. */
        private final int[] outerDims;
        private final int[] outerStridesA;
        private final int[] outerStridesB;

        private Plan(int size, int rows, int rowLength, int strideA, int strideB, int[] outerDims,
                int[] outerStridesA, int[] outerStridesB) {
            this.size = size;
            this.rows = rows;
            this.rowLength = rowLength;
            this.strideA = strideA;
            this.strideB = strideB;
            this.outerDims = outerDims;
            this.outerStridesA = outerStridesA;
            this.outerStridesB = outerStridesB;
        }

        public static Plan of(Layout layout) {
            int size = layout.size();
            if (size == 0) {
                return new Plan(0, 0, 0, 1, 1, null, null, null);
            }
            return switch (layout.mode()) {
                case SAME -> contiguous(size, 1, 1);
                case A_SCALAR -> contiguous(size, 0, 1);
                case B_SCALAR -> contiguous(size, 1, 0);
                case GENERAL -> general(layout);
            };
        }

        private static Plan contiguous(int size, int strideA, int strideB) {
            int rows = (size + CHUNK - 1) / CHUNK;
            return new Plan(size, rows, Math.min(size, CHUNK), strideA, strideB, null, null,
                    null);
        }

        private static Plan general(Layout layout) {
            int[] dims = layout.dims();
            int rank = dims.length;
            int inner = dims[rank - 1];
            int strideA = layout.stridesA()[rank - 1];
            int strideB = layout.stridesB()[rank - 1];
            if (rank == 1) {
                return contiguous(inner, strideA, strideB);
            }
            int rows = layout.size() / inner;
            return new Plan(layout.size(), rows, inner, strideA, strideB,
                    Arrays.copyOf(dims, rank - 1), Arrays.copyOf(layout.stridesA(), rank - 1),
                    Arrays.copyOf(layout.stridesB(), rank - 1));
        }

        public int rows() {
            return rows;
        }

        /** The length of every row but possibly the last of a contiguous output. */
        public int rowLength() {
            return rowLength;
        }

        /** Computes rows {@code from} (inclusive) to {@code to} (exclusive) into {@code out}. */
        public void run(Op op, float[] a, float[] b, float[] out, int from, int to) {
            if (from >= to) {
                return;
            }
            if (outerDims == null) {
                int start = from * rowLength;
                int end = Math.min(size, to * rowLength);
                row(op, a, start * strideA, strideA, b, start * strideB, strideB, out, start,
                        end - start);
                return;
            }
            int rank = outerDims.length;
            int[] counter = new int[rank];
            int offsetA = 0;
            int offsetB = 0;
            int rest = from;
            for (int d = rank - 1; d >= 0; d--) {
                counter[d] = rest % outerDims[d];
                rest /= outerDims[d];
                offsetA += counter[d] * outerStridesA[d];
                offsetB += counter[d] * outerStridesB[d];
            }
            for (int r = from; r < to; r++) {
                row(op, a, offsetA, strideA, b, offsetB, strideB, out, r * rowLength, rowLength);
                // Advance the outer dimensions like an odometer.
                for (int d = rank - 1; d >= 0; d--) {
                    counter[d]++;
                    offsetA += outerStridesA[d];
                    offsetB += outerStridesB[d];
                    if (counter[d] < outerDims[d]) {
                        break;
                    }
                    offsetA -= outerStridesA[d] * outerDims[d];
                    offsetB -= outerStridesB[d] * outerDims[d];
                    counter[d] = 0;
                }
            }
        }
    }
}
