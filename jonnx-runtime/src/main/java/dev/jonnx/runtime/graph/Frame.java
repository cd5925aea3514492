package dev.jonnx.runtime.graph;

import dev.jonnx.tensor.Value;

/** The values of one running graph, linked to the frame of the graph that encloses it. */
public final class Frame {
    private final CompiledGraph graph;
    private final Value[] slots;
    private final Frame parent;

    Frame(CompiledGraph graph, Value[] slots, Frame parent) {
        this.graph = graph;
        this.slots = slots;
        this.parent = parent;
    }

    CompiledGraph graph() {
        return graph;
    }

    Value slot(int index) {
        return slots[index];
    }

    /** Returns the value of {@code name} in this graph or an enclosing one, or null. */
    public Value lookup(String name) {
        Integer slot = graph.slotOf(name);
        if (slot != null && slots[slot] != null) {
            return slots[slot];
        }
        return parent == null ? null : parent.lookup(name);
    }
}
