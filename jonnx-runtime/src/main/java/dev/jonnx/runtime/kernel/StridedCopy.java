package dev.jonnx.runtime.kernel;

import java.util.Arrays;

/**
 * Type-generic element movement on tensor storage arrays ({@code float[]}, {@code long[]},
 * {@code String[]}, ...): strided block copies, index gathers and fills. Offsets, strides and
 * indices count elements; {@code slots} is the number of array slots per element (2 for the
 * interleaved complex types, else 1). Source and destination must be arrays of the same class.
 */
public final class StridedCopy {
    /** Tile edge, in elements, for copies that transpose two dimensions. */
    private static final int TILE = 32;

    private StridedCopy() {}

    /**
     * Copies the block of the given shape from {@code src} to {@code dst}. Element
     * {@code (i0, i1, ...)} of the block is read at {@code srcOffset + sum(ik * srcStrides[k])} and
     * written at {@code dstOffset + sum(ik * dstStrides[k])}. Strides may be zero (repeat) or
     * negative (reverse). Runs that are contiguous on both sides move with
     * {@link System#arraycopy}.
     */
    public static void copy(Object src, int srcOffset, int[] srcStrides, Object dst, int dstOffset,
            int[] dstStrides, int[] shape, int slots) {
        int rank = shape.length;
        for (int d : shape) {
            if (d == 0) {
                return;
            }
        }
        // Drop size-1 dimensions, then merge neighbours that are contiguous on both sides.
        int[] dims = new int[rank + 1];
        int[] ss = new int[rank + 1];
        int[] ds = new int[rank + 1];
        int n = 0;
        for (int k = 0; k < rank; k++) {
            if (shape[k] == 1) {
                continue;
            }
            dims[n] = shape[k];
            ss[n] = srcStrides[k] * slots;
            ds[n] = dstStrides[k] * slots;
            n++;
        }
        if (slots > 1) {
            dims[n] = slots;
            ss[n] = 1;
            ds[n] = 1;
            n++;
        }
        int m = 0;
        for (int k = 0; k < n; k++) {
            if (m > 0 && ss[m - 1] == ss[k] * dims[k] && ds[m - 1] == ds[k] * dims[k]) {
                dims[m - 1] *= dims[k];
                ss[m - 1] = ss[k];
                ds[m - 1] = ds[k];
            } else {
                dims[m] = dims[k];
                ss[m] = ss[k];
                ds[m] = ds[k];
                m++;
            }
        }
        int srcBase = srcOffset * slots;
        int dstBase = dstOffset * slots;
        if (m == 0) {
            System.arraycopy(src, srcBase, dst, dstBase, 1);
            return;
        }
        int run = dims[m - 1];
        int runSrcStride = ss[m - 1];
        int runDstStride = ds[m - 1];
        if (runSrcStride != 1 && runDstStride == 1 && run >= TILE) {
            // A transpose: the source is contiguous along another dimension, so copy square
            // tiles to keep both sides in cache instead of striding through the whole source.
            for (int k = m - 2; k >= 0; k--) {
                if (ss[k] == 1 && dims[k] >= TILE) {
                    copyTiled(src, srcBase, ss, dst, dstBase, ds, dims, m, k);
                    return;
                }
            }
        }
        int outer = 1;
        for (int k = 0; k < m - 1; k++) {
            outer *= dims[k];
        }
        int[] counter = new int[m - 1];
        int s = srcBase;
        int t = dstBase;
        for (int o = 0; o < outer; o++) {
            if (runSrcStride == 1 && runDstStride == 1) {
                System.arraycopy(src, s, dst, t, run);
            } else {
                copyRun(src, s, runSrcStride, dst, t, runDstStride, run);
            }
            for (int k = m - 2; k >= 0; k--) {
                s += ss[k];
                t += ds[k];
                if (++counter[k] < dims[k]) {
                    break;
                }
                s -= ss[k] * dims[k];
                t -= ds[k] * dims[k];
                counter[k] = 0;
            }
        }
    }

    /**
     * Copies merged dimensions {@code dims[0..m)} where dimension {@code k} is contiguous in the
     * source and the last one is contiguous in the destination, in TILE x TILE tiles of those
     * two dimensions.
     */
    private static void copyTiled(Object src, int srcBase, int[] ss, Object dst, int dstBase,
            int[] ds, int[] dims, int m, int k) {
        int last = m - 1;
        int[] outerDims = new int[m - 2];
        int[] outerSrc = new int[m - 2];
        int[] outerDst = new int[m - 2];
        int outer = 1;
        for (int d = 0, o = 0; d < last; d++) {
            if (d != k) {
                outerDims[o] = dims[d];
                outerSrc[o] = ss[d];
                outerDst[o] = ds[d];
                outer *= dims[d];
                o++;
            }
        }
        int rows = dims[k];
        int cols = dims[last];
        int[] counter = new int[m - 2];
        int s = srcBase;
        int t = dstBase;
        for (int n = 0; n < outer; n++) {
            for (int i0 = 0; i0 < rows; i0 += TILE) {
                int i1 = Math.min(rows, i0 + TILE);
                for (int j0 = 0; j0 < cols; j0 += TILE) {
                    int width = Math.min(cols, j0 + TILE) - j0;
                    for (int i = i0; i < i1; i++) {
                        copyRun(src, s + i + j0 * ss[last], ss[last], dst,
                                t + i * ds[k] + j0, 1, width);
                    }
                }
            }
            for (int d = m - 3; d >= 0; d--) {
                s += outerSrc[d];
                t += outerDst[d];
                if (++counter[d] < outerDims[d]) {
                    break;
                }
                s -= outerSrc[d] * outerDims[d];
                t -= outerDst[d] * outerDims[d];
                counter[d] = 0;
            }
        }
    }

    /** Copies a contiguous block of a row-major tensor into a region of another. */
    public static void copy(Object src, int[] srcShape, Object dst, int dstOffset, int[] dstStrides,
            int slots) {
        copy(src, 0, Shapes.strides(srcShape), dst, dstOffset, dstStrides, srcShape, slots);
    }

    private static void copyRun(Object src, int s, int srcStride, Object dst, int t, int dstStride,
            int n) {
        switch (src) {
            case float[] a -> {
                float[] b = (float[]) dst;
                for (int i = 0; i < n; i++, s += srcStride, t += dstStride) {
                    b[t] = a[s];
                }
            }
            case double[] a -> {
                double[] b = (double[]) dst;
                for (int i = 0; i < n; i++, s += srcStride, t += dstStride) {
                    b[t] = a[s];
                }
            }
            case long[] a -> {
                long[] b = (long[]) dst;
                for (int i = 0; i < n; i++, s += srcStride, t += dstStride) {
                    b[t] = a[s];
                }
            }
            case int[] a -> {
                int[] b = (int[]) dst;
                for (int i = 0; i < n; i++, s += srcStride, t += dstStride) {
                    b[t] = a[s];
                }
            }
            case short[] a -> {
                short[] b = (short[]) dst;
                for (int i = 0; i < n; i++, s += srcStride, t += dstStride) {
                    b[t] = a[s];
                }
            }
            case byte[] a -> {
                byte[] b = (byte[]) dst;
                for (int i = 0; i < n; i++, s += srcStride, t += dstStride) {
                    b[t] = a[s];
                }
            }
            case boolean[] a -> {
                boolean[] b = (boolean[]) dst;
                for (int i = 0; i < n; i++, s += srcStride, t += dstStride) {
                    b[t] = a[s];
                }
            }
            case Object[] a -> {
                Object[] b = (Object[]) dst;
                for (int i = 0; i < n; i++, s += srcStride, t += dstStride) {
                    b[t] = a[s];
                }
            }
            default -> throw new IllegalArgumentException("not a tensor storage array: "
                    + src.getClass().getSimpleName());
        }
    }

    /** Sets {@code dst[i] = src[index[i]]} for every element {@code i} of {@code index}. */
    public static void gather(Object src, int[] index, Object dst, int slots) {
        if (slots > 1) {
            for (int i = 0; i < index.length; i++) {
                System.arraycopy(src, index[i] * slots, dst, i * slots, slots);
            }
            return;
        }
        int n = index.length;
        switch (src) {
            case float[] a -> {
                float[] b = (float[]) dst;
                for (int i = 0; i < n; i++) {
                    b[i] = a[index[i]];
                }
            }
            case double[] a -> {
                double[] b = (double[]) dst;
                for (int i = 0; i < n; i++) {
                    b[i] = a[index[i]];
                }
            }
            case long[] a -> {
                long[] b = (long[]) dst;
                for (int i = 0; i < n; i++) {
                    b[i] = a[index[i]];
                }
            }
            case int[] a -> {
                int[] b = (int[]) dst;
                for (int i = 0; i < n; i++) {
                    b[i] = a[index[i]];
                }
            }
            case short[] a -> {
                short[] b = (short[]) dst;
                for (int i = 0; i < n; i++) {
                    b[i] = a[index[i]];
                }
            }
            case byte[] a -> {
                byte[] b = (byte[]) dst;
                for (int i = 0; i < n; i++) {
                    b[i] = a[index[i]];
                }
            }
            case boolean[] a -> {
                boolean[] b = (boolean[]) dst;
                for (int i = 0; i < n; i++) {
                    b[i] = a[index[i]];
                }
            }
            case Object[] a -> {
                Object[] b = (Object[]) dst;
                for (int i = 0; i < n; i++) {
                    b[i] = a[index[i]];
                }
            }
            default -> throw new IllegalArgumentException("not a tensor storage array: "
                    + src.getClass().getSimpleName());
        }
    }

    /** Sets {@code dst[index[i]] = src[i]} for every element {@code i} of {@code index}, in order. */
    public static void scatter(Object src, int[] index, Object dst, int slots) {
        if (slots > 1) {
            for (int i = 0; i < index.length; i++) {
                System.arraycopy(src, i * slots, dst, index[i] * slots, slots);
            }
            return;
        }
        int n = index.length;
        switch (src) {
            case float[] a -> {
                float[] b = (float[]) dst;
                for (int i = 0; i < n; i++) {
                    b[index[i]] = a[i];
                }
            }
            case double[] a -> {
                double[] b = (double[]) dst;
                for (int i = 0; i < n; i++) {
                    b[index[i]] = a[i];
                }
            }
            case long[] a -> {
                long[] b = (long[]) dst;
                for (int i = 0; i < n; i++) {
                    b[index[i]] = a[i];
                }
            }
            case int[] a -> {
                int[] b = (int[]) dst;
                for (int i = 0; i < n; i++) {
                    b[index[i]] = a[i];
                }
            }
            case short[] a -> {
                short[] b = (short[]) dst;
                for (int i = 0; i < n; i++) {
                    b[index[i]] = a[i];
                }
            }
            case byte[] a -> {
                byte[] b = (byte[]) dst;
                for (int i = 0; i < n; i++) {
                    b[index[i]] = a[i];
                }
            }
            case boolean[] a -> {
                boolean[] b = (boolean[]) dst;
                for (int i = 0; i < n; i++) {
                    b[index[i]] = a[i];
                }
            }
            case Object[] a -> {
                Object[] b = (Object[]) dst;
                for (int i = 0; i < n; i++) {
                    b[index[i]] = a[i];
                }
            }
            default -> throw new IllegalArgumentException("not a tensor storage array: "
                    + src.getClass().getSimpleName());
        }
    }

    /**
     * Fills elements {@code [from, to)} of {@code dst} with element {@code valueIndex} of
     * {@code value}, an array of the same class.
     */
    public static void fill(Object dst, int from, int to, Object value, int valueIndex, int slots) {
        if (from >= to) {
            return;
        }
        if (slots > 1) {
            for (int i = from; i < to; i++) {
                System.arraycopy(value, valueIndex * slots, dst, i * slots, slots);
            }
            return;
        }
        switch (dst) {
            case float[] b -> Arrays.fill(b, from, to, ((float[]) value)[valueIndex]);
            case double[] b -> Arrays.fill(b, from, to, ((double[]) value)[valueIndex]);
            case long[] b -> Arrays.fill(b, from, to, ((long[]) value)[valueIndex]);
            case int[] b -> Arrays.fill(b, from, to, ((int[]) value)[valueIndex]);
            case short[] b -> Arrays.fill(b, from, to, ((short[]) value)[valueIndex]);
            case byte[] b -> Arrays.fill(b, from, to, ((byte[]) value)[valueIndex]);
            case boolean[] b -> Arrays.fill(b, from, to, ((boolean[]) value)[valueIndex]);
            case Object[] b -> Arrays.fill(b, from, to, ((Object[]) value)[valueIndex]);
            default -> throw new IllegalArgumentException("not a tensor storage array: "
                    + dst.getClass().getSimpleName());
        }
    }
}
