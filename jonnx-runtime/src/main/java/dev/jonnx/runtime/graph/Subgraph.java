package dev.jonnx.runtime.graph;

import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.Value;
import java.util.List;

/** A compiled graph attribute (the body of If, Loop, Scan and similar operators). */
public interface Subgraph {

    List<String> inputNames();

    List<String> outputNames();

    /** The declared inputs, with their types where the model gives them. */
    List<ValueInfoProto> inputInfos();

    /** The declared outputs, with their types where the model gives them. */
    List<ValueInfoProto> outputInfos();

    /**
     * Runs the graph.
     *
     * @param inputs one value per declared input, in order
     * @param ctx the context of the node that owns the graph; outer-scope names resolve
     *     through its frame
     * @return one value per declared output, in order
     */
    Value[] run(Value[] inputs, RunContext ctx);
}
