package dev.jonnx.runtime.kernel;

import dev.jonnx.tensor.Limits;
import java.util.Arrays;

/** Shape arithmetic shared by the operator families: broadcasting, strides, axes. */
public final class Shapes {
    private Shapes() {}

    /**
     * Returns the multidirectional (NumPy) broadcast of the given shapes: ranks are aligned on
     * the right, and each dimension must be equal across inputs or 1.
     *
     * @throws IllegalArgumentException if two dimensions differ and neither is 1
     */
    public static int[] broadcast(int[]... shapes) {
        int rank = 0;
        for (int[] s : shapes) {
            rank = Math.max(rank, s.length);
        }
        int[] out = new int[rank];
        Arrays.fill(out, 1);
        for (int[] s : shapes) {
            int offset = rank - s.length;
            for (int i = 0; i < s.length; i++) {
                int d = s[i];
                int o = out[offset + i];
                if (o == d || d == 1) {
                    continue;
                }
                if (o == 1) {
                    out[offset + i] = d;
                } else {
                    throw new IllegalArgumentException("shapes " + describe(shapes)
                            + " cannot be broadcast: dimension " + (offset + i) + " is " + o
                            + " in one and " + d + " in another");
                }
            }
        }
        return out;
    }

    private static String describe(int[][] shapes) {
        StringBuilder s = new StringBuilder();
        for (int[] shape : shapes) {
            s.append(s.length() == 0 ? "" : " and ").append(Arrays.toString(shape));
        }
        return s.toString();
    }

    /** Row-major strides of a shape, in elements. */
    public static int[] strides(int[] shape) {
        int[] strides = new int[shape.length];
        int stride = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= shape[i];
        }
        return strides;
    }

    /**
     * Strides for reading an input of shape {@code in} as if broadcast to {@code out}: 0 along
     * dimensions the input repeats (size 1 or missing), its own stride elsewhere.
     */
    public static int[] broadcastStrides(int[] in, int[] out) {
        int[] own = strides(in);
        int[] result = new int[out.length];
        int offset = out.length - in.length;
        for (int i = 0; i < in.length; i++) {
            result[offset + i] = in[i] == 1 && out[offset + i] != 1 ? 0 : own[i];
        }
        return result;
    }

    /**
     * For each element of the output (row-major), the index into the broadcast input. Costs an
     * int per output element; kernels use it for the general case after their fast paths.
     */
    public static int[] broadcastIndex(int[] in, int[] out) {
        int size = size(out);
        int[] index = new int[size];
        int[] strides = broadcastStrides(in, out);
        int rank = out.length;
        int[] counter = new int[rank];
        int offset = 0;
        for (int i = 0; i < size; i++) {
            index[i] = offset;
            for (int d = rank - 1; d >= 0; d--) {
                counter[d]++;
                offset += strides[d];
                if (counter[d] < out[d]) {
                    break;
                }
                offset -= strides[d] * counter[d];
                counter[d] = 0;
            }
        }
        return index;
    }

    /**
     * Returns the element count of a shape.
     *
     * @throws IllegalArgumentException if the count passes {@link Limits#maxElements()}
     */
    public static int size(int[] shape) {
        // A zero dimension makes the shape empty, however large the other dimensions are.
        for (int d : shape) {
            if (d == 0) {
                return 0;
            }
        }
        long n = 1;
        for (int i = 0; i < shape.length && n > 0; i++) {
            n = shape[i] <= Long.MAX_VALUE / n ? n * shape[i] : -1;
        }
        if (!Limits.fits(n)) {
            throw new IllegalArgumentException(Limits.describeExcess("shape",
                    Arrays.toString(shape), n));
        }
        return (int) n;
    }

    /**
     * Normalizes a possibly negative axis for a tensor of {@code rank}.
     *
     * @throws IllegalArgumentException if the axis lies outside [-rank, rank - 1]
     */
    public static int axis(long axis, int rank) {
        if (axis < -rank || axis >= Math.max(rank, 1)) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for rank " + rank);
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }
}
