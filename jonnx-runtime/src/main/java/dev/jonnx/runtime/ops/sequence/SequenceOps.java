package dev.jonnx.runtime.ops.sequence;

import dev.jonnx.onnx.TypeProto;
import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.ops.control.Slices;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.OptionalValue;
import dev.jonnx.tensor.SequenceValue;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.ArrayList;
import java.util.List;

/** Registers sequence and optional operators. */
public final class SequenceOps {
    private SequenceOps() {}

    public static void register(OpRegistry.Builder registry) {
        registry.add("SequenceEmpty", SequenceOps::sequenceEmpty, 11);
        registry.add("SequenceConstruct", node -> SequenceOps::sequenceConstruct, 11);
        registry.add("SequenceInsert", node -> SequenceOps::sequenceInsert, 11);
        registry.add("SequenceAt", node -> SequenceOps::sequenceAt, 11);
        registry.add("SequenceErase", node -> SequenceOps::sequenceErase, 11);
        registry.add("SequenceLength", node -> SequenceOps::sequenceLength, 11);
        registry.add("SequenceMap", SequenceMapKernel::create, 17);
        registry.add("ConcatFromSequence", SequenceOps::concatFromSequence, 11);
        registry.add("SplitToSequence", SequenceOps::splitToSequence, 11, 24);
        registry.add("Optional", SequenceOps::optional, 15);
        registry.add("OptionalHasElement", SequenceOps::optionalHasElement, 15, 18);
        registry.add("OptionalGetElement", SequenceOps::optionalGetElement, 15, 18);
    }

    // ---- Sequences ----

    private static Kernel sequenceEmpty(NodeContext node) {
        DataType type = DataType.fromCode((int) node.getInt("dtype", DataType.FLOAT.code()));
        SequenceValue empty = new SequenceValue(List.of(), type);
        return (inputs, ctx) -> new Value[] {empty};
    }

    private static Value[] sequenceConstruct(Value[] inputs, dev.jonnx.runtime.registry.RunContext ctx) {
        List<Value> elements = new ArrayList<>(inputs.length);
        DataType type = null;
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = tensor(inputs[i], "input " + i);
            if (type != null && t.type() != type) {
                throw new IllegalArgumentException("every input must have element type " + type
                        + ", but input " + i + " is " + t.describe());
            }
            type = t.type();
            elements.add(t);
        }
        return new Value[] {new SequenceValue(elements, type)};
    }

    private static Value[] sequenceInsert(Value[] inputs, dev.jonnx.runtime.registry.RunContext ctx) {
        SequenceValue sequence = sequence(inputs[0], "input 'input_sequence'");
        Tensor element = tensor(inputs[1], "input 'tensor'");
        if (sequence.elementType() != null && sequence.elementType() != element.type()) {
            throw new IllegalArgumentException("input 'tensor' must have the sequence's element type "
                    + sequence.elementType() + ", got " + element.describe());
        }
        int n = sequence.size();
        int at = n;
        if (inputs.length > 2 && inputs[2] != null) {
            at = position(inputs[2], n, n, "input 'position'");
        }
        List<Value> elements = new ArrayList<>(sequence.elements());
        elements.add(at, element);
        return new Value[] {new SequenceValue(elements, element.type())};
    }

    private static Value[] sequenceAt(Value[] inputs, dev.jonnx.runtime.registry.RunContext ctx) {
        SequenceValue sequence = sequence(inputs[0], "input 'input_sequence'");
        int at = position(inputs[1], sequence.size(), sequence.size() - 1, "input 'position'");
        return new Value[] {sequence.get(at)};
    }

    private static Value[] sequenceErase(Value[] inputs, dev.jonnx.runtime.registry.RunContext ctx) {
        SequenceValue sequence = sequence(inputs[0], "input 'input_sequence'");
        int n = sequence.size();
        if (n == 0) {
            throw new IllegalArgumentException("input 'input_sequence' is empty, so there is no"
                    + " element to erase");
        }
        int at = n - 1;
        if (inputs.length > 1 && inputs[1] != null) {
            at = position(inputs[1], n, n - 1, "input 'position'");
        }
        List<Value> elements = new ArrayList<>(sequence.elements());
        elements.remove(at);
        return new Value[] {new SequenceValue(elements, sequence.elementType())};
    }

    private static Value[] sequenceLength(Value[] inputs, dev.jonnx.runtime.registry.RunContext ctx) {
        SequenceValue sequence = sequence(inputs[0], "input 'input_sequence'");
        return new Value[] {Tensor.scalar((long) sequence.size())};
    }

    /**
     * Reads a scalar (or one-element) position and normalizes it against a sequence of
     * {@code n} elements, accepting {@code [-n, max]}.
     */
    private static int position(Value value, int n, int max, String what) {
        Tensor t = tensor(value, what);
        if (t.size() != 1 || t.type().isFloatingPoint()) {
            throw new IllegalArgumentException(what + " must be an integer scalar, got "
                    + t.describe());
        }
        long p = t.getLong(0);
        if (p < -n || p > max) {
            throw new IllegalArgumentException(what + " is " + p + ", but it must be in [" + -n
                    + ", " + max + "] for a sequence of " + n + " elements");
        }
        return (int) (p < 0 ? p + n : p);
    }

    private static Kernel concatFromSequence(NodeContext node) {
        long axis = node.getInt("axis");
        boolean newAxis = node.getInt("new_axis", 0) != 0;
        return (inputs, ctx) -> {
            SequenceValue sequence = sequence(inputs[0], "input 'input_sequence'");
            if (sequence.size() == 0) {
                throw new IllegalArgumentException("input 'input_sequence' is empty; it needs at"
                        + " least one tensor to concatenate");
            }
            List<Tensor> parts = new ArrayList<>(sequence.size());
            for (int i = 0; i < sequence.size(); i++) {
                parts.add(tensor(sequence.get(i), "element " + i + " of 'input_sequence'"));
            }
            int rank = parts.getFirst().rank();
            if (newAxis) {
                return new Value[] {Slices.stack(parts, Shapes.axis(axis, rank + 1))};
            }
            if (rank == 0) {
                throw new IllegalArgumentException("cannot concatenate scalars without new_axis=1");
            }
            return new Value[] {Slices.concat(parts, Shapes.axis(axis, rank))};
        };
    }

    private static Kernel splitToSequence(NodeContext node) {
        long axisAttribute = node.getInt("axis", 0);
        boolean keepDims = node.getInt("keepdims", 1) != 0;
        return (inputs, ctx) -> {
            Tensor input = tensor(inputs[0], "input 'input'");
            if (input.rank() == 0) {
                throw new IllegalArgumentException("input 'input' must have rank 1 or more, got a"
                        + " scalar");
            }
            int axis = Shapes.axis(axisAttribute, input.rank());
            int length = input.dim(axis);
            Tensor split = inputs.length > 1 && inputs[1] != null ? tensor(inputs[1], "input 'split'") : null;
            List<Value> parts = new ArrayList<>();
            if (split == null) {
                for (int i = 0; i < length; i++) {
                    Tensor part = Slices.range(input, axis, i, i + 1);
                    parts.add(keepDims ? part : part.reshape(Slices.removeAxis(input.shape(), axis)));
                }
            } else if (split.rank() == 0) {
                long chunk = split.getLong(0);
                if (chunk <= 0) {
                    throw new IllegalArgumentException("input 'split' must be positive, got " + chunk);
                }
                for (long start = 0; start < length; start += chunk) {
                    parts.add(Slices.range(input, axis, (int) start, (int) Math.min(length, start + chunk)));
                }
            } else if (split.rank() == 1) {
                long[] sizes = split.toLongArray();
                long sum = 0;
                for (long s : sizes) {
                    if (s < 0) {
                        throw new IllegalArgumentException("input 'split' must not contain negative"
                                + " lengths, got " + s);
                    }
                    sum += s;
                }
                if (sum != length) {
                    throw new IllegalArgumentException("the lengths in input 'split' add up to " + sum
                            + ", but axis " + axis + " of " + input.describe() + " has " + length);
                }
                int start = 0;
                for (long s : sizes) {
                    parts.add(Slices.range(input, axis, start, start + (int) s));
                    start += (int) s;
                }
            } else {
                throw new IllegalArgumentException("input 'split' must be a scalar or 1-D, got "
                        + split.describe());
            }
            return new Value[] {new SequenceValue(parts, input.type())};
        };
    }

    // ---- Optionals ----

    private static Kernel optional(NodeContext node) {
        TypeProto type = node.getTypeProto("type");
        if (!node.hasInput(0) && type == null) {
            throw node.error("an Optional node without an input needs the 'type' attribute");
        }
        return (inputs, ctx) -> new Value[] {
            inputs.length == 0 || inputs[0] == null ? OptionalValue.empty() : new OptionalValue(inputs[0])
        };
    }

    /**
     * OptionalHasElement. Opset 15 types its input as an optional, but a tensor or sequence is
     * accepted at every opset and counts as present, as opset 18 defines. Loop bodies at opset
     * 16 depend on this when a loop-carried value starts as an optional and comes back from
     * the body as a plain sequence.
     */
    private static Kernel optionalHasElement(NodeContext node) {
        if (node.opset() < 18 && !node.hasInput(0)) {
            throw node.error("input 'input' is required before opset 18");
        }
        return (inputs, ctx) -> {
            Value input = inputs.length == 0 ? null : inputs[0];
            boolean present = input instanceof OptionalValue optional ? optional.isPresent() : input != null;
            return new Value[] {Tensor.scalar(present)};
        };
    }

    /** OptionalGetElement; like OptionalHasElement, it passes a tensor or sequence through at every opset. */
    private static Kernel optionalGetElement(NodeContext node) {
        return (inputs, ctx) -> {
            Value input = inputs[0];
            if (input instanceof OptionalValue optional) {
                if (!optional.isPresent()) {
                    throw new IllegalArgumentException("input 'input' is an empty optional, so it"
                            + " has no element to get");
                }
                return new Value[] {optional.value()};
            }
            return new Value[] {input};
        };
    }

    // ---- Helpers ----

    static Tensor tensor(Value value, String what) {
        if (!(value instanceof Tensor t)) {
            throw new IllegalArgumentException(what + " must be a tensor, got "
                    + (value == null ? "nothing" : value.describe()));
        }
        return t;
    }

    static SequenceValue sequence(Value value, String what) {
        if (!(value instanceof SequenceValue s)) {
            throw new IllegalArgumentException(what + " must be a sequence, got "
                    + (value == null ? "nothing" : value.describe()));
        }
        return s;
    }
}
