package dev.jonnx.runtime.kernel;

/**
 * Scaled dot-product attention for one head: Y = softmax(scale * Q K^T + mask) V, where Q is
 * queries x depth, K is keys x depth, V is keys x valueDepth and Y is queries x valueDepth, each
 * a block of rows inside a larger array, so the heads of a [batch, sequence, heads * head size]
 * tensor are read and written in place.
 *
 * <p>With {@link Simd#enabled()} the vector path ({@link AttentionVector}) runs, otherwise
 * {@link #attendScalar}, which is the reference the tests compare against. Both compute the
 * scores as float dot products, add the scaled score and the mask as two rounded operations
 * (as the unfused Mul and Add nodes do) and take the softmax with the max subtracted. They differ
 * in summation order and in where the 1/sum factor is applied: the scalar path scales the
 * probabilities, the vector path scales the output rows. The vector path also gives a weight of
 * exactly 0 to scores more than 87.3 below the row max, where the scalar path keeps subnormal
 * weights. A row whose scores are all -Inf (a fully masked row) gives NaN in both, as the
 * unfused Softmax does. With no keys the output is zero, as the unfused MatMul over an empty
 * axis gives.
 */
public final class Attention {
    private Attention() {}

    /** A matrix inside an array: element (r, c) is at {@code data[offset + r * stride + c]}. */
    public record Rows(float[] data, int offset, int stride) {}

    /**
     * An additive mask over the queries x keys scores: element (i, j) is at {@code data[offset +
     * i * rowStride + j * columnStride]}, where a stride of 0 repeats the element along that axis.
     */
    public record Mask(float[] data, int offset, int rowStride, int columnStride) {
        float get(int i, int j) {
            return data[offset + i * rowStride + j * columnStride];
        }
    }

    /**
     * Writes one head's attention output into {@code y}, choosing the vector or the scalar path.
     * {@code mask} may be null. Only the queries x valueDepth elements of {@code y} are written.
     */
    public static void attend(int queries, int keys, int depth, int valueDepth, Rows q, Rows k, Rows v,
            Mask mask, float scale, Rows y) {
        if (Simd.enabled()) {
            AttentionVector.attend(queries, keys, depth, valueDepth, q, k, v, mask, scale, y);
        } else {
            attendScalar(queries, keys, depth, valueDepth, q, k, v, mask, scale, y);
        }
    }

    /** Computes {@link #attend} one query row at a time with plain loops. */
    public static void attendScalar(int queries, int keys, int depth, int valueDepth, Rows q, Rows k, Rows v,
            Mask mask, float scale, Rows y) {
        float[] p = new float[keys];
        for (int i = 0; i < queries; i++) {
            int qRow = q.offset() + i * q.stride();
            for (int j = 0; j < keys; j++) {
                int kRow = k.offset() + j * k.stride();
                float dot = 0;
                for (int d = 0; d < depth; d++) {
                    dot += q.data()[qRow + d] * k.data()[kRow + d];
                }
                float scaled = dot * scale;
                p[j] = mask == null ? scaled : scaled + mask.get(i, j);
            }
            if (keys > 0) {
                Softmax.softmaxScalar(p, 0, p, 0, 1, keys);
            }
            int yRow = y.offset() + i * y.stride();
            for (int e = 0; e < valueDepth; e++) {
                float sum = 0;
                for (int j = 0; j < keys; j++) {
                    sum += p[j] * v.data()[v.offset() + j * v.stride() + e];
                }
                y.data()[yRow + e] = sum;
            }
        }
    }
}
