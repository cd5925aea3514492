package dev.jonnx.runtime.optimizer;

import dev.jonnx.io.TensorProtos;
import dev.jonnx.model.OnnxModel;
import dev.jonnx.onnx.ModelProto;
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
 * Rewrites a model's main graph before it is compiled, so that the result is still a model
 * that can be saved and loaded again.
 *
 * <ul>
 *   <li>{@link OptimizationLevel#BASIC}: constant folding through the registry's kernels,
 *       folding of Shape and Size where the shape is statically known, removal of dead nodes,
 *       Identity, inference-mode Dropout and Cast to the same type, and shortening of
 *       Reshape and Unsqueeze chains. The result uses standard operators only.
 *   <li>{@link OptimizationLevel#ALL}: also fusions. MatMul + Add becomes Gemm, Conv +
 *       BatchNormalization is folded into the Conv weights, the erf form of GELU becomes Gelu
 *       and the decomposed layer normalization becomes LayerNormalization; Conv followed by an
 *       activation becomes {@code FusedConv}, and Gelu or LayerNormalization become operators
 *       of the same name where the model's opset predates them, all in the custom domain
 *       {@value #DOMAIN}, which only Jonnx runs.
 * </ul>
 *
 * <p>Subgraph bodies (If, Loop, Scan) are left as they are; the names they read from the main
 * graph are treated as uses. Every rewrite checks its preconditions and otherwise leaves the
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
        return new GraphOptimizer(registry, model::tensor).apply(model.proto(), level);
    }

    /** Returns the optimized model; with level NONE, the model itself. */
    public ModelProto apply(ModelProto model, OptimizationLevel level) {
        if (level == OptimizationLevel.NONE || !model.hasGraph()) {
            return model;
        }
        Map<String, Integer> opsets = opsets(model);
        GraphState graph = new GraphState(model.getGraph(), decoder);
        ConstantFolder folder = new ConstantFolder(registry, model.getFunctionsList(), opsets, decoder);
        BasicRewrites basic = new BasicRewrites(graph, opsets, folder);
        basic.run(MAX_ROUNDS);
        boolean customDomainUsed = false;
        if (level == OptimizationLevel.ALL) {
            Fusions fusions = new Fusions(graph, opsets);
            if (fusions.run()) {
                basic.run(MAX_ROUNDS);
            }
            customDomainUsed = fusions.usedCustomDomain();
        }
        ModelProto.Builder b = model.toBuilder().setGraph(graph.build());
        if (customDomainUsed && !opsets.containsKey(DOMAIN)) {
            b.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(DOMAIN).setVersion(1));
        }
        return b.build();
    }

    static Map<String, Integer> opsets(ModelProto model) {
        Map<String, Integer> opsets = new LinkedHashMap<>();
        for (OperatorSetIdProto id : model.getOpsetImportList()) {
            opsets.put(OnnxModel.normalizeDomain(id.getDomain()), (int) id.getVersion());
        }
        return opsets;
    }
}
