package dev.jonnx.runtime.ops.llm;

import dev.jonnx.runtime.graph.Subgraph;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * FlexAttention (ai.onnx.preview, version 1): scaled dot-product attention over rank-4 inputs
 * with optional score_mod and prob_mod subgraphs applied before and after the softmax.
 */
final class FlexAttention {
    private FlexAttention() {}

    static Kernel create(NodeContext node) {
        Subgraph scoreMod = node.hasAttribute("score_mod") ? node.getSubgraph("score_mod") : null;
        Subgraph probMod = node.hasAttribute("prob_mod") ? node.getSubgraph("prob_mod") : null;
        for (Subgraph g : new Subgraph[] {scoreMod, probMod}) {
            if (g != null && (g.inputNames().size() != 1 || g.outputNames().size() != 1)) {
                throw node.error("score_mod and prob_mod must take one input and produce one output");
            }
        }
        boolean hasScale = node.hasAttribute("scale");
        double scaleAttribute = node.getFloat("scale", 0f);
        DataType precision = null;
        if (node.hasAttribute("softmax_precision")) {
            precision = DataType.fromCode((int) node.getInt("softmax_precision"));
            if (precision != DataType.FLOAT && precision != DataType.DOUBLE) {
                throw node.unsupported("softmax_precision " + precision + "; Jonnx computes the softmax"
                        + " in float32 or float64");
            }
        }
        DataType fixedPrecision = precision;
        return (inputs, ctx) -> run(inputs, ctx, scoreMod, probMod, hasScale, scaleAttribute, fixedPrecision);
    }

    private static Value[] run(Value[] inputs, RunContext ctx, Subgraph scoreMod, Subgraph probMod,
            boolean hasScale, double scaleAttribute, DataType fixedPrecision) {
        Tensor q = (Tensor) inputs[0];
        Tensor k = (Tensor) inputs[1];
        Tensor v = (Tensor) inputs[2];
        if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4) {
            throw new IllegalArgumentException("Q, K and V must be rank 4, got " + Arrays.toString(q.shape())
                    + ", " + Arrays.toString(k.shape()) + ", " + Arrays.toString(v.shape()));
        }
        int batch = q.dim(0);
        int qHeads = q.dim(1);
        int qLen = q.dim(2);
        int head = q.dim(3);
        int kvHeads = k.dim(1);
        int kvLen = k.dim(2);
        int vHead = v.dim(3);
        if (k.dim(0) != batch || v.dim(0) != batch || k.dim(3) != head || v.dim(1) != kvHeads
                || v.dim(2) != kvLen || kvHeads == 0 || qHeads % kvHeads != 0) {
            throw new IllegalArgumentException("incompatible shapes Q " + Arrays.toString(q.shape()) + ", K "
                    + Arrays.toString(k.shape()) + ", V " + Arrays.toString(v.shape()));
        }
        DataType precision = fixedPrecision != null ? fixedPrecision
                : q.type() == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        double scale = hasScale ? scaleAttribute : 1 / Math.sqrt(head);
        double[] qd = q.toDoubleArray();
        double[] kd = k.toDoubleArray();
        double[] vd = v.toDoubleArray();
        int group = qHeads / kvHeads;
        int[] scoreShape = {batch, qHeads, qLen, kvLen};
        double[] scores = new double[batch * qHeads * qLen * kvLen];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < qHeads; h++) {
                int kvh = h / group;
                for (int i = 0; i < qLen; i++) {
                    int q0 = ((b * qHeads + h) * qLen + i) * head;
                    for (int j = 0; j < kvLen; j++) {
                        int k0 = ((b * kvHeads + kvh) * kvLen + j) * head;
                        double dot = 0;
                        for (int d = 0; d < head; d++) {
                            dot += qd[q0 + d] * kd[k0 + d];
                        }
                        scores[((b * qHeads + h) * qLen + i) * kvLen + j] = dot * scale;
                    }
                }
            }
        }
        scores = apply(scoreMod, scores, scoreShape, precision, ctx);
        softmaxRows(scores, kvLen);
        scores = apply(probMod, scores, scoreShape, precision, ctx);
        double[] y = new double[batch * qHeads * qLen * vHead];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < qHeads; h++) {
                int kvh = h / group;
                for (int i = 0; i < qLen; i++) {
                    int p0 = ((b * qHeads + h) * qLen + i) * kvLen;
                    int y0 = ((b * qHeads + h) * qLen + i) * vHead;
                    for (int j = 0; j < kvLen; j++) {
                        double p = scores[p0 + j];
                        int v0 = ((b * kvHeads + kvh) * kvLen + j) * vHead;
                        for (int d = 0; d < vHead; d++) {
                            y[y0 + d] += p * vd[v0 + d];
                        }
                    }
                }
            }
        }
        return new Value[] {Tensor.fromDoubles(q.type(), new int[] {batch, qHeads, qLen, vHead}, y)};
    }

    /** Runs a modifier subgraph on values held at the softmax precision. */
    private static double[] apply(Subgraph mod, double[] values, int[] shape, DataType precision,
            RunContext ctx) {
        Tensor in = Tensor.fromDoubles(precision, shape, values);
        if (mod == null) {
            return in.toDoubleArray();
        }
        Value out = mod.run(new Value[] {in}, ctx)[0];
        if (!(out instanceof Tensor t) || !Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("a modifier subgraph must return a tensor of shape "
                    + Arrays.toString(shape) + ", got " + out.describe());
        }
        return t.toDoubleArray().clone();
    }

    private static void softmaxRows(double[] x, int width) {
        for (int start = 0; start < x.length; start += width) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < width; j++) {
                max = Math.max(max, x[start + j]);
            }
            double sum = 0;
            for (int j = 0; j < width; j++) {
                double e = max == Double.NEGATIVE_INFINITY ? 0 : Math.exp(x[start + j] - max);
                x[start + j] = e;
                sum += e;
            }
            for (int j = 0; j < width; j++) {
                x[start + j] = sum == 0 ? 0 : x[start + j] / sum;
            }
        }
    }
}
