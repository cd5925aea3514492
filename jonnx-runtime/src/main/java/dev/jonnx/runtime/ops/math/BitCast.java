package dev.jonnx.runtime.ops.math;

import dev.jonnx.io.TensorProtos;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.nio.ByteBuffer;

/**
 * BitCast (opset 26): reinterprets the little-endian bytes of a tensor as another type of the
 * same bit width, keeping the shape.
 */
public final class BitCast {
    private BitCast() {}

    public static void register(OpRegistry.Builder registry) {
        registry.add("BitCast", BitCast::create, 26);
    }

    private static dev.jonnx.runtime.registry.Kernel create(NodeContext node) {
        DataType to;
        try {
            to = DataType.fromCode((int) node.getInt("to"));
        } catch (IllegalArgumentException e) {
            throw node.error("attribute 'to' is not a known element type: " + node.getInt("to"));
        }
        if (to == DataType.STRING) {
            throw node.error("attribute 'to' must not be string: BitCast reinterprets bits");
        }
        return (inputs, ctx) -> {
            Tensor x = (Tensor) inputs[0];
            if (x.type() == DataType.STRING) {
                throw new IllegalArgumentException("input 0 is a string tensor; BitCast needs a"
                        + " fixed-width type");
            }
            int fromBits = x.type().bitWidth() * x.type().slotsPerElement();
            int toBits = to.bitWidth() * to.slotsPerElement();
            if (fromBits != toBits) {
                throw new IllegalArgumentException("input 0 is " + x.type() + " (" + fromBits
                        + " bits), but 'to' is " + to + " (" + toBits + " bits); the widths must match");
            }
            if (x.type() == to) {
                return new Value[] {x};
            }
            byte[] bytes = TensorProtos.toBytes(x);
            return new Value[] {TensorProtos.fromBytes(to, x.shape(), x.size(), ByteBuffer.wrap(bytes),
                    "BitCast output")};
        };
    }
}
