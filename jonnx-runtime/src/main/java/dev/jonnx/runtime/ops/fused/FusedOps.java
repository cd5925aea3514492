package dev.jonnx.runtime.ops.fused;

import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.runtime.ops.Operators;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import java.util.Set;

/**
 * Registers the operators of the custom domain {@value #DOMAIN} that the graph optimizer
 * creates: FusedConv (Conv followed by an activation), FusedMatMul (MatMul with a bias and an
 * optional activation), FusedAttention (the multi-head attention core) and, for models whose
 * opset predates
 * the standard operators, Gelu, HardSwish and LayerNormalization with the semantics of ai.onnx
 * Gelu-20, HardSwish-14 and LayerNormalization-17.
 */
public final class FusedOps {
    public static final String DOMAIN = "dev.jonnx";

    private FusedOps() {}

    public static void register(OpRegistry.Builder registry) {
        registry.add(DOMAIN, "FusedConv", 1, FusedConv::create);
        registry.add(DOMAIN, "FusedMatMul", 1, FusedMatMul::create);
        registry.add(DOMAIN, "FusedAttention", 1, FusedAttention::create);
        registry.add(DOMAIN, "Gelu", 1, node -> standard(node, "Gelu", 20, Set.of()));
        registry.add(DOMAIN, "HardSwish", 1, node -> standard(node, "HardSwish", 14, Set.of()));
        registry.add(DOMAIN, "LayerNormalization", 1, node -> standard(node, "LayerNormalization", 17, Set.of()));
    }

    /**
     * Creates the kernel of the default-domain operator {@code opType} at {@code opset} for a
     * node, leaving out the attributes in {@code dropped}. The kernel comes from the built-in
     * registry, since a factory does not see the session's registry.
     */
    public static Kernel standard(NodeContext node, String opType, int opset, Set<String> dropped) {
        NodeProto.Builder b = node.proto().toBuilder().setDomain("").setOpType(opType).clearAttribute();
        for (AttributeProto a : node.proto().getAttributeList()) {
            if (!dropped.contains(a.getName())) {
                b.addAttribute(a);
            }
        }
        KernelFactory factory = Operators.registry().lookup("", opType, opset)
                .orElseThrow(() -> node.unsupported(DOMAIN + " " + node.opType()
                        + " needs a kernel for ai.onnx " + opType + " (opset " + opset + ")"));
        NodeContext standard = new NodeContext(b.build(), "", opset, node.modelName(),
                ref -> node.decode(ref.proto()), (g, attr) -> {
                    throw node.error("a graph attribute is not expected here");
                });
        return factory.create(standard);
    }
}
