package dev.jonnx.runtime.optimizer;

import dev.jonnx.io.TensorProtos;
import dev.jonnx.model.OnnxModel;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.OperatorSetIdProto;
import dev.jonnx.onnx.TensorProto;
import dev.jonnx.runtime.SessionOptions.OptimizationLevel;
import dev.jonnx.runtime.ops.Operators;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Rewrites a model's graphs before they are compiled, so that the result is still a model
 * that can be saved and loaded again.
 *
 * <ul>
 *   <li>{@link OptimizationLevel#BASIC}: constant folding through the registry's kernels,
 *       folding of Shape and Size where the shape is statically known, removal of dead nodes,
 *       Identity, inference-mode Dropout and Cast to the same type, shortening of Reshape and
 *       Unsqueeze chains, and constant Reshape targets in place of targets that copy
 *       dimensions through Shape, Gather and Concat. A per-tensor DequantizeLinear of rows
 *       gathered from a constant table becomes a Gather from the table dequantized once, where
 *       the folded table fits the folding size limit. The result uses standard operators only.
 *   <li>{@link OptimizationLevel#ALL}: also fusions. MatMul + Add becomes Gemm for 2-D
 *       inputs, and {@code FusedMatMul} (with an optional GELU and residual Add) for a constant
 *       weight and bias otherwise. The multi-head attention core of BERT-style models becomes
 *       {@code FusedAttention}. BatchNormalization or Mul and Add by per-channel constants
 *       after a Conv fold into the Conv weights. The erf form of GELU becomes Gelu, the
 *       decomposed hard swish becomes HardSwish and the decomposed layer normalization becomes
 *       LayerNormalization. Conv followed by an activation becomes {@code FusedConv}. Dynamically quantized matmuls
 *       (DynamicQuantizeLinear, MatMulInteger, Cast, Mul, Add) become
 *       {@code DynamicQuantizeMatMul}. The fused operators are in the custom domain
 *       {@value #DOMAIN}, which only Jonnx runs. Gelu, HardSwish and LayerNormalization also go
 *       to that domain where the model's opset predates them.
 * </ul>
 *
 * <p>Subgraph bodies (If, Loop, Scan) are optimized after the graph around them, as graphs of
 * their own: the constant initializers of enclosing graphs count as constants, their other
 * values as unknown inputs, and the names a subgraph reads from the graph around it count as
 * uses there. Once its subgraphs are optimized, a graph drops the initializers that no node or
 * subgraph reads any more. Every rewrite checks its preconditions and otherwise leaves the
 * nodes unchanged.
 */
public final class GraphOptimizer {
    /** The domain of the fused operators that rewrites at level ALL may create. */
    public static final String DOMAIN = "dev.jonnx";

    /** Basic passes repeat until nothing changes, up to this many rounds. */
    private static final int MAX_ROUNDS = 10;

    private final OpRegistry registry;
    private final Function<TensorProto, Tensor> decoder;

    /**
     * Creates an optimizer that folds constants with {@code registry}'s kernels and decodes
     * initializers with {@code decoder} (which must resolve the model's external data).
     */
    public GraphOptimizer(OpRegistry registry, Function<TensorProto, Tensor> decoder) {
        this.registry = registry;
        this.decoder = decoder;
    }

    /** Optimizes a model without external data with the built-in operators. */
    public static ModelProto optimize(ModelProto model, OptimizationLevel level) {
        return new GraphOptimizer(Operators.registry(), TensorProtos::toTensor).apply(model, level);
    }

    /** Optimizes a loaded model, reading external data from the model's folder. */
    public static ModelProto optimize(OnnxModel model, OpRegistry registry, OptimizationLevel level) {
        model.opsets(); // rejects an opset version outside the int range, naming the model file
        return new GraphOptimizer(registry, model::tensor).apply(model.proto(), level);
    }

    /** Returns the optimized model; with level NONE, the model itself. */
    public ModelProto apply(ModelProto model, OptimizationLevel level) {
        if (level == OptimizationLevel.NONE || !model.hasGraph() || readsValuesByName(model.getGraph())) {
            return model;
        }
        Map<String, Integer> opsets = opsets(model);
        ConstantFolder folder = new ConstantFolder(registry, model.getFunctionsList(), opsets, decoder);
        GraphState main = new GraphState(model.getGraph(), decoder);
        boolean[] customDomainUsed = {false};
        GraphProto graph = optimize(main, opsets, folder, level, customDomainUsed);
        ModelProto.Builder b = model.toBuilder().setGraph(graph);
        if (customDomainUsed[0] && !opsets.containsKey(DOMAIN)) {
            b.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(DOMAIN).setVersion(1));
        }
        return b.build();
    }

    /**
     * True when a Gradient node names graph values in its attributes: rewrites could remove or
     * rename the nodes it differentiates, so such graphs are left as they are.
     */
    private static boolean readsValuesByName(GraphProto graph) {
        for (var node : graph.getNodeList()) {
            if (node.getOpType().equals("Gradient") && node.getDomain().equals("ai.onnx.preview.training")) {
                return true;
            }
        }
        return false;
    }

    /** Optimizes one graph, then the subgraphs of its remaining nodes. */
    private GraphProto optimize(GraphState graph, Map<String, Integer> opsets, ConstantFolder folder,
            OptimizationLevel level, boolean[] customDomainUsed) {
        BasicRewrites basic = new BasicRewrites(graph, opsets, folder);
        basic.run(MAX_ROUNDS);
        if (level == OptimizationLevel.ALL) {
            Fusions fusions = new Fusions(graph, opsets);
            if (fusions.run()) {
                basic.run(MAX_ROUNDS);
            }
            customDomainUsed[0] |= fusions.usedCustomDomain();
            customDomainUsed[0] |= new QuantFusions(graph).run();
        }
        for (int i = 0; i < graph.nodes.size(); i++) {
            NodeProto n = graph.nodes.get(i);
            if (n == null || !GraphState.hasSubgraph(n)) {
                continue;
            }
            NodeProto.Builder b = n.toBuilder().clearAttribute();
            for (AttributeProto a : n.getAttributeList()) {
                AttributeProto.Builder ab = a.toBuilder();
                if (a.hasG()) {
                    ab.setG(optimizeSubgraph(a.getG(), graph, opsets, folder, level, customDomainUsed));
                }
                for (int k = 0; k < a.getGraphsCount(); k++) {
                    ab.setGraphs(k, optimizeSubgraph(a.getGraphs(k), graph, opsets, folder, level, customDomainUsed));
                }
                b.addAttribute(ab);
            }
            graph.nodes.set(i, b.build());
        }
        // Subgraphs may have folded what they read from this graph into constants of their own.
        basic.removeDeadNodes();
        return graph.build();
    }

    private GraphProto optimizeSubgraph(GraphProto g, GraphState outer, Map<String, Integer> opsets,
            ConstantFolder folder, OptimizationLevel level, boolean[] customDomainUsed) {
        GraphState state = new GraphState(g, decoder, outer.usedNames(), false, outer);
        return optimize(state, opsets, folder, level, customDomainUsed);
    }

    static Map<String, Integer> opsets(ModelProto model) {
        Map<String, Integer> opsets = new LinkedHashMap<>();
        String importer = "model" + (model.getGraph().getName().isEmpty() ? ""
                : " with graph '" + model.getGraph().getName() + "'");
        for (OperatorSetIdProto id : model.getOpsetImportList()) {
            opsets.put(OnnxModel.normalizeDomain(id.getDomain()), OnnxModel.opsetVersion(id, importer));
        }
        return opsets;
    }
}
