package dev.jonnx.runtime.optimizer;

import com.google.protobuf.ByteString;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The fusion of dynamically quantized matmuls at level ALL. For a DynamicQuantizeLinear node
 * whose three outputs are read only by chains of the form
 *
 * <pre>
 * s = Mul(A_scale, B_scale)
 * y = Add(Gelu(Add(Mul(Cast(MatMulInteger(A_q, B, A_zero_point, B_zero_point), to=FLOAT), s), bias)), R)
 * </pre>
 *
 * (the bias Add, the exact Gelu and the residual Add of R are each optional, and operands of
 * Mul and Add may come in either order), the chains become {@code DynamicQuantizeMatMul} nodes
 * of the custom domain and the DynamicQuantizeLinear node goes away. B, B_scale, B_zero_point
 * and bias must be constants, and each intermediate value must have the chain as its only
 * reader. Chains without Gelu or residual that share one quantized input (the query, key and
 * value projections of an attention block) become one node with an output per chain, which
 * quantizes A once. Every other chain becomes a node of its own.
 */
final class QuantFusions {
    static final String FUSED_OP = "DynamicQuantizeMatMul";

    private final GraphState graph;
    private Map<String, Integer> uses;
    private Map<String, Integer> producers;
    private Map<String, List<Integer>> consumers;

    QuantFusions(GraphState graph) {
        this.graph = graph;
    }

    /** Fuses every match and returns true if it created any node of the custom domain. */
    boolean run() {
        boolean changed = false;
        refresh();
        for (int i = 0; i < graph.nodes.size(); i++) {
            NodeProto n = graph.nodes.get(i);
            if (n != null && isDefaultDomain(n) && n.getOpType().equals("DynamicQuantizeLinear") && fuse(i, n)) {
                changed = true;
                refresh();
            }
        }
        graph.compact();
        return changed;
    }

    private void refresh() {
        uses = graph.useCounts();
        producers = graph.producers();
        consumers = graph.consumers();
    }

    private static boolean isDefaultDomain(NodeProto n) {
        return n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
    }

    /**
     * One matched chain: the indices of its nodes and of the last of them, the fused node's
     * weight inputs (B, B_scale, B_zero_point, bias), whether it ends in Gelu, the residual
     * (empty when none) and the output.
     */
    private record Chain(List<Integer> nodes, int last, List<String> weights, boolean gelu, String residual,
            String output) {
        boolean plain() {
            return !gelu && residual.isEmpty();
        }
    }

    private boolean fuse(int dqlIndex, NodeProto dql) {
        if (dql.getOutputCount() != 3 || dql.getInput(0).isEmpty()) {
            return false;
        }
        String quantized = dql.getOutput(0);
        String scale = dql.getOutput(1);
        String zeroPoint = dql.getOutput(2);

        for (String out : dql.getOutputList()) {
            if (out.isEmpty() || graph.outputNames.contains(out)) {
                return false;
            }
        }
        List<Integer> readers = consumers.get(quantized);
        if (readers == null || readers.isEmpty()) {
            return false;
        }

        List<Chain> chains = new ArrayList<>();
        for (int reader : readers) {
            Chain chain = match(reader, quantized, scale, zeroPoint);
            if (chain == null) {
                return false;
            }
            chains.add(chain);
        }
        // Every read of the three outputs must belong to a matched chain, which reads each once.
        if (uses.getOrDefault(quantized, 0) != chains.size() || uses.getOrDefault(zeroPoint, 0) != chains.size()
                || uses.getOrDefault(scale, 0) != chains.size()) {
            return false;
        }

        String a = dql.getInput(0);
        List<Chain> shared = chains.stream().filter(Chain::plain).toList();
        NodeProto group = null;
        if (shared.size() > 1) {
            // The node reads only A and constants, so it can take the DynamicQuantizeLinear
            // node's place. A is computed before that place, and every chain comes after it.
            NodeProto.Builder b = NodeProto.newBuilder().setOpType(FUSED_OP).setDomain(GraphOptimizer.DOMAIN)
                    .setName(graph.freshName(dql.getName().isEmpty() ? FUSED_OP : dql.getName())).addInput(a);
            for (Chain chain : shared) {
                b.addAllInput(chain.weights()).addOutput(chain.output());
                for (int index : chain.nodes()) {
                    graph.nodes.set(index, null);
                }
            }
            group = b.build();
        }
        for (Chain chain : chains) {
            if (group != null && chain.plain()) {
                continue;
            }
            NodeProto last = graph.nodes.get(chain.last());
            NodeProto.Builder fused = NodeProto.newBuilder().setOpType(FUSED_OP).setDomain(GraphOptimizer.DOMAIN)
                    .setName(graph.freshName(last.getName().isEmpty() ? FUSED_OP : last.getName()))
                    .addInput(a).addAllInput(chain.weights()).addOutput(chain.output());
            if (!chain.residual().isEmpty()) {
                fused.addInput(chain.residual());
            }
            if (chain.gelu()) {
                fused.addAttribute(AttributeProto.newBuilder().setName("activation")
                        .setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8("Gelu")));
            }
            for (int index : chain.nodes()) {
                graph.nodes.set(index, null);
            }
            graph.nodes.set(chain.last(), fused.build());
        }
        graph.nodes.set(dqlIndex, group);
        return true;
    }

    /**
     * Matches the chain that starts at MatMulInteger node {@code mmIndex}, or returns null.
     * Its nodes may come in any order in the graph. The fused node takes the place of the last
     * of them, so every reader of the chain's output still comes after its producer.
     */
    private Chain match(int mmIndex, String quantized, String scale, String zeroPoint) {
        NodeProto mm = graph.nodes.get(mmIndex);
        if (!isDefaultDomain(mm) || !mm.getOpType().equals("MatMulInteger") || mm.getInputCount() < 3
                || !mm.getInput(0).equals(quantized) || !mm.getInput(2).equals(zeroPoint)) {
            return null;
        }
        String b = mm.getInput(1);
        Tensor bValue = graph.constant(b);
        if (bValue == null || bValue.rank() != 2
                || (bValue.type() != DataType.INT8 && bValue.type() != DataType.UINT8)) {
            return null;
        }
        int n = bValue.shape()[1];
        String bZero = mm.getInputCount() > 3 ? mm.getInput(3) : "";
        if (!bZero.isEmpty() && !isColumnConstant(bZero, bValue.type(), n)) {
            return null;
        }

        Integer castIndex = soleReader(mm.getOutput(0));
        NodeProto cast = castIndex == null ? null : graph.nodes.get(castIndex);
        if (cast == null || !isOp(cast, "Cast") || castTarget(cast) != DataType.FLOAT.code()) {
            return null;
        }
        Integer mulIndex = soleReader(cast.getOutput(0));
        NodeProto mul = mulIndex == null ? null : graph.nodes.get(mulIndex);
        if (mul == null || !isOp(mul, "Mul") || mul.getInputCount() != 2) {
            return null;
        }
        String product = otherInput(mul, cast.getOutput(0));
        Integer productIndex = product == null ? null : producers.get(product);
        NodeProto scales = productIndex == null ? null : graph.nodes.get(productIndex);
        if (scales == null || !isOp(scales, "Mul") || scales.getInputCount() != 2
                || soleReader(product) == null) {
            return null;
        }
        String bScale = otherInput(scales, scale);
        if (bScale == null || !isColumnConstant(bScale, DataType.FLOAT, n)) {
            return null;
        }

        List<Integer> nodes = new ArrayList<>(List.of(mmIndex, castIndex, productIndex, mulIndex));
        String output = mul.getOutput(0);
        String bias = "";
        Integer addIndex = soleReader(output);
        NodeProto add = addIndex == null ? null : graph.nodes.get(addIndex);
        if (add != null && isOp(add, "Add") && add.getInputCount() == 2) {
            String other = otherInput(add, output);
            if (other != null && isColumnConstant(other, DataType.FLOAT, n)) {
                bias = other;
                nodes.add(addIndex);
                output = add.getOutput(0);
            }
        }
        boolean gelu = false;
        Integer geluIndex = soleReader(output);
        if (geluIndex != null && isExactGelu(graph.nodes.get(geluIndex))) {
            gelu = true;
            nodes.add(geluIndex);
            output = graph.nodes.get(geluIndex).getOutput(0);
        }
        String residual = "";
        Integer residualIndex = soleReader(output);
        NodeProto residualAdd = residualIndex == null ? null : graph.nodes.get(residualIndex);
        if (residualAdd != null && isOp(residualAdd, "Add") && residualAdd.getInputCount() == 2) {
            String other = otherInput(residualAdd, output);
            if (other != null && !other.isEmpty()) {
                residual = other;
                nodes.add(residualIndex);
                output = residualAdd.getOutput(0);
            }
        }
        int last = nodes.stream().mapToInt(Integer::intValue).max().orElseThrow();
        return new Chain(nodes, last, List.of(b, bScale, bZero, bias), gelu, residual, output);
    }

    /** True for a one-input Gelu of the default or custom domain in its exact (erf) form. */
    private static boolean isExactGelu(NodeProto n) {
        if (!n.getOpType().equals("Gelu") || n.getInputCount() != 1
                || !(isDefaultDomain(n) || n.getDomain().equals(GraphOptimizer.DOMAIN))) {
            return false;
        }
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals("approximate") && !a.getS().toStringUtf8().equals("none")) {
                return false;
            }
        }
        return true;
    }

    private static boolean isOp(NodeProto n, String opType) {
        return isDefaultDomain(n) && n.getOpType().equals(opType);
    }

    /** Returns the index of the only node that reads {@code value}, or null. */
    private Integer soleReader(String value) {
        if (uses.getOrDefault(value, 0) != 1 || graph.outputNames.contains(value)) {
            return null;
        }
        List<Integer> readers = consumers.get(value);
        return readers == null || readers.size() != 1 ? null : readers.get(0);
    }

    /** Returns the input of a two-input node that is not {@code known}, or null if none is. */
    private static String otherInput(NodeProto n, String known) {
        if (n.getInput(0).equals(known) && !n.getInput(1).equals(known)) {
            return n.getInput(1);
        }
        if (n.getInput(1).equals(known) && !n.getInput(0).equals(known)) {
            return n.getInput(0);
        }
        return null;
    }

    private static long castTarget(NodeProto cast) {
        for (AttributeProto a : cast.getAttributeList()) {
            if (a.getName().equals("to")) {
                return a.getI();
            }
        }
        return -1;
    }

    /**
     * True if {@code name} is a constant of {@code type} with one value (rank 0 or 1) or
     * {@code n} values in 1-D, so that it broadcasts along the columns without changing the
     * shape of the product.
     */
    private boolean isColumnConstant(String name, DataType type, int n) {
        Tensor t = graph.constant(name);
        if (t == null || t.type() != type) {
            return false;
        }
        return (t.size() == 1 && t.rank() <= 1) || (t.rank() == 1 && t.size() == n);
    }
}
