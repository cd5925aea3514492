package dev.jonnx.runtime.kernel;

/**
 * The per-element work of the fused quantized matmul. It finds the range of the input and
 * quantizes it to uint8 as DynamicQuantizeLinear does, storing each quantized value minus the
 * zero point in float, and it dequantizes the products. The vector path
 * ({@link DynamicQuantizeVector}) returns exactly what the scalar reference does: the range and
 * the quantization are comparisons and exact float arithmetic, and the dequantization rounds
 * the same operations in the same order.
 */
public final class DynamicQuantize {
    private DynamicQuantize() {}

    /**
     * Stores in {@code range} the minimum and maximum of x[from, to) and of {@code range}'s
     * current values. NaN is skipped because it compares false.
     */
    public static void range(float[] x, int from, int to, float[] range) {
        range(x, from, to, range, 0);
    }

    /** Like {@link #range(float[], int, int, float[])} with the minimum and maximum at range[at] and range[at + 1]. */
    public static void range(float[] x, int from, int to, float[] range, int at) {
        if (Simd.enabled()) {
            DynamicQuantizeVector.range(x, from, to, range, at);
        } else {
            rangeScalar(x, from, to, range, at);
        }
    }

    public static void rangeScalar(float[] x, int from, int to, float[] range) {
        rangeScalar(x, from, to, range, 0);
    }

    public static void rangeScalar(float[] x, int from, int to, float[] range, int at) {
        float min = range[at];
        float max = range[at + 1];
        for (int i = from; i < to; i++) {
            float v = x[i];
            min = v < min ? v : min;
            max = v > max ? v : max;
        }
        range[at] = min;
        range[at + 1] = max;
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
     * {@code (c[from + j] + 0) * (scale * scales[j]) + biases[j] + residual[residualAt + j]},
     * rounding after each operation as separate Mul and Add nodes do. The bias is left out when
     * {@code biases} is null, and the residual when {@code residual} is null. Adding +0 first
     * turns a product of -0 into +0, as an int32 product converted to float would be. The
     * ranges of c and out may be the same but must not overlap otherwise.
     */
    public static void dequantize(float[] c, int from, float[] out, int at, int n, float scale, float[] scales,
            float[] biases, float[] residual, int residualAt) {
        if (Simd.enabled()) {
            DynamicQuantizeVector.dequantize(c, from, out, at, n, scale, scales, biases, residual, residualAt);
        } else {
            dequantizeScalar(c, from, out, at, n, scale, scales, biases, residual, residualAt);
        }
    }

    public static void dequantizeScalar(float[] c, int from, float[] out, int at, int n, float scale,
            float[] scales, float[] biases, float[] residual, int residualAt) {
        dequantizeColumns(c, from, out, at, 0, n, scale, scales, biases, residual, residualAt);
    }

    /** Dequantizes columns {@code first} to {@code n - 1} one at a time. The vector path calls it for its tail. */
    static void dequantizeColumns(float[] c, int from, float[] out, int at, int first, int n, float scale,
            float[] scales, float[] biases, float[] residual, int residualAt) {
        for (int j = first; j < n; j++) {
            float y = (c[from + j] + 0f) * (scale * scales[j]);
            if (biases != null) {
                y += biases[j];
            }
            if (residual != null) {
                y += residual[residualAt + j];
            }
            out[at + j] = y;
        }
    }

    /**
     * Like {@link #dequantize(float[], int, float[], int, int, float, float[], float[], float[], int)}
     * for int products, which the conversion to float rounds to nearest.
     */
    public static void dequantize(int[] sums, int from, float[] out, int at, int n, float scale, float[] scales,
            float[] biases, float[] residual, int residualAt) {
        for (int j = 0; j < n; j++) {
            float y = (float) sums[from + j] * (scale * scales[j]);
            if (biases != null) {
                y += biases[j];
            }
            if (residual != null) {
                y += residual[residualAt + j];
            }
            out[at + j] = y;
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
