package dev.jonnx.runtime.ops.attention;

import dev.jonnx.runtime.graph.Subgraph;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * FlexAttention (ai.onnx.preview, version 1): Y = prob_mod(softmax(score_mod(scale * Q K^T))) V
 * on 4-D inputs, where the optional {@code score_mod} and {@code prob_mod} graphs map a (batch,
 * q_heads, q_sequence, kv_sequence) tensor to one of the same shape. The graphs see tensors of
 * the {@code softmax_precision} type: double for double inputs, float otherwise. Query head h
 * reads key/value head h / (q_heads / kv_heads).
 *
 * <p>NOTE: a row that score_mod masks entirely (all -inf) gives NaN, as the plain softmax
 * formula does. The operator description does not define that case.
 */
final class FlexAttention {
    private FlexAttention() {}

    static KernelFactory factory() {
        return node -> {
            Float scale = node.hasAttribute("scale") ? node.getFloat("scale") : null;
            Subgraph scoreMod = node.hasAttribute("score_mod") ? node.getSubgraph("score_mod") : null;
            Subgraph probMod = node.hasAttribute("prob_mod") ? node.getSubgraph("prob_mod") : null;
            DataType precision = node.hasAttribute("softmax_precision")
                    ? DataType.fromCode((int) node.getInt("softmax_precision"))
                    : null;
            return (inputs, ctx) -> run((Tensor) inputs[0], (Tensor) inputs[1], (Tensor) inputs[2], scale,
                    scoreMod, probMod, precision, ctx);
        };
    }

    static Value[] run(Tensor q, Tensor k, Tensor v, Float scaleAttribute, Subgraph scoreMod, Subgraph probMod,
            DataType precisionAttribute, RunContext ctx) {
        if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4) {
            throw new IllegalArgumentException("inputs Q, K and V must be 4-D, got " + q.describe() + ", "
                    + k.describe() + ", " + v.describe());
        }
        int batch = q.dim(0);
        int qHeads = q.dim(1);
        int qSeq = q.dim(2);
        int headSize = q.dim(3);
        int kvHeads = k.dim(1);
        int kvSeq = k.dim(2);
        int vHeadSize = v.dim(3);
        if (k.dim(0) != batch || v.dim(0) != batch || v.dim(1) != kvHeads || v.dim(2) != kvSeq
                || k.dim(3) != headSize || kvHeads == 0 || qHeads % kvHeads != 0) {
            throw new IllegalArgumentException("inputs Q, K and V have inconsistent shapes: " + q.describe() + ", "
                    + k.describe() + ", " + v.describe());
        }
        DataType precision = precisionAttribute;
        if (precision == null) {
            precision = q.type() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        }
        double scale = scaleAttribute != null ? scaleAttribute : 1 / Math.sqrt(headSize);
        int group = qHeads / kvHeads;
        double[] qv = q.toDoubleArray();
        double[] kv = k.toDoubleArray();
        double[] vv = v.toDoubleArray();
        int[] scoreShape = {batch, qHeads, qSeq, kvSeq};
        double[] scores = new double[batch * qHeads * qSeq * kvSeq];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < qHeads; h++) {
                int kvHead = b * kvHeads + h / group;
                for (int i = 0; i < qSeq; i++) {
                    int q0 = ((b * qHeads + h) * qSeq + i) * headSize;
                    int row = ((b * qHeads + h) * qSeq + i) * kvSeq;
                    for (int j = 0; j < kvSeq; j++) {
                        int k0 = (kvHead * kvSeq + j) * headSize;
                        double dot = 0;
                        for (int d = 0; d < headSize; d++) {
                            dot += qv[q0 + d] * kv[k0 + d];
                        }
                        scores[row + j] = dot * scale;
                    }
                }
            }
        }
        scores = roundTrip(scores, scoreShape, precision);
        if (scoreMod != null) {
            scores = applyModifier("score_mod", scoreMod, scores, scoreShape, precision, ctx);
        }
        for (int row = 0; row < batch * qHeads * qSeq; row++) {
            softmax(scores, row * kvSeq, kvSeq);
        }
        scores = roundTrip(scores, scoreShape, precision);
        if (probMod != null) {
            scores = applyModifier("prob_mod", probMod, scores, scoreShape, precision, ctx);
        }
        double[] y = new double[batch * qHeads * qSeq * vHeadSize];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < qHeads; h++) {
                int kvHead = b * kvHeads + h / group;
                for (int i = 0; i < qSeq; i++) {
                    int row = ((b * qHeads + h) * qSeq + i) * kvSeq;
                    int y0 = ((b * qHeads + h) * qSeq + i) * vHeadSize;
                    for (int j = 0; j < kvSeq; j++) {
                        double p = scores[row + j];
                        int v0 = (kvHead * kvSeq + j) * vHeadSize;
                        for (int d = 0; d < vHeadSize; d++) {
                            y[y0 + d] += p * vv[v0 + d];
                        }
                    }
                }
            }
        }
        return new Value[] {Tensor.fromDoubles(q.type(), new int[] {batch, qHeads, qSeq, vHeadSize}, y)};
    }

    /** Rounds the values to the softmax precision, as the reference computation stores them there. */
    private static double[] roundTrip(double[] values, int[] shape, DataType precision) {
        if (precision == DataType.DOUBLE) {
            return values;
        }
        return Tensor.fromDoubles(precision, shape, values).toDoubleArray();
    }

    private static double[] applyModifier(String name, Subgraph graph, double[] values, int[] shape,
            DataType precision, RunContext ctx) {
        Value[] out = graph.run(new Value[] {Tensor.fromDoubles(precision, shape, values)}, ctx);
        if (out.length != 1 || !(out[0] instanceof Tensor result) || !Arrays.equals(result.shape(), shape)) {
            throw new IllegalArgumentException("graph '" + name + "' must return one tensor of shape "
                    + Arrays.toString(shape) + ", got " + (out.length == 1 ? out[0].describe() : out.length + " values"));
        }
        return result.toDoubleArray();
    }

    private static void softmax(double[] values, int start, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, values[start + j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            values[start + j] = Math.exp(values[start + j] - max);
            sum += values[start + j];
        }
        for (int j = 0; j < n; j++) {
            values[start + j] /= sum;
        }
    }
}
