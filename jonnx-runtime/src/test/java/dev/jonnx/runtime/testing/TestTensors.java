package dev.jonnx.runtime.testing;

import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.Random;

/**
 * Tensors and arrays for tests. Random data is drawn from the caller's {@link Random}, so a
 * test that seeds it gets the same values on every run. Each value takes exactly one draw, in
 * index order.
 */
public final class TestTensors {
    private TestTensors() {}

    /** Returns {@code size} floats drawn uniformly from [low, high). */
    public static float[] uniform(Random random, float low, float high, int size) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = low + (high - low) * random.nextFloat();
        }
        return values;
    }

    /** Returns {@code size} standard normal values rounded to float. */
    public static float[] gaussian(Random random, int size) {
        return gaussian(random, 1, size);
    }

    /** Returns {@code size} normal values of mean 0 and the given deviation, rounded to float. */
    public static float[] gaussian(Random random, double deviation, int size) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) (random.nextGaussian() * deviation);
        }
        return values;
    }

    /**
     * Returns the values of {@link #gaussian(Random, double, int)} as doubles, so a double
     * reference and a float kernel see the same inputs, because each value is exact in float.
     */
    public static double[] gaussianDoubles(Random random, double deviation, int size) {
        double[] values = new double[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) (random.nextGaussian() * deviation);
        }
        return values;
    }

    /** Returns a float tensor of the given shape with values drawn uniformly from [low, high). */
    public static Tensor uniformTensor(Random random, float low, float high, int... shape) {
        return Tensor.of(uniform(random, low, high, Tensor.sizeOf(shape)), shape);
    }

    /** Returns a float tensor of the given shape with normal values of the given deviation. */
    public static Tensor gaussianTensor(Random random, double deviation, int... shape) {
        return Tensor.of(gaussian(random, deviation, Tensor.sizeOf(shape)), shape);
    }

    /** Returns a tensor of a one-byte type (INT8, UINT8, ...) whose values are cast to byte. */
    public static Tensor bytes(DataType type, int[] shape, int... values) {
        byte[] data = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            data[i] = (byte) values[i];
        }
        return Tensor.of(type, shape, data);
    }

    /** Returns a one-dimensional float tensor of the values. */
    public static Tensor vector(float... values) {
        return Tensor.of(values, values.length);
    }

    /** Returns a one-dimensional int64 tensor of the values. */
    public static Tensor longs(long... values) {
        return Tensor.of(values, values.length);
    }
}
