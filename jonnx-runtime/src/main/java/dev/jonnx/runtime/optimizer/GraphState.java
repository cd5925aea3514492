package dev.jonnx.runtime.optimizer;

import dev.jonnx.io.TensorProtos;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.TensorProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.tensor.Tensor;
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
 * A graph of a model while rewrites change it: nodes in file order (null marks a removed node
 * until {@link #compact}), initializers by name, and the names the graph declares as inputs and
 * outputs. Rewrites of this graph leave subgraph bodies as they are; the names they read from
 * this graph count as uses. A subgraph body keeps a link to the graph around it, so it may
 * treat that graph's constant initializers, which it reads by name, as constants too.
 */
final class GraphState {
    final GraphProto original;
    final List<NodeProto> nodes;
    final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    final Set<String> inputNames = new LinkedHashSet<>();
    final Set<String> outputNames = new LinkedHashSet<>();
    private final Map<String, Tensor> decoded = new HashMap<>();
    private final Function<TensorProto, Tensor> decoder;
    /** True for the main graph, whose declared input shapes the session checks on every run. */
    final boolean inputsChecked;
    private final Set<String> usedNames;
    /** The graph whose node owns this subgraph, or null for the main graph. */
    private final GraphState enclosing;
    private int nameCounter;

    /** Wraps the main graph of a model. */
    GraphState(GraphProto graph, Function<TensorProto, Tensor> decoder) {
        this(graph, decoder, new HashSet<>(), true, null);
        collectNames(graph, usedNames);
    }

    /**
     * Wraps a graph that shares {@code usedNames} (every name of the model) with the graphs
     * around it, so that new names stay unique in the whole model. {@code enclosing} is the
     * graph that contains the node owning this subgraph, or null for the main graph.
     */
    GraphState(GraphProto graph, Function<TensorProto, Tensor> decoder, Set<String> usedNames,
            boolean inputsChecked, GraphState enclosing) {
        this.original = graph;
        this.decoder = decoder;
        this.usedNames = usedNames;
        this.inputsChecked = inputsChecked;
        this.enclosing = enclosing;
        this.nodes = new ArrayList<>(graph.getNodeList());
        graph.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
        graph.getInputList().forEach(i -> inputNames.add(i.getName()));
        graph.getOutputList().forEach(o -> outputNames.add(o.getName()));
    }

    Set<String> usedNames() {
        return usedNames;
    }

    private static void collectNames(GraphProto g, Set<String> names) {
        g.getInputList().forEach(i -> names.add(i.getName()));
        g.getOutputList().forEach(o -> names.add(o.getName()));
        g.getInitializerList().forEach(t -> names.add(t.getName()));
        g.getValueInfoList().forEach(v -> names.add(v.getName()));
        for (NodeProto n : g.getNodeList()) {
            names.addAll(n.getInputList());
            names.addAll(n.getOutputList());
            names.add(n.getName());
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    collectNames(a.getG(), names);
                }
                a.getGraphsList().forEach(sub -> collectNames(sub, names));
            }
        }
    }

    /** Returns a value or node name that no graph of the model uses yet. */
    String freshName(String base) {
        String name;
        do {
            name = base + "_jonnx" + (nameCounter++);
        } while (usedNames.contains(name));
        usedNames.add(name);
        return name;
    }

    /**
     * True if {@code name} is an initializer that a caller cannot override: an initializer that
     * is also a graph input is only a default, so it is not a constant. In a subgraph, a name
     * that the subgraph does not define itself is a constant when it is one in an enclosing
     * graph.
     */
    boolean isConstant(String name) {
        if (initializers.containsKey(name)) {
            return !inputNames.contains(name);
        }
        if (enclosing == null || inputNames.contains(name) || !enclosing.isConstant(name)) {
            return false;
        }
        // ONNX forbids a subgraph to shadow outer names. If one does anyway, its own node output wins.
        for (NodeProto n : nodes) {
            if (n != null && n.getOutputList().contains(name)) {
                return false;
            }
        }
        return true;
    }

    /** Decodes a constant initializer of this graph or an enclosing one, caching the result. */
    Tensor constant(String name) {
        if (!isConstant(name)) {
            return null;
        }
        if (!initializers.containsKey(name)) {
            return enclosing.constant(name);
        }
        return decoded.computeIfAbsent(name, n -> decoder.apply(initializers.get(n)));
    }

    /** Returns the initializer {@code name} of this graph or, for a subgraph, of an enclosing graph. */
    TensorProto initializerProto(String name) {
        TensorProto local = initializers.get(name);
        if (local != null || !isConstant(name)) {
            return local;
        }
        return enclosing.initializerProto(name);
    }

    /** Adds a constant initializer under a new unique name derived from {@code base}. */
    String addConstant(String base, Tensor value) {
        String name = freshName(base);
        putConstant(name, value);
        return name;
    }

    /** Adds or replaces the initializer {@code name}. */
    void putConstant(String name, Tensor value) {
        initializers.put(name, TensorProtos.toProto(value, name));
        decoded.put(name, value);
        usedNames.add(name);
    }

    /** Counts how many times each name is read: node inputs, subgraph references, graph outputs. */
    Map<String, Integer> useCounts() {
        Map<String, Integer> uses = new HashMap<>();
        for (NodeProto n : nodes) {
            if (n == null) {
                continue;
            }
            for (String in : n.getInputList()) {
                if (!in.isEmpty()) {
                    uses.merge(in, 1, Integer::sum);
                }
            }
            for (String name : subgraphReads(n)) {
                uses.merge(name, 1, Integer::sum);
            }
        }
        for (String out : outputNames) {
            uses.merge(out, 1, Integer::sum);
        }
        return uses;
    }

    /** Collects the names of this graph that the node's subgraphs read. */
    static Set<String> subgraphReads(NodeProto n) {
        Set<String> names = new LinkedHashSet<>();
        for (AttributeProto a : n.getAttributeList()) {
            if (a.hasG()) {
                freeNames(a.getG(), names);
            }
            a.getGraphsList().forEach(g -> freeNames(g, names));
        }
        return names;
    }

    static boolean hasSubgraph(NodeProto n) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.hasG() || a.getGraphsCount() > 0) {
                return true;
            }
        }
        return false;
    }

    private static void freeNames(GraphProto g, Set<String> out) {
        Set<String> defined = new HashSet<>();
        g.getInputList().forEach(i -> defined.add(i.getName()));
        g.getInitializerList().forEach(i -> defined.add(i.getName()));
        for (NodeProto n : g.getNodeList()) {
            defined.addAll(n.getOutputList());
        }
        Set<String> used = new LinkedHashSet<>();
        for (NodeProto n : g.getNodeList()) {
            for (String in : n.getInputList()) {
                if (!in.isEmpty()) {
                    used.add(in);
                }
            }
            used.addAll(subgraphReads(n));
        }
        g.getOutputList().forEach(o -> used.add(o.getName()));
        for (String name : used) {
            if (!defined.contains(name)) {
                out.add(name);
            }
        }
    }

    /** Maps each value name to the index of the node that produces it. */
    Map<String, Integer> producers() {
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto n = nodes.get(i);
            if (n == null) {
                continue;
            }
            for (String out : n.getOutputList()) {
                if (!out.isEmpty()) {
                    producer.put(out, i);
                }
            }
        }
        return producer;
    }

    /** Maps each value name to the indices of the nodes that read it as an input. */
    Map<String, List<Integer>> consumers() {
        Map<String, List<Integer>> consumers = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto n = nodes.get(i);
            if (n == null) {
                continue;
            }
            for (String in : n.getInputList()) {
                if (!in.isEmpty()) {
                    List<Integer> list = consumers.computeIfAbsent(in, k -> new ArrayList<>());
                    if (!list.contains(i)) {
                        list.add(i);
                    }
                }
            }
        }
        return consumers;
    }

    /** Replaces every node input {@code from} with {@code to}; subgraph bodies are unchanged. */
    void replaceInput(String from, String to) {
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto n = nodes.get(i);
            if (n == null || !n.getInputList().contains(from)) {
                continue;
            }
            NodeProto.Builder b = n.toBuilder();
            for (int k = 0; k < b.getInputCount(); k++) {
                if (b.getInput(k).equals(from)) {
                    b.setInput(k, to);
                }
            }
            nodes.set(i, b.build());
        }
    }

    /** Renames a value produced by a node, in its producer and in every node that reads it. */
    void renameOutput(int producer, String from, String to) {
        NodeProto.Builder b = nodes.get(producer).toBuilder();
        for (int k = 0; k < b.getOutputCount(); k++) {
            if (b.getOutput(k).equals(from)) {
                b.setOutput(k, to);
            }
        }
        nodes.set(producer, b.build());
        replaceInput(from, to);
    }

    int liveNodeCount() {
        int count = 0;
        for (NodeProto n : nodes) {
            if (n != null) {
                count++;
            }
        }
        return count;
    }

    void compact() {
        nodes.removeIf(n -> n == null);
    }

    /** Builds the graph: value_info entries of values that no longer exist are dropped. */
    GraphProto build() {
        compact();
        Set<String> live = new HashSet<>(inputNames);
        live.addAll(initializers.keySet());
        for (NodeProto n : nodes) {
            live.addAll(n.getOutputList());
        }
        GraphProto.Builder b = original.toBuilder().clearNode().clearInitializer().clearValueInfo();
        b.addAllNode(nodes);
        b.addAllInitializer(initializers.values());
        for (ValueInfoProto v : original.getValueInfoList()) {
            if (live.contains(v.getName())) {
                b.addValueInfo(v);
            }
        }
        return b.build();
    }
}
