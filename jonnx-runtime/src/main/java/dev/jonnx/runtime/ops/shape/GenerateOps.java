package dev.jonnx.runtime.ops.shape;

import dev.jonnx.runtime.kernel.StridedCopy;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.FloatFormats;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Operators that build new tensors: Constant, ConstantOfShape, EyeLike, Range and OneHot. */
final class GenerateOps {
    private GenerateOps() {}

    static void register(OpRegistry.Builder registry) {
        registry.add("Constant", GenerateOps::constant, 1, 9, 11, 12, 13, 19, 21, 23, 24, 25);
        registry.add("ConstantOfShape", GenerateOps::constantOfShape, 9, 20, 21, 23, 24, 25);
        registry.add("EyeLike", GenerateOps::eyeLike, 9, 22);
        registry.add("Range", GenerateOps::range, 11, 27);
        registry.add("OneHot", GenerateOps::oneHot, 9, 11);
    }

    private static Kernel constant(NodeContext node) {
        List<String> present = new ArrayList<>();
        for (String name : new String[] {"value", "sparse_value", "value_float", "value_floats",
                "value_int", "value_ints", "value_string", "value_strings"}) {
            if (node.hasAttribute(name)) {
                present.add(name);
            }
        }
        if (present.size() != 1) {
            throw node.error("exactly one value attribute must be set, got "
                    + (present.isEmpty() ? "none" : present));
        }
        Tensor value = switch (present.getFirst()) {
            case "value" -> node.getTensor("value");
            case "sparse_value" -> throw node.unsupported("attribute 'sparse_value' (sparse"
                    + " tensors); use a dense 'value' instead");
            case "value_float" -> Tensor.scalar(node.getFloat("value_float"));
            case "value_floats" -> {
                float[] v = node.getFloats("value_floats", null);
                yield Tensor.of(v, v.length);
            }
            case "value_int" -> Tensor.scalar(node.getInt("value_int"));
            case "value_ints" -> {
                long[] v = node.getInts("value_ints", null);
                yield Tensor.of(v, v.length);
            }
            case "value_string" -> Tensor.of(new String[] {node.getString("value_string")});
            default -> {
                String[] v = node.getStrings("value_strings", null);
                yield Tensor.of(v, v.length);
            }
        };
        Value[] outputs = {value};
        return (inputs, ctx) -> outputs.clone();
    }

    private static Kernel constantOfShape(NodeContext node) {
        Tensor attribute = node.getTensor("value");
        Tensor value = attribute == null ? Tensor.of(new float[] {0f}, 1) : attribute;
        if (value.size() != 1) {
            throw node.error("attribute 'value' must contain exactly one element, got "
                    + value.describe());
        }
        return (inputs, ctx) -> {
            long[] requested = Args.integers(Args.tensor(inputs, 0, "input"), "input");
            int[] shape = new int[requested.length];
            for (int i = 0; i < shape.length; i++) {
                if (requested[i] < 0) {
                    throw new IllegalArgumentException("input 'input' "
                            + Arrays.toString(requested) + " contains a negative dimension");
                }
                shape[i] = Args.toInt(requested[i], "dimension");
            }
            DataType type = value.type();
            int size = Tensor.sizeOf(shape);
            Object out = Tensor.allocate(type, size);
            StridedCopy.fill(out, 0, size, value.data(), 0, type.slotsPerElement());
            return new Value[] {Tensor.of(type, shape, out)};
        };
    }

    private static Kernel eyeLike(NodeContext node) {
        DataType dtype = null;
        if (node.hasAttribute("dtype")) {
            long code = node.getInt("dtype");
            try {
                dtype = DataType.fromCode((int) code);
            } catch (IllegalArgumentException e) {
                throw node.error("attribute 'dtype' " + code + " is not an ONNX element type");
            }
            if (dtype == DataType.STRING) {
                throw node.error("attribute 'dtype' must not be string");
            }
        }
        DataType outputType = dtype;
        long k = node.getInt("k", 0);
        return (inputs, ctx) -> {
            Tensor input = Args.tensor(inputs, 0, "input");
            if (input.rank() != 2) {
                throw new IllegalArgumentException("input 'input' must be 2-D, got "
                        + input.describe());
            }
            DataType type = outputType == null ? input.type() : outputType;
            if (type == DataType.STRING) {
                throw new IllegalArgumentException("EyeLike cannot produce string tensors");
            }
            int rows = input.dim(0);
            int cols = input.dim(1);
            Object out = Tensor.allocate(type, rows * cols);
            Object one = Tensor.allocate(type, 1);
            Tensor.storeLong(type, one, 0, 1);
            for (int i = 0; i < rows; i++) {
                long j = i + k;
                if (j >= 0 && j < cols) {
                    StridedCopy.fill(out, i * cols + (int) j, i * cols + (int) j + 1, one, 0,
                            type.slotsPerElement());
                }
            }
            return new Value[] {Tensor.of(type, new int[] {rows, cols}, out)};
        };
    }

    private static Kernel range(NodeContext node) {
        boolean stashFloat = node.getInt("stash_type", 1) == 1;
        return (inputs, ctx) -> {
            Tensor start = Args.tensor(inputs, 0, "start");
            Tensor limit = Args.tensor(inputs, 1, "limit");
            Tensor delta = Args.tensor(inputs, 2, "delta");
            DataType type = start.type();
            if (limit.type() != type || delta.type() != type) {
                throw new IllegalArgumentException("inputs 'start', 'limit' and 'delta' must have"
                        + " one type, got " + type + ", " + limit.type() + " and " + delta.type());
            }
            for (Tensor t : new Tensor[] {start, limit, delta}) {
                if (t.size() != 1) {
                    throw new IllegalArgumentException("inputs 'start', 'limit' and 'delta' must"
                            + " be scalars, got " + t.describe());
                }
            }
            if (type.isInteger()) {
                long first = start.getLong(0);
                long step = delta.getLong(0);
                if (step == 0) {
                    throw new IllegalArgumentException("input 'delta' must not be 0");
                }
                long span = limit.getLong(0) - first;
                long count = Math.max(0, Math.ceilDiv(span, step));
                long[] values = new long[Args.toInt(count, "output size")];
                for (int i = 0; i < values.length; i++) {
                    values[i] = first + i * step;
                }
                return new Value[] {Tensor.fromLongs(type, new int[] {values.length}, values)};
            }
            if (!type.isFloatingPoint()) {
                throw new IllegalArgumentException("Range needs numeric inputs, got " + type);
            }
            double first = start.getDouble(0);
            double step = delta.getDouble(0);
            if (step == 0) {
                throw new IllegalArgumentException("input 'delta' must not be 0");
            }
            double count = Math.max(0, Math.ceil((limit.getDouble(0) - first) / step));
            if (Double.isNaN(count) || count > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("Range from " + first + " to "
                        + limit.getDouble(0) + " by " + step + " has no finite element count");
            }
            int n = (int) count;
            if (type == DataType.DOUBLE) {
                double[] values = new double[n];
                for (int i = 0; i < n; i++) {
                    values[i] = first + i * step;
                }
                return new Value[] {Tensor.of(values, n)};
            }
            float[] values = new float[n];
            boolean lowPrecision = type.isReducedFloat() && !stashFloat;
            for (int i = 0; i < n; i++) {
                if (lowPrecision) {
                    // Every operand and result is rounded to the reduced type, as when the
                    // arithmetic itself runs in float16 or bfloat16.
                    float product = round(type, round(type, i) * (float) step);
                    values[i] = round(type, (float) first + product);
                } else {
                    values[i] = (float) first + (float) i * (float) step;
                }
            }
            return new Value[] {Tensor.fromFloats(type, new int[] {n}, values)};
        };
    }

    private static float round(DataType type, float v) {
        return FloatFormats.toFloat(type, FloatFormats.fromFloat(type, v, true));
    }

    private static Kernel oneHot(NodeContext node) {
        long axis = node.getInt("axis", -1);
        boolean negativeIndices = node.opset() >= 11;
        return (inputs, ctx) -> {
            Tensor indicesTensor = Args.tensor(inputs, 0, "indices");
            Tensor depthTensor = Args.tensor(inputs, 1, "depth");
            Tensor values = Args.tensor(inputs, 2, "values");
            if (depthTensor.size() != 1) {
                throw new IllegalArgumentException("input 'depth' must contain one value, got "
                        + depthTensor.describe());
            }
            if (values.size() != 2) {
                throw new IllegalArgumentException("input 'values' must contain two values"
                        + " [off, on], got " + values.describe());
            }
            long depth = (long) depthTensor.getDouble(0);
            if (depth < 0) {
                throw new IllegalArgumentException("input 'depth' must not be negative, got "
                        + depth);
            }
            int rank = indicesTensor.rank() + 1;
            if (axis < -rank || axis >= rank) {
                throw new IllegalArgumentException("attribute 'axis' " + axis
                        + " is out of range for output rank " + rank);
            }
            int a = (int) (axis < 0 ? axis + rank : axis);
            int[] indexShape = indicesTensor.shape();
            int[] outShape = new int[rank];
            System.arraycopy(indexShape, 0, outShape, 0, a);
            outShape[a] = Args.toInt(depth, "depth");
            System.arraycopy(indexShape, a, outShape, a + 1, indexShape.length - a);
            int inner = 1;
            for (int d = a; d < indexShape.length; d++) {
                inner *= indexShape[d];
            }
            DataType type = values.type();
            int slots = type.slotsPerElement();
            int size = Tensor.sizeOf(outShape);
            Object out = Tensor.allocate(type, size);
            StridedCopy.fill(out, 0, size, values.data(), 0, slots);
            int count = indicesTensor.size();
            for (int i = 0; i < count; i++) {
                long index = indicesTensor.type().isFloatingPoint()
                        ? (long) indicesTensor.getDouble(i) : indicesTensor.getLong(i);
                if (index < 0 && negativeIndices) {
                    index += depth;
                }
                if (index < 0 || index >= depth) {
                    continue;
                }
                int outerIndex = i / inner;
                int innerIndex = i % inner;
                int position = (int) ((outerIndex * depth + index) * inner + innerIndex);
                StridedCopy.fill(out, position, position + 1, values.data(), 1, slots);
            }
            return new Value[] {Tensor.of(type, outShape, out)};
        };
    }
}
