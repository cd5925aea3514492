package dev.jonnx.runtime.ops.control;

import dev.jonnx.runtime.graph.Subgraph;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.Value;

/**
 * If: runs {@code then_branch} or {@code else_branch} by a one-element boolean condition and
 * returns that branch's outputs, which may be tensors, sequences or optionals.
 */
final class IfKernel {
    private IfKernel() {}

    static Kernel create(NodeContext node) {
        Subgraph thenBranch = node.getSubgraph("then_branch");
        Subgraph elseBranch = node.getSubgraph("else_branch");
        int thenCount = thenBranch.outputNames().size();
        int elseCount = elseBranch.outputNames().size();
        if (thenCount != elseCount) {
            throw node.error("then_branch has " + thenCount + " outputs but else_branch has "
                    + elseCount + "; both branches must have the same number of outputs");
        }
        if (node.outputCount() > thenCount) {
            throw node.error("the node lists " + node.outputCount() + " outputs but its branches"
                    + " produce " + thenCount);
        }
        // Branches declare no inputs (they read outer values by name), so both run on one empty array.
        Value[] thenInputs = new Value[thenBranch.inputNames().size()];
        Value[] elseInputs = new Value[elseBranch.inputNames().size()];
        return (inputs, ctx) -> ControlOps.condition(inputs[0], "input 'cond'")
                ? thenBranch.run(thenInputs, ctx)
                : elseBranch.run(elseInputs, ctx);
    }
}
