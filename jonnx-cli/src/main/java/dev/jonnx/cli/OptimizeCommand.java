package dev.jonnx.cli;

import dev.jonnx.model.ModelIO;
import dev.jonnx.model.OnnxModel;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.runtime.SessionOptions.OptimizationLevel;
import dev.jonnx.runtime.ops.Operators;
import dev.jonnx.runtime.optimizer.GraphOptimizer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Writes a model after the graph rewrites that a session would apply. */
@Command(name = "optimize", description = {
        "Write MODEL after the graph rewrites a session applies at the given level.",
        "basic: constant folding, shape folding, removal of dead, Identity, inference Dropout"
                + " and no-op Cast nodes, shorter Reshape chains; the output uses standard ONNX"
                + " operators only.",
        "all: basic plus fusions (MatMul+Add to Gemm; BatchNormalization or per-channel Mul"
                + " and Add folded into Conv weights; GELU, hard swish and layer normalization"
                + " patterns). Conv+activation becomes FusedConv, MatMul by constant weights"
                + " with bias (and GELU or a residual Add) FusedMatMul, BERT self-attention"
                + " FusedAttention, dynamically quantized matmul chains DynamicQuantizeMatMul,"
                + " and Gelu, HardSwish or LayerNormalization under an opset that predates them"
                + " go to the same custom domain " + GraphOptimizer.DOMAIN + ", which only Jonnx"
                + " runs.",
        "Initializers stored as external data stay external, so write OUT into the folder of"
                + " MODEL."})
final class OptimizeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file to read.")
    Path input;

    @Parameters(index = "1", paramLabel = "OUT", description = "The .onnx file to write.")
    Path output;

    @Option(names = "--level", defaultValue = "all", paramLabel = "LEVEL",
            description = "basic or all (default: ${DEFAULT-VALUE}).")
    String level;

    @Override
    public Integer call() {
        OptimizationLevel parsed = switch (level.toLowerCase(Locale.ROOT)) {
            case "basic" -> OptimizationLevel.BASIC;
            case "all" -> OptimizationLevel.ALL;
            default -> throw new UsageException("invalid --level '" + level
                    + "'; expected basic or all");
        };
        try (OnnxModel model = ModelIO.load(input)) {
            ModelProto optimized = GraphOptimizer.optimize(model, Operators.registry(), parsed);
            ModelIO.save(optimized, output);
            System.out.println(input + ": " + model.proto().getGraph().getNodeCount() + " nodes, "
                    + output + ": " + optimized.getGraph().getNodeCount() + " nodes (level "
                    + parsed.name().toLowerCase(Locale.ROOT) + ")");
        }
        return 0;
    }
}
