package dev.jonnx.runtime.ops.control;

import dev.jonnx.runtime.graph.Subgraph;
import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Scan: runs {@code body} once per position along the scan axis of its M scan inputs, carrying
 * N state values, and accumulates K scan outputs. Opset 8 has a batch axis 0, a scan axis 1 and
 * an optional {@code sequence_lens} input; opset 9 and later drop the batch axis and take the
 * axes and directions of inputs and outputs as attributes.
 */
final class ScanKernel {
    private ScanKernel() {}

    /** The parsed attributes and input counts of one node. */
    private record Plan(Subgraph body, int states, int scanInputs, int scanOutputs,
            long[] inputAxes, long[] inputDirections, long[] outputAxes, long[] outputDirections) {}

    static Kernel create(NodeContext node) {
        Subgraph body = node.getSubgraph("body");
        long m = node.getInt("num_scan_inputs");
        boolean batched = node.opset() < 9;
        int firstState = batched ? 1 : 0;
        int states = node.inputCount() - firstState - (int) m;
        if (m < 1 || states < 0) {
            throw node.error("num_scan_inputs is " + m + ", but it must be at least 1 and at most"
                    + " the " + (node.inputCount() - firstState) + " state and scan inputs");
        }

        int scanInputs = (int) m;
        if (body.inputNames().size() != states + scanInputs) {
            throw node.error("the body must have " + states + " state inputs and " + scanInputs
                    + " scan inputs, got " + body.inputNames().size() + " inputs");
        }
        int scanOutputs = body.outputNames().size() - states;
        if (scanOutputs < 0) {
            throw node.error("the body must have at least " + states + " outputs (one per state),"
                    + " got " + body.outputNames().size());
        }

        long[] inputAxes = new long[scanInputs];
        long[] inputDirections = node.getInts(batched ? "directions" : "scan_input_directions",
                new long[scanInputs]);
        long[] outputAxes = new long[scanOutputs];
        long[] outputDirections = new long[scanOutputs];
        if (!batched) {
            inputAxes = node.getInts("scan_input_axes", inputAxes);
            outputAxes = node.getInts("scan_output_axes", outputAxes);
            outputDirections = node.getInts("scan_output_directions", outputDirections);
        }

        checkLength(node, batched ? "directions" : "scan_input_directions", inputDirections, scanInputs);
        checkLength(node, "scan_input_axes", inputAxes, scanInputs);
        checkLength(node, "scan_output_axes", outputAxes, scanOutputs);
        checkLength(node, "scan_output_directions", outputDirections, scanOutputs);
        for (long[] flags : List.of(inputDirections, outputDirections)) {
            for (long f : flags) {
                if (f != 0 && f != 1) {
                    throw node.error("a scan direction must be 0 (forward) or 1 (reverse), got " + f);
                }
            }
        }

        Plan plan = new Plan(body, states, scanInputs, scanOutputs, inputAxes, inputDirections,
                outputAxes, outputDirections);
        if (batched) {
            return (inputs, ctx) -> runBatched(plan, inputs, ctx);
        }
        return (inputs, ctx) -> {
            Value[] initial = Arrays.copyOfRange(inputs, 0, plan.states);
            Tensor[] scans = new Tensor[plan.scanInputs];
            for (int j = 0; j < scans.length; j++) {
                scans[j] = ControlOps.tensorOutput(inputs[plan.states + j],
                        "scan input " + j);
            }
            return scan(plan, initial, scans, inputAxes(plan, scans), -1, ctx);
        };
    }

    private static void checkLength(NodeContext node, String attribute, long[] values, int count) {
        if (values.length != count) {
            throw node.error("attribute '" + attribute + "' must have " + count + " entries, got "
                    + values.length);
        }
    }

    private static int[] inputAxes(Plan plan, Tensor[] scans) {
        int[] axes = new int[scans.length];
        for (int j = 0; j < scans.length; j++) {
            if (scans[j].rank() == 0) {
                throw new IllegalArgumentException("scan input " + j + " must have rank 1 or more,"
                        + " got a scalar");
            }
            axes[j] = Shapes.axis(plan.inputAxes[j], scans[j].rank());
        }
        return axes;
    }

    /**
     * Runs the scan over {@code length} positions (or the common length of the scan inputs
     * along their axes when {@code length} is -1) and returns the final states followed by the
     * scan outputs.
     */
    private static Value[] scan(Plan plan, Value[] initial, Tensor[] scans, int[] axes, int length,
            RunContext ctx) {
        int available = -1;
        for (int j = 0; j < scans.length; j++) {
            int n = scans[j].dim(axes[j]);
            if (available >= 0 && n != available) {
                throw new IllegalArgumentException("every scan input must have the same length"
                        + " along its scan axis, got " + available + " and " + n + " (scan input "
                        + j + ", " + scans[j].describe() + ")");
            }
            available = n;
        }
        int steps = length < 0 ? available : length;
        Value[] bodyIn = new Value[plan.states + plan.scanInputs];
        System.arraycopy(initial, 0, bodyIn, 0, plan.states);
        List<List<Tensor>> outputs = new ArrayList<>();
        for (int k = 0; k < plan.scanOutputs; k++) {
            outputs.add(new ArrayList<>());
        }
        for (int t = 0; t < steps; t++) {
            ctx.checkCancelled();
            for (int j = 0; j < scans.length; j++) {
                int position = plan.inputDirections[j] == 1 ? steps - 1 - t : t;
                bodyIn[plan.states + j] = Slices.index(scans[j], axes[j], position);
            }
            Value[] out = plan.body.run(bodyIn, ctx);
            System.arraycopy(out, 0, bodyIn, 0, plan.states);
            for (int k = 0; k < plan.scanOutputs; k++) {
                outputs.get(k).add(ControlOps.scanOutput(out[plan.states + k], k));
            }
        }
        Value[] result = new Value[plan.states + plan.scanOutputs];
        System.arraycopy(bodyIn, 0, result, 0, plan.states);
        for (int k = 0; k < plan.scanOutputs; k++) {
            List<Tensor> parts = outputs.get(k);
            if (parts.isEmpty()) {
                result[plan.states + k] = ControlOps.emptyAccumulation(
                        plan.body.outputInfos().get(plan.states + k), (int) plan.outputAxes[k], "Scan");
                continue;
            }
            if (plan.outputDirections[k] == 1) {
                Collections.reverse(parts);
            }
            int axis = Shapes.axis(plan.outputAxes[k], parts.getFirst().rank() + 1);
            result[plan.states + k] = Slices.stack(parts, axis);
        }
        return result;
    }

    /**
     * Opset 8: scans each batch entry separately over its own sequence length, then stacks the
     * final states and the scan outputs over the batch. Scan outputs of shorter sequences are
     * padded with zeros up to the maximum sequence length.
     */
    private static Value[] runBatched(Plan plan, Value[] inputs, RunContext ctx) {
        Tensor[] states = new Tensor[plan.states];
        for (int i = 0; i < states.length; i++) {
            states[i] = ControlOps.tensorOutput(inputs[1 + i], "initial state " + i);
        }
        Tensor[] scans = new Tensor[plan.scanInputs];
        for (int j = 0; j < scans.length; j++) {
            scans[j] = ControlOps.tensorOutput(inputs[1 + plan.states + j], "scan input " + j);
            if (scans[j].rank() < 2) {
                throw new IllegalArgumentException("scan input " + j + " must have a batch axis"
                        + " and a sequence axis, got " + scans[j].describe());
            }
        }

        int batch = scans[0].dim(0);
        int maxLength = scans[0].dim(1);
        if (batch == 0) {
            // NOTE: an empty batch leaves the per-entry output shapes unknown, so it is rejected.
            throw new IllegalArgumentException("Scan before opset 9 needs at least one batch entry,"
                    + " got " + scans[0].describe());
        }
        for (int j = 1; j < scans.length; j++) {
            if (scans[j].dim(0) != batch || scans[j].dim(1) != maxLength) {
                throw new IllegalArgumentException("every scan input must have batch size " + batch
                        + " and sequence length " + maxLength + ", got " + scans[j].describe());
            }
        }
        for (int i = 0; i < states.length; i++) {
            if (states[i].rank() == 0 || states[i].dim(0) != batch) {
                throw new IllegalArgumentException("initial state " + i + " must have batch size "
                        + batch + " on axis 0, got " + states[i].describe());
            }
        }
        long[] lengths = inputs[0] == null ? null : sequenceLengths(inputs[0], batch, maxLength);

        int[] axes = new int[plan.scanInputs];
        List<List<Tensor>> finalStates = new ArrayList<>();
        List<List<Tensor>> scanOutputs = new ArrayList<>();
        for (int i = 0; i < plan.states; i++) {
            finalStates.add(new ArrayList<>());
        }
        for (int k = 0; k < plan.scanOutputs; k++) {
            scanOutputs.add(new ArrayList<>());
        }
        for (int b = 0; b < batch; b++) {
            int length = lengths == null ? maxLength : (int) lengths[b];
            Value[] initial = new Value[plan.states];
            for (int i = 0; i < initial.length; i++) {
                initial[i] = Slices.index(states[i], 0, b);
            }
            Tensor[] entries = new Tensor[plan.scanInputs];
            for (int j = 0; j < entries.length; j++) {
                entries[j] = Slices.range(Slices.index(scans[j], 0, b), 0, 0, length);
            }
            Value[] out = scan(plan, initial, entries, axes, length, ctx);
            for (int i = 0; i < plan.states; i++) {
                finalStates.get(i).add(ControlOps.tensorOutput(out[i], "final state " + i));
            }
            for (int k = 0; k < plan.scanOutputs; k++) {
                Tensor produced = (Tensor) out[plan.states + k];
                scanOutputs.get(k).add(padSequence(produced, maxLength));
            }
        }

        Value[] result = new Value[plan.states + plan.scanOutputs];
        for (int i = 0; i < plan.states; i++) {
            result[i] = Slices.stack(finalStates.get(i), 0);
        }
        for (int k = 0; k < plan.scanOutputs; k++) {
            result[plan.states + k] = Slices.stack(scanOutputs.get(k), 0);
        }
        return result;
    }

    /** Reads and checks the opset-8 {@code sequence_lens} input: one length per batch entry. */
    private static long[] sequenceLengths(Value input, int batch, int maxLength) {
        Tensor lens = ControlOps.tensorOutput(input, "input 'sequence_lens'");
        if (lens.size() != batch) {
            throw new IllegalArgumentException("input 'sequence_lens' must have " + batch
                    + " entries, one per batch entry, got " + lens.describe());
        }
        long[] lengths = lens.toLongArray();
        for (int b = 0; b < batch; b++) {
            if (lengths[b] < 0 || lengths[b] > maxLength) {
                throw new IllegalArgumentException("sequence_lens[" + b + "] is " + lengths[b]
                        + ", but it must be between 0 and the sequence length " + maxLength);
            }
        }
        return lengths;
    }

    private static Tensor padSequence(Tensor produced, int maxLength) {
        int length = produced.dim(0);
        if (length == maxLength) {
            return produced;
        }
        int[] padShape = produced.shape();
        padShape[0] = maxLength - length;
        return Slices.concat(List.of(produced, Tensor.zeros(produced.type(), padShape)), 0);
    }
}
