package dev.jonnx.runtime.ops.attention;

import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * Attention (opsets 23 and 24): softmax(scale * Q K^T + bias) V per head, computed in double.
 *
 * <p>Q, K and V are 4-D (batch, heads, sequence, head_size) or 3-D (batch, sequence, heads *
 * head_size) with {@code q_num_heads} and {@code kv_num_heads}. With fewer key/value heads than
 * query heads (grouped-query attention), query head h reads key/value head h / (q_heads /
 * kv_heads). {@code past_key} and {@code past_value} are prepended to K and V along the
 * sequence and the results are returned as {@code present_key} and {@code present_value}.
 *
 * <p>The bias is the sum of the mask input (bool: 0 or -inf, other types: added as is, padded
 * with -inf when its last dimension is shorter than the total sequence), the causal mask
 * (query i attends key j iff j <= i + offset) and, from opset 24, -inf for keys at or beyond
 * {@code nonpad_kv_seqlen}. The causal offset is the past length with a past cache, {@code
 * nonpad_kv_seqlen - q_sequence_length} per batch with only {@code nonpad_kv_seqlen}, else 0.
 * A query row whose keys are all masked gives a zero output row.
 */
final class Attention {
    private Attention() {}

    /** The parsed attributes and which optional inputs and outputs the node uses. */
    record Config(int qHeads, int kvHeads, boolean causal, int qkMode, Float scale, float softcap,
            boolean wantQk, boolean wantPresent) {}

    static KernelFactory factory() {
        return node -> {
            long qkMode = node.getInt("qk_matmul_output_mode", 0);
            if (qkMode < 0 || qkMode > 3) {
                throw node.error("attribute 'qk_matmul_output_mode' must be 0, 1, 2 or 3, got " + qkMode);
            }
            if (node.hasInput(4) != node.hasInput(5)) {
                throw node.error("inputs 'past_key' and 'past_value' must be given together");
            }
            Config config = new Config((int) node.getInt("q_num_heads", 0), (int) node.getInt("kv_num_heads", 0),
                    node.getInt("is_causal", 0) != 0, (int) qkMode,
                    node.hasAttribute("scale") ? node.getFloat("scale") : null, node.getFloat("softcap", 0f),
                    node.hasOutput(3), node.hasOutput(1) || node.hasOutput(2));
            return (inputs, ctx) -> run(config, inputs);
        };
    }

    /** A Q, K or V operand in (batch, heads, sequence, head_size) layout. */
    private record Heads(double[] data, int batch, int heads, int seq, int headSize) {
        double get(int b, int h, int s, int d) {
            return data[((b * heads + h) * seq + s) * headSize + d];
        }
    }

    private static Heads toHeads(String name, Tensor t, int headsAttribute, String attributeName) {
        double[] values = t.toDoubleArray();
        if (t.rank() == 4) {
            return new Heads(values, t.dim(0), t.dim(1), t.dim(2), t.dim(3));
        }
        if (t.rank() != 3) {
            throw new IllegalArgumentException("input '" + name + "' must be 3-D or 4-D, got " + t.describe());
        }
        if (headsAttribute <= 0) {
            throw new IllegalArgumentException("attribute '" + attributeName + "' is required for a 3-D input '"
                    + name + "'");
        }
        int batch = t.dim(0);
        int seq = t.dim(1);
        if (t.dim(2) % headsAttribute != 0) {
            throw new IllegalArgumentException("input '" + name + "' hidden size " + t.dim(2)
                    + " is not a multiple of " + attributeName + " " + headsAttribute);
        }
        int headSize = t.dim(2) / headsAttribute;
        double[] out = new double[values.length];
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < seq; s++) {
                for (int h = 0; h < headsAttribute; h++) {
                    System.arraycopy(values, ((b * seq + s) * headsAttribute + h) * headSize, out,
                            ((b * headsAttribute + h) * seq + s) * headSize, headSize);
                }
            }
        }
        return new Heads(out, batch, headsAttribute, seq, headSize);
    }

    /** Concatenates past and current along the sequence, or returns current without a past. */
    private static Heads concat(String name, Tensor past, Heads current) {
        if (past == null) {
            return current;
        }
        if (past.rank() != 4 || past.dim(0) != current.batch() || past.dim(1) != current.heads()
                || past.dim(3) != current.headSize()) {
            throw new IllegalArgumentException("input '" + name + "' must have shape [" + current.batch() + ", "
                    + current.heads() + ", past_sequence_length, " + current.headSize() + "], got " + past.describe());
        }
        double[] pastValues = past.toDoubleArray();
        int pastSeq = past.dim(2);
        int seq = pastSeq + current.seq();
        int hs = current.headSize();
        double[] out = new double[current.batch() * current.heads() * seq * hs];
        for (int bh = 0; bh < current.batch() * current.heads(); bh++) {
            System.arraycopy(pastValues, bh * pastSeq * hs, out, bh * seq * hs, pastSeq * hs);
            System.arraycopy(current.data(), bh * current.seq() * hs, out, (bh * seq + pastSeq) * hs,
                    current.seq() * hs);
        }
        return new Heads(out, current.batch(), current.heads(), seq, hs);
    }

    static Value[] run(Config config, Value[] inputs) {
        Tensor qTensor = (Tensor) inputs[0];
        Tensor kTensor = (Tensor) inputs[1];
        Tensor vTensor = (Tensor) inputs[2];
        Tensor mask = input(inputs, 3);
        Tensor pastKey = input(inputs, 4);
        Tensor pastValue = input(inputs, 5);
        Tensor nonPad = input(inputs, 6);
        if (pastKey != null && nonPad != null) {
            throw new IllegalArgumentException("input 'nonpad_kv_seqlen' cannot be used together with past_key");
        }
        Heads q = toHeads("Q", qTensor, config.qHeads(), "q_num_heads");
        Heads k = concat("past_key", pastKey, toHeads("K", kTensor, config.kvHeads(), "kv_num_heads"));
        Heads v = concat("past_value", pastValue, toHeads("V", vTensor, config.kvHeads(), "kv_num_heads"));
        int batch = q.batch();
        int qHeads = q.heads();
        int kvHeads = k.heads();
        int qSeq = q.seq();
        int total = k.seq();
        int headSize = q.headSize();
        int vHeadSize = v.headSize();
        if (k.batch() != batch || v.batch() != batch || v.heads() != kvHeads || v.seq() != total
                || k.headSize() != headSize) {
            throw new IllegalArgumentException("inputs Q, K and V have inconsistent shapes: " + qTensor.describe()
                    + ", " + kTensor.describe() + ", " + vTensor.describe());
        }
        if (kvHeads == 0 || qHeads % kvHeads != 0) {
            throw new IllegalArgumentException("the query head count " + qHeads
                    + " must be a multiple of the key/value head count " + kvHeads);
        }
        int group = qHeads / kvHeads;
        int pastSeq = pastKey == null ? 0 : pastKey.dim(2);
        long[] nonPadLengths = nonPad == null ? null : nonPad.toLongArray();
        if (nonPadLengths != null && nonPadLengths.length != batch) {
            throw new IllegalArgumentException("input 'nonpad_kv_seqlen' must have shape [" + batch + "], got "
                    + nonPad.describe());
        }

        double scale = config.scale() != null ? config.scale() : 1 / Math.sqrt(headSize);
        MaskView maskView = mask == null ? null : new MaskView(mask, batch, qHeads, qSeq, total);


        double[] y = new double[batch * qHeads * qSeq * vHeadSize];
        double[] qk = config.wantQk() ? new double[batch * qHeads * qSeq * total] : null;
        double[] scores = new double[total];
        for (int b = 0; b < batch; b++) {
            long validKeys = nonPadLengths == null ? total : nonPadLengths[b];
            long offset = 0;
            if (pastKey != null) {
                offset = pastSeq;
            } else if (nonPadLengths != null) {
                offset = nonPadLengths[b] - qSeq;
            }
            for (int h = 0; h < qHeads; h++) {
                int kvHead = h / group;
                for (int i = 0; i < qSeq; i++) {
                    int rowBase = ((b * qHeads + h) * qSeq + i) * total;
                    for (int j = 0; j < total; j++) {
                        double dot = 0;
                        for (int d = 0; d < headSize; d++) {
                            dot += q.get(b, h, i, d) * k.get(b, kvHead, j, d);
                        }
                        double s = dot * scale;
                        if (config.qkMode() == 0 && qk != null) {
                            qk[rowBase + j] = s;
                        }
                        if (config.softcap() > 0) {
                            s = config.softcap() * Math.tanh(s / config.softcap());
                        }
                        if (config.qkMode() == 1 && qk != null) {
                            qk[rowBase + j] = s;
                        }
                        if (maskView != null) {
                            s += maskView.bias(b, h, i, j);
                        }
                        if (config.causal() && j > i + offset) {
                            s = Double.NEGATIVE_INFINITY;
                        }
                        if (j >= validKeys) {
                            s = Double.NEGATIVE_INFINITY;
                        }
                        if (config.qkMode() == 2 && qk != null) {
                            qk[rowBase + j] = s;
                        }
                        scores[j] = s;
                    }

                    softmax(scores, total);
                    if (config.qkMode() == 3 && qk != null) {
                        System.arraycopy(scores, 0, qk, rowBase, total);
                    }
                    int yBase = ((b * qHeads + h) * qSeq + i) * vHeadSize;
                    for (int j = 0; j < total; j++) {
                        double p = scores[j];
                        if (p == 0) {
                            continue;
                        }
                        for (int d = 0; d < vHeadSize; d++) {
                            y[yBase + d] += p * v.get(b, kvHead, j, d);
                        }
                    }
                }
            }
        }
        DataType outType = qTensor.type();
        Tensor yTensor;
        if (qTensor.rank() == 3) {
            double[] merged = mergeHeads(y, batch, qHeads, qSeq, vHeadSize);
            yTensor = Tensor.fromDoubles(outType, new int[] {batch, qSeq, qHeads * vHeadSize}, merged);
        } else {
            yTensor = Tensor.fromDoubles(outType, new int[] {batch, qHeads, qSeq, vHeadSize}, y);
        }
        Value[] outputs = new Value[4];
        outputs[0] = yTensor;
        if (config.wantPresent()) {
            outputs[1] = Tensor.fromDoubles(kTensor.type(), new int[] {batch, kvHeads, total, headSize}, k.data());
            outputs[2] = Tensor.fromDoubles(vTensor.type(), new int[] {batch, kvHeads, total, vHeadSize}, v.data());
        }
        if (qk != null) {
            outputs[3] = Tensor.fromDoubles(outType, new int[] {batch, qHeads, qSeq, total}, qk);
        }
        return outputs;
    }

    /** Reorders (batch, heads, sequence, size) values to (batch, sequence, heads * size). */
    private static double[] mergeHeads(double[] values, int batch, int heads, int seq, int size) {
        double[] merged = new double[values.length];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < seq; i++) {
                    System.arraycopy(values, ((b * heads + h) * seq + i) * size, merged, ((b * seq + i) * heads + h) * size,
                            size);
                }
            }
        }
        return merged;
    }

    private static Tensor input(Value[] inputs, int i) {
        return i < inputs.length ? (Tensor) inputs[i] : null;
    }

    /** Replaces the scores by their softmax. A row of only -inf becomes zeros instead of NaN. */
    private static void softmax(double[] scores, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            if (scores[j] > max) {
                max = scores[j];
            }
        }
        if (max == Double.NEGATIVE_INFINITY) {
            Arrays.fill(scores, 0, n, 0);
            return;
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            scores[j] = Math.exp(scores[j] - max);
            sum += scores[j];
        }
        for (int j = 0; j < n; j++) {
            scores[j] /= sum;
        }
    }

    /**
     * The attention mask read as an additive bias, broadcast to (batch, q_heads, q_sequence,
     * total_sequence). A last dimension shorter than the total sequence reads as -inf beyond
     * its end.
     *
     * <p>NOTE: a last dimension of 1 broadcasts like any other size-1 dimension instead of being
     * padded. The spec allows both readings and no backend test covers it.
     */
    private static final class MaskView {
        private final Tensor mask;
        private final boolean bool;
        private final int[] strides = new int[4];
        private final int lastDim;

        MaskView(Tensor mask, int batch, int heads, int qSeq, int total) {
            this.mask = mask;
            this.bool = mask.type() == DataType.BOOL;
            int rank = mask.rank();
            if (rank > 4 || rank < 1) {
                throw new IllegalArgumentException("input 'attn_mask' must have rank 1 to 4, got " + mask.describe());
            }
            int[] target = {batch, heads, qSeq, total};
            int[] shape = new int[4];
            Arrays.fill(shape, 1);
            System.arraycopy(mask.shape(), 0, shape, 4 - rank, rank);
            int stride = 1;
            for (int d = 3; d >= 0; d--) {
                boolean ok = shape[d] == target[d] || shape[d] == 1 || d == 3 && shape[d] < target[d];
                if (!ok) {
                    throw new IllegalArgumentException("input 'attn_mask' " + mask.describe()
                            + " does not broadcast to " + Arrays.toString(target));
                }
                strides[d] = shape[d] == 1 && target[d] != 1 ? 0 : stride;
                stride *= shape[d];
            }
            this.lastDim = shape[3] == 1 ? total : shape[3];
        }

        double bias(int b, int h, int i, int j) {
            if (j >= lastDim) {
                return Double.NEGATIVE_INFINITY;
            }
            int index = b * strides[0] + h * strides[1] + i * strides[2] + j * strides[3];
            if (bool) {
                return mask.booleans()[index] ? 0 : Double.NEGATIVE_INFINITY;
            }
            return mask.getDouble(index);
        }
    }
}
