package dev.jonnx.runtime.kernel;

import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;

/**
 * Builds a tensor by picking elements of another tensor of any type, for operators that only
 * move data (DepthToSpace, nearest-neighbour resizing, cropping and padding).
 */
public final class ElementGather {
    private ElementGather() {}

    /**
     * Returns a tensor of {@code shape} whose element {@code i} is element {@code index[i]} of
     * {@code source}. An index of -1 leaves the zero of the type (false, "" for strings) in
     * place. Complex elements move as (real, imaginary) pairs.
     *
     * @param index one source element index per output element, row-major
     */
    public static Tensor gather(Tensor source, int[] shape, int[] index) {
        DataType type = source.type();
        int size = Tensor.sizeOf(shape);
        if (index.length != size) {
            throw new IllegalArgumentException("gather needs " + size + " indices for shape "
                    + java.util.Arrays.toString(shape) + ", got " + index.length);
        }
        Object out = Tensor.allocate(type, size);
        Object in = source.data();
        int slots = type.slotsPerElement();
        if (slots == 1) {
            switch (in) {
                case float[] a -> {
                    float[] o = (float[]) out;
                    for (int i = 0; i < size; i++) {
                        if (index[i] >= 0) {
                            o[i] = a[index[i]];
                        }
                    }
                }
                case double[] a -> {
                    double[] o = (double[]) out;
                    for (int i = 0; i < size; i++) {
                        if (index[i] >= 0) {
                            o[i] = a[index[i]];
                        }
                    }
                }
                case byte[] a -> {
                    byte[] o = (byte[]) out;
                    for (int i = 0; i < size; i++) {
                        if (index[i] >= 0) {
                            o[i] = a[index[i]];
                        }
                    }
                }
                case short[] a -> {
                    short[] o = (short[]) out;
                    for (int i = 0; i < size; i++) {
                        if (index[i] >= 0) {
                            o[i] = a[index[i]];
                        }
                    }
                }
                case int[] a -> {
                    int[] o = (int[]) out;
                    for (int i = 0; i < size; i++) {
                        if (index[i] >= 0) {
                            o[i] = a[index[i]];
                        }
                    }
                }
                case long[] a -> {
                    long[] o = (long[]) out;
                    for (int i = 0; i < size; i++) {
                        if (index[i] >= 0) {
                            o[i] = a[index[i]];
                        }
                    }
                }
                case boolean[] a -> {
                    boolean[] o = (boolean[]) out;
                    for (int i = 0; i < size; i++) {
                        if (index[i] >= 0) {
                            o[i] = a[index[i]];
                        }
                    }
                }
                case String[] a -> {
                    String[] o = (String[]) out;
                    for (int i = 0; i < size; i++) {
                        if (index[i] >= 0) {
                            o[i] = a[index[i]];
                        }
                    }
                }
                default -> throw new IllegalStateException("unexpected storage " + in.getClass());
            }
        } else {
            for (int i = 0; i < size; i++) {
                if (index[i] >= 0) {
                    System.arraycopy(in, index[i] * slots, out, i * slots, slots);
                }
            }
        }
        return Tensor.of(type, shape, out);
    }
}
