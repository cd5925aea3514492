package dev.jonnx.io;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.jonnx.ModelFormatException;
import dev.jonnx.onnx.MapProto;
import dev.jonnx.onnx.OptionalProto;
import dev.jonnx.onnx.SequenceProto;
import dev.jonnx.onnx.TensorProto;
import dev.jonnx.onnx.TypeProto;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.MapValue;
import dev.jonnx.tensor.OptionalValue;
import dev.jonnx.tensor.SequenceValue;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes values as the ONNX test data protobufs: {@code TensorProto},
 * {@code SequenceProto}, {@code MapProto} and {@code OptionalProto}.
 */
public final class ValueProtos {
    private ValueProtos() {}

    /** Reads a value file, choosing the message by the declared type (a tensor when null). */
    public static Value read(Path file, TypeProto type) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(bytes, type);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFormatException(file + " is not a valid ONNX value protobuf: "
                    + e.getMessage(), e);
        }
    }

    static Value parse(byte[] bytes, TypeProto type) throws InvalidProtocolBufferException {
        if (type == null || type.hasTensorType() || type.getValueCase() == TypeProto.ValueCase.VALUE_NOT_SET) {
            return TensorProtos.toTensor(TensorProto.parseFrom(bytes));
        }
        return switch (type.getValueCase()) {
            case SEQUENCE_TYPE -> fromProto(SequenceProto.parseFrom(bytes));
            case MAP_TYPE -> fromProto(MapProto.parseFrom(bytes));
            case OPTIONAL_TYPE -> fromProto(OptionalProto.parseFrom(bytes));
            case SPARSE_TENSOR_TYPE -> throw new ModelFormatException("sparse tensor values are not supported");
            default -> TensorProtos.toTensor(TensorProto.parseFrom(bytes));
        };
    }

    public static SequenceValue fromProto(SequenceProto p) {
        List<Value> elements = new ArrayList<>();
        DataType elementType = null;
        switch (p.getElemType()) {
            case SequenceProto.DataType.TENSOR_VALUE -> {
                for (TensorProto t : p.getTensorValuesList()) {
                    elements.add(TensorProtos.toTensor(t));
                }
            }
            case SequenceProto.DataType.SEQUENCE_VALUE -> {
                for (SequenceProto s : p.getSequenceValuesList()) {
                    elements.add(fromProto(s));
                }
            }
            case SequenceProto.DataType.MAP_VALUE -> {
                for (MapProto m : p.getMapValuesList()) {
                    elements.add(fromProto(m));
                }
            }
            case SequenceProto.DataType.OPTIONAL_VALUE -> {
                for (OptionalProto o : p.getOptionalValuesList()) {
                    elements.add(fromProto(o));
                }
            }
            default -> {
                for (TensorProto t : p.getTensorValuesList()) {
                    elements.add(TensorProtos.toTensor(t));
                }
            }
        }
        if (!elements.isEmpty() && elements.getFirst() instanceof Tensor t) {
            elementType = t.type();
        }
        return new SequenceValue(elements, elementType);
    }

    public static MapValue fromProto(MapProto p) {
        DataType keyType = DataType.fromCode(p.getKeyType());
        List<Object> keys = new ArrayList<>();
        if (keyType == DataType.STRING) {
            for (var s : p.getStringKeysList()) {
                keys.add(s.toStringUtf8());
            }
        } else {
            keys.addAll(p.getKeysList());
        }
        SequenceValue values = fromProto(p.getValues());
        if (values.size() != keys.size()) {
            throw new ModelFormatException("map has " + keys.size() + " keys but " + values.size()
                    + " values");
        }
        Map<Object, Object> entries = new LinkedHashMap<>();
        DataType valueType = values.elementType();
        for (int i = 0; i < keys.size(); i++) {
            Value v = values.get(i);
            if (v instanceof Tensor t && t.isScalar()) {
                entries.put(keys.get(i), scalarOf(t));
            } else {
                entries.put(keys.get(i), v);
            }
        }
        return new MapValue(keyType, valueType, entries);
    }

    private static Object scalarOf(Tensor t) {
        return switch (t.type()) {
            case FLOAT -> t.floats()[0];
            case DOUBLE -> t.doubles()[0];
            case STRING -> t.strings()[0];
            default -> t.getLong(0);
        };
    }

    public static OptionalValue fromProto(OptionalProto p) {
        return switch (p.getElemType()) {
            case OptionalProto.DataType.TENSOR_VALUE ->
                    new OptionalValue(TensorProtos.toTensor(p.getTensorValue()));
            case OptionalProto.DataType.SEQUENCE_VALUE -> new OptionalValue(fromProto(p.getSequenceValue()));
            case OptionalProto.DataType.MAP_VALUE -> new OptionalValue(fromProto(p.getMapValue()));
            case OptionalProto.DataType.OPTIONAL_VALUE -> new OptionalValue(fromProto(p.getOptionalValue()));
            default -> {
                if (p.hasTensorValue()) {
                    yield new OptionalValue(TensorProtos.toTensor(p.getTensorValue()));
                }
                if (p.hasSequenceValue()) {
                    yield new OptionalValue(fromProto(p.getSequenceValue()));
                }
                yield OptionalValue.empty();
            }
        };
    }

    /** Encodes a value as the matching message: TensorProto, SequenceProto, MapProto or OptionalProto. */
    public static com.google.protobuf.Message toProto(Value value, String name) {
        return switch (value) {
            case Tensor t -> TensorProtos.toProto(t, name);
            case SequenceValue s -> sequenceProto(s, name);
            case OptionalValue o -> optionalProto(o, name);
            case MapValue m -> mapProto(m, name);
        };
    }

    private static SequenceProto sequenceProto(SequenceValue s, String name) {
        SequenceProto.Builder b = SequenceProto.newBuilder();
        if (name != null) {
            b.setName(name);
        }
        b.setElemType(SequenceProto.DataType.TENSOR.getNumber());
        for (Value v : s.elements()) {
            switch (v) {
                case Tensor t -> b.addTensorValues(TensorProtos.toProto(t, null));
                case SequenceValue inner -> b.setElemType(SequenceProto.DataType.SEQUENCE.getNumber())
                        .addSequenceValues(sequenceProto(inner, null));
                case MapValue m -> b.setElemType(SequenceProto.DataType.MAP.getNumber())
                        .addMapValues(mapProto(m, null));
                case OptionalValue o -> b.setElemType(SequenceProto.DataType.OPTIONAL.getNumber())
                        .addOptionalValues(optionalProto(o, null));
            }
        }
        return b.build();
    }

    private static OptionalProto optionalProto(OptionalValue o, String name) {
        OptionalProto.Builder b = OptionalProto.newBuilder();
        if (name != null) {
            b.setName(name);
        }
        if (o.value() == null) {
            return b.setElemType(OptionalProto.DataType.UNDEFINED.getNumber()).build();
        }
        switch (o.value()) {
            case Tensor t -> b.setElemType(OptionalProto.DataType.TENSOR.getNumber())
                    .setTensorValue(TensorProtos.toProto(t, null));
            case SequenceValue s -> b.setElemType(OptionalProto.DataType.SEQUENCE.getNumber())
                    .setSequenceValue(sequenceProto(s, null));
            case MapValue m -> b.setElemType(OptionalProto.DataType.MAP.getNumber())
                    .setMapValue(mapProto(m, null));
            case OptionalValue inner -> b.setElemType(OptionalProto.DataType.OPTIONAL.getNumber())
                    .setOptionalValue(optionalProto(inner, null));
        }
        return b.build();
    }

    private static MapProto mapProto(MapValue m, String name) {
        MapProto.Builder b = MapProto.newBuilder().setKeyType(m.keyType().code());
        if (name != null) {
            b.setName(name);
        }
        List<Value> values = new ArrayList<>();
        for (Map.Entry<Object, Object> e : m.entries().entrySet()) {
            if (e.getKey() instanceof String s) {
                b.addStringKeys(com.google.protobuf.ByteString.copyFromUtf8(s));
            } else {
                b.addKeys(((Number) e.getKey()).longValue());
            }
            values.add(switch (e.getValue()) {
                case Value v -> v;
                case Float f -> Tensor.scalar(f);
                case Double d -> Tensor.scalar(d);
                case String s -> Tensor.of(new String[] {s});
                case Number n -> Tensor.scalar(n.longValue());
                default -> throw new IllegalArgumentException("unsupported map value " + e.getValue());
            });
        }
        b.setValues(sequenceProto(SequenceValue.of(values), null));
        return b.build();
    }
}
