package dev.jonnx.runtime.ops.control;

import dev.jonnx.runtime.graph.Subgraph;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Loop: runs {@code body} while the trip count and the condition allow. The body takes
 * (iteration_num, condition, N loop-carried values) and returns (condition, N loop-carried
 * values, K scan output elements). The node returns the final loop-carried values, then each
 * scan output stacked over the iterations along a new axis 0.
 *
 * <p>As the operator's table of modes states, the condition the body returns is ignored when
 * the node omits the {@code cond} input, so a loop without {@code M} and {@code cond} ends only
 * through cancellation or the run's deadline.
 */
final class LoopKernel {
    private LoopKernel() {}

    static Kernel create(NodeContext node) {
        Subgraph body = node.getSubgraph("body");
        int carried = Math.max(node.inputCount() - 2, 0);
        int bodyInputs = body.inputNames().size();
        int bodyOutputs = body.outputNames().size();
        if (bodyInputs != 2 + carried) {
            throw node.error("the body must have 2 + " + carried + " inputs (iteration number,"
                    + " condition and one per loop-carried value), got " + bodyInputs);
        }
        if (bodyOutputs < 1 + carried) {
            throw node.error("the body must have at least 1 + " + carried + " outputs (condition"
                    + " and one per loop-carried value), got " + bodyOutputs);
        }
        int scanCount = bodyOutputs - 1 - carried;
        if (node.outputCount() > carried + scanCount) {
            throw node.error("the node lists " + node.outputCount() + " outputs, but the body"
                    + " yields only " + carried + " loop-carried values and " + scanCount
                    + " scan outputs");
        }
        return (inputs, ctx) -> run(body, carried, scanCount, inputs, ctx);
    }

    private static Value[] run(Subgraph body, int carried, int scanCount, Value[] inputs,
            RunContext ctx) {
        long maxTrips = Long.MAX_VALUE;
        if (inputs.length > 0 && inputs[0] != null) {
            if (!(inputs[0] instanceof Tensor m) || m.size() != 1) {
                throw new IllegalArgumentException("input 'M' must be a tensor with one element,"
                        + " got " + inputs[0].describe());
            }
            maxTrips = m.getLong(0);
        }
        boolean hasCondition = inputs.length > 1 && inputs[1] != null;
        boolean condition = !hasCondition || ControlOps.condition(inputs[1], "input 'cond'");

        Value[] bodyIn = new Value[2 + carried];
        for (int i = 0; i < carried; i++) {
            bodyIn[2 + i] = inputs[2 + i];
            if (bodyIn[2 + i] == null) {
                throw new IllegalArgumentException("loop-carried input " + (2 + i)
                        + " is missing; only M and cond may be omitted");
            }
        }
        List<List<Tensor>> scans = new ArrayList<>();
        for (int k = 0; k < scanCount; k++) {
            scans.add(new ArrayList<>());
        }
        for (long iteration = 0; iteration < maxTrips && condition; iteration++) {
            ctx.checkCancelled();
            bodyIn[0] = Tensor.scalar(iteration);
            bodyIn[1] = Tensor.scalar(condition);
            Value[] out = body.run(bodyIn, ctx);
            if (hasCondition) {
                condition = ControlOps.condition(out[0], "body output 0 (condition)");
            }
            System.arraycopy(out, 1, bodyIn, 2, carried);
            for (int k = 0; k < scanCount; k++) {
                scans.get(k).add(ControlOps.scanOutput(out[1 + carried + k], k));
            }
        }

        Value[] result = new Value[carried + scanCount];
        System.arraycopy(bodyIn, 2, result, 0, carried);
        for (int k = 0; k < scanCount; k++) {
            List<Tensor> parts = scans.get(k);
            result[carried + k] = parts.isEmpty()
                    ? ControlOps.emptyAccumulation(body.outputInfos().get(1 + carried + k), 0,
                            "Loop")
                    : Slices.stack(parts, 0);
        }
        return result;
    }
}
