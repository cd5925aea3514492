package dev.jonnx.runtime.ops.sequence;

import dev.jonnx.onnx.TypeProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.graph.Subgraph;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.SequenceValue;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * SequenceMap: runs {@code body} once per element of the first input sequence. Sequence inputs
 * pass their i-th element to the body and other inputs pass whole; each body output is
 * collected into one output sequence.
 */
final class SequenceMapKernel {
    private SequenceMapKernel() {}

    static Kernel create(NodeContext node) {
        Subgraph body = node.getSubgraph("body");
        if (body.inputNames().size() != node.inputCount()) {
            throw node.error("the body must have one input per node input (" + node.inputCount()
                    + "), got " + body.inputNames().size());
        }
        int outputs = body.outputNames().size();
        if (node.outputCount() > outputs) {
            throw node.error("the node lists " + node.outputCount() + " outputs, but the body has "
                    + outputs);
        }
        DataType[] declared = new DataType[outputs];
        for (int k = 0; k < outputs; k++) {
            declared[k] = declaredElementType(body.outputInfos().get(k));
        }
        return (inputs, ctx) -> {
            SequenceValue first = SequenceOps.sequence(inputs[0], "input 'input_sequence'");
            int n = first.size();
            for (int i = 1; i < inputs.length; i++) {
                if (inputs[i] instanceof SequenceValue s && s.size() != n) {
                    throw new IllegalArgumentException("input " + i + " is a sequence of " + s.size()
                            + " elements, but 'input_sequence' has " + n);
                }
            }
            List<List<Value>> collected = new ArrayList<>();
            for (int k = 0; k < outputs; k++) {
                collected.add(new ArrayList<>(n));
            }
            Value[] bodyIn = new Value[inputs.length];
            for (int e = 0; e < n; e++) {
                ctx.checkCancelled();
                for (int i = 0; i < inputs.length; i++) {
                    bodyIn[i] = inputs[i] instanceof SequenceValue s ? s.get(e) : inputs[i];
                }
                Value[] out = body.run(bodyIn, ctx);
                for (int k = 0; k < outputs; k++) {
                    collected.get(k).add(out[k]);
                }
            }
            Value[] result = new Value[outputs];
            for (int k = 0; k < outputs; k++) {
                List<Value> elements = collected.get(k);
                DataType type = !elements.isEmpty() && elements.getFirst() instanceof Tensor t
                        ? t.type() : declared[k];
                result[k] = new SequenceValue(elements, type);
            }
            return result;
        };
    }

    /** Returns the tensor element type a body output declares, or null when it declares none. */
    private static DataType declaredElementType(ValueInfoProto info) {
        TypeProto type = info.getType();
        if (type.hasTensorType() && type.getTensorType().getElemType() != 0) {
            return DataType.fromCode(type.getTensorType().getElemType());
        }
        if (type.hasSequenceType() && type.getSequenceType().getElemType().hasTensorType()) {
            int code = type.getSequenceType().getElemType().getTensorType().getElemType();
            return code == 0 ? null : DataType.fromCode(code);
        }
        return null;
    }
}
