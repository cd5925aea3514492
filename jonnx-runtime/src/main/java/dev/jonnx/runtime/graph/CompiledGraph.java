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

    /**
     * One node: its kernel, input slots (-1 for omitted) and output slots (-1 for unnamed).
     * {@code release} lists the slots whose last reader it is in the sequential order, and
     * {@code reads} every slot it reads, including the outer-scope values of its subgraphs.
     */
    record Step(NodeContext node, Kernel kernel, int[] inputs, int[] outputs, int[] release,
            int[] reads) {}

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
    private final int maxArity;
    private final List<String> inputNames;
    private final List<String> outputNames;
    private final ParallelSteps parallelSteps;
    /** The enclosing graph this subgraph last ran in and where its outer names sit there. */
    private volatile ParentLink parentLink;

    private record ParentLink(CompiledGraph graph, int[] slots) {}

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
        this.inputNames = this.inputInfos.stream().map(ValueInfoProto::getName).toList();
        this.outputNames = this.outputInfos.stream().map(ValueInfoProto::getName).toList();
        this.maxArity = Arrays.stream(steps).mapToInt(step -> step.inputs.length).max().orElse(0);
        this.parallelSteps = new ParallelSteps(steps, slotCount);
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
        return inputNames;
    }

    @Override
    public List<String> outputNames() {
        return outputNames;
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
        bindOuter(slots, parent);
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] != null) {
                slots[inputSlots[i]] = inputs[i];
            }
        }
        RunContext.RunControl control = ctx == null ? RunContext.RunControl.unlimited() : ctx.control();
        BufferArena arena = control.arena();
        if (arena != null) {
            synchronized (arena) {
                retainBound(slots, inputs, arena);
            }
        }
        try {
            RunContext inner = new RunContext(frame, control);
            // Only the main graph runs nodes in parallel, because a subgraph runs inside a node
            // that already occupies one of the inter-op threads.
            if (parent == null && control.interOpPool() != null && parallelSteps.hasParallelism()) {
                parallelSteps.run(steps, slots, inner, arena, control.interOpPool(),
                        control.interOpThreads());
            } else {
                runSteps(slots, inner, arena, parent != null);
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
        } finally {
            if (arena != null) {
                synchronized (arena) {
                    dropFrame(slots, inputs, arena);
                }
            }
        }
    }

    /** Copies the outer-scope values this graph reads from the enclosing frames into its slots. */
    private void bindOuter(Value[] slots, Frame parent) {
        if (outerSlots.length == 0) {
            return;
        }
        int[] resolved = parent == null ? null : parentSlots(parent.graph());
        for (int i = 0; i < outerSlots.length; i++) {
            Value v = null;
            if (resolved != null && resolved[i] >= 0) {
                v = parent.slot(resolved[i]);
            }
            if (v == null && parent != null) {
                v = parent.lookup(outerNames[i]);
            }
            if (v == null) {
                throw new RunException("graph '" + name + "' reads '" + outerNames[i]
                        + "' from an enclosing graph, but it has no value");
            }
            slots[outerSlots[i]] = v;
        }
    }

    /**
     * Returns the slot in {@code enclosing} of each outer-scope name, or -1 where the enclosing
     * graph has none. A subgraph belongs to one node, so the result is computed once and kept.
     */
    private int[] parentSlots(CompiledGraph enclosing) {
        ParentLink link = parentLink;
        if (link == null || link.graph != enclosing) {
            int[] resolved = new int[outerNames.length];
            for (int i = 0; i < resolved.length; i++) {
                Integer slot = enclosing.slotOf(outerNames[i]);
                resolved[i] = slot == null ? -1 : slot;
            }
            link = new ParentLink(enclosing, resolved);
            parentLink = link;
        }
        return link.slots;
    }

    /**
     * Counts the values bound before the first node in the arena. Inputs count twice: the extra
     * count pins them for the whole frame, because the caller (the user or the operator that
     * runs this subgraph) still holds them after this graph releases its slot.
     */
    private void retainBound(Value[] slots, Value[] inputs, BufferArena arena) {
        for (int s : outerSlots) {
            arena.retain(slots[s]);
        }
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] != null) {
                arena.retain(inputs[i]);
                arena.retain(inputs[i]);
            }
        }
    }

    /**
     * Uncounts every value still in the frame and the input pins, recycling nothing: what is left
     * is outputs, inputs and outer values, which the caller or an enclosing frame still holds.
     */
    private void dropFrame(Value[] slots, Value[] inputs, BufferArena arena) {
        for (int s = 0; s < slots.length; s++) {
            if (slots[s] != null && slots[s] != constants[s]) {
                arena.release(slots[s], false);
            }
        }
        for (Value input : inputs) {
            if (input != null) {
                arena.release(input, false);
            }
        }
    }

    private void runSteps(Value[] slots, RunContext ctx, BufferArena arena, boolean nested) {
        RunContext.RunControl control = ctx.control();
        NodeProfiler profiler = control.profiler();
        // One argument array per arity, reused across steps: the kernel contract forbids keeping
        // the inputs array after the call returns.
        Value[][] argsByArity = new Value[maxArity + 1][];
        for (Step step : steps) {
            control.check();
            Value[] args = argsByArity[step.inputs.length];
            if (args == null) {
                args = new Value[step.inputs.length];
                argsByArity[step.inputs.length] = args;
            }
            int mark = arena == null ? 0 : arena.freshMark();
            if (profiler == null) {
                execute(step, slots, args, ctx);
            } else {
                long start = System.nanoTime();
                execute(step, slots, args, ctx);
                profiler.record(step.node, start, System.nanoTime(), nested);
            }
            if (arena == null) {
                for (int s : step.release) {
                    slots[s] = null;
                }
            } else {
                countStep(step, slots, arena, mark);
            }
        }
    }

    /**
     * Runs one node: gathers its inputs from {@code slots} into {@code args} (whose length is the
     * node's input count), calls the kernel and stores its outputs in their slots. Failures are
     * raised as {@link RunException}s that name the model, node and operator.
     */
    static void execute(Step step, Value[] slots, Value[] args, RunContext ctx) {
        for (int i = 0; i < args.length; i++) {
            int s = step.inputs[i];
            if (s >= 0) {
                args[i] = slots[s];
                if (args[i] == null) {
                    throw new RunException(step.node.where() + ": input " + i + " '"
                            + step.node.proto().getInput(i) + "' has no value");
                }
            } else {
                args[i] = null;
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
        } finally {
            Arrays.fill(args, null);
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
    }

    /**
     * Counts the node's outputs in the arena, releases the slots whose last reader it was, and
     * frees the node's scratch arrays (handed out since {@code mark}). Outputs are counted
     * first, so an output that aliases a released input keeps its array.
     */
    private static void countStep(Step step, Value[] slots, BufferArena arena, int mark) {
        synchronized (arena) {
            for (int s : step.outputs) {
                if (s >= 0) {
                    arena.retain(slots[s]);
                }
            }
            for (int s : step.release) {
                Value v = slots[s];
                slots[s] = null;
                if (v != null) {
                    arena.release(v, true);
                }
            }
            arena.sweep(mark);
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
