package dev.jonnx.runtime.ops.attention;

import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;

/**
 * RotaryEmbedding: rotates the first {@code rotary_embedding_dim} features of every head by
 * position-dependent angles. The input is (batch, heads, sequence, head_size) or (batch,
 * sequence, heads * head_size) with {@code num_heads}. The caches are (batch, sequence, dim / 2)
 * without {@code position_ids}, or (max_position, dim / 2) indexed by the (batch, sequence)
 * position ids. Pairs are the two halves of the rotated features, or neighbors when
 * {@code interleaved} is set.
 */
final class RotaryEmbedding {
    private RotaryEmbedding() {}

    static KernelFactory factory() {
        return node -> {
            boolean interleaved = node.getInt("interleaved", 0) != 0;
            long numHeads = node.getInt("num_heads", 0);
            long rotaryDim = node.getInt("rotary_embedding_dim", 0);
            return (inputs, ctx) -> new Value[] {
                rotate((Tensor) inputs[0], (Tensor) inputs[1], (Tensor) inputs[2],
                        inputs.length > 3 ? (Tensor) inputs[3] : null, interleaved, (int) numHeads, (int) rotaryDim)
            };
        };
    }

    static Tensor rotate(Tensor x, Tensor cos, Tensor sin, Tensor positionIds, boolean interleaved, int numHeads,
            int rotaryDimAttribute) {
        int batch = x.dim(0);
        int seq;
        int heads;
        int headSize;
        // Strides of the (batch, sequence, head) coordinates in the input's storage.
        int batchStride;
        int seqStride;
        int headStride;
        if (x.rank() == 4) {
            heads = x.dim(1);
            seq = x.dim(2);
            headSize = x.dim(3);
            headStride = seq * headSize;
            seqStride = headSize;
            batchStride = heads * seq * headSize;
        } else if (x.rank() == 3) {
            if (numHeads <= 0) {
                throw new IllegalArgumentException("attribute 'num_heads' is required for a 3-D input, got "
                        + numHeads);
            }
            seq = x.dim(1);
            heads = numHeads;
            if (x.dim(2) % heads != 0) {
                throw new IllegalArgumentException("hidden size " + x.dim(2) + " is not a multiple of num_heads "
                        + heads);
            }
            headSize = x.dim(2) / heads;
            headStride = headSize;
            seqStride = heads * headSize;
            batchStride = seq * heads * headSize;
        } else {
            throw new IllegalArgumentException("input 'X' must be 3-D or 4-D, got " + x.describe());
        }
        int rotaryDim = rotaryDimAttribute == 0 ? headSize : rotaryDimAttribute;
        if (rotaryDim > headSize || rotaryDim % 2 != 0) {
            throw new IllegalArgumentException("rotary_embedding_dim " + rotaryDim
                    + " must be even and at most the head size " + headSize);
        }
        int half = rotaryDim / 2;
        if (cos.dim(-1) != half || sin.dim(-1) != half) {
            throw new IllegalArgumentException("the last dimension of cos_cache and sin_cache must be "
                    + "rotary_embedding_dim / 2 = " + half + ", got " + cos.describe() + " and " + sin.describe());
        }
        long[] positions = positionIds == null ? null : positionIds.toLongArray();
        if (positions != null && positions.length != batch * seq) {
            throw new IllegalArgumentException("input 'position_ids' must have shape [" + batch + ", " + seq
                    + "], got " + positionIds.describe());
        }
        if (positions == null && cos.size() != batch * seq * half) {
            throw new IllegalArgumentException("without position_ids, cos_cache must have shape [" + batch + ", "
                    + seq + ", " + half + "], got " + cos.describe());
        }
        double[] in = x.toDoubleArray();
        double[] cosValues = cos.toDoubleArray();
        double[] sinValues = sin.toDoubleArray();
        int cacheRows = cos.size() / half;
        double[] out = in.clone();
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < seq; s++) {
                long row = positions == null ? (long) b * seq + s : positions[b * seq + s];
                if (row < 0 || row >= cacheRows) {
                    throw new IllegalArgumentException("position id " + row + " is outside the cache of "
                            + cacheRows + " positions");
                }
                int cacheBase = (int) row * half;
                for (int h = 0; h < heads; h++) {
                    int base = b * batchStride + s * seqStride + h * headStride;
                    for (int i = 0; i < half; i++) {
                        int first = interleaved ? base + 2 * i : base + i;
                        int second = interleaved ? first + 1 : base + half + i;
                        double c = cosValues[cacheBase + i];
                        double sn = sinValues[cacheBase + i];
                        double x1 = in[first];
                        double x2 = in[second];
                        out[first] = c * x1 - sn * x2;
                        out[second] = sn * x1 + c * x2;
                    }
                }
            }
        }
        return Tensor.fromDoubles(x.type(), x.shape(), out);
    }
}
