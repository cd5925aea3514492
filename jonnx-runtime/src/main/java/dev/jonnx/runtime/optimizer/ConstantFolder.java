package dev.jonnx.runtime.optimizer;

import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.FunctionProto;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.TensorProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.graph.CompiledGraph;
import dev.jonnx.runtime.graph.GraphCompiler;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Evaluates a node whose inputs are all constants by compiling it alone into a one-node graph
 * and running it with the registry's kernels, so folding computes exactly what the session
 * would compute.
 */
final class ConstantFolder {
    /**
     * Folding may grow the constants up to this many bytes per node, or up to the size of the
     * node's constant inputs, whichever is larger; a larger result stays a node.
     */
    static final long MAX_GROWTH_BYTES = 1L << 20;

    /** Operators whose result is random, so evaluating them once would change the model. */
    private static final Set<String> NONDETERMINISTIC = Set.of("RandomNormal", "RandomNormalLike",
            "RandomUniform", "RandomUniformLike", "Bernoulli", "Multinomial", "Dropout");

    private final OpRegistry registry;
    private final List<FunctionProto> functions;
    private final Map<String, Integer> opsets;
    private final Function<TensorProto, Tensor> decoder;

    ConstantFolder(OpRegistry registry, List<FunctionProto> functions, Map<String, Integer> opsets,
            Function<TensorProto, Tensor> decoder) {
        this.registry = registry;
        this.functions = functions;
        this.opsets = opsets;
        this.decoder = decoder;
    }

    /** True if the node may be folded once all the values it reads are constants. */
    boolean foldable(NodeProto n) {
        if (n.getOutputCount() == 0 || !deterministic(n)) {
            return false;
        }
        String domain = n.getDomain().equals("ai.onnx") ? "" : n.getDomain();
        Integer opset = opsets.get(domain);
        if (opset == null) {
            return false;
        }
        boolean isFunction = functions.stream().anyMatch(f -> f.getName().equals(n.getOpType())
                && (f.getDomain().equals("ai.onnx") ? "" : f.getDomain()).equals(domain));
        return isFunction || registry.lookup(domain, n.getOpType(), opset).isPresent();
    }

    private static boolean deterministic(NodeProto n) {
        if (NONDETERMINISTIC.contains(n.getOpType())) {
            return false;
        }
        for (AttributeProto a : n.getAttributeList()) {
            if (a.hasG() && !deterministic(a.getG())) {
                return false;
            }
            for (GraphProto g : a.getGraphsList()) {
                if (!deterministic(g)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean deterministic(GraphProto g) {
        for (NodeProto n : g.getNodeList()) {
            if (!deterministic(n)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs the node on the constant initializers it reads and returns one tensor per output
     * (null for an omitted output), or null when the node fails, returns a value that is not a
     * tensor, or grows the constants past the size limit.
     */
    Tensor[] fold(NodeProto n, GraphState graph) {
        Set<String> reads = new LinkedHashSet<>();
        for (String in : n.getInputList()) {
            if (!in.isEmpty()) {
                reads.add(in);
            }
        }
        reads.addAll(GraphState.subgraphReads(n));
        GraphProto.Builder g = GraphProto.newBuilder().setName("constant folding").addNode(n);
        long inputBytes = 0;
        for (String name : reads) {
            if (!graph.isConstant(name)) {
                return null;
            }
            TensorProto t = graph.initializerProto(name);
            g.addInitializer(t);
            inputBytes += bytes(graph.constant(name));
        }
        for (String out : n.getOutputList()) {
            if (!out.isEmpty()) {
                g.addOutput(ValueInfoProto.newBuilder().setName(out));
            }
        }
        Value[] values;
        try {
            GraphCompiler compiler = new GraphCompiler(registry, "constant folding", functions,
                    ref -> decoder.apply(ref.proto()));
            CompiledGraph compiled = compiler.compileMain(g.build(), opsets);
            values = compiled.run(new Value[0], new RunContext(null, RunContext.RunControl.unlimited()));
        } catch (RuntimeException e) {
            return null; // the node fails on these constants; the session reports it when run
        }
        Tensor[] outputs = new Tensor[n.getOutputCount()];
        long outputBytes = 0;
        int k = 0;
        for (int i = 0; i < n.getOutputCount(); i++) {
            if (n.getOutput(i).isEmpty()) {
                continue;
            }
            if (!(values[k] instanceof Tensor t)) {
                return null;
            }
            outputs[i] = t;
            outputBytes += bytes(t);
            k++;
        }
        boolean isConstantNode = n.getOpType().equals("Constant") && n.getInputCount() == 0;
        if (!isConstantNode && outputBytes > Math.max(MAX_GROWTH_BYTES, inputBytes)) {
            return null;
        }
        return outputs;
    }

    private static long bytes(Tensor t) {
        return (long) t.size() * Math.max(1, t.type().byteSize());
    }
}
