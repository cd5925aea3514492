package dev.jonnx.runtime.ops.fused;

import dev.jonnx.runtime.kernel.Attention;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * dev.jonnx FusedAttention: multi-head scaled dot-product attention on FLOAT tensors in the
 * [batch, sequence, heads * head size] layout (an input of higher rank is viewed as [dim 0,
 * dim 1, product of the rest]). Inputs: Q [B, Sq, H*D], K [B, Skv, H*D], V [B, Skv, H*Dv]
 * and an optional additive mask that broadcasts to [B, H, Sq, Skv]. The batch sizes of Q, K,
 * V and a rank-4 mask broadcast as in the unfused MatMul and Add nodes. Attributes:
 * {@code num_heads} (H) and {@code scale}. For each batch b and head h, with Q_h, K_h and V_h
 * the h-th slices of the last axis, the output slice is softmax(scale * Q_h K_h^T + mask[b, h])
 * V_h, written to Y [B, Sq, H*Dv]. Batches and heads run in parallel on the session's threads,
 * each (batch, head) pair through {@link Attention#attend} on the slices in place.
 */
final class FusedAttention {
    private FusedAttention() {}

    static Kernel create(NodeContext node) {
        long heads = node.getInt("num_heads");
        if (heads <= 0 || heads > Integer.MAX_VALUE) {
            throw node.error("num_heads must be positive, got " + heads);
        }
        float scale = node.getFloat("scale");
        int h = (int) heads;
        return (inputs, ctx) -> new Value[] {
            attend((Tensor) inputs[0], (Tensor) inputs[1], (Tensor) inputs[2],
                    inputs.length > 3 ? (Tensor) inputs[3] : null, h, scale, ctx)
        };
    }

    static Tensor attend(Tensor q, Tensor k, Tensor v, Tensor mask, int heads, float scale, RunContext ctx) {
        int[] qShape = view("Q", q, heads);
        int[] kShape = view("K", k, heads);
        int[] vShape = view("V", v, heads);
        int queries = qShape[1];
        int keys = kShape[1];
        if (vShape[1] != keys || kShape[2] != qShape[2]) {
            throw new IllegalArgumentException("inputs 'K' and 'V' must be [B, S, " + qShape[2]
                    + "] and [B, S, H*Dv] with the same S, got " + k.describe() + " and " + v.describe());
        }
        // The batch axis broadcasts as in the unfused MatMul and Add nodes: a size of 1 repeats.
        int batch = broadcastBatch(broadcastBatch(qShape[0], kShape[0], "Q", "K"), vShape[0], "Q, K", "V");
        if (mask != null && mask.rank() == 4) {
            batch = broadcastBatch(batch, mask.dim(0), "Q, K, V", "mask");
        }
        int qBatchStride = qShape[0] == 1 ? 0 : 1;
        int kBatchStride = kShape[0] == 1 ? 0 : 1;
        int vBatchStride = vShape[0] == 1 ? 0 : 1;
        int qWidth = qShape[2];
        int vWidth = vShape[2];
        int depth = qWidth / heads;
        int valueDepth = vWidth / heads;
        int[] maskStrides = mask == null ? null : maskStrides(mask, new int[] {batch, heads, queries, keys});
        float[] maskData = mask == null ? null : mask.floats();
        float[] qv = q.floats();
        float[] kv = k.floats();
        float[] vv = v.floats();
        float[] out = ctx.newFloats(batch * queries * vWidth);
        long cost = 2L * queries * keys * (depth + valueDepth);
        ctx.parallelFor(batch * heads, cost, (from, to) -> {
            for (int item = from; item < to; item++) {
                int b = item / heads;
                int h = item % heads;
                Attention.Rows queryHead = new Attention.Rows(qv, b * qBatchStride * queries * qWidth + h * depth, qWidth);
                Attention.Rows keyHead = new Attention.Rows(kv, b * kBatchStride * keys * qWidth + h * depth, qWidth);
                Attention.Rows valueHead = new Attention.Rows(vv, b * vBatchStride * keys * vWidth + h * valueDepth, vWidth);
                Attention.Mask maskHead = maskData == null ? null
                        : new Attention.Mask(maskData, b * maskStrides[0] + h * maskStrides[1], maskStrides[2],
                                maskStrides[3]);
                Attention.Rows outputHead = new Attention.Rows(out, b * queries * vWidth + h * valueDepth, vWidth);
                Attention.attend(queries, keys, depth, valueDepth, queryHead, keyHead, valueHead, maskHead, scale,
                        outputHead);
            }
        });
        return Tensor.of(DataType.FLOAT, new int[] {batch, queries, vWidth}, out);
    }

    private static int broadcastBatch(int a, int b, String aName, String bName) {
        if (a != b && a != 1 && b != 1) {
            throw new IllegalArgumentException("the batch sizes of " + aName + " (" + a + ") and " + bName
                    + " (" + b + ") do not broadcast");
        }
        return Math.max(a, b);
    }

    /**
     * Returns x's shape viewed as [dim 0, dim 1, product of the rest], as the Reshape to [0, 0,
     * H, D] in the unfused graph reads it, after checking the type and that the last part splits
     * into the heads.
     */
    private static int[] view(String name, Tensor x, int heads) {
        if (x.type() != DataType.FLOAT || x.rank() < 2) {
            throw new IllegalArgumentException("input '" + name + "' must be a float tensor of shape [B, S, "
                    + heads + " * head size], got " + x.describe());
        }
        int width = 1;
        for (int d = 2; d < x.rank(); d++) {
            width *= x.dim(d);
        }
        if (width % heads != 0) {
            throw new IllegalArgumentException("input '" + name + "' must be a float tensor of shape [B, S, "
                    + heads + " * head size], got " + x.describe());
        }
        return new int[] {x.dim(0), x.dim(1), width};
    }

    /**
     * Returns the mask's element strides along [B, H, Sq, Skv], 0 along broadcast axes, after
     * checking that the mask broadcasts to {@code scores} without growing it.
     */
    private static int[] maskStrides(Tensor mask, int[] scores) {
        if (mask.type() != DataType.FLOAT || mask.rank() > 4) {
            throw new IllegalArgumentException("input 'mask' must be a float tensor of rank 4 or less, got "
                    + mask.describe());
        }
        int[] strides = new int[4];
        int stride = 1;
        for (int axis = 3; axis >= 0; axis--) {
            int maskAxis = axis - (4 - mask.rank());
            int dim = maskAxis < 0 ? 1 : mask.dim(maskAxis);
            if (dim != 1 && dim != scores[axis]) {
                throw new IllegalArgumentException("input 'mask' of shape " + Arrays.toString(mask.shape())
                        + " does not broadcast to the scores' shape " + Arrays.toString(scores));
            }
            strides[axis] = dim == 1 ? 0 : stride;
            stride *= dim;
        }
        return strides;
    }
}
