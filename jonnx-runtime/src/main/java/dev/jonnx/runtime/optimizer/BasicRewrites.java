package dev.jonnx.runtime.optimizer;

import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.runtime.optimizer.ShapeInference.ValueType;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rewrites of level BASIC, which keep the model in standard operators: constant and shape
 * folding, removal of no-op nodes and dead nodes, and shortening of reshape chains.
 */
final class BasicRewrites {
    private static final Set<String> VIEW_OPS = Set.of("Reshape", "Unsqueeze", "Squeeze", "Flatten");

    private final GraphState graph;
    private final Map<String, Integer> opsets;
    private final ConstantFolder folder;

    BasicRewrites(GraphState graph, Map<String, Integer> opsets, ConstantFolder folder) {
        this.graph = graph;
        this.opsets = opsets;
        this.folder = folder;
    }

    /** Repeats every rewrite until none applies, at most {@code maxRounds} times. */
    void run(int maxRounds) {
        for (int round = 0; round < maxRounds; round++) {
            boolean changed = foldConstants();
            changed |= dequantizeBeforeGather();
            Map<String, ValueType> types = ShapeInference.infer(graph, opsets);
            changed |= foldShapes(types);
            changed |= dropoutToIdentity();
            changed |= castToIdentity(types);
            changed |= shortenReshapeChains(types);
            changed |= copyDimensionsInReshape(types);
            changed |= eliminateIdentities();
            changed |= removeDeadNodes();
            graph.compact();
            if (!changed) {
                return;
            }
        }
    }

    private int opset(NodeProto n) {
        return opsets.getOrDefault(n.getDomain().equals("ai.onnx") ? "" : n.getDomain(), 0);
    }

    private static boolean isDefaultDomain(NodeProto n) {
        return n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
    }

    private boolean foldConstants() {
        boolean changed = false;
        for (int i = 0; i < graph.nodes.size(); i++) {
            NodeProto n = graph.nodes.get(i);
            if (n == null || !allInputsConstant(n) || !folder.foldable(n)) {
                continue;
            }
            Tensor[] outputs = folder.fold(n, graph);
            if (outputs == null) {
                continue;
            }
            for (int k = 0; k < outputs.length; k++) {
                if (outputs[k] != null) {
                    graph.putConstant(n.getOutput(k), outputs[k]);
                }
            }
            graph.nodes.set(i, null);
            changed = true;
        }
        return changed;
    }

    /**
     * Rewrites DequantizeLinear(Gather(T, indices)) with a constant table T and one scale and
     * zero point into Gather(T', indices), where T' is T dequantized once by folding. The values
     * are the same, because Gather copies whole elements and every element is dequantized
     * alike. It applies only when the folder accepts T' within its size limit, so a large table
     * (such as a word embedding) stays quantized and is dequantized per gathered row.
     */
    private boolean dequantizeBeforeGather() {
        boolean changed = false;
        Map<String, Integer> uses = graph.useCounts();
        Map<String, Integer> producers = graph.producers();
        for (int i = 0; i < graph.nodes.size(); i++) {
            NodeProto dequantize = graph.nodes.get(i);
            if (dequantize == null || !isDefaultDomain(dequantize)
                    || !dequantize.getOpType().equals("DequantizeLinear") || !perTensor(dequantize)) {
                continue;
            }
            String gathered = dequantize.getInput(0);
            Integer gatherIndex = producers.get(gathered);
            if (gatherIndex == null || uses.getOrDefault(gathered, 0) != 1 || graph.outputNames.contains(gathered)) {
                continue;
            }
            NodeProto gather = graph.nodes.get(gatherIndex);
            if (gather == null || !isDefaultDomain(gather) || !gather.getOpType().equals("Gather")
                    || !graph.isConstant(gather.getInput(0))) {
                continue;
            }
            NodeProto onTable = dequantize.toBuilder().setInput(0, gather.getInput(0)).build();
            Tensor[] folded = folder.foldable(onTable) ? folder.fold(onTable, graph) : null;
            if (folded == null || folded[0] == null) {
                continue;
            }
            String table = graph.addConstant(gather.getInput(0) + "_dequantized", folded[0]);
            graph.nodes.set(gatherIndex, null);
            graph.nodes.set(i, gather.toBuilder().setInput(0, table).setOutput(0, dequantize.getOutput(0)).build());
            uses = graph.useCounts();
            producers = graph.producers();
            changed = true;
        }
        return changed;
    }

    /**
     * True for a DequantizeLinear whose scale and zero point are constants of one element and
     * which has no block size, so that every element is dequantized alike.
     */
    private boolean perTensor(NodeProto dequantize) {
        if (dequantize.getInputCount() < 2 || ShapeInference.intAttr(dequantize, "block_size", 0) != 0) {
            return false;
        }
        for (int k = 1; k < dequantize.getInputCount(); k++) {
            String name = dequantize.getInput(k);
            if (k == 2 && name.isEmpty()) {
                continue;
            }
            Tensor value = graph.constant(name);
            if (value == null || value.size() != 1) {
                return false;
            }
        }
        return true;
    }

    private boolean allInputsConstant(NodeProto n) {
        for (String in : n.getInputList()) {
            if (!in.isEmpty() && !graph.isConstant(in)) {
                return false;
            }
        }
        for (String name : GraphState.subgraphReads(n)) {
            if (!graph.isConstant(name)) {
                return false;
            }
        }
        return true;
    }

    /** Replaces Shape and Size of a value whose (needed) dimensions are known by a constant. */
    private boolean foldShapes(Map<String, ValueType> types) {
        boolean changed = false;
        for (int i = 0; i < graph.nodes.size(); i++) {
            NodeProto n = graph.nodes.get(i);
            if (n == null || !isDefaultDomain(n) || n.getOutput(0).isEmpty()
                    || !(n.getOpType().equals("Shape") || n.getOpType().equals("Size"))) {
                continue;
            }
            ValueType x = types.get(n.getInput(0));
            if (x == null || !x.rankKnown()) {
                continue;
            }
            Tensor value;
            if (n.getOpType().equals("Size")) {
                if (!x.isStatic()) {
                    continue;
                }
                value = Tensor.scalar(ShapeInference.product(x.dims()));
            } else {
                long[] range = ShapeInference.shapeRange(n, x.rank(), opset(n));
                long[] dims = Arrays.copyOfRange(x.dims(), (int) range[0], (int) range[1]);
                if (Arrays.stream(dims).anyMatch(d -> d < 0)) {
                    continue;
                }
                value = Tensor.of(dims, dims.length);
            }
            graph.putConstant(n.getOutput(0), value);
            graph.nodes.set(i, null);
            changed = true;
        }
        return changed;
    }

    /**
     * Turns an inference-mode Dropout into Identity when no node reads its mask and the mask
     * is no graph output. Training mode (Dropout-12 and later) must be a constant false, and
     * before Dropout-7 the node must set is_test, since otherwise the node really drops values.
     */
    private boolean dropoutToIdentity() {
        Map<String, Integer> uses = graph.useCounts();
        boolean changed = false;
        for (int i = 0; i < graph.nodes.size(); i++) {
            NodeProto n = graph.nodes.get(i);
            if (n == null || !isDefaultDomain(n) || !n.getOpType().equals("Dropout")) {
                continue;
            }
            if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty()
                    && uses.getOrDefault(n.getOutput(1), 0) > 0) {
                continue;
            }
            int opset = opset(n);
            if (opset < 7 && ShapeInference.intAttr(n, "is_test", 0) == 0) {
                continue;
            }
            if (opset >= 12 && n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
                Tensor training = graph.constant(n.getInput(2));
                if (training == null || training.size() != 1 || training.getDouble(0) != 0) {
                    continue;
                }
            }
            graph.nodes.set(i, identity(n.getName(), n.getInput(0), n.getOutput(0)));
            changed = true;
        }
        return changed;
    }

    private static NodeProto identity(String name, String input, String output) {
        return NodeProto.newBuilder().setOpType("Identity").setName(name)
                .addInput(input).addOutput(output).build();
    }

    /** Turns Cast to the element type the input already has into Identity. */
    private boolean castToIdentity(Map<String, ValueType> types) {
        boolean changed = false;
        for (int i = 0; i < graph.nodes.size(); i++) {
            NodeProto n = graph.nodes.get(i);
            if (n == null || !isDefaultDomain(n) || !n.getOpType().equals("Cast")) {
                continue;
            }
            ValueType x = types.get(n.getInput(0));
            long to = ShapeInference.intAttr(n, "to", -1);
            if (x != null && x.elemType() != 0 && x.elemType() == to) {
                graph.nodes.set(i, identity(n.getName(), n.getInput(0), n.getOutput(0)));
                changed = true;
            }
        }
        return changed;
    }

    /**
     * Shortens a view chain: Reshape(view(x)) with a constant target that copies no dimension
     * (no 0 entry, or allowzero set) reads x directly, Unsqueeze(Unsqueeze(x)) becomes one
     * Unsqueeze, and a Reshape to the input's own static shape becomes Identity.
     */
    private boolean shortenReshapeChains(Map<String, ValueType> types) {
        Map<String, Integer> uses = graph.useCounts();
        Map<String, Integer> producers = graph.producers();
        boolean changed = false;
        for (int i = 0; i < graph.nodes.size(); i++) {
            NodeProto n = graph.nodes.get(i);
            if (n == null || !isDefaultDomain(n) || n.getInputCount() == 0) {
                continue;
            }
            String op = n.getOpType();
            if (op.equals("Reshape") && opset(n) >= 5) {
                ValueType in = types.get(n.getInput(0));
                ValueType out = types.get(n.getOutput(0));
                if (in != null && out != null && in.isStatic() && out.isStatic()
                        && Arrays.equals(in.dims(), out.dims())) {
                    graph.nodes.set(i, identity(n.getName(), n.getInput(0), n.getOutput(0)));
                    changed = true;
                    continue;
                }
                Tensor target = graph.constant(n.getInput(1));
                boolean allowZero = ShapeInference.intAttr(n, "allowzero", 0) != 0;
                if (target == null || (!allowZero && Arrays.stream(target.toLongArray()).anyMatch(d -> d == 0))) {
                    continue;
                }
                NodeProto inner = singleUseProducer(n.getInput(0), uses, producers);
                if (inner != null && isDefaultDomain(inner) && VIEW_OPS.contains(inner.getOpType())) {
                    graph.nodes.set(i, n.toBuilder().setInput(0, inner.getInput(0)).build());
                    changed = true;
                }
            } else if (op.equals("Unsqueeze")) {
                NodeProto inner = singleUseProducer(n.getInput(0), uses, producers);
                if (inner == null || !isDefaultDomain(inner) || !inner.getOpType().equals("Unsqueeze")) {
                    continue;
                }
                NodeProto merged = mergeUnsqueeze(inner, n, types.get(inner.getInput(0)));
                if (merged != null) {
                    graph.nodes.set(i, merged);
                    changed = true;
                    uses = graph.useCounts();
                }
            }
        }
        return changed;
    }

    /**
     * Replaces a Reshape target built at run time as Concat(..., Unsqueeze(Gather(Shape(x),
     * j)), ...), where the gathered dimension j of the reshaped tensor x lands at position j,
     * by a constant with 0 there, which Reshape reads as "copy dimension j of the input". The
     * other Concat inputs must be constants. Exporters write this pattern for
     * [batch, sequence, heads, size] targets.
     */
    private boolean copyDimensionsInReshape(Map<String, ValueType> types) {
        Map<String, Integer> producers = graph.producers();
        boolean changed = false;
        for (int i = 0; i < graph.nodes.size(); i++) {
            NodeProto n = graph.nodes.get(i);
            if (n == null || !isDefaultDomain(n) || !n.getOpType().equals("Reshape") || opset(n) < 5
                    || n.getInputCount() != 2 || ShapeInference.intAttr(n, "allowzero", 0) != 0) {
                continue;
            }
            NodeProto concat = node(producers, n.getInput(1), "Concat");
            if (concat == null || ShapeInference.intAttr(concat, "axis", 0) != 0) {
                continue;
            }
            ValueType x = types.get(n.getInput(0));
            long[] target = reshapeTarget(concat, n.getInput(0), x, producers);
            if (target != null) {
                String name = graph.addConstant(n.getOutput(0) + "_shape", Tensor.of(target, target.length));
                graph.nodes.set(i, n.toBuilder().setInput(1, name).build());
                changed = true;
            }
        }
        return changed;
    }

    /** Returns the constant target for {@link #copyDimensionsInReshape}, or null if the Concat does not fit. */
    private long[] reshapeTarget(NodeProto concat, String data, ValueType x, Map<String, Integer> producers) {
        List<Long> target = new java.util.ArrayList<>();
        for (String part : concat.getInputList()) {
            Tensor constant = graph.constant(part);
            if (constant != null) {
                if (constant.rank() != 1) {
                    return null;
                }
                for (long v : constant.toLongArray()) {
                    target.add(v);
                }
                continue;
            }
            NodeProto gather = node(producers, part, "Gather");
            if (gather == null) {
                NodeProto unsqueeze = node(producers, part, "Unsqueeze");
                long[] axes = unsqueeze == null ? null : unsqueezeAxes(unsqueeze);
                if (axes == null || axes.length != 1 || axes[0] != 0) {
                    return null;
                }
                gather = node(producers, unsqueeze.getInput(0), "Gather");
                if (gather == null || !scalarIndex(gather)) {
                    return null;
                }
            } else if (scalarIndex(gather)) {
                return null; // a 0-D part is not a valid Concat input
            }
            NodeProto shape = gather == null ? null : node(producers, gather.getInput(0), "Shape");
            if (shape == null || !shape.getInput(0).equals(data) || ShapeInference.intAttr(gather, "axis", 0) != 0
                    || ShapeInference.intAttr(shape, "start", 0) != 0
                    || shape.getAttributeList().stream().anyMatch(a -> a.getName().equals("end"))) {
                return null;
            }
            Tensor index = graph.constant(gather.getInput(1));
            if (index == null || index.size() != 1) {
                return null;
            }
            long j = index.getLong(0);
            if (j < 0) {
                if (x == null || !x.rankKnown()) {
                    return null;
                }
                j += x.rank();
            }
            if (j != target.size()) {
                return null;
            }
            target.add(0L);
        }
        return target.stream().mapToLong(Long::longValue).toArray();
    }

    private boolean scalarIndex(NodeProto gather) {
        Tensor index = graph.constant(gather.getInput(1));
        return index != null && index.rank() == 0;
    }

    private NodeProto node(Map<String, Integer> producers, String value, String opType) {
        Integer p = producers.get(value);
        if (p == null) {
            return null;
        }
        NodeProto n = graph.nodes.get(p);
        return n != null && isDefaultDomain(n) && n.getOpType().equals(opType) ? n : null;
    }

    private NodeProto singleUseProducer(String name, Map<String, Integer> uses,
            Map<String, Integer> producers) {
        Integer p = producers.get(name);
        if (p == null || uses.getOrDefault(name, 0) != 1 || graph.outputNames.contains(name)) {
            return null;
        }
        return graph.nodes.get(p);
    }

    private long[] unsqueezeAxes(NodeProto n) {
        if (opset(n) >= 13) {
            Tensor axes = n.getInputCount() > 1 ? graph.constant(n.getInput(1)) : null;
            return axes == null ? null : axes.toLongArray();
        }
        return ShapeInference.ints(n, "axes");
    }

    /** Combines Unsqueeze(Unsqueeze(x, first), second) into one Unsqueeze of x, or returns null. */
    private NodeProto mergeUnsqueeze(NodeProto inner, NodeProto outer, ValueType x) {
        long[] first = unsqueezeAxes(inner);
        long[] second = unsqueezeAxes(outer);
        if (first == null || second == null) {
            return null;
        }
        boolean negative = Arrays.stream(first).anyMatch(a -> a < 0) || Arrays.stream(second).anyMatch(a -> a < 0);
        if (negative && (x == null || !x.rankKnown())) {
            return null;
        }
        int rank = x == null || !x.rankKnown() ? -1 : x.rank();
        int middleRank = rank < 0 ? -1 : rank + first.length;
        int finalRank = rank < 0 ? -1 : middleRank + second.length;
        Set<Long> secondSet = new HashSet<>();
        for (long a : second) {
            secondSet.add(a < 0 ? a + finalRank : a);
        }
        if (secondSet.size() != second.length) {
            return null;
        }
        // The dimensions of the middle tensor fill, in order, the final positions that the
        // second Unsqueeze does not insert.
        long[] merged = new long[first.length + second.length];
        int k = 0;
        for (long a : first) {
            long p = a < 0 ? a + middleRank : a;
            long position = -1;
            long seen = -1;
            for (long f = 0; seen < p; f++) {
                if (!secondSet.contains(f)) {
                    seen++;
                }
                position = f;
            }
            merged[k++] = position;
        }
        for (long a : secondSet) {
            merged[k++] = a;
        }
        Arrays.sort(merged);
        for (int j = 1; j < merged.length; j++) {
            if (merged[j] == merged[j - 1]) {
                return null;
            }
        }
        NodeProto.Builder b = outer.toBuilder().setInput(0, inner.getInput(0));
        if (opset(outer) >= 13) {
            b.setInput(1, graph.addConstant(outer.getOutput(0) + "_axes", Tensor.of(merged, merged.length)));
        } else {
            b.clearAttribute().addAttribute(AttributeProto.newBuilder().setName("axes")
                    .setType(AttributeProto.AttributeType.INTS)
                    .addAllInts(Arrays.stream(merged).boxed().toList()));
        }
        return b.build();
    }

    /**
     * Removes Identity nodes: readers of the output read the input instead, or, when the
     * output is a graph output, the producer of the input writes the output name directly.
     */
    private boolean eliminateIdentities() {
        boolean changed = false;
        for (int i = 0; i < graph.nodes.size(); i++) {
            NodeProto n = graph.nodes.get(i);
            if (n == null || !isDefaultDomain(n) || !n.getOpType().equals("Identity")
                    || n.getInputCount() != 1 || n.getOutputCount() != 1) {
                continue;
            }
            String in = n.getInput(0);
            String out = n.getOutput(0);
            Set<String> subgraphReads = subgraphReads();
            if (subgraphReads.contains(out)) {
                continue;
            }
            if (!graph.outputNames.contains(out)) {
                graph.nodes.set(i, null);
                graph.replaceInput(out, in);
                changed = true;
                continue;
            }
            Integer producer = graph.producers().get(in);
            if (producer != null && !graph.outputNames.contains(in) && !subgraphReads.contains(in)) {
                graph.nodes.set(i, null);
                graph.renameOutput(producer, in, out);
                changed = true;
            }
        }
        return changed;
    }

    private Set<String> subgraphReads() {
        Set<String> names = new HashSet<>();
        for (NodeProto n : graph.nodes) {
            if (n != null && GraphState.hasSubgraph(n)) {
                names.addAll(GraphState.subgraphReads(n));
            }
        }
        return names;
    }

    /** Removes nodes none of whose outputs is read, then initializers nothing reads. */
    boolean removeDeadNodes() {
        boolean changed = false;
        boolean again = true;
        while (again) {
            again = false;
            Map<String, Integer> uses = graph.useCounts();
            for (int i = graph.nodes.size() - 1; i >= 0; i--) {
                NodeProto n = graph.nodes.get(i);
                if (n == null) {
                    continue;
                }
                boolean used = false;
                for (String out : n.getOutputList()) {
                    used |= !out.isEmpty() && uses.getOrDefault(out, 0) > 0;
                }
                if (!used) {
                    graph.nodes.set(i, null);
                    again = true;
                    changed = true;
                }
            }
        }
        Map<String, Integer> uses = graph.useCounts();
        List<String> unused = graph.initializers.keySet().stream()
                .filter(name -> !graph.inputNames.contains(name) && uses.getOrDefault(name, 0) == 0)
                .toList();
        unused.forEach(graph.initializers::remove);
        return changed || !unused.isEmpty();
    }

    static boolean isFloat(int elemType) {
        return elemType == DataType.FLOAT.code() || elemType == DataType.DOUBLE.code();
    }
}
