package dev.jonnx.runtime.optimizer;

import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.TensorProto;
import dev.jonnx.onnx.TensorShapeProto;
import dev.jonnx.onnx.TypeProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A forward propagation of element types and shapes through the common operators of the main
 * graph. It starts only from facts the runtime enforces: the declared inputs of the main graph,
 * which Session checks fed values against, and the initializers. Of subgraph inputs it keeps
 * the element type only. Declared value_info shapes are not
 * trusted, because nothing checks them at run time; their element types fill gaps only.
 */
final class ShapeInference {
    /** An element type (0 when unknown) and dimensions: null when the rank is unknown, -1 per unknown dimension. */
    record ValueType(int elemType, long[] dims) {
        boolean rankKnown() {
            return dims != null;
        }

        boolean isStatic() {
            if (dims == null) {
                return false;
            }
            for (long d : dims) {
                if (d < 0) {
                    return false;
                }
            }
            return true;
        }

        int rank() {
            return dims == null ? -1 : dims.length;
        }
    }

    private static final Set<String> SAME_AS_FIRST = Set.of("Relu", "Sigmoid", "Tanh", "Exp", "Log",
            "Sqrt", "Neg", "Abs", "Erf", "Identity", "Dropout", "Softmax", "LogSoftmax", "LeakyRelu",
            "Clip", "HardSigmoid", "HardSwish", "Gelu", "Elu", "Selu", "Celu", "Reciprocal", "Floor",
            "Ceil", "Round", "Sin", "Cos", "Not", "Sign", "Softplus", "Softsign", "Mish",
            "LayerNormalization", "BatchNormalization", "InstanceNormalization", "Swish");
    private static final Set<String> BROADCAST = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Max", "Min",
            "Sum", "Mean", "Mod", "PRelu", "BitShift", "BitwiseAnd", "BitwiseOr", "BitwiseXor");
    private static final Set<String> COMPARE = Set.of("Equal", "Less", "Greater", "LessOrEqual",
            "GreaterOrEqual", "And", "Or", "Xor");
    private static final Set<String> REDUCE = Set.of("ReduceMean", "ReduceSum", "ReduceMax",
            "ReduceMin", "ReduceProd", "ReduceSumSquare", "ReduceL1", "ReduceL2", "ReduceLogSum",
            "ReduceLogSumExp");

    private final GraphState graph;
    private final Map<String, Integer> opsets;
    private final Map<String, ValueType> types = new HashMap<>();

    private ShapeInference(GraphState graph, Map<String, Integer> opsets) {
        this.graph = graph;
        this.opsets = opsets;
    }

    /** Infers what it can about every value of the graph as it is now. */
    static Map<String, ValueType> infer(GraphState graph, Map<String, Integer> opsets) {
        ShapeInference inference = new ShapeInference(graph, opsets);
        inference.run();
        return inference.types;
    }

    private void run() {
        for (ValueInfoProto in : graph.original.getInputList()) {
            ValueType t = declared(in.getType());
            if (t != null && !graph.inputsChecked) {
                // Nothing checks the values a Loop or Scan passes to its body: trust the type only.
                t = t.elemType() == 0 ? null : new ValueType(t.elemType(), null);
            }
            if (t != null) {
                types.put(in.getName(), t);
            }
        }
        for (TensorProto t : graph.initializers.values()) {
            if (!graph.inputNames.contains(t.getName())) {
                long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
                types.put(t.getName(), new ValueType(t.getDataType(), dims));
            }
        }
        // Nodes in file order are usually sorted; a few passes cover graphs that are not.
        for (int pass = 0; pass < 4; pass++) {
            boolean changed = false;
            for (NodeProto n : graph.nodes) {
                if (n == null || n.getOutputCount() == 0 || types.containsKey(n.getOutput(0))) {
                    continue;
                }
                ValueType t;
                try {
                    t = inferNode(n);
                } catch (RuntimeException e) {
                    t = null; // an operand the rules do not expect: leave the value unknown
                }
                if (t != null && !n.getOutput(0).isEmpty()) {
                    types.put(n.getOutput(0), t);
                    changed = true;
                }
            }
            if (!changed) {
                break;
            }
        }
        for (ValueInfoProto v : graph.original.getValueInfoList()) {
            ValueType declared = declared(v.getType());
            if (declared != null && declared.elemType() != 0) {
                types.putIfAbsent(v.getName(), new ValueType(declared.elemType(), null));
            }
        }
    }

    private static ValueType declared(TypeProto type) {
        if (!type.hasTensorType()) {
            return null;
        }
        TypeProto.Tensor t = type.getTensorType();
        if (!t.hasShape()) {
            return new ValueType(t.getElemType(), null);
        }
        TensorShapeProto shape = t.getShape();
        long[] dims = new long[shape.getDimCount()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.getDim(i).hasDimValue() ? shape.getDim(i).getDimValue() : -1;
        }
        return new ValueType(t.getElemType(), dims);
    }

    private ValueType type(NodeProto n, int i) {
        return i < n.getInputCount() && !n.getInput(i).isEmpty() ? types.get(n.getInput(i)) : null;
    }

    private int opset(NodeProto n) {
        return opsets.getOrDefault(n.getDomain().equals("ai.onnx") ? "" : n.getDomain(), 0);
    }

    private ValueType inferNode(NodeProto n) {
        if (n.getDomain().equals(GraphOptimizer.DOMAIN)) {
            return inferFused(n);
        }
        if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
            return null;
        }
        String op = n.getOpType();
        ValueType x = type(n, 0);
        if (SAME_AS_FIRST.contains(op)) {
            return x;
        }
        if (op.equals("Cast")) {
            int to = (int) intAttr(n, "to", 0);
            return new ValueType(to, x == null ? null : x.dims());
        }
        if (op.equals("CastLike")) {
            ValueType like = type(n, 1);
            return like == null ? null : new ValueType(like.elemType(), x == null ? null : x.dims());
        }
        if (BROADCAST.contains(op) || COMPARE.contains(op) || op.equals("Where")) {
            int first = op.equals("Where") ? 1 : 0;
            ValueType[] operands = new ValueType[n.getInputCount()];
            for (int i = 0; i < operands.length; i++) {
                operands[i] = type(n, i);
                if (operands[i] == null) {
                    return null;
                }
            }
            int elem = COMPARE.contains(op) ? DataType.BOOL.code() : operands[first].elemType();
            return new ValueType(elem, broadcast(operands));
        }
        if (x == null) {
            return op.equals("Shape") || op.equals("Size") ? shapeOrSize(n, null) : null;
        }
        return switch (op) {
            case "Shape", "Size" -> shapeOrSize(n, x);
            case "MatMul" -> matMul(x, type(n, 1));
            case "Gemm" -> gemm(n, x, type(n, 1));
            case "Transpose" -> transpose(n, x);
            case "Reshape" -> reshape(n, x);
            case "Unsqueeze" -> unsqueeze(n, x);
            case "Squeeze" -> squeeze(n, x);
            case "Flatten" -> flatten(n, x);
            case "Concat" -> concat(n);
            case "Gather" -> gather(n, x, type(n, 1));
            case "Conv" -> conv(n, x, type(n, 1));
            case "GlobalAveragePool", "GlobalMaxPool" -> globalPool(x);
            default -> REDUCE.contains(op) ? reduce(n, x) : null;
        };
    }

    /** Global pooling keeps the batch and channel axes and sets every spatial axis to 1. */
    private static ValueType globalPool(ValueType x) {
        if (!x.rankKnown() || x.rank() < 2) {
            return new ValueType(x.elemType(), null);
        }
        long[] dims = x.dims().clone();
        Arrays.fill(dims, 2, dims.length, 1);
        return new ValueType(x.elemType(), dims);
    }

    /** Infers the fused operators that {@link Fusions} creates, so that later fusions see their shapes. */
    private ValueType inferFused(NodeProto n) {
        ValueType x = type(n, 0);
        if (x == null) {
            return null;
        }
        return switch (n.getOpType()) {
            case "Gelu", "HardSwish", "LayerNormalization" -> x;
            case "FusedMatMul" -> {
                ValueType product = matMul(x, type(n, 1));
                ValueType residual = type(n, 3);
                if (product != null && residual != null) {
                    yield new ValueType(x.elemType(), broadcast(new ValueType[] {product, residual}));
                }
                yield product != null && n.getInputCount() < 4 ? product : new ValueType(x.elemType(), null);
            }
            case "FusedAttention" -> {
                ValueType v = type(n, 2);
                if (!x.rankKnown() || v == null || !v.rankKnown() || x.rank() < 2 || v.rank() < 2) {
                    yield new ValueType(x.elemType(), null);
                }
                long width = 1;
                for (int d = 2; d < v.rank(); d++) {
                    width = width < 0 || v.dims()[d] < 0 ? -1 : width * v.dims()[d];
                }
                yield new ValueType(x.elemType(), new long[] {x.dims()[0], x.dims()[1], width});
            }
            default -> null;
        };
    }

    private static long[] broadcast(ValueType[] operands) {
        int rank = 0;
        for (ValueType t : operands) {
            if (!t.rankKnown()) {
                return null;
            }
            rank = Math.max(rank, t.rank());
        }
        long[] out = new long[rank];
        Arrays.fill(out, 1);
        boolean[] unknown = new boolean[rank];
        for (ValueType t : operands) {
            int offset = rank - t.rank();
            for (int i = 0; i < t.rank(); i++) {
                long d = t.dims()[i];
                int o = offset + i;
                if (d < 0) {
                    unknown[o] = true;
                } else if (d != 1) {
                    out[o] = d;
                }
            }
        }
        for (int i = 0; i < rank; i++) {
            if (unknown[i] && out[i] == 1) {
                out[i] = -1;
            }
        }
        return out;
    }

    private ValueType shapeOrSize(NodeProto n, ValueType x) {
        if (n.getOpType().equals("Size")) {
            return new ValueType(DataType.INT64.code(), new long[0]);
        }
        if (x == null || !x.rankKnown()) {
            return new ValueType(DataType.INT64.code(), new long[] {-1});
        }
        long[] range = shapeRange(n, x.rank(), opset(n));
        return new ValueType(DataType.INT64.code(), new long[] {range[1] - range[0]});
    }

    /** The [start, end) range of dimensions that a Shape node returns for an input of the rank. */
    static long[] shapeRange(NodeProto n, int rank, int opset) {
        long start = opset >= 15 ? intAttr(n, "start", 0) : 0;
        long end = opset >= 15 ? intAttr(n, "end", rank) : rank;
        start = Math.clamp(start < 0 ? start + rank : start, 0, rank);
        end = Math.clamp(end < 0 ? end + rank : end, 0, rank);
        return new long[] {start, Math.max(start, end)};
    }

    private static ValueType matMul(ValueType a, ValueType b) {
        if (b == null || !a.rankKnown() || !b.rankKnown() || a.rank() == 0 || b.rank() == 0) {
            return null;
        }
        long[] da = a.dims();
        long[] db = b.dims();
        if (da.length == 1 && db.length == 1) {
            return new ValueType(a.elemType(), new long[0]);
        }
        long[] ba = da.length >= 2 ? Arrays.copyOf(da, da.length - 2) : new long[0];
        long[] bb = db.length >= 2 ? Arrays.copyOf(db, db.length - 2) : new long[0];
        long[] batch = broadcast(new ValueType[] {new ValueType(0, ba), new ValueType(0, bb)});
        int extra = (da.length >= 2 ? 1 : 0) + (db.length >= 2 ? 1 : 0);
        long[] out = Arrays.copyOf(batch, batch.length + extra);
        int k = batch.length;
        if (da.length >= 2) {
            out[k++] = da[da.length - 2];
        }
        if (db.length >= 2) {
            out[k] = db[db.length - 1];
        }
        return new ValueType(a.elemType(), out);
    }

    private static ValueType gemm(NodeProto n, ValueType a, ValueType b) {
        if (b == null || a.rank() != 2 || b.rank() != 2) {
            return null;
        }
        long m = intAttr(n, "transA", 0) != 0 ? a.dims()[1] : a.dims()[0];
        long cols = intAttr(n, "transB", 0) != 0 ? b.dims()[0] : b.dims()[1];
        return new ValueType(a.elemType(), new long[] {m, cols});
    }

    /** Conv keeps the rank, with the batch of X and the output channels of W; spatial sizes are left unknown. */
    private static ValueType conv(NodeProto n, ValueType x, ValueType w) {
        if (!x.rankKnown()) {
            return new ValueType(x.elemType(), null);
        }
        long[] out = new long[x.rank()];
        java.util.Arrays.fill(out, -1);
        out[0] = x.dims()[0];
        boolean weightsKnown = w != null && w.rankKnown() && w.rank() == x.rank();
        out[1] = weightsKnown ? w.dims()[0] : -1;
        if (weightsKnown) {
            convSpatial(n, x.dims(), w.dims(), out);
        }
        return new ValueType(x.elemType(), out);
    }

    /**
     * Sets the spatial output sizes of a Conv where the input size and kernel size are known.
     * Axes with an unknown size, and every axis under an auto_pad mode other than NOTSET or
     * VALID, stay -1.
     */
    private static void convSpatial(NodeProto n, long[] x, long[] w, long[] out) {
        String autoPad = "NOTSET";
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals("auto_pad")) {
                autoPad = a.getS().toStringUtf8();
            }
        }
        if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
            return;
        }
        int spatial = x.length - 2;
        long[] strides = ints(n, "strides");
        long[] dilations = ints(n, "dilations");
        long[] pads = autoPad.equals("VALID") ? null : ints(n, "pads");
        if (strides != null && strides.length != spatial || dilations != null && dilations.length != spatial
                || pads != null && pads.length != 2 * spatial) {
            return;
        }
        for (int d = 0; d < spatial; d++) {
            long size = x[2 + d];
            long kernel = w[2 + d];
            long stride = strides == null ? 1 : strides[d];
            long dilation = dilations == null ? 1 : dilations[d];
            if (size < 0 || kernel < 1 || stride < 1 || dilation < 1) {
                continue;
            }
            long padded = size + (pads == null ? 0 : pads[d] + pads[d + spatial]);
            long span = (kernel - 1) * dilation + 1;
            if (padded >= span) {
                out[2 + d] = (padded - span) / stride + 1;
            }
        }
    }

    private static ValueType transpose(NodeProto n, ValueType x) {
        if (!x.rankKnown()) {
            return new ValueType(x.elemType(), null);
        }
        long[] perm = ints(n, "perm");
        int rank = x.rank();
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            out[i] = x.dims()[perm == null ? rank - 1 - i : (int) perm[i]];
        }
        return new ValueType(x.elemType(), out);
    }

    private ValueType reshape(NodeProto n, ValueType x) {
        long[] target = constantLongs(n, 1);
        if (target == null) {
            return new ValueType(x.elemType(), null);
        }
        boolean allowZero = intAttr(n, "allowzero", 0) != 0;
        long[] out = target.clone();
        int inferred = -1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0 && !allowZero) {
                out[i] = x.rankKnown() && i < x.rank() ? x.dims()[i] : -1;
            } else if (out[i] == -1) {
                inferred = i;
            }
        }
        if (inferred >= 0) {
            out[inferred] = -1;
            if (x.isStatic()) {
                long total = product(x.dims());
                long known = 1;
                boolean allKnown = true;
                for (int i = 0; i < out.length; i++) {
                    if (i != inferred) {
                        allKnown &= out[i] >= 0;
                        known *= Math.max(out[i], 0);
                    }
                }
                if (allKnown && known > 0) {
                    out[inferred] = total / known;
                }
            }
        }
        return new ValueType(x.elemType(), out);
    }

    private ValueType unsqueeze(NodeProto n, ValueType x) {
        long[] axes = opset(n) >= 13 ? constantLongs(n, 1) : ints(n, "axes");
        if (axes == null || !x.rankKnown()) {
            return new ValueType(x.elemType(), null);
        }
        int rank = x.rank() + axes.length;
        boolean[] inserted = new boolean[rank];
        for (long a : axes) {
            inserted[(int) (a < 0 ? a + rank : a)] = true;
        }
        long[] out = new long[rank];
        for (int i = 0, k = 0; i < rank; i++) {
            out[i] = inserted[i] ? 1 : x.dims()[k++];
        }
        return new ValueType(x.elemType(), out);
    }

    private ValueType squeeze(NodeProto n, ValueType x) {
        boolean axesAsInput = opset(n) >= 13;
        long[] axes = axesAsInput ? constantLongs(n, 1) : ints(n, "axes");
        boolean axesUnknown = axesAsInput && axes == null && n.getInputCount() > 1 && !n.getInput(1).isEmpty();
        if (!x.rankKnown() || axesUnknown) {
            return new ValueType(x.elemType(), null);
        }
        int rank = x.rank();
        boolean[] removed = new boolean[rank];
        if (axes == null) {
            for (int i = 0; i < rank; i++) {
                if (x.dims()[i] < 0) {
                    return new ValueType(x.elemType(), null);
                }
                removed[i] = x.dims()[i] == 1;
            }
        } else {
            for (long a : axes) {
                removed[(int) (a < 0 ? a + rank : a)] = true;
            }
        }
        return new ValueType(x.elemType(), Arrays.stream(indices(rank)).filter(i -> !removed[i])
                .mapToLong(i -> x.dims()[i]).toArray());
    }

    private static int[] indices(int n) {
        int[] out = new int[n];
        Arrays.setAll(out, i -> i);
        return out;
    }

    private static ValueType flatten(NodeProto n, ValueType x) {
        if (!x.rankKnown()) {
            return new ValueType(x.elemType(), new long[] {-1, -1});
        }
        int axis = (int) intAttr(n, "axis", 1);
        axis = axis < 0 ? axis + x.rank() : axis;
        long outer = productOrUnknown(Arrays.copyOfRange(x.dims(), 0, axis));
        long inner = productOrUnknown(Arrays.copyOfRange(x.dims(), axis, x.rank()));
        return new ValueType(x.elemType(), new long[] {outer, inner});
    }

    private ValueType concat(NodeProto n) {
        ValueType first = type(n, 0);
        long[] out = null;
        int axis = (int) intAttr(n, "axis", 0);
        for (int i = 0; i < n.getInputCount(); i++) {
            ValueType t = type(n, i);
            if (t == null || !t.rankKnown()) {
                return new ValueType(first.elemType(), null);
            }
            int a = axis < 0 ? axis + t.rank() : axis;
            if (out == null) {
                out = t.dims().clone();
            } else {
                out[a] = out[a] < 0 || t.dims()[a] < 0 ? -1 : out[a] + t.dims()[a];
            }
        }
        return new ValueType(first.elemType(), out);
    }

    private static ValueType gather(NodeProto n, ValueType data, ValueType indices) {
        if (indices == null || !data.rankKnown() || !indices.rankKnown()) {
            return new ValueType(data.elemType(), null);
        }
        int axis = (int) intAttr(n, "axis", 0);
        axis = axis < 0 ? axis + data.rank() : axis;
        long[] out = new long[data.rank() - 1 + indices.rank()];
        int k = 0;
        for (int i = 0; i < axis; i++) {
            out[k++] = data.dims()[i];
        }
        for (long d : indices.dims()) {
            out[k++] = d;
        }
        for (int i = axis + 1; i < data.rank(); i++) {
            out[k++] = data.dims()[i];
        }
        return new ValueType(data.elemType(), out);
    }

    private ValueType reduce(NodeProto n, ValueType x) {
        boolean axesAsInput = n.getOpType().equals("ReduceSum") ? opset(n) >= 13 : opset(n) >= 18;
        long[] axes = axesAsInput ? (n.getInputCount() > 1 && !n.getInput(1).isEmpty()
                ? constantLongs(n, 1) : new long[0]) : ints(n, "axes");
        if (axesAsInput && n.getInputCount() > 1 && !n.getInput(1).isEmpty() && axes == null) {
            return new ValueType(x.elemType(), null);
        }
        if (!x.rankKnown()) {
            return new ValueType(x.elemType(), null);
        }
        int rank = x.rank();
        boolean keep = intAttr(n, "keepdims", 1) != 0;
        boolean[] reduced = new boolean[rank];
        if (axes == null || axes.length == 0) {
            if (intAttr(n, "noop_with_empty_axes", 0) != 0) {
                return x;
            }
            Arrays.fill(reduced, true);
        } else {
            for (long a : axes) {
                reduced[(int) (a < 0 ? a + rank : a)] = true;
            }
        }
        long[] out = new long[keep ? rank : rank - count(reduced)];
        for (int i = 0, k = 0; i < rank; i++) {
            if (!reduced[i]) {
                out[k++] = x.dims()[i];
            } else if (keep) {
                out[k++] = 1;
            }
        }
        return new ValueType(x.elemType(), out);
    }

    private static int count(boolean[] flags) {
        int c = 0;
        for (boolean f : flags) {
            c += f ? 1 : 0;
        }
        return c;
    }

    private long[] constantLongs(NodeProto n, int input) {
        if (input >= n.getInputCount() || n.getInput(input).isEmpty()) {
            return null;
        }
        Tensor t = graph.constant(n.getInput(input));
        return t == null ? null : t.toLongArray();
    }

    static long intAttr(NodeProto n, String name, long defaultValue) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return defaultValue;
    }

    static long[] ints(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
            }
        }
        return null;
    }

    static long product(long[] dims) {
        long p = 1;
        for (long d : dims) {
            p *= d;
        }
        return p;
    }

    private static long productOrUnknown(long[] dims) {
        for (long d : dims) {
            if (d < 0) {
                return -1;
            }
        }
        return product(dims);
    }
}
