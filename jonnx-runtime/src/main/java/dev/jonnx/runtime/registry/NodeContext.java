package dev.jonnx.runtime.registry;

import dev.jonnx.ModelCheckException;
import dev.jonnx.UnsupportedOperatorException;
import dev.jonnx.io.TensorProtos;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.TypeProto;
import dev.jonnx.runtime.graph.Subgraph;
import dev.jonnx.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A node as a kernel factory sees it: operator, opset, attributes with typed getters, which
 * inputs and outputs are present, and a way to compile its subgraph attributes.
 */
public final class NodeContext {
    private final NodeProto node;
    private final String domain;
    private final int opset;
    private final String modelName;
    private final Map<String, AttributeProto> attributes = new HashMap<>();
    private final Function<TensorProtoRef, Tensor> tensorDecoder;
    private final SubgraphCompiler subgraphCompiler;
    private List<NodeProto> graphNodes = List.of();
    private Tensor[] constantInputs = new Tensor[0];

    /** Compiles a graph attribute of a node within the node's scope. */
    @FunctionalInterface
    public interface SubgraphCompiler {
        Subgraph compile(GraphProto graph, String attributeName);
    }

    /** A tensor attribute to decode, with the node it belongs to for messages. */
    public record TensorProtoRef(dev.jonnx.onnx.TensorProto proto, String attribute) {}

    public NodeContext(NodeProto node, String domain, int opset, String modelName,
            Function<TensorProtoRef, Tensor> tensorDecoder, SubgraphCompiler subgraphCompiler) {
        this.node = node;
        this.domain = domain;
        this.opset = opset;
        this.modelName = modelName;
        this.tensorDecoder = tensorDecoder;
        this.subgraphCompiler = subgraphCompiler;
        for (AttributeProto a : node.getAttributeList()) {
            attributes.put(a.getName(), a);
        }
    }

    public NodeProto proto() {
        return node;
    }

    public String opType() {
        return node.getOpType();
    }

    /** The operator's domain; the default domain is "". */
    public String domain() {
        return domain;
    }

    /** The opset version the model imports for this node's domain. */
    public int opset() {
        return opset;
    }

    public String name() {
        return node.getName();
    }

    public String modelName() {
        return modelName;
    }

    /** The number of inputs the node lists, including omitted ones (empty names). */
    public int inputCount() {
        return node.getInputCount();
    }

    public int outputCount() {
        return node.getOutputCount();
    }

    /** True if input {@code i} is listed with a non-empty name. */
    public boolean hasInput(int i) {
        return i < node.getInputCount() && !node.getInput(i).isEmpty();
    }

    /** True if output {@code i} is listed with a non-empty name. */
    public boolean hasOutput(int i) {
        return i < node.getOutputCount() && !node.getOutput(i).isEmpty();
    }

    /**
     * Returns the value of input {@code i} when it is an initializer that no graph input can
     * replace, so it is the same tensor on every run (a kernel may prepare it once, such as
     * packing weights); returns null otherwise. Kernels must not modify the returned tensor.
     */
    public Tensor constantInput(int i) {
        return i >= 0 && i < constantInputs.length ? constantInputs[i] : null;
    }

    /** Sets the constant inputs that {@link #constantInput} returns, indexed like the inputs. */
    public void setConstantInputs(Tensor[] values) {
        this.constantInputs = values.clone();
    }

    public boolean hasAttribute(String name) {
        return attributes.containsKey(name);
    }

    public AttributeProto attribute(String name) {
        return attributes.get(name);
    }

    public long getInt(String name, long defaultValue) {
        AttributeProto a = typed(name, AttributeProto.AttributeType.INT);
        return a == null ? defaultValue : a.getI();
    }

    public long getInt(String name) {
        return typed(required(name), AttributeProto.AttributeType.INT).getI();
    }

    public float getFloat(String name, float defaultValue) {
        AttributeProto a = typed(name, AttributeProto.AttributeType.FLOAT);
        return a == null ? defaultValue : a.getF();
    }

    public float getFloat(String name) {
        return typed(required(name), AttributeProto.AttributeType.FLOAT).getF();
    }

    public String getString(String name, String defaultValue) {
        AttributeProto a = typed(name, AttributeProto.AttributeType.STRING);
        return a == null ? defaultValue : a.getS().toString(StandardCharsets.UTF_8);
    }

    public String getString(String name) {
        return typed(required(name), AttributeProto.AttributeType.STRING).getS().toString(StandardCharsets.UTF_8);
    }

    /** Returns the attribute, or null when absent, after checking its declared type. */
    private AttributeProto typed(String name, AttributeProto.AttributeType expected) {
        AttributeProto a = attributes.get(name);
        return a == null ? null : typed(a, expected);
    }

    /**
     * Checks the declared type of an attribute. An attribute without a declared type (allowed
     * before IR version 2) is read as the caller expects.
     */
    private AttributeProto typed(AttributeProto a, AttributeProto.AttributeType expected) {
        if (a.hasType() && a.getType() != AttributeProto.AttributeType.UNDEFINED && a.getType() != expected) {
            throw error("attribute '" + a.getName() + "' must be of type " + expected + ", got "
                    + a.getType());
        }
        return a;
    }

    /** Returns the ints of an attribute, or {@code defaultValue} when absent. */
    public long[] getInts(String name, long[] defaultValue) {
        AttributeProto a = typed(name, AttributeProto.AttributeType.INTS);
        if (a == null) {
            return defaultValue;
        }
        long[] out = new long[a.getIntsCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.getInts(i);
        }
        return out;
    }

    public float[] getFloats(String name, float[] defaultValue) {
        AttributeProto a = typed(name, AttributeProto.AttributeType.FLOATS);
        if (a == null) {
            return defaultValue;
        }
        float[] out = new float[a.getFloatsCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.getFloats(i);
        }
        return out;
    }

    public String[] getStrings(String name, String[] defaultValue) {
        AttributeProto a = typed(name, AttributeProto.AttributeType.STRINGS);
        if (a == null) {
            return defaultValue;
        }
        String[] out = new String[a.getStringsCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.getStrings(i).toString(StandardCharsets.UTF_8);
        }
        return out;
    }

    /** Decodes a tensor attribute, or returns null when absent. */
    public Tensor getTensor(String name) {
        AttributeProto a = attributes.get(name);
        if (a == null) {
            return null;
        }
        if (!a.hasT()) {
            throw error("attribute '" + name + "' must be a tensor, got " + a.getType());
        }
        return tensorDecoder.apply(new TensorProtoRef(a.getT(), name));
    }

    /** Decodes every tensor of a tensors attribute, or returns null when absent. */
    public List<Tensor> getTensors(String name) {
        AttributeProto a = attributes.get(name);
        if (a == null) {
            return null;
        }
        return a.getTensorsList().stream()
                .map(t -> tensorDecoder.apply(new TensorProtoRef(t, name)))
                .toList();
    }

    /** Decodes a tensor with the model's external data source. */
    public Tensor decode(dev.jonnx.onnx.TensorProto proto) {
        return tensorDecoder.apply(new TensorProtoRef(proto, null));
    }

    public TypeProto getTypeProto(String name) {
        AttributeProto a = attributes.get(name);
        return a == null || !a.hasTp() ? null : a.getTp();
    }

    /**
     * Compiles a graph attribute. Names that the subgraph reads but does not define resolve to
     * values of the enclosing graphs when it runs.
     */
    public Subgraph getSubgraph(String name) {
        AttributeProto a = required(name);
        if (!a.hasG()) {
            throw error("attribute '" + name + "' must be a graph, got " + a.getType());
        }
        return subgraphCompiler.compile(a.getG(), name);
    }

    /**
     * Compiles a graph built by the kernel factory in this node's scope: names it reads but does
     * not define resolve to values of the graph that contains this node.
     */
    public Subgraph compileGraph(GraphProto graph) {
        return subgraphCompiler.compile(graph, "(built by " + node.getOpType() + ")");
    }

    /** The nodes of the graph that contains this node (after function inlining). */
    public List<NodeProto> graphNodes() {
        return graphNodes;
    }

    /** Sets the nodes of the containing graph; called by the graph compiler. */
    public void setGraphNodes(List<NodeProto> nodes) {
        this.graphNodes = List.copyOf(nodes);
    }

    private AttributeProto required(String name) {
        AttributeProto a = attributes.get(name);
        if (a == null) {
            throw error("required attribute '" + name + "' is missing");
        }
        return a;
    }

    /** Describes the node for messages: model, node name, operator, domain and opset. */
    public String where() {
        String nodeName = node.getName().isEmpty() ? "(unnamed)" : "'" + node.getName() + "'";
        return "model " + modelName + ", node " + nodeName + " (" + node.getOpType() + ", "
                + (domain.isEmpty() ? "ai.onnx" : domain) + " opset " + opset + ")";
    }

    /** Returns an error about an invalid node, with the node named; the caller throws it. */
    public ModelCheckException error(String message) {
        return new ModelCheckException(where() + ": " + message);
    }

    /** Returns an error about a feature Jonnx does not implement; the caller throws it. */
    public UnsupportedOperatorException unsupported(String message) {
        return new UnsupportedOperatorException(where() + ": not supported: " + message);
    }

    /** Decodes a standalone tensor proto without external data (for tests of kernels). */
    public static Tensor decodeInline(TensorProtoRef ref) {
        return TensorProtos.toTensor(ref.proto());
    }
}
