package dev.jonnx.runtime.kernel;

/**
 * The per-element work of the fused quantized matmul. It finds the range of the input and
 * quantizes it to uint8 as DynamicQuantizeLinear does, storing each quantized value minus the
 * zero point in float, and it dequantizes the products. The vector path ({@link DynamicQuantizeVector}) returns exactly what the scalar
 * reference does, because every step is either a comparison or exact float arithmetic.
 */
public final class DynamicQuantize {
    private DynamicQuantize() {}

    /**
     * Stores in {@code range} the minimum and maximum of x[from, to) and of {@code range}'s
     * current values. NaN is skipped because it compares false.
     */
    public static void range(float[] x, int from, int to, float[] range) {
        if (Simd.enabled()) {
            DynamicQuantizeVector.range(x, from, to, range);
        } else {
            rangeScalar(x, from, to, range);
        }
    }

    public static void rangeScalar(float[] x, int from, int to, float[] range) {
        float min = range[0];
        float max = range[1];
        for (int i = from; i < to; i++) {
            float v = x[i];
            min = v < min ? v : min;
            max = v > max ? v : max;
        }
        range[0] = min;
        range[1] = max;
    }

    /**
     * Quantizes x[from, from + count) as DynamicQuantizeLinear does with {@code scale} and
     * {@code zeroPoint} (from 0 to 255), and stores each quantized value minus the zero point in
     * {@code out} from {@code outFrom}. Returns the sum of the magnitudes stored.
     */
    public static int quantize(float[] x, int from, int count, float scale, int zeroPoint, float[] out,
            int outFrom) {
        if (Simd.enabled()) {
            return DynamicQuantizeVector.quantize(x, from, count, scale, zeroPoint, out, outFrom);
        }
        return quantizeScalar(x, from, count, scale, zeroPoint, out, outFrom);
    }

    public static int quantizeScalar(float[] x, int from, int count, float scale, int zeroPoint, float[] out,
            int outFrom) {
        int sum = 0;
        for (int i = 0; i < count; i++) {
            int v = quantizeOne(x[from + i], scale, zeroPoint) - zeroPoint;
            out[outFrom + i] = v;
            sum += Math.abs(v);
        }
        return sum;
    }

    /**
     * Dequantizes n exact integer products from c[from] into out[at]: out[at + j] becomes
     * {@code (c[from + j] + 0) * scales[j] + biases[j]} (without the bias when {@code biases} is
     * null), rounding after each operation as separate Mul and Add nodes do. Adding +0 first
     * turns a product of -0 into +0, as an int32 product converted to float would be. The two
     * ranges may be the same but must not overlap otherwise.
     */
    public static void dequantize(float[] c, int from, float[] out, int at, int n, float[] scales, float[] biases) {
        if (biases == null) {
            for (int j = 0; j < n; j++) {
                out[at + j] = (c[from + j] + 0f) * scales[j];
            }
        } else {
            for (int j = 0; j < n; j++) {
                out[at + j] = (c[from + j] + 0f) * scales[j] + biases[j];
            }
        }
    }

    /** Like {@link #dequantize(float[], int, float[], int, int, float[], float[])} for int products. */
    public static void dequantize(int[] sums, int from, float[] out, int at, int n, float[] scales, float[] biases) {
        if (biases == null) {
            for (int j = 0; j < n; j++) {
                out[at + j] = (float) sums[from + j] * scales[j];
            }
        } else {
            for (int j = 0; j < n; j++) {
                out[at + j] = (float) sums[from + j] * scales[j] + biases[j];
            }
        }
    }

    /**
     * Returns x / scale rounded half to even, plus the zero point, saturated to [0, 255]. A zero
     * scale quantizes everything to 0, and NaN to the zero point.
     */
    public static int quantizeOne(float x, float scale, int zeroPoint) {
        if (scale == 0f) {
            return 0;
        }
        double shifted = Math.rint(x / scale) + zeroPoint;
        if (Double.isNaN(shifted)) {
            return zeroPoint;
        }
        return (int) Math.clamp(shifted, 0.0, 255.0);
    }
}
