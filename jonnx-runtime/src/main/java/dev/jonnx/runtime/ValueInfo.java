package dev.jonnx.runtime;

import dev.jonnx.ModelCheckException;
import dev.jonnx.onnx.TensorShapeProto;
import dev.jonnx.onnx.TypeProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.tensor.DataType;
import java.util.ArrayList;
import java.util.List;

/**
 * A declared graph input or output: its name, kind, element type and shape. In {@link #dims()}
 * a fixed dimension is a {@code Long}, a symbolic one a {@code String}, and an unknown one null.
 * {@link #dims()} is null when the model gives no shape.
 */
public record ValueInfo(String name, String kind, DataType elementType, List<Object> dims) {

    public static ValueInfo of(ValueInfoProto proto) {
        TypeProto type = proto.getType();
        return switch (type.getValueCase()) {
            case TENSOR_TYPE -> {
                TypeProto.Tensor t = type.getTensorType();
                DataType element = t.getElemType() == 0 ? null : elementType(proto, t.getElemType());
                yield new ValueInfo(proto.getName(), "tensor", element,
                        t.hasShape() ? dimsOf(t.getShape()) : null);
            }
            case SEQUENCE_TYPE -> new ValueInfo(proto.getName(), "sequence", null, null);
            case MAP_TYPE -> new ValueInfo(proto.getName(), "map", null, null);
            case OPTIONAL_TYPE -> new ValueInfo(proto.getName(), "optional", null, null);
            case SPARSE_TENSOR_TYPE -> new ValueInfo(proto.getName(), "sparse_tensor", null, null);
            default -> new ValueInfo(proto.getName(), "unknown", null, null);
        };
    }

    private static DataType elementType(ValueInfoProto proto, int code) {
        try {
            return DataType.fromCode(code);
        } catch (IllegalArgumentException e) {
            throw new ModelCheckException("value '" + proto.getName() + "' declares unknown element"
                    + " type code " + code);
        }
    }

    static List<Object> dimsOf(TensorShapeProto shape) {
        List<Object> dims = new ArrayList<>();
        for (TensorShapeProto.Dimension d : shape.getDimList()) {
            if (d.hasDimValue()) {
                dims.add(d.getDimValue());
            } else if (d.hasDimParam() && !d.getDimParam().isEmpty()) {
                dims.add(d.getDimParam());
            } else {
                dims.add(null);
            }
        }
        return java.util.Collections.unmodifiableList(dims);
    }

    /** A type string such as {@code tensor(float)[batch, 128]}. */
    public String describe() {
        if (!kind.equals("tensor")) {
            return kind;
        }
        StringBuilder s = new StringBuilder("tensor(" + (elementType == null ? "?" : elementType) + ")");
        if (dims != null) {
            s.append('[');
            for (int i = 0; i < dims.size(); i++) {
                s.append(i > 0 ? ", " : "").append(dims.get(i) == null ? "?" : dims.get(i));
            }
            s.append(']');
        }
        return s.toString();
    }
}
