package dev.jonnx.runtime.ops.control;

import dev.jonnx.onnx.TensorShapeProto;
import dev.jonnx.onnx.TypeProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.List;

/** Registers control flow: If, Loop and Scan. */
public final class ControlOps {
    private ControlOps() {}

    public static void register(OpRegistry.Builder registry) {
        registry.add("If", IfKernel::create, 1, 11, 13, 16, 19, 21, 23, 24, 25);
        registry.add("Loop", LoopKernel::create, 1, 11, 13, 16, 19, 21, 23, 24, 25);
        registry.add("Scan", ScanKernel::create, 8, 9, 11, 16, 19, 21, 23, 24, 25);
    }

    /**
     * Reads a single-element tensor as a boolean, as If and Loop do for their condition.
     *
     * @throws IllegalArgumentException if the value is not a tensor of exactly one element
     */
    static boolean condition(Value value, String what) {
        if (!(value instanceof Tensor t) || t.size() != 1) {
            throw new IllegalArgumentException(what + " must be a tensor with one element, got "
                    + value.describe());
        }
        return t.getLong(0) != 0;
    }

    /** Casts a subgraph output that the operator accumulates to a tensor. */
    static Tensor tensorOutput(Value value, String what) {
        if (!(value instanceof Tensor t)) {
            throw new IllegalArgumentException(what + " must be a tensor, got " + value.describe());
        }
        return t;
    }

    /**
     * Casts scan output {@code index} of a body to a tensor. Loops call this every iteration,
     * so the error message is only built when the check fails.
     */
    static Tensor scanOutput(Value value, int index) {
        if (!(value instanceof Tensor t)) {
            throw new IllegalArgumentException("scan output " + index + " of the body must be a tensor, got "
                    + value.describe());
        }
        return t;
    }

    /**
     * Builds the empty accumulated output for a loop that ran zero iterations, from the
     * element type and shape the body declares for the per-iteration value. The result has
     * dimension 0 at {@code axis}, which counts from the back of the result when negative.
     * Declared dimensions without a fixed size become 0, and an output without a declared
     * shape becomes a 1-D tensor of size 0.
     */
    static Tensor emptyAccumulation(ValueInfoProto info, int axis, String what) {
        TypeProto type = info.getType();
        if (!type.hasTensorType() || type.getTensorType().getElemType() == 0) {
            throw new IllegalArgumentException(what + " ran zero iterations, so its element type"
                    + " comes from the body output '" + info.getName() + "', which declares none");
        }
        DataType elementType = DataType.fromCode(type.getTensorType().getElemType());
        if (!type.getTensorType().hasShape()) {
            return Tensor.zeros(elementType, 0);
        }
        List<TensorShapeProto.Dimension> dims = type.getTensorType().getShape().getDimList();
        int[] shape = new int[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i).hasDimValue() ? (int) dims.get(i).getDimValue() : 0;
        }
        int at = Shapes.axis(axis, shape.length + 1);
        return Tensor.zeros(elementType, Slices.insertAxis(shape, at, 0));
    }
}
