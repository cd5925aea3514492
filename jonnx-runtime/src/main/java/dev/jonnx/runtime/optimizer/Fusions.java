package dev.jonnx.runtime.optimizer;

import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.runtime.optimizer.ShapeInference.ValueType;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The fusions of level ALL. Each one matches a pattern rooted at one node, checks that every
 * intermediate value has a single reader and is no graph output, and replaces the pattern's
 * nodes by one node that writes the pattern's final output name.
 */
final class Fusions {
    private final GraphState graph;
    private final Map<String, Integer> opsets;
    private Map<String, ValueType> types;
    private Map<String, Integer> uses;
    private Map<String, Integer> producers;
    private Map<String, List<Integer>> consumers;
    private boolean usedCustomDomain;
    /** The highest rank of the one-element constants that {@link #scalar} matched in the current pattern. */
    private int scalarRank;

    Fusions(GraphState graph, Map<String, Integer> opsets) {
        this.graph = graph;
        this.opsets = opsets;
    }

    boolean usedCustomDomain() {
        return usedCustomDomain;
    }

    /** Applies every fusion wherever it matches; returns true if any did. */
    boolean run() {
        boolean changed = false;
        refresh();
        for (int i = 0; i < graph.nodes.size(); i++) {
            NodeProto n = graph.nodes.get(i);
            if (n == null || !isDefaultDomain(n)) {
                continue;
            }
            scalarRank = 0;
            boolean fused = switch (n.getOpType()) {
                case "Add" -> fuseMatMulAdd(i, n) || fuseMatMulBias(n) || fuseMatMulResidual(n) || fuseConvAffine(n)
                        || fuseConvTransposeBias(n) || fuseSelfGate(n);
                case "Softmax" -> fuseAttention(n);
                case "Mul" -> fuseConvAffine(n);
                case "Clip" -> fuseHardSwish(n);
                case "BatchNormalization" -> fuseConvBatchNorm(i, n) || fuseConvTransposeBatchNorm(n);
                case "Conv" -> fuseInputAffine(n) || fusePointwiseConvPair(n);
                case "Erf" -> fuseGelu(i, n);
                case "ReduceMean" -> fuseLayerNorm(i, n);
                default -> false;
            };
            if (fused) {
                changed = true;
                refresh();
            }
        }
        // Activations last, so that Conv + BatchNormalization + Relu folds and then fuses.
        for (int i = 0; i < graph.nodes.size(); i++) {
            NodeProto n = graph.nodes.get(i);
            if (n != null && isDefaultDomain(n) && n.getOpType().equals("Conv") && fuseConvActivation(i, n)) {
                changed = true;
                refresh();
            }
        }
        // GELU after a fused product moves into the product's epilogue.
        for (int i = 0; i < graph.nodes.size(); i++) {
            NodeProto n = graph.nodes.get(i);
            if (n != null && n.getDomain().equals(GraphOptimizer.DOMAIN) && n.getOpType().equals("FusedMatMul")
                    && fuseMatMulGelu(n)) {
                changed = true;
                refresh();
            }
        }
        graph.compact();
        return changed;
    }

    private void refresh() {
        types = ShapeInference.infer(graph, opsets);
        uses = graph.useCounts();
        producers = graph.producers();
        consumers = graph.consumers();
    }

    private static boolean isDefaultDomain(NodeProto n) {
        return n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
    }

    private int opset() {
        return opsets.getOrDefault("", 0);
    }

    /**
     * Returns the index of the only node that reads {@code value}, or null if the value has
     * other readers or is a graph output.
     */
    private Integer soleConsumer(String value) {
        if (uses.getOrDefault(value, 0) != 1 || graph.outputNames.contains(value)) {
            return null;
        }
        List<Integer> readers = consumers.get(value);
        return readers == null || readers.size() != 1 ? null : readers.get(0);
    }

    private NodeProto soleConsumerNode(String value, String opType) {
        Integer c = soleConsumer(value);
        if (c == null) {
            return null;
        }
        NodeProto n = graph.nodes.get(c);
        return isDefaultDomain(n) && n.getOpType().equals(opType) ? n : null;
    }

    private Integer index(NodeProto n) {
        return producers.get(n.getOutput(0));
    }

    /** Returns the producer of {@code value} if it is an {@code opType} node of the default domain. */
    private NodeProto producer(String value, String opType) {
        Integer p = producers.get(value);
        if (p == null) {
            return null;
        }
        NodeProto n = graph.nodes.get(p);
        return isDefaultDomain(n) && n.getOpType().equals(opType) ? n : null;
    }

    private Float scalar(String name) {
        Tensor t = graph.constant(name);
        if (t == null || t.size() != 1 || !t.type().isFloatingPoint()) {
            return null;
        }
        scalarRank = Math.max(scalarRank, t.rank());
        return (float) t.getDouble(0);
    }

    /**
     * Returns the value of a one-element floating-point constant without rounding it to float,
     * so that folds into double weights keep double precision. Records its rank as
     * {@link #scalar} does.
     */
    private double scalarDouble(String name) {
        scalar(name);
        return graph.constant(name).getDouble(0);
    }

    /**
     * True if the one-element constants matched since {@link #scalarRank} was reset cannot
     * raise the rank of {@code x} by broadcasting, so that a fused node of x has the pattern's
     * output shape: they are 0-D, or x is known to have at least their rank.
     */
    private boolean scalarsKeepShape(String x) {
        if (scalarRank == 0) {
            return true;
        }
        ValueType t = types.get(x);
        return t != null && t.rankKnown() && t.rank() >= scalarRank;
    }

    private static boolean near(Float value, double expected) {
        return value != null && Math.abs(value - expected) <= 1e-4 * Math.abs(expected);
    }

    private int elemType(String name) {
        ValueType t = types.get(name);
        return t == null ? 0 : t.elemType();
    }

    private void replace(List<NodeProto> removed, NodeProto last, NodeProto fused) {
        int at = index(last);
        for (NodeProto n : removed) {
            graph.nodes.set(index(n), null);
        }
        graph.nodes.set(at, fused);
    }

    private static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT)
                .setI(value).build();
    }

    private static AttributeProto floatAttr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT)
                .setF(value).build();
    }

    // ---- MatMul + Add -> Gemm ----

    /**
     * MatMul(A, B) + C becomes Gemm(A, B, C) when A and B are 2-D, C is 1-D of length N (or 1)
     * and the element type is float or double.
     */
    private boolean fuseMatMulAdd(int i, NodeProto add) {
        if (opset() < 7 || add.getInputCount() != 2) {
            return false;
        }
        for (int side = 0; side < 2; side++) {
            NodeProto mm = producer(add.getInput(side), "MatMul");
            if (mm == null || soleConsumer(mm.getOutput(0)) == null) {
                continue;
            }
            String bias = add.getInput(1 - side);
            ValueType a = types.get(mm.getInput(0));
            ValueType b = types.get(mm.getInput(1));
            ValueType c = types.get(bias);
            if (a == null || b == null || c == null || a.rank() != 2 || b.rank() != 2 || c.rank() != 1) {
                continue;
            }
            long cols = b.dims()[1];
            long length = c.dims()[0];
            if (cols < 0 || !(length == cols || length == 1)) {
                continue;
            }
            if (!BasicRewrites.isFloat(a.elemType()) || a.elemType() != b.elemType() || a.elemType() != c.elemType()) {
                continue;
            }
            NodeProto gemm = NodeProto.newBuilder().setOpType("Gemm").setName(add.getName())
                    .addInput(mm.getInput(0)).addInput(mm.getInput(1)).addInput(bias)
                    .addOutput(add.getOutput(0)).build();
            replace(List.of(mm), add, gemm);
            return true;
        }
        return false;
    }

    /**
     * MatMul(A, W) + bias becomes dev.jonnx FusedMatMul(A, W, bias) when W is a constant 2-D
     * float matrix (k x n) and the bias a constant float vector of n elements. A may have any
     * rank: FusedMatMul gives MatMul's output shape for each, and the bias, of rank 1, does not
     * change it. An A that is not float fails at run time as MatMul would.
     */
    private boolean fuseMatMulBias(NodeProto add) {
        if (add.getInputCount() != 2) {
            return false;
        }
        for (int side = 0; side < 2; side++) {
            NodeProto mm = producer(add.getInput(side), "MatMul");
            if (mm == null || soleConsumer(mm.getOutput(0)) == null) {
                continue;
            }
            Tensor w = graph.constant(mm.getInput(1));
            Tensor bias = graph.constant(add.getInput(1 - side));
            if (w == null || bias == null || w.type() != DataType.FLOAT || w.rank() != 2
                    || bias.type() != DataType.FLOAT || bias.rank() != 1 || bias.dim(0) != w.dim(1)) {
                continue;
            }
            NodeProto fused = NodeProto.newBuilder().setDomain(GraphOptimizer.DOMAIN).setOpType("FusedMatMul")
                    .setName(graph.freshName("FusedMatMul")).addInput(mm.getInput(0)).addInput(mm.getInput(1))
                    .addInput(add.getInput(1 - side)).addOutput(add.getOutput(0)).build();
            replace(List.of(mm), add, fused);
            usedCustomDomain = true;
            return true;
        }
        return false;
    }

    /**
     * Add(FusedMatMul(A, W, bias), R) becomes FusedMatMul(A, W, bias, R), which adds R (the
     * residual connection of transformer blocks) after the bias and activation.
     */
    private boolean fuseMatMulResidual(NodeProto add) {
        if (add.getInputCount() != 2) {
            return false;
        }
        for (int side = 0; side < 2; side++) {
            Integer p = producers.get(add.getInput(side));
            NodeProto fused = p == null ? null : graph.nodes.get(p);
            String residual = add.getInput(1 - side);
            if (fused == null || !fused.getDomain().equals(GraphOptimizer.DOMAIN)
                    || !fused.getOpType().equals("FusedMatMul") || fused.getInputCount() > 3
                    || soleConsumer(fused.getOutput(0)) == null || residual.equals(add.getInput(side))) {
                continue;
            }
            NodeProto.Builder merged = fused.toBuilder().clearOutput().addOutput(add.getOutput(0));
            if (fused.getInputCount() < 3) {
                merged.addInput("");
            }
            replace(List.of(fused), add, merged.addInput(residual).build());
            return true;
        }
        return false;
    }

    /** Moves an exact (erf form) Gelu that alone reads a FusedMatMul without activation or residual into it. */
    private boolean fuseMatMulGelu(NodeProto fused) {
        boolean hasActivation = fused.getAttributeList().stream().anyMatch(a -> a.getName().equals("activation"));
        Integer c = soleConsumer(fused.getOutput(0));
        if (hasActivation || fused.getInputCount() > 3 || c == null) {
            return false;
        }
        NodeProto gelu = graph.nodes.get(c);
        boolean geluOp = gelu.getOpType().equals("Gelu")
                && (isDefaultDomain(gelu) || gelu.getDomain().equals(GraphOptimizer.DOMAIN));
        if (!geluOp || gelu.getInputCount() != 1) {
            return false;
        }
        for (AttributeProto a : gelu.getAttributeList()) {
            if (a.getName().equals("approximate") && !a.getS().toStringUtf8().equals("none")) {
                return false;
            }
        }
        NodeProto merged = fused.toBuilder().clearOutput().addOutput(gelu.getOutput(0))
                .addAttribute(AttributeProto.newBuilder().setName("activation")
                        .setType(AttributeProto.AttributeType.STRING)
                        .setS(com.google.protobuf.ByteString.copyFromUtf8("Gelu")))
                .build();
        replace(List.of(fused), gelu, merged);
        return true;
    }

    // ---- Multi-head attention ----

    /**
     * Matches the multi-head attention core that BERT exporters write, rooted at its Softmax.
     * Q, K and V of shape [B, S, H*D] are each reshaped to [B, S, H, D] by the target [0, 0, H,
     * D]. Transposes turn K into [B, H, D, S] and the others into [B, H, S, D]. Then
     * softmax(Q K^T / c + mask) V is transposed back and reshaped to [B, S, H*D], where the
     * scaling is Div by c or Mul by 1/c. The whole core becomes dev.jonnx FusedAttention(Q, K,
     * V, mask), which reads and writes the [B, S, H*D] layout directly.
     *
     * <p>NOTE: FusedAttention derives the head size from the width of its inputs, so an input
     * whose width is not H*D of the Reshape target runs instead of failing as the Reshape would.
     */
    private boolean fuseAttention(NodeProto softmax) {
        long axis = ShapeInference.intAttr(softmax, "axis", opset() >= 13 ? -1 : 1);
        if (axis != -1 && axis != 3 || softmax.getInputCount() != 1) {
            return false;
        }
        NodeProto addMask = producer(softmax.getInput(0), "Add");
        if (addMask == null || soleConsumer(addMask.getOutput(0)) == null || addMask.getInputCount() != 2) {
            return false;
        }
        for (int side = 0; side < 2; side++) {
            scalarRank = 0;
            if (fuseAttention(softmax, addMask, side)) {
                return true;
            }
        }
        return false;
    }

    private boolean fuseAttention(NodeProto softmax, NodeProto addMask, int side) {
        String mask = addMask.getInput(1 - side);
        NodeProto scaleNode = producer(addMask.getInput(side), "Div");
        Float scale = null;
        String scores = null;
        if (scaleNode != null) {
            Float divisor = scalar(scaleNode.getInput(1));
            scale = divisor == null || divisor == 0 ? null : 1 / divisor;
            scores = scaleNode.getInput(0);
        } else {
            scaleNode = producer(addMask.getInput(side), "Mul");
            if (scaleNode != null) {
                for (int k = 0; k < 2 && scale == null; k++) {
                    scale = scalar(scaleNode.getInput(k));
                    scores = scaleNode.getInput(1 - k);
                }
            }
        }
        if (scale == null || soleConsumer(scaleNode.getOutput(0)) == null || scalarRank > 4) {
            return false;
        }
        NodeProto qk = producer(scores, "MatMul");
        if (qk == null || soleConsumer(qk.getOutput(0)) == null) {
            return false;
        }
        NodeProto pv = soleConsumerNode(softmax.getOutput(0), "MatMul");
        if (pv == null || !pv.getInput(0).equals(softmax.getOutput(0))) {
            return false;
        }
        NodeProto[] q = splitHeads(qk.getInput(0), 0, 2, 1, 3);
        NodeProto[] k = splitHeads(qk.getInput(1), 0, 2, 3, 1);
        NodeProto[] v = splitHeads(pv.getInput(1), 0, 2, 1, 3);
        if (q == null || k == null || v == null) {
            return false;
        }
        long[] qShape = reshapeTarget(q[0]);
        long[] kShape = reshapeTarget(k[0]);
        long[] vShape = reshapeTarget(v[0]);
        long heads = qShape[2];
        if (kShape[2] != heads || vShape[2] != heads || kShape[3] != qShape[3]) {
            return false;
        }
        NodeProto merge = soleConsumerNode(pv.getOutput(0), "Transpose");
        if (merge == null || !java.util.Arrays.equals(ShapeInference.ints(merge, "perm"), new long[] {0, 2, 1, 3})) {
            return false;
        }
        NodeProto reshape = soleConsumerNode(merge.getOutput(0), "Reshape");
        if (reshape == null || !reshape.getInput(0).equals(merge.getOutput(0))
                || !mergesHeads(reshape, heads * vShape[3])) {
            return false;
        }
        if (!attentionInput(q[0].getInput(0), heads * qShape[3]) || !attentionInput(k[0].getInput(0), heads * kShape[3])
                || !attentionInput(v[0].getInput(0), heads * vShape[3]) || !attentionMask(mask, heads)) {
            return false;
        }

        NodeProto fused = NodeProto.newBuilder().setDomain(GraphOptimizer.DOMAIN).setOpType("FusedAttention")
                .setName(graph.freshName("FusedAttention"))
                .addInput(q[0].getInput(0)).addInput(k[0].getInput(0)).addInput(v[0].getInput(0)).addInput(mask)
                .addOutput(reshape.getOutput(0))
                .addAttribute(intAttr("num_heads", heads)).addAttribute(floatAttr("scale", scale)).build();
        replace(List.of(q[0], q[1], k[0], k[1], v[0], v[1], qk, scaleNode, addMask, softmax, pv, merge), reshape,
                fused);
        usedCustomDomain = true;
        return true;
    }

    /**
     * Returns {Reshape, Transpose} if {@code value} is Transpose(Reshape(x, [0, 0, H, D])) with
     * the given permutation and both outputs are read only once, else null.
     */
    private NodeProto[] splitHeads(String value, long... perm) {
        NodeProto transpose = producer(value, "Transpose");
        if (transpose == null || soleConsumer(value) == null
                || !java.util.Arrays.equals(ShapeInference.ints(transpose, "perm"), perm)) {
            return null;
        }
        NodeProto reshape = producer(transpose.getInput(0), "Reshape");
        if (reshape == null || soleConsumer(reshape.getOutput(0)) == null || reshapeTarget(reshape) == null) {
            return null;
        }
        return new NodeProto[] {reshape, transpose};
    }

    /**
     * Returns the constant target of a Reshape that splits the last axis of a rank-3 value into
     * [H, D] and keeps the first two axes (written as 0, which copies them), else null.
     */
    private long[] reshapeTarget(NodeProto reshape) {
        if (reshape.getInputCount() != 2 || ShapeInference.intAttr(reshape, "allowzero", 0) != 0) {
            return null;
        }
        Tensor target = graph.constant(reshape.getInput(1));
        if (target == null || target.rank() != 1 || target.size() != 4) {
            return null;
        }
        long[] t = target.toLongArray();
        return t[0] == 0 && t[1] == 0 && t[2] > 0 && t[3] > 0 ? t : null;
    }

    /** True if the Reshape turns [B, S, H, D] into [B, S, H*D], with the target [0, 0, H*D] or [0, 0, -1]. */
    private boolean mergesHeads(NodeProto reshape, long width) {
        if (reshape.getInputCount() != 2 || ShapeInference.intAttr(reshape, "allowzero", 0) != 0) {
            return false;
        }
        Tensor target = graph.constant(reshape.getInput(1));
        if (target == null || target.rank() != 1 || target.size() != 3) {
            return false;
        }
        long[] t = target.toLongArray();
        return t[0] == 0 && t[1] == 0 && (t[2] == width || t[2] == -1);
    }

    /**
     * True if {@code name} is known to be a float tensor and, where its shape is known, has rank
     * 2 or more with {@code width} elements per index of the first two axes: the shapes the
     * Reshape to [0, 0, H, D] accepts, which FusedAttention views as [dim 0, dim 1, H*D].
     */
    private boolean attentionInput(String name, long width) {
        ValueType t = types.get(name);
        if (t == null || t.elemType() != DataType.FLOAT.code()) {
            return false;
        }
        if (!t.rankKnown()) {
            return true;
        }
        long trailing = 1;
        for (int d = 2; d < t.rank(); d++) {
            trailing = trailing < 0 || t.dims()[d] < 0 ? -1 : trailing * t.dims()[d];
        }
        return t.rank() >= 2 && (trailing == width || trailing < 0);
    }

    /**
     * True if the mask is a float tensor of rank 4 or less whose head axis (second of four,
     * counting missing leading axes as 1) is 1, the head count or unknown. The kernel checks
     * every axis against the scores at run time.
     */
    private boolean attentionMask(String name, long heads) {
        ValueType t = types.get(name);
        if (t == null || t.elemType() != DataType.FLOAT.code() || !t.rankKnown() || t.rank() > 4) {
            return false;
        }
        if (t.rank() < 3) {
            return true;
        }
        long h = t.dims()[t.rank() - 3];
        return h == 1 || h == heads || h < 0;
    }

    // ---- Conv + BatchNormalization ----

    /**
     * Folds an inference-mode BatchNormalization into the constant weights and bias of the Conv
     * before it: W' = W * s, b' = (b - mean) * s + beta with s = scale / sqrt(var + epsilon).
     */
    private boolean fuseConvBatchNorm(int i, NodeProto bn) {
        NodeProto conv = producer(bn.getInput(0), "Conv");
        if (conv == null || soleConsumer(conv.getOutput(0)) == null || bn.getInputCount() != 5) {
            return false;
        }
        for (int k = 1; k < bn.getOutputCount(); k++) {
            if (!bn.getOutput(k).isEmpty()) {
                return false;
            }
        }
        if (ShapeInference.intAttr(bn, "training_mode", 0) != 0 || ShapeInference.intAttr(bn, "spatial", 1) != 1
                || opset() < 7 && ShapeInference.intAttr(bn, "is_test", 0) == 0) {
            return false;
        }

        Tensor w = graph.constant(conv.getInput(1));
        Tensor b = conv.getInputCount() > 2 && !conv.getInput(2).isEmpty() ? graph.constant(conv.getInput(2)) : null;
        if (w == null || w.rank() < 3 || (conv.getInputCount() > 2 && !conv.getInput(2).isEmpty() && b == null)) {
            return false;
        }
        DataType type = w.type();
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            return false;
        }
        int channels = w.dim(0);
        Tensor[] params = new Tensor[4];
        for (int k = 0; k < 4; k++) {
            params[k] = graph.constant(bn.getInput(k + 1));
            if (params[k] == null || params[k].type() != type || params[k].size() != channels
                    || params[k].rank() != 1) {
                return false;
            }
        }
        if (b != null && (b.type() != type || b.size() != channels)) {
            return false;
        }

        double epsilon = 1e-5;
        for (AttributeProto a : bn.getAttributeList()) {
            if (a.getName().equals("epsilon")) {
                epsilon = a.getF();
            }
        }
        double[] weights = w.toDoubleArray().clone();
        double[] bias = new double[channels];
        int perChannel = weights.length / channels;
        for (int o = 0; o < channels; o++) {
            double s = params[0].getDouble(o) / Math.sqrt(params[3].getDouble(o) + epsilon);
            for (int j = 0; j < perChannel; j++) {
                weights[o * perChannel + j] *= s;
            }
            double b0 = b == null ? 0 : b.getDouble(o);
            bias[o] = (b0 - params[2].getDouble(o)) * s + params[1].getDouble(o);
        }

        String wName = graph.addConstant(conv.getInput(1) + "_bn", Tensor.fromDoubles(type, w.shape(), weights));
        String bName = graph.addConstant(conv.getOutput(0) + "_bias",
                Tensor.fromDoubles(type, new int[] {channels}, bias));
        NodeProto.Builder fused = conv.toBuilder().clearInput().clearOutput()
                .addInput(conv.getInput(0)).addInput(wName).addInput(bName).addOutput(bn.getOutput(0));
        replace(List.of(conv), bn, fused.build());
        return true;
    }

    // ---- Conv + Mul or Add by a per-channel constant ----

    /**
     * Folds Mul or Add of a constant into the constant weights and bias of the Conv before it.
     * The constant may vary along the channel axis only, as [1], [C, 1, 1] or [1, C, 1, 1] do
     * for 2-D convolution. Mul scales W and b per output channel, and Add shifts b.
     */
    private boolean fuseConvAffine(NodeProto op) {
        if (op.getInputCount() != 2) {
            return false;
        }
        for (int side = 0; side < 2; side++) {
            NodeProto conv = producer(op.getInput(side), "Conv");
            if (conv == null || soleConsumer(conv.getOutput(0)) == null) {
                continue;
            }
            Tensor w = graph.constant(conv.getInput(1));
            boolean hasBias = conv.getInputCount() > 2 && !conv.getInput(2).isEmpty();
            Tensor b = hasBias ? graph.constant(conv.getInput(2)) : null;
            Tensor c = graph.constant(op.getInput(1 - side));
            if (w == null || (hasBias && b == null) || c == null || w.rank() < 3
                    || (w.type() != DataType.FLOAT && w.type() != DataType.DOUBLE)
                    || c.type() != w.type() || (b != null && b.type() != w.type())) {
                continue;
            }
            double[] perChannel = perChannel(c, w.dim(0), w.rank());
            if (perChannel == null) {
                continue;
            }
            int channels = w.dim(0);
            double[] bias = new double[channels];
            for (int o = 0; o < channels; o++) {
                bias[o] = b == null ? 0 : b.getDouble(o);
            }
            String wName = conv.getInput(1);
            if (op.getOpType().equals("Mul")) {
                double[] weights = w.toDoubleArray().clone();
                int size = weights.length / channels;
                for (int o = 0; o < channels; o++) {
                    for (int j = 0; j < size; j++) {
                        weights[o * size + j] *= perChannel[o];
                    }
                    bias[o] *= perChannel[o];
                }
                wName = graph.addConstant(conv.getInput(1) + "_scaled",
                        Tensor.fromDoubles(w.type(), w.shape(), weights));
            } else {
                for (int o = 0; o < channels; o++) {
                    bias[o] += perChannel[o];
                }
            }
            String bName = graph.addConstant(conv.getOutput(0) + "_bias",
                    Tensor.fromDoubles(w.type(), new int[] {channels}, bias));
            NodeProto fused = conv.toBuilder().clearInput().clearOutput().addInput(conv.getInput(0))
                    .addInput(wName).addInput(bName).addOutput(op.getOutput(0)).build();
            replace(List.of(conv), op, fused);
            return true;
        }
        return false;
    }

    /**
     * Returns the value of constant {@code c} for each of {@code channels} output channels. It
     * returns null when broadcasting {@code c} against the Conv output of rank {@code rank}
     * would vary along another axis or change the output's shape.
     */
    private static double[] perChannel(Tensor c, int channels, int rank) {
        if (c.rank() > rank) {
            return null;
        }
        int offset = rank - c.rank();
        for (int d = 0; d < c.rank(); d++) {
            int axis = offset + d;
            boolean channelAxis = axis == 1;
            if (c.dim(d) != 1 && !(channelAxis && c.dim(d) == channels)) {
                return null;
            }
        }
        double[] out = new double[channels];
        for (int o = 0; o < channels; o++) {
            out[o] = c.getDouble(c.size() == 1 ? 0 : o);
        }
        return out;
    }

    // ---- Scalar Mul and Add before an unpadded Conv ----

    /**
     * Folds x * a + s, where a and s are one-element constants (Mul, Add or both, in that
     * order), into the constant weights and bias of the Conv that reads it: W' = a W and b'[o] =
     * b[o] + s * (sum of W[o]). A Conv with padding reads zeros and not s at padded positions,
     * so there only the scale moves into W and the Add stays in front as x + s / a.
     */
    private boolean fuseInputAffine(NodeProto conv) {
        if (conv.getInputCount() < 2) {
            return false;
        }
        Tensor w = graph.constant(conv.getInput(1));
        boolean hasBias = conv.getInputCount() > 2 && !conv.getInput(2).isEmpty();
        Tensor b = hasBias ? graph.constant(conv.getInput(2)) : null;
        if (w == null || w.rank() < 3 || hasBias && (b == null || b.type() != w.type())
                || w.type() != DataType.FLOAT && w.type() != DataType.DOUBLE) {
            return false;
        }
        NodeProto add = producer(conv.getInput(0), "Add");
        int addSide = add == null ? -1 : scalarOperand(add, w.type());
        String addInput = addSide >= 0 ? add.getInput(1 - addSide) : conv.getInput(0);
        NodeProto mul = producer(addInput, "Mul");
        int mulSide = mul == null ? -1 : scalarOperand(mul, w.type());
        if (addSide < 0 && mulSide < 0) {
            return false;
        }
        double shift = addSide >= 0 ? scalarDouble(add.getInput(addSide)) : 0;
        double scale = mulSide >= 0 ? scalarDouble(mul.getInput(mulSide)) : 1;
        String source = mulSide >= 0 ? mul.getInput(1 - mulSide) : addInput;
        boolean padded = !unpadded(conv);
        if (scalarRank > w.rank() || padded && (mulSide < 0 || scale == 0 || !Double.isFinite(shift / scale))) {
            return false;
        }

        int channels = w.dim(0);
        double[] weights = w.toDoubleArray().clone();
        double[] bias = new double[channels];
        int perChannel = weights.length / channels;
        for (int o = 0; o < channels; o++) {
            double sum = 0;
            for (int j = 0; j < perChannel; j++) {
                sum += weights[o * perChannel + j];
                weights[o * perChannel + j] *= scale;
            }
            bias[o] = (b == null ? 0 : b.getDouble(o)) + (padded ? 0 : shift * sum);
        }
        String convInput = source;
        if (addSide >= 0 && padded) {
            Tensor addend = graph.constant(add.getInput(addSide));
            String shiftName = graph.addConstant(add.getInput(addSide) + "_unscaled",
                    Tensor.fromDoubles(w.type(), addend.shape(), new double[] {shift / scale}));
            graph.nodes.set(index(add), add.toBuilder().clearInput().addInput(source).addInput(shiftName).build());
            convInput = add.getOutput(0);
        } else if (addSide >= 0) {
            graph.nodes.set(index(add), null);
        }
        if (mulSide >= 0) {
            graph.nodes.set(index(mul), null);
        }
        String wName = graph.addConstant(conv.getInput(1) + "_affine", Tensor.fromDoubles(w.type(), w.shape(), weights));
        String bName = graph.addConstant(conv.getOutput(0) + "_bias",
                Tensor.fromDoubles(w.type(), new int[] {channels}, bias));
        graph.nodes.set(index(conv),
                conv.toBuilder().clearInput().addInput(convInput).addInput(wName).addInput(bName).build());
        return true;
    }

    /**
     * Returns the index of the input of {@code n} that is a one-element constant of type
     * {@code type} while the other input is not constant, or -1. Also -1 when another node or
     * the graph output reads the output of {@code n}.
     */
    private int scalarOperand(NodeProto n, DataType type) {
        if (n.getInputCount() != 2 || soleConsumer(n.getOutput(0)) == null) {
            return -1;
        }
        for (int k = 0; k < 2; k++) {
            Tensor t = graph.constant(n.getInput(k));
            if (t != null && t.size() == 1 && t.type() == type && graph.constant(n.getInput(1 - k)) == null) {
                return k;
            }
        }
        return -1;
    }

    /** True if the Conv pads nothing: no pads or all zero, and auto_pad NOTSET or VALID. */
    private static boolean unpadded(NodeProto conv) {
        for (AttributeProto a : conv.getAttributeList()) {
            if (a.getName().equals("auto_pad")) {
                String mode = a.getS().toStringUtf8();
                if (!mode.equals("NOTSET") && !mode.equals("VALID")) {
                    return false;
                }
            }
        }
        long[] pads = ShapeInference.ints(conv, "pads");
        if (pads != null) {
            for (long p : pads) {
                if (p != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    // ---- Conv followed by a pointwise Conv ----

    /**
     * Merges Conv2(Conv1(x)), where Conv2 is a 1x1 convolution with stride 1, no padding and
     * one group, into one Conv with Conv1's attributes, W = W2 W1 and b = W2 b1 + b2. It does
     * so only when Conv1 has one group and the merged weights need fewer multiply-adds per
     * output position than the two convolutions, as for a wide Conv1 that a narrow Conv2
     * projects down.
     */
    private boolean fusePointwiseConvPair(NodeProto second) {
        NodeProto first = producer(second.getInput(0), "Conv");
        if (first == null || soleConsumer(first.getOutput(0)) == null || second.getInputCount() < 2
                || !pointwise(second) || ShapeInference.intAttr(first, "group", 1) != 1) {
            return false;
        }
        Tensor w1 = graph.constant(first.getInput(1));
        Tensor w2 = graph.constant(second.getInput(1));
        Tensor b1 = optionalConstant(first, 2);
        Tensor b2 = optionalConstant(second, 2);
        if (w1 == null || w2 == null || w1.rank() < 3 || w2.rank() != w1.rank() || w2.type() != w1.type()
                || w1.type() != DataType.FLOAT && w1.type() != DataType.DOUBLE
                || b1 != null && (b1.type() != w1.type() || b1.size() != w1.dim(0))
                || b2 != null && (b2.type() != w1.type() || b2.size() != w2.dim(0))
                || hasInput(first, 2) && b1 == null || hasInput(second, 2) && b2 == null) {
            return false;
        }
        int middle = w1.dim(0);
        int outputs = w2.dim(0);
        int perOutput = w1.size() / middle;
        if (w2.size() != outputs * middle
                || (long) outputs * perOutput >= (long) middle * perOutput + (long) outputs * middle) {
            return false;
        }

        double[] first2d = w1.toDoubleArray();
        double[] second2d = w2.toDoubleArray();
        double[] weights = new double[outputs * perOutput];
        double[] bias = new double[outputs];
        for (int o = 0; o < outputs; o++) {
            bias[o] = b2 == null ? 0 : b2.getDouble(o);
            for (int k = 0; k < middle; k++) {
                double scale = second2d[o * middle + k];
                bias[o] += scale * (b1 == null ? 0 : b1.getDouble(k));
                for (int j = 0; j < perOutput; j++) {
                    weights[o * perOutput + j] += scale * first2d[k * perOutput + j];
                }
            }
        }
        int[] shape = w1.shape().clone();
        shape[0] = outputs;
        String wName = graph.addConstant(second.getInput(1) + "_merged", Tensor.fromDoubles(w1.type(), shape, weights));
        String bName = graph.addConstant(second.getOutput(0) + "_bias",
                Tensor.fromDoubles(w1.type(), new int[] {outputs}, bias));
        NodeProto merged = first.toBuilder().clearInput().clearOutput().addInput(first.getInput(0)).addInput(wName)
                .addInput(bName).addOutput(second.getOutput(0)).build();
        replace(List.of(first), second, merged);
        return true;
    }

    /** True if a Conv has a 1x1 kernel by its constant weights, stride 1, no padding and one group. */
    private boolean pointwise(NodeProto conv) {
        Tensor w = graph.constant(conv.getInput(1));
        if (w == null || !unpadded(conv) || ShapeInference.intAttr(conv, "group", 1) != 1) {
            return false;
        }
        for (int d = 2; d < w.rank(); d++) {
            if (w.dim(d) != 1) {
                return false;
            }
        }
        long[] strides = ShapeInference.ints(conv, "strides");
        for (int d = 0; strides != null && d < strides.length; d++) {
            if (strides[d] != 1) {
                return false;
            }
        }
        long[] kernel = ShapeInference.ints(conv, "kernel_shape");
        for (int d = 0; kernel != null && d < kernel.length; d++) {
            if (kernel[d] != 1) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasInput(NodeProto n, int i) {
        return n.getInputCount() > i && !n.getInput(i).isEmpty();
    }

    private Tensor optionalConstant(NodeProto n, int i) {
        return hasInput(n, i) ? graph.constant(n.getInput(i)) : null;
    }

    // ---- x + x * s -> x * (s + 1) ----

    /**
     * Rewrites Add(x, Mul(x, s)), the gated residual of squeeze-and-excitation blocks, as
     * Mul(x, Add(s, 1)). Both have the broadcast shape of x and s, and when s is much smaller
     * than x (a [1, C, 1, 1] gate) the rewrite saves one pass over x. The results differ only by
     * float rounding: x * (1 + s) rounds once where x + x * s rounds twice.
     * NOTE: for an infinite x with s = 0 the original gives NaN (inf * 0) and the rewrite gives
     * x; finite inputs are unaffected.
     */
    private boolean fuseSelfGate(NodeProto add) {
        if (add.getInputCount() != 2) {
            return false;
        }
        for (int side = 0; side < 2; side++) {
            NodeProto mul = producer(add.getInput(side), "Mul");
            String x = add.getInput(1 - side);
            if (mul == null || soleConsumer(mul.getOutput(0)) == null || mul.getInputCount() != 2) {
                continue;
            }
            String gate = other(mul, x);
            int type = elemType(x);
            if (gate.isEmpty() || !BasicRewrites.isFloat(type) || elemType(gate) != type
                    || !smaller(gate, x)) {
                continue;
            }
            DataType dataType = type == DataType.FLOAT.code() ? DataType.FLOAT : DataType.DOUBLE;
            String oneConstant = graph.addConstant(add.getName() + "_one",
                    Tensor.fromDoubles(dataType, new int[0], new double[] {1}));
            String shifted = graph.freshName(gate + "_plus_one");
            NodeProto plusOne = NodeProto.newBuilder().setOpType("Add").setName(graph.freshName("Add"))
                    .addInput(gate).addInput(oneConstant).addOutput(shifted).build();
            NodeProto scaled = NodeProto.newBuilder().setOpType("Mul").setName(add.getName())
                    .addInput(x).addInput(shifted).addOutput(add.getOutput(0)).build();
            graph.nodes.set(index(mul), plusOne);
            graph.nodes.set(index(add), scaled);
            return true;
        }
        return false;
    }

    /**
     * True if {@code small} is, by its known shape, smaller than {@code large}: it has size 1 on
     * an axis where large may not, and no axis where it is known to be larger. An unknown
     * dimension counts as equal, because a wrong guess only costs the pass over small.
     */
    private boolean smaller(String small, String large) {
        ValueType s = types.get(small);
        ValueType l = types.get(large);
        if (s == null || l == null || !s.rankKnown() || !l.rankKnown() || s.rank() > l.rank()) {
            return false;
        }
        int offset = l.rank() - s.rank();
        boolean strictly = offset > 0;
        for (int d = 0; d < s.rank(); d++) {
            long sd = s.dims()[d];
            long ld = l.dims()[offset + d];
            if (sd == 1) {
                strictly |= ld != 1;
            } else if (sd >= 0 && ld >= 0 && sd != ld) {
                return false;
            }
        }
        return strictly;
    }

    // ---- ConvTranspose + bias, ConvTranspose + BatchNormalization ----

    /**
     * Folds Add of a constant that varies along the channel axis only into the bias of the
     * ConvTranspose before it.
     */
    private boolean fuseConvTransposeBias(NodeProto add) {
        if (add.getInputCount() != 2) {
            return false;
        }
        for (int side = 0; side < 2; side++) {
            NodeProto convT = producer(add.getInput(side), "ConvTranspose");
            Tensor c = graph.constant(add.getInput(1 - side));
            double[] bias = convT == null || c == null || soleConsumer(convT.getOutput(0)) == null
                    ? null : convTransposeBias(convT, c.type());
            if (bias == null) {
                continue;
            }
            Tensor w = graph.constant(convT.getInput(1));
            double[] shift = perChannel(c, bias.length, w.rank());
            if (shift == null) {
                continue;
            }
            for (int o = 0; o < bias.length; o++) {
                bias[o] += shift[o];
            }
            replaceConvTranspose(convT, add, w.type(), convT.getInput(1), bias);
            return true;
        }
        return false;
    }

    /**
     * Folds an inference-mode BatchNormalization into the constant weights and bias of the
     * ConvTranspose before it. W has shape [C, M / group, k...], so output channel g * (M /
     * group) + j scales W[c, j] for the input channels c of group g.
     */
    private boolean fuseConvTransposeBatchNorm(NodeProto bn) {
        NodeProto convT = producer(bn.getInput(0), "ConvTranspose");
        if (convT == null || soleConsumer(convT.getOutput(0)) == null || bn.getInputCount() != 5
                || ShapeInference.intAttr(bn, "training_mode", 0) != 0
                || ShapeInference.intAttr(bn, "spatial", 1) != 1
                || opset() < 7 && ShapeInference.intAttr(bn, "is_test", 0) == 0) {
            return false;
        }
        for (int k = 1; k < bn.getOutputCount(); k++) {
            if (!bn.getOutput(k).isEmpty()) {
                return false;
            }
        }

        Tensor w = graph.constant(convT.getInput(1));
        double[] bias = w == null ? null : convTransposeBias(convT, w.type());
        if (bias == null) {
            return false;
        }
        int m = bias.length;
        Tensor[] params = new Tensor[4];
        for (int k = 0; k < 4; k++) {
            params[k] = graph.constant(bn.getInput(k + 1));
            if (params[k] == null || params[k].type() != w.type() || params[k].size() != m || params[k].rank() != 1) {
                return false;
            }
        }
        double epsilon = 1e-5;
        for (AttributeProto a : bn.getAttributeList()) {
            if (a.getName().equals("epsilon")) {
                epsilon = a.getF();
            }
        }
        double[] scale = new double[m];
        for (int o = 0; o < m; o++) {
            scale[o] = params[0].getDouble(o) / Math.sqrt(params[3].getDouble(o) + epsilon);
            bias[o] = (bias[o] - params[2].getDouble(o)) * scale[o] + params[1].getDouble(o);
        }

        int c = w.dim(0);
        int mg = w.dim(1);
        int group = m / mg;
        int kernel = w.size() / (c * mg);
        double[] weights = w.toDoubleArray().clone();
        for (int ci = 0; ci < c; ci++) {
            int g = ci / (c / group);
            for (int j = 0; j < mg; j++) {
                int start = (ci * mg + j) * kernel;
                for (int e = start; e < start + kernel; e++) {
                    weights[e] *= scale[g * mg + j];
                }
            }
        }
        String wName = graph.addConstant(convT.getInput(1) + "_bn", Tensor.fromDoubles(w.type(), w.shape(), weights));
        replaceConvTranspose(convT, bn, w.type(), wName, bias);
        return true;
    }

    /**
     * Returns a copy of the constant bias of a ConvTranspose with constant float or double
     * weights of type {@code type}, zeros when it has none, or null when the node does not
     * qualify.
     */
    private double[] convTransposeBias(NodeProto convT, DataType type) {
        Tensor w = convT.getInputCount() > 1 ? graph.constant(convT.getInput(1)) : null;
        if (w == null || w.rank() < 3 || w.type() != type || type != DataType.FLOAT && type != DataType.DOUBLE) {
            return null;
        }
        long group = ShapeInference.intAttr(convT, "group", 1);
        if (group < 1 || w.dim(0) % group != 0) {
            return null;
        }
        int m = Math.toIntExact(w.dim(1) * group);
        double[] bias = new double[m];
        if (convT.getInputCount() > 2 && !convT.getInput(2).isEmpty()) {
            Tensor b = graph.constant(convT.getInput(2));
            if (b == null || b.type() != type || b.rank() != 1 || b.size() != m) {
                return null;
            }
            for (int o = 0; o < m; o++) {
                bias[o] = b.getDouble(o);
            }
        }
        return bias;
    }

    private void replaceConvTranspose(NodeProto convT, NodeProto last, DataType type, String weights, double[] bias) {
        String bName = graph.addConstant(convT.getOutput(0) + "_bias",
                Tensor.fromDoubles(type, new int[] {bias.length}, bias));
        NodeProto fused = convT.toBuilder().clearInput().clearOutput().addInput(convT.getInput(0))
                .addInput(weights).addInput(bName).addOutput(last.getOutput(0)).build();
        replace(List.of(convT), last, fused);
    }

    // ---- HardSwish ----

    /**
     * Matches x * Clip(x + 3, 0, 6) / 6 (Div by 6 or Mul by 1/6) and replaces it with
     * HardSwish, or with dev.jonnx HardSwish where the opset predates HardSwish-14.
     */
    private boolean fuseHardSwish(NodeProto clip) {
        float[] bounds = clipBounds(clip);
        if (bounds == null || bounds[0] != 0f || bounds[1] != 6f) {
            return false;
        }
        NodeProto add = producer(clip.getInput(0), "Add");
        if (add == null || soleConsumer(add.getOutput(0)) == null) {
            return false;
        }
        String x = near(scalar(add.getInput(1)), 3) ? add.getInput(0)
                : near(scalar(add.getInput(0)), 3) ? add.getInput(1) : null;

        NodeProto mul = soleConsumerNode(clip.getOutput(0), "Mul");
        if (x == null || mul == null || !other(mul, clip.getOutput(0)).equals(x)) {
            return false;
        }

        Integer next = soleConsumer(mul.getOutput(0));
        NodeProto last = next == null ? null : graph.nodes.get(next);
        if (last == null || !isDefaultDomain(last) || !last.getInput(0).equals(mul.getOutput(0))
                || last.getInputCount() != 2) {
            return false;
        }
        boolean divides = last.getOpType().equals("Div") && near(scalar(last.getInput(1)), 6);
        boolean multiplies = last.getOpType().equals("Mul") && near(scalar(last.getInput(1)), 1.0 / 6);
        if (!divides && !multiplies || !scalarsKeepShape(x)) {
            return false;
        }

        NodeProto.Builder hardSwish = NodeProto.newBuilder().setOpType("HardSwish")
                .setName(graph.freshName("HardSwish")).addInput(x).addOutput(last.getOutput(0));
        if (opset() < 14) {
            hardSwish.setDomain(GraphOptimizer.DOMAIN);
            usedCustomDomain = true;
        }
        replace(List.of(add, clip, mul), last, hardSwish.build());
        return true;
    }

    // ---- Conv + activation -> dev.jonnx FusedConv ----

    private boolean fuseConvActivation(int i, NodeProto conv) {
        Integer c = soleConsumer(conv.getOutput(0));
        if (c == null) {
            return false;
        }
        NodeProto act = graph.nodes.get(c);
        Tensor w = conv.getInputCount() > 1 ? graph.constant(conv.getInput(1)) : null;
        int elem = w != null ? w.type().code() : elemType(conv.getInput(1));
        boolean customHardSwish = act.getDomain().equals(GraphOptimizer.DOMAIN) && act.getOpType().equals("HardSwish");
        if (!(isDefaultDomain(act) || customHardSwish) || !act.getInput(0).equals(conv.getOutput(0))
                || !BasicRewrites.isFloat(elem)) {
            return false;
        }
        float[] params = activationParams(act);
        if (params == null) {
            return false;
        }

        NodeProto.Builder fused = conv.toBuilder().setDomain(GraphOptimizer.DOMAIN).setOpType("FusedConv")
                .clearOutput().addOutput(act.getOutput(0))
                .addAttribute(AttributeProto.newBuilder().setName("activation")
                        .setType(AttributeProto.AttributeType.STRING)
                        .setS(com.google.protobuf.ByteString.copyFromUtf8(act.getOpType())));
        if (params.length > 0) {
            AttributeProto.Builder p = AttributeProto.newBuilder().setName("activation_params")
                    .setType(AttributeProto.AttributeType.FLOATS);
            for (float v : params) {
                p.addFloats(v);
            }
            fused.addAttribute(p);
        }
        replace(List.of(conv), act, fused.build());
        usedCustomDomain = true;
        return true;
    }

    /** Returns the parameters FusedConv needs for an activation node, or null if it is not supported. */
    private float[] activationParams(NodeProto act) {
        return switch (act.getOpType()) {
            case "Relu", "Sigmoid", "Tanh", "HardSwish" -> act.getInputCount() == 1 ? new float[0] : null;
            case "LeakyRelu" -> new float[] {floatAttr(act, "alpha", 0.01f)};
            case "HardSigmoid" -> new float[] {floatAttr(act, "alpha", 0.2f), floatAttr(act, "beta", 0.5f)};
            case "Clip" -> clipBounds(act);
            default -> null;
        };
    }

    private float[] clipBounds(NodeProto clip) {
        if (opset() < 11) {
            return new float[] {floatAttr(clip, "min", -Float.MAX_VALUE), floatAttr(clip, "max", Float.MAX_VALUE)};
        }
        float[] bounds = {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        for (int k = 1; k <= 2; k++) {
            if (clip.getInputCount() > k && !clip.getInput(k).isEmpty()) {
                Float v = scalar(clip.getInput(k));
                if (v == null) {
                    return null;
                }
                bounds[k - 1] = v;
            }
        }
        return bounds;
    }

    private static float floatAttr(NodeProto n, String name, float defaultValue) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getF();
            }
        }
        return defaultValue;
    }

    // ---- GELU ----

    /**
     * Matches x * 0.5 * (1 + erf(x / sqrt(2))) in the three orders exporters write it, with
     * Div by sqrt(2) or Mul by 1 / sqrt(2), and replaces it with Gelu.
     */
    private boolean fuseGelu(int i, NodeProto erf) {
        NodeProto scale = producer(erf.getInput(0), "Div");
        String x;
        if (scale != null && near(scalar(scale.getInput(1)), Math.sqrt(2))) {
            x = scale.getInput(0);
        } else {
            scale = producer(erf.getInput(0), "Mul");
            if (scale == null) {
                return false;
            }
            int side = near(scalar(scale.getInput(1)), Math.sqrt(0.5)) ? 0
                    : near(scalar(scale.getInput(0)), Math.sqrt(0.5)) ? 1 : -1;
            if (side < 0) {
                return false;
            }
            x = scale.getInput(side);
        }
        if (soleConsumer(scale.getOutput(0)) == null) {
            return false;
        }

        NodeProto add = soleConsumerNode(erf.getOutput(0), "Add");
        if (add == null || !near(scalar(other(add, erf.getOutput(0))), 1.0)) {
            return false;
        }
        NodeProto mul1 = soleConsumerNode(add.getOutput(0), "Mul");
        if (mul1 == null) {
            return false;
        }

        String operand = other(mul1, add.getOutput(0));
        List<NodeProto> removed = new ArrayList<>(List.of(scale, erf, add));
        NodeProto last;
        if (operand.equals(x) || near(scalar(operand), 0.5)) {
            // (1 + erf) * x, then * 0.5; or (1 + erf) * 0.5, then * x.
            String expected = operand.equals(x) ? null : x;
            NodeProto mul2 = soleConsumerNode(mul1.getOutput(0), "Mul");
            if (mul2 == null) {
                return false;
            }
            String second = other(mul2, mul1.getOutput(0));
            if (expected == null ? !near(scalar(second), 0.5) : !second.equals(expected)) {
                return false;
            }
            removed.add(mul1);
            last = mul2;
        } else {
            // (x * 0.5) * (1 + erf)
            NodeProto half = producer(operand, "Mul");
            if (half == null || soleConsumer(half.getOutput(0)) == null) {
                return false;
            }
            boolean matches = half.getInput(0).equals(x) && near(scalar(half.getInput(1)), 0.5)
                    || half.getInput(1).equals(x) && near(scalar(half.getInput(0)), 0.5);
            if (!matches) {
                return false;
            }
            removed.add(half);
            last = mul1;
        }

        if (!scalarsKeepShape(x)) {
            return false;
        }
        NodeProto.Builder gelu = NodeProto.newBuilder().setOpType("Gelu").setName(graph.freshName("Gelu"))
                .addInput(x).addOutput(last.getOutput(0));
        if (opset() < 20) {
            gelu.setDomain(GraphOptimizer.DOMAIN);
            usedCustomDomain = true;
        }
        replace(removed, last, gelu.build());
        return true;
    }

    /** Returns the input of a two-input node that is not {@code value}, or "" if the node does not read it once. */
    private static String other(NodeProto n, String value) {
        if (n.getInputCount() != 2) {
            return "";
        }
        if (n.getInput(0).equals(value) && !n.getInput(1).equals(value)) {
            return n.getInput(1);
        }
        if (n.getInput(1).equals(value) && !n.getInput(0).equals(value)) {
            return n.getInput(0);
        }
        return "";
    }

    // ---- Layer normalization ----

    private long[] reduceAxes(NodeProto reduce) {
        if (ShapeInference.intAttr(reduce, "keepdims", 1) != 1) {
            return null;
        }
        if (opset() >= 18) {
            Tensor axes = reduce.getInputCount() > 1 && !reduce.getInput(1).isEmpty()
                    ? graph.constant(reduce.getInput(1)) : null;
            return axes == null ? null : axes.toLongArray();
        }
        return ShapeInference.ints(reduce, "axes");
    }

    /**
     * Returns the number k of trailing axes that {@code axes} names (-k..-1 or r-k..r-1), or -1
     * when the axes are not a suffix of the dimensions.
     */
    private static int trailingAxes(long[] axes, int rank) {
        if (axes == null || axes.length == 0) {
            return -1;
        }
        long[] normalized = new long[axes.length];
        for (int k = 0; k < axes.length; k++) {
            if (axes[k] >= 0 && rank < 0) {
                return -1;
            }
            normalized[k] = axes[k] < 0 ? axes[k] : axes[k] - rank;
        }
        java.util.Arrays.sort(normalized);
        for (int k = 0; k < normalized.length; k++) {
            if (normalized[k] != k - normalized.length) {
                return -1;
            }
        }
        return axes.length;
    }

    /**
     * Matches (x - mean(x)) / sqrt(mean((x - mean(x))^2) + epsilon) * gamma + beta, reduced
     * over the trailing axes, and replaces it with LayerNormalization.
     */
    private boolean fuseLayerNorm(int i, NodeProto mean) {
        String x = mean.getInput(0);
        ValueType xType = types.get(x);
        int rank = xType == null ? -1 : xType.rank();
        long[] axes = reduceAxes(mean);
        int k = trailingAxes(axes, rank);
        if (k < 0) {
            return false;
        }

        NodeProto sub = soleConsumerNode(mean.getOutput(0), "Sub");
        if (sub == null || !sub.getInput(0).equals(x) || !sub.getInput(1).equals(mean.getOutput(0))) {
            return false;
        }

        String d = sub.getOutput(0);
        List<Integer> readers = consumers.get(d);
        if (graph.outputNames.contains(d) || readers == null || readers.size() != 2 || uses.get(d) != 2) {
            return false;
        }
        NodeProto pow = null;
        NodeProto div = null;
        for (int r : readers) {
            NodeProto n = graph.nodes.get(r);
            if (!isDefaultDomain(n)) {
                return false;
            }
            if (n.getOpType().equals("Pow") && n.getInput(0).equals(d)) {
                pow = n;
            } else if (n.getOpType().equals("Div") && n.getInput(0).equals(d)) {
                div = n;
            }
        }
        if (pow == null || div == null || !near(scalar(pow.getInput(1)), 2.0)) {
            return false;
        }

        NodeProto variance = soleConsumerNode(pow.getOutput(0), "ReduceMean");
        if (variance == null || trailingAxes(reduceAxes(variance), rank) != k
                || !java.util.Arrays.equals(sorted(reduceAxes(variance)), sorted(axes))) {
            return false;
        }
        NodeProto addEps = soleConsumerNode(variance.getOutput(0), "Add");
        Float epsilon = addEps == null ? null : scalar(other(addEps, variance.getOutput(0)));
        if (epsilon == null) {
            return false;
        }
        NodeProto sqrt = soleConsumerNode(addEps.getOutput(0), "Sqrt");
        if (sqrt == null || soleConsumer(sqrt.getOutput(0)) == null
                || !div.getInput(1).equals(sqrt.getOutput(0)) || soleConsumer(div.getOutput(0)) == null) {
            return false;
        }

        NodeProto mul = soleConsumerNode(div.getOutput(0), "Mul");
        String gamma = mul == null ? "" : other(mul, div.getOutput(0));
        if (!affineParameter(gamma, k, xType)) {
            return false;
        }

        List<NodeProto> removed = new ArrayList<>(List.of(mean, sub, pow, variance, addEps, sqrt, div));
        NodeProto last = mul;
        String beta = null;
        Integer next = graph.outputNames.contains(mul.getOutput(0)) ? null : soleConsumer(mul.getOutput(0));
        if (next != null) {
            NodeProto addBeta = graph.nodes.get(next);
            String candidate = isDefaultDomain(addBeta) && addBeta.getOpType().equals("Add")
                    ? other(addBeta, mul.getOutput(0)) : "";
            if (affineParameter(candidate, k, xType)
                    && graph.constant(candidate).type() == graph.constant(gamma).type()) {
                removed.add(mul);
                last = addBeta;
                beta = candidate;
            }
        }

        if (!scalarsKeepShape(x)) {
            return false;
        }
        NodeProto.Builder norm = NodeProto.newBuilder().setOpType("LayerNormalization")
                .setName(graph.freshName("LayerNormalization"))
                .addInput(x).addInput(gamma).addOutput(last.getOutput(0))
                .addAttribute(intAttr("axis", -k)).addAttribute(floatAttr("epsilon", epsilon));
        if (beta != null) {
            norm.addInput(beta);
        }
        if (opset() < 17) {
            norm.setDomain(GraphOptimizer.DOMAIN);
            usedCustomDomain = true;
        }
        replace(removed, last, norm.build());
        return true;
    }

    private static long[] sorted(long[] values) {
        long[] copy = values.clone();
        java.util.Arrays.sort(copy);
        return copy;
    }

    /**
     * True if {@code name} is a float constant whose shape is the normalized shape (the last
     * {@code k} dimensions of x, where they are known), as LayerNormalization's Scale and B.
     */
    private boolean affineParameter(String name, int k, ValueType x) {
        Tensor t = name.isEmpty() ? null : graph.constant(name);
        if (t == null || t.type() != DataType.FLOAT || t.rank() != k) {
            return false;
        }
        if (x != null && x.elemType() != 0 && x.elemType() != DataType.FLOAT.code()) {
            return false;
        }
        if (x != null && x.rankKnown()) {
            for (int j = 0; j < k; j++) {
                long expected = x.dims()[x.rank() - k + j];
                if (expected >= 0 && expected != t.dim(j)) {
                    return false;
                }
            }
        }
        return true;
    }
}
