package dev.jonnx.runtime.graph;

import dev.jonnx.ModelCheckException;
import dev.jonnx.UnsupportedOperatorException;
import dev.jonnx.model.OnnxModel;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.FunctionProto;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.TensorProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns a {@link GraphProto} into a {@link CompiledGraph}: inlines model-local functions,
 * checks that every name is defined once, orders the nodes (counting the outer-scope names
 * that subgraphs read), looks up a kernel for each node and plans when values can be freed.
 */
public final class GraphCompiler {
    /** How deeply subgraphs and function calls may nest before the model is rejected. */
    public static final int MAX_NESTING = 64;

    private final OpRegistry registry;
    private final String modelName;
    private final Map<String, FunctionProto> functions;
    private final Function<NodeContext.TensorProtoRef, Tensor> tensorDecoder;

    public GraphCompiler(OpRegistry registry, String modelName, List<FunctionProto> functions,
            Function<NodeContext.TensorProtoRef, Tensor> tensorDecoder) {
        this.registry = registry;
        this.modelName = modelName;
        this.functions = new HashMap<>();
        for (FunctionProto f : functions) {
            this.functions.put(functionKey(f.getDomain(), f.getName(), f.getOverload()), f);
        }
        this.tensorDecoder = tensorDecoder;
    }

    private static String functionKey(String domain, String name, String overload) {
        return normalize(domain) + ":" + name + ":" + overload;
    }

    private static String normalize(String domain) {
        return OnnxModel.normalizeDomain(domain);
    }

    /**
     * Returns a copy of {@code outer} in which the opset imports of function {@code f} take precedence.
     *
     * @throws dev.jonnx.ModelCheckException if an import's version is outside 0 to
     *     {@link Integer#MAX_VALUE}
     */
    static Map<String, Integer> functionOpsets(Map<String, Integer> outer, FunctionProto f,
            String modelName) {
        Map<String, Integer> opsets = new HashMap<>(outer);
        String importer = "model " + modelName + ", function " + f.getDomain() + "." + f.getName();
        for (var id : f.getOpsetImportList()) {
            opsets.put(normalize(id.getDomain()), OnnxModel.opsetVersion(id, importer));
        }
        return opsets;
    }

    /** A node with the opsets that apply to it (a function body has its own imports). */
    private record Planned(NodeProto node, Map<String, Integer> opsets) {}

    /** Compiles the main graph of a model. */
    public CompiledGraph compileMain(GraphProto graph, Map<String, Integer> opsets) {
        return compile(graph, opsets, Set.of(), 0);
    }

    private CompiledGraph compile(GraphProto graph, Map<String, Integer> opsets, Set<String> outer,
            int depth) {
        String graphName = graph.getName().isEmpty() ? "(unnamed graph)" : graph.getName();
        if (depth > MAX_NESTING) {
            throw new ModelCheckException("model " + modelName + ": subgraphs nest more than "
                    + MAX_NESTING + " levels deep at graph '" + graphName + "'");
        }
        List<Planned> nodes = new ArrayList<>();
        int[] counter = {0};
        for (NodeProto n : graph.getNodeList()) {
            inline(n, opsets, nodes, 0, counter, graphName);
        }

        // Slots: graph inputs, initializers, node outputs; each name defined once.
        Map<String, Integer> slots = new LinkedHashMap<>();
        List<Value> constants = new ArrayList<>();
        Set<String> inputNames = new LinkedHashSet<>();
        for (ValueInfoProto in : graph.getInputList()) {
            if (!inputNames.add(in.getName())) {
                throw check(graphName, "input '" + in.getName() + "' is declared twice");
            }
            slots.put(in.getName(), slots.size());
            constants.add(null);
        }
        Set<String> initializerNames = new HashSet<>();
        for (TensorProto init : graph.getInitializerList()) {
            if (!initializerNames.add(init.getName())) {
                throw check(graphName, "initializer '" + init.getName() + "' is defined twice");
            }
            Tensor value;
            try {
                value = tensorDecoder.apply(new NodeContext.TensorProtoRef(init, null));
            } catch (dev.jonnx.ModelFormatException e) {
                throw new dev.jonnx.ModelFormatException("model " + modelName + ", graph '" + graphName
                        + "', initializer: " + e.getMessage(), e);
            } catch (ModelCheckException e) {
                throw check(graphName, "initializer: " + e.getMessage());
            }
            Integer slot = slots.get(init.getName());
            if (slot == null) {
                slots.put(init.getName(), slots.size());
                constants.add(value);
            } else {
                constants.set(slot, value); // an input's default value
            }
        }
        if (graph.getSparseInitializerCount() > 0) {
            throw new UnsupportedOperatorException("model " + modelName + ", graph '" + graphName
                    + "': sparse initializers are not supported");
        }
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String out : nodes.get(i).node.getOutputList()) {
                if (out.isEmpty()) {
                    continue;
                }
                if (slots.containsKey(out)) {
                    throw check(graphName, "node '" + nodes.get(i).node.getName() + "' ("
                            + nodes.get(i).node.getOpType() + ") writes '" + out
                            + "', which is already defined; every value must have one producer");
                }
                slots.put(out, slots.size());
                constants.add(null);
                producer.put(out, i);
            }
        }

        // Dependencies, including outer-scope names read inside subgraphs.
        Set<String> outerUsed = new LinkedHashSet<>();
        List<Set<String>> reads = new ArrayList<>();
        for (Planned p : nodes) {
            Set<String> names = new LinkedHashSet<>();
            for (String in : p.node.getInputList()) {
                if (!in.isEmpty()) {
                    names.add(in);
                }
            }
            for (AttributeProto a : p.node.getAttributeList()) {
                if (a.hasG()) {
                    freeNames(a.getG(), names);
                }
                for (GraphProto g : a.getGraphsList()) {
                    freeNames(g, names);
                }
            }
            for (String name : names) {
                if (!slots.containsKey(name)) {
                    if (!outer.contains(name)) {
                        throw check(graphName, "node '" + p.node.getName() + "' ("
                                + p.node.getOpType() + ") reads '" + name
                                + "', which no input, initializer or node output defines");
                    }
                    outerUsed.add(name);
                }
            }
            reads.add(names);
        }
        for (ValueInfoProto out : graph.getOutputList()) {
            if (!slots.containsKey(out.getName())) {
                if (!outer.contains(out.getName())) {
                    throw check(graphName, "output '" + out.getName() + "' is not defined by any"
                            + " input, initializer or node");
                }
                outerUsed.add(out.getName());
            }
        }
        for (String name : outerUsed) {
            slots.put(name, slots.size());
            constants.add(null);
        }

        int[] order = topologicalOrder(nodes, reads, producer, graphName);
        List<NodeProto> graphNodes = new ArrayList<>();
        for (int i : order) {
            graphNodes.add(nodes.get(i).node);
        }

        // Kernels, reporting every missing operator at once.
        Set<String> visible = new HashSet<>(outer);
        visible.addAll(slots.keySet());
        // Each missing operator, with the first node that uses it.
        Map<String, String> missing = new java.util.TreeMap<>();
        CompiledGraph.Step[] steps = new CompiledGraph.Step[order.length];
        Map<Integer, Integer> lastUse = new HashMap<>();
        for (int k = 0; k < order.length; k++) {
            for (String name : reads.get(order[k])) {
                lastUse.put(slots.get(name), k);
            }
        }
        Set<Integer> kept = new HashSet<>();
        for (ValueInfoProto out : graph.getOutputList()) {
            kept.add(slots.get(out.getName()));
        }
        List<List<Integer>> releaseAt = new ArrayList<>();
        for (int k = 0; k < order.length; k++) {
            releaseAt.add(new ArrayList<>());
        }
        lastUse.forEach((slot, step) -> {
            if (!kept.contains(slot)) {
                releaseAt.get(step).add(slot);
            }
        });
        // A node output that nothing reads is released by the node that writes it.
        for (int k = 0; k < order.length; k++) {
            for (String out : nodes.get(order[k]).node.getOutputList()) {
                Integer slot = out.isEmpty() ? null : slots.get(out);
                if (slot != null && !lastUse.containsKey(slot) && !kept.contains(slot)) {
                    releaseAt.get(k).add(slot);
                }
            }
        }
        for (int k = 0; k < order.length; k++) {
            Planned p = nodes.get(order[k]);
            NodeProto n = p.node;
            String domain = normalize(n.getDomain());
            Integer opset = p.opsets.get(domain);
            if (opset == null) {
                missing.putIfAbsent(describeOp(n, domain, -1) + " (the model imports no opset for domain '"
                        + domain + "')", n.getName());
                continue;
            }
            var factory = registry.lookup(domain, n.getOpType(), opset);
            if (factory.isEmpty()) {
                missing.putIfAbsent(describeOp(n, domain, opset) + versionsNote(domain, n.getOpType()),
                        n.getName());
                continue;
            }
            NodeContext ctx = new NodeContext(n, domain, opset, modelName, tensorDecoder,
                    (g, attr) -> compile(g, p.opsets, visible, depth + 1));
            ctx.setGraphNodes(graphNodes);
            Tensor[] fixed = new Tensor[n.getInputCount()];
            for (int i = 0; i < fixed.length; i++) {
                String in = n.getInput(i);
                // An initializer that is also a graph input is only a default, so it may change.
                if (!in.isEmpty() && initializerNames.contains(in) && !inputNames.contains(in)
                        && slots.get(in) != null && constants.get(slots.get(in)) instanceof Tensor t) {
                    fixed[i] = t;
                }
            }
            ctx.setConstantInputs(fixed);
            Kernel kernel = create(factory.get(), ctx);
            int[] ins = new int[n.getInputCount()];
            for (int i = 0; i < ins.length; i++) {
                ins[i] = n.getInput(i).isEmpty() ? -1 : slots.get(n.getInput(i));
            }
            int[] outs = new int[n.getOutputCount()];
            for (int i = 0; i < outs.length; i++) {
                outs[i] = n.getOutput(i).isEmpty() ? -1 : slots.get(n.getOutput(i));
            }
            int[] release = releaseAt.get(k).stream().mapToInt(Integer::intValue).toArray();
            int[] readSlots = reads.get(order[k]).stream().mapToInt(slots::get).toArray();
            steps[k] = new CompiledGraph.Step(ctx, kernel, ins, outs, release, readSlots);
        }
        if (!missing.isEmpty()) {
            List<String> lines = new ArrayList<>();
            missing.forEach((op, node) -> lines.add(op + " at node '" + node + "'"));
            throw new UnsupportedOperatorException("model " + modelName + ": " + lines.size()
                    + (lines.size() == 1 ? " operator is" : " operators are") + " not supported: "
                    + String.join("; ", lines));
        }

        int[] inputSlots = graph.getInputList().stream().mapToInt(i -> slots.get(i.getName())).toArray();
        int[] outputSlots = graph.getOutputList().stream().mapToInt(o -> slots.get(o.getName())).toArray();
        int[] outerSlots = outerUsed.stream().mapToInt(slots::get).toArray();
        return new CompiledGraph(graphName, slots, constants.toArray(new Value[0]), inputSlots,
                outputSlots, graph.getInputList(), graph.getOutputList(), outerSlots,
                outerUsed.toArray(new String[0]), steps);
    }

    private static Kernel create(KernelFactory factory, NodeContext ctx) {
        try {
            return factory.create(ctx);
        } catch (dev.jonnx.OnnxException e) {
            throw e;
        } catch (RuntimeException e) {
            throw ctx.error(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private String versionsNote(String domain, String opType) {
        List<Integer> versions = registry.versions(domain, opType);
        return versions.isEmpty() ? "" : " (implemented since-versions " + versions + ")";
    }

    private static String describeOp(NodeProto n, String domain, int opset) {
        return (domain.isEmpty() ? "ai.onnx" : domain) + " " + n.getOpType()
                + (opset >= 0 ? " (opset " + opset + ")" : "");
    }

    private ModelCheckException check(String graphName, String message) {
        return new ModelCheckException("model " + modelName + ", graph '" + graphName + "': " + message);
    }

    private int[] topologicalOrder(List<Planned> nodes, List<Set<String>> reads,
            Map<String, Integer> producer, String graphName) {
        int n = nodes.size();
        int[] pending = new int[n];
        List<List<Integer>> dependents = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            dependents.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            for (String name : reads.get(i)) {
                Integer from = producer.get(name);
                if (from != null) {
                    pending[i]++;
                    dependents.get(from).add(i);
                }
            }
        }
        // Kahn's algorithm, taking ready nodes in file order so a sorted graph keeps its order.
        java.util.PriorityQueue<Integer> ready = new java.util.PriorityQueue<>();
        for (int i = 0; i < n; i++) {
            if (pending[i] == 0) {
                ready.add(i);
            }
        }
        int[] order = new int[n];
        int count = 0;
        while (!ready.isEmpty()) {
            int i = ready.poll();
            order[count++] = i;
            for (int d : dependents.get(i)) {
                if (--pending[d] == 0) {
                    ready.add(d);
                }
            }
        }
        if (count < n) {
            List<String> stuck = new ArrayList<>();
            for (int i = 0; i < n && stuck.size() < 5; i++) {
                if (pending[i] > 0) {
                    stuck.add("'" + nodes.get(i).node.getName() + "' (" + nodes.get(i).node.getOpType() + ")");
                }
            }
            throw check(graphName, "the graph has a cycle; " + (n - count)
                    + " nodes wait on each other, among them " + String.join(", ", stuck));
        }
        return order;
    }

    /** Adds the names a subgraph reads but does not define (its outer-scope references). */
    static void freeNames(GraphProto g, Set<String> out) {
        Set<String> defined = new HashSet<>();
        g.getInputList().forEach(i -> defined.add(i.getName()));
        g.getInitializerList().forEach(i -> defined.add(i.getName()));
        for (NodeProto n : g.getNodeList()) {
            n.getOutputList().forEach(defined::add);
        }
        Set<String> used = new LinkedHashSet<>();
        for (NodeProto n : g.getNodeList()) {
            for (String in : n.getInputList()) {
                if (!in.isEmpty()) {
                    used.add(in);
                }
            }
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    freeNames(a.getG(), used);
                }
                for (GraphProto sub : a.getGraphsList()) {
                    freeNames(sub, used);
                }
            }
        }
        g.getOutputList().forEach(o -> used.add(o.getName()));
        for (String name : used) {
            if (!defined.contains(name)) {
                out.add(name);
            }
        }
    }

    // ---- Model-local functions ----

    private void inline(NodeProto node, Map<String, Integer> opsets, List<Planned> out, int depth,
            int[] counter, String graphName) {
        FunctionProto f = functions.get(functionKey(node.getDomain(), node.getOpType(), node.getOverload()));
        if (f == null) {
            out.add(new Planned(node, opsets));
            return;
        }
        if (depth >= MAX_NESTING) {
            throw check(graphName, "function " + f.getDomain() + "." + f.getName()
                    + " calls itself, directly or through other functions, more than " + MAX_NESTING
                    + " levels deep");
        }
        Map<String, Integer> fOpsets = functionOpsets(opsets, f, modelName);

        String prefix = "_fn" + (counter[0]++) + "_" + f.getName() + "/";
        Map<String, String> rename = new HashMap<>();
        for (int i = 0; i < f.getInputCount(); i++) {
            rename.put(f.getInput(i), i < node.getInputCount() ? node.getInput(i) : "");
        }
        for (int i = 0; i < f.getOutputCount(); i++) {
            rename.put(f.getOutput(i), i < node.getOutputCount() ? node.getOutput(i) : prefix + f.getOutput(i));
        }
        Map<String, AttributeProto> attrs = new HashMap<>();
        for (AttributeProto a : f.getAttributeProtoList()) {
            attrs.put(a.getName(), a);
        }
        for (AttributeProto a : node.getAttributeList()) {
            attrs.put(a.getName(), a);
        }
        for (NodeProto body : f.getNodeList()) {
            NodeProto renamed = renameNode(body, rename, prefix, attrs);
            inline(renamed, fOpsets, out, depth + 1, counter, graphName);
        }
    }

    private static NodeProto renameNode(NodeProto body, Map<String, String> rename, String prefix,
            Map<String, AttributeProto> attrs) {
        NodeProto.Builder b = body.toBuilder().clearInput().clearOutput().clearAttribute();
        b.setName(prefix + body.getName());
        for (String in : body.getInputList()) {
            b.addInput(in.isEmpty() ? "" : rename.getOrDefault(in, prefix + in));
        }
        for (String o : body.getOutputList()) {
            b.addOutput(o.isEmpty() ? "" : rename.getOrDefault(o, prefix + o));
        }
        for (AttributeProto a : body.getAttributeList()) {
            if (!a.getRefAttrName().isEmpty()) {
                AttributeProto actual = attrs.get(a.getRefAttrName());
                if (actual != null) {
                    b.addAttribute(actual.toBuilder().setName(a.getName()).build());
                }
                continue;
            }
            if (a.hasG()) {
                b.addAttribute(a.toBuilder().setG(renameGraph(a.getG(), rename, prefix, attrs)).build());
            } else {
                b.addAttribute(a);
            }
        }
        return b.build();
    }

    /** Renames the function-internal names a subgraph inside a function body reads. */
    private static GraphProto renameGraph(GraphProto g, Map<String, String> rename, String prefix,
            Map<String, AttributeProto> attrs) {
        Set<String> free = new HashSet<>();
        freeNames(g, free);
        Map<String, String> inner = new HashMap<>();
        for (String name : free) {
            inner.put(name, rename.getOrDefault(name, prefix + name));
        }
        GraphProto.Builder b = g.toBuilder().clearNode();
        for (NodeProto n : g.getNodeList()) {
            NodeProto.Builder nb = n.toBuilder().clearInput().clearAttribute();
            for (String in : n.getInputList()) {
                nb.addInput(inner.getOrDefault(in, in));
            }
            for (AttributeProto a : n.getAttributeList()) {
                if (!a.getRefAttrName().isEmpty()) {
                    AttributeProto actual = attrs.get(a.getRefAttrName());
                    if (actual != null) {
                        nb.addAttribute(actual.toBuilder().setName(a.getName()).build());
                    }
                } else if (a.hasG()) {
                    nb.addAttribute(a.toBuilder().setG(renameGraph(a.getG(), inner, "", attrs)).build());
                } else {
                    nb.addAttribute(a);
                }
            }
            b.addNode(nb);
        }
        for (int i = 0; i < g.getOutputCount(); i++) {
            String name = g.getOutput(i).getName();
            if (inner.containsKey(name)) {
                b.setOutput(i, g.getOutput(i).toBuilder().setName(inner.get(name)));
            }
        }
        return b.build();
    }

}
