package dev.jonnx.runtime.graph;

import dev.jonnx.OnnxException;
import dev.jonnx.RunException;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.NodeProfiler;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.Value;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A graph ready to run: nodes in topological order, each with its kernel and the slots it
 * reads and writes. Immutable, so one instance serves concurrent runs; each run gets its own
 * {@link Frame} of slots.
 */
public final class CompiledGraph implements Subgraph {

    /** One node: its kernel, input slots (-1 for omitted), output slots (-1 for unnamed). */
    record Step(NodeContext node, Kernel kernel, int[] inputs, int[] outputs, int[] release) {}

    private final String name;
    private final Map<String, Integer> slotIndex;
    private final int slotCount;
    private final Value[] constants;
    private final int[] inputSlots;
    private final int[] outputSlots;
    private final List<ValueInfoProto> inputInfos;
    private final List<ValueInfoProto> outputInfos;
    private final int[] outerSlots;
    private final String[] outerNames;
    private final Step[] steps;

    CompiledGraph(String name, Map<String, Integer> slotIndex, Value[] constants, int[] inputSlots,
            int[] outputSlots, List<ValueInfoProto> inputInfos, List<ValueInfoProto> outputInfos,
            int[] outerSlots, String[] outerNames, Step[] steps) {
        this.name = name;
        this.slotIndex = Map.copyOf(slotIndex);
        this.slotCount = constants.length;
        this.constants = constants;
        this.inputSlots = inputSlots;
        this.outputSlots = outputSlots;
        this.inputInfos = List.copyOf(inputInfos);
        this.outputInfos = List.copyOf(outputInfos);
        this.outerSlots = outerSlots;
        this.outerNames = outerNames;
        this.steps = steps;
    }

    public String name() {
        return name;
    }

    Integer slotOf(String valueName) {
        return slotIndex.get(valueName);
    }

    /** The number of nodes after function inlining. */
    public int nodeCount() {
        return steps.length;
    }

    /** The nodes in the order they run. */
    public List<NodeContext> nodes() {
        return Arrays.stream(steps).map(Step::node).toList();
    }

    @Override
    public List<String> inputNames() {
        return inputInfos.stream().map(ValueInfoProto::getName).toList();
    }

    @Override
    public List<String> outputNames() {
        return outputInfos.stream().map(ValueInfoProto::getName).toList();
    }

    @Override
    public List<ValueInfoProto> inputInfos() {
        return inputInfos;
    }

    @Override
    public List<ValueInfoProto> outputInfos() {
        return outputInfos;
    }

    /** The value of each initializer that is also a graph input, or null, by input index. */
    public Value defaultOf(int inputIndex) {
        return constants[inputSlots[inputIndex]];
    }

    @Override
    public Value[] run(Value[] inputs, RunContext ctx) {
        if (inputs.length != inputSlots.length) {
            throw new RunException("graph '" + name + "' takes " + inputSlots.length
                    + " inputs, got " + inputs.length);
        }
        Value[] slots = constants.clone();
        Frame parent = ctx == null ? null : ctx.frame();
        Frame frame = new Frame(this, slots, parent);
        for (int i = 0; i < outerSlots.length; i++) {
            Value v = parent == null ? null : parent.lookup(outerNames[i]);
            if (v == null) {
                throw new RunException("graph '" + name + "' reads '" + outerNames[i]
                        + "' from an enclosing graph, but it has no value");
            }
            slots[outerSlots[i]] = v;
        }
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] != null) {
                slots[inputSlots[i]] = inputs[i];
            }
        }
        RunContext.RunControl control = ctx == null ? RunContext.RunControl.unlimited() : ctx.control();
        RunContext inner = new RunContext(frame, control);
        NodeProfiler profiler = control.profiler();
        for (Step step : steps) {
            control.check();
            if (profiler == null) {
                execute(step, slots, inner);
            } else {
                long start = System.nanoTime();
                execute(step, slots, inner);
                profiler.record(step.node, start, System.nanoTime(), parent != null);
            }
        }
        Value[] out = new Value[outputSlots.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = slots[outputSlots[i]];
            if (out[i] == null) {
                throw new RunException("graph '" + name + "' output '" + outputInfos.get(i).getName()
                        + "' was not computed");
            }
        }
        return out;
    }

    private static void execute(Step step, Value[] slots, RunContext ctx) {
        Value[] args = new Value[step.inputs.length];
        for (int i = 0; i < args.length; i++) {
            int s = step.inputs[i];
            if (s >= 0) {
                args[i] = slots[s];
                if (args[i] == null) {
                    throw new RunException(step.node.where() + ": input " + i + " '"
                            + step.node.proto().getInput(i) + "' has no value");
                }
            }
        }
        Value[] results;
        try {
            results = step.kernel.run(args, ctx);
        } catch (OnnxException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("model ")) {
                throw e;
            }
            throw new RunException(step.node.where() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new RunException(step.node.where() + ": " + describe(e), e);
        } catch (StackOverflowError e) {
            throw new RunException(step.node.where() + ": stack overflow (nesting too deep)", e);
        } catch (OutOfMemoryError e) {
            throw new RunException(step.node.where() + ": out of memory while running the node", e);
        }
        for (int i = 0; i < step.outputs.length; i++) {
            int s = step.outputs[i];
            if (s < 0) {
                continue;
            }
            if (results == null || i >= results.length || results[i] == null) {
                throw new RunException(step.node.where() + ": the kernel produced no value for output "
                        + i + " '" + step.node.proto().getOutput(i) + "'");
            }
            slots[s] = results[i];
        }
        for (int s : step.release) {
            slots[s] = null;
        }
    }

    private static String describe(RuntimeException e) {
        String message = e.getMessage();
        if (e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof UnsupportedOperationException) {
            return message == null ? e.getClass().getSimpleName() : message;
        }
        return "internal error " + e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
