package dev.jonnx.runtime.ops.training;

import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.graph.Subgraph;
import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gradient (ai.onnx.preview.training, version 1): the derivative of the sum of tensor {@code y}
 * with respect to each tensor in {@code xs}, at the values given as this node's inputs (xs, then
 * zs). The nodes of the enclosing graph that compute {@code y} from xs and zs are recompiled as
 * a forward graph; reverse-mode differentiation then runs over them in double precision.
 * Supported operators on that path: Add, Sub, Mul, Div, Neg, Identity and 2-D MatMul.
 */
final class Gradient {
    private static final Set<String> DIFFERENTIABLE =
            Set.of("Add", "Sub", "Mul", "Div", "Neg", "Identity", "MatMul");

    private Gradient() {}

    static Kernel create(NodeContext node) {
        String[] xs = node.getStrings("xs", null);
        if (xs == null || xs.length == 0) {
            throw node.error("required attribute 'xs' is missing or empty");
        }
        String y = node.getString("y");
        String[] zs = node.getStrings("zs", new String[0]);
        Set<String> independent = new HashSet<>(Arrays.asList(xs));
        independent.addAll(Arrays.asList(zs));

        // The nodes on the path from xs and zs to y, in the enclosing graph's order.
        Map<String, NodeProto> producer = new HashMap<>();
        for (NodeProto n : node.graphNodes()) {
            for (String out : n.getOutputList()) {
                producer.put(out, n);
            }
        }
        Set<NodeProto> needed = new LinkedHashSet<>();
        List<String> pending = new ArrayList<>(List.of(y));
        while (!pending.isEmpty()) {
            String name = pending.removeLast();
            NodeProto p = producer.get(name);
            if (independent.contains(name) || p == null || !needed.add(p)) {
                continue;
            }
            if (!p.getDomain().isEmpty() || !DIFFERENTIABLE.contains(p.getOpType())) {
                throw node.unsupported("differentiating " + p.getOpType() + " (node '" + p.getName()
                        + "'); Gradient handles " + new java.util.TreeSet<>(DIFFERENTIABLE));
            }
            pending.addAll(p.getInputList());
        }
        List<NodeProto> forward = node.graphNodes().stream().filter(needed::contains).toList();
        GraphProto.Builder g = GraphProto.newBuilder().setName("gradient_forward");
        for (String x : xs) {
            g.addInput(ValueInfoProto.newBuilder().setName(x));
        }
        for (String z : zs) {
            g.addInput(ValueInfoProto.newBuilder().setName(z));
        }
        List<String> values = new ArrayList<>();
        for (NodeProto n : forward) {
            g.addNode(n);
            for (String out : n.getOutputList()) {
                g.addOutput(ValueInfoProto.newBuilder().setName(out));
                values.add(out);
            }
        }
        if (!values.contains(y)) {
            throw node.error("y '" + y + "' is not computed from xs and zs by the nodes of this graph");
        }
        // Operands that are neither xs, zs nor computed here (initializers, graph inputs) come
        // from the enclosing graph; passing them through Identity makes them outputs too.
        Set<String> operands = new LinkedHashSet<>();
        for (NodeProto n : forward) {
            operands.addAll(n.getInputList());
        }
        operands.removeAll(values);
        operands.removeAll(independent);
        operands.remove("");
        Map<String, String> outerAlias = new HashMap<>();
        for (String operand : operands) {
            String alias = operand + "/gradient_operand";
            g.addNode(NodeProto.newBuilder().setOpType("Identity").addInput(operand).addOutput(alias));
            g.addOutput(ValueInfoProto.newBuilder().setName(alias));
            outerAlias.put(operand, alias);
        }
        Subgraph compiled = node.compileGraph(g.build());
        List<String> outputNames = compiled.outputNames();
        return (inputs, ctx) -> {
            Value[] results = compiled.run(Arrays.copyOf(inputs, xs.length + zs.length), ctx);
            Map<String, Tensor> known = new HashMap<>();
            for (int i = 0; i < xs.length; i++) {
                known.put(xs[i], (Tensor) inputs[i]);
            }
            for (int i = 0; i < zs.length; i++) {
                known.put(zs[i], (Tensor) inputs[xs.length + i]);
            }
            for (int i = 0; i < outputNames.size(); i++) {
                known.put(outputNames.get(i), (Tensor) results[i]);
            }
            outerAlias.forEach((name, alias) -> known.put(name, known.get(alias)));
            return backward(forward, known, xs, y);
        };
    }

    private static Value[] backward(List<NodeProto> forward, Map<String, Tensor> known, String[] xs,
            String y) {
        Map<String, double[]> grads = new HashMap<>();
        Tensor yValue = known.get(y);
        double[] seed = new double[yValue.size()];
        Arrays.fill(seed, 1);
        grads.put(y, seed);
        for (int k = forward.size() - 1; k >= 0; k--) {
            NodeProto n = forward.get(k);
            double[] g = grads.get(n.getOutput(0));
            if (g == null) {
                continue;
            }
            int[] outShape = known.get(n.getOutput(0)).shape();
            String a = n.getInput(0);
            Tensor av = known.get(a);
            switch (n.getOpType()) {
                case "Identity" -> accumulate(grads, a, g);
                case "Neg" -> accumulate(grads, a, scale(g, -1));
                case "Add", "Sub", "Mul", "Div" -> {
                    String b = n.getInput(1);
                    Tensor bv = known.get(b);
                    double[] ax = broadcast(av, outShape);
                    double[] bx = broadcast(bv, outShape);
                    double[] ga = new double[g.length];
                    double[] gb = new double[g.length];
                    for (int i = 0; i < g.length; i++) {
                        switch (n.getOpType()) {
                            case "Add" -> {
                                ga[i] = g[i];
                                gb[i] = g[i];
                            }
                            case "Sub" -> {
                                ga[i] = g[i];
                                gb[i] = -g[i];
                            }
                            case "Mul" -> {
                                ga[i] = g[i] * bx[i];
                                gb[i] = g[i] * ax[i];
                            }
                            default -> {
                                ga[i] = g[i] / bx[i];
                                gb[i] = -g[i] * ax[i] / (bx[i] * bx[i]);
                            }
                        }
                    }
                    accumulate(grads, a, reduceTo(ga, outShape, av.shape()));
                    accumulate(grads, b, reduceTo(gb, outShape, bv.shape()));
                }
                case "MatMul" -> {
                    Tensor bv = known.get(n.getInput(1));
                    if (av.rank() != 2 || bv.rank() != 2) {
                        throw new IllegalArgumentException("Gradient differentiates MatMul of 2-D"
                                + " operands only, got " + Arrays.toString(av.shape()) + " and "
                                + Arrays.toString(bv.shape()));
                    }
                    int m = av.dim(0);
                    int kk = av.dim(1);
                    int nn = bv.dim(1);
                    double[] ad = av.toDoubleArray();
                    double[] bd = bv.toDoubleArray();
                    double[] ga = new double[m * kk];
                    double[] gb = new double[kk * nn];
                    for (int i = 0; i < m; i++) {
                        for (int p = 0; p < kk; p++) {
                            for (int j = 0; j < nn; j++) {
                                ga[i * kk + p] += g[i * nn + j] * bd[p * nn + j];
                                gb[p * nn + j] += ad[i * kk + p] * g[i * nn + j];
                            }
                        }
                    }
                    accumulate(grads, a, ga);
                    accumulate(grads, n.getInput(1), gb);
                }
                default -> throw new IllegalStateException("no derivative for " + n.getOpType());
            }
        }
        Value[] out = new Value[xs.length];
        for (int i = 0; i < xs.length; i++) {
            Tensor x = known.get(xs[i]);
            double[] g = grads.getOrDefault(xs[i], new double[x.size()]);
            out[i] = Tensor.fromDoubles(x.type(), x.shape(), g);
        }
        return out;
    }

    private static void accumulate(Map<String, double[]> grads, String name, double[] g) {
        grads.merge(name, g, (old, add) -> {
            double[] sum = old.clone();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += add[i];
            }
            return sum;
        });
    }

    private static double[] scale(double[] g, double factor) {
        double[] out = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            out[i] = g[i] * factor;
        }
        return out;
    }

    /** Returns the values of {@code t} broadcast to {@code shape}. */
    private static double[] broadcast(Tensor t, int[] shape) {
        double[] values = t.toDoubleArray();
        int[] index = Shapes.broadcastIndex(t.shape(), shape);
        double[] out = new double[index.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[index[i]];
        }
        return out;
    }

    /** Sums a gradient over the dimensions along which an operand of {@code shape} was broadcast. */
    private static double[] reduceTo(double[] g, int[] outShape, int[] shape) {
        int[] index = Shapes.broadcastIndex(shape, outShape);
        double[] out = new double[Shapes.size(shape)];
        for (int i = 0; i < g.length; i++) {
            out[index[i]] += g[i];
        }
        return out;
    }
}
