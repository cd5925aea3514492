package dev.jonnx.runtime.testing;

import com.google.protobuf.ByteString;
import dev.jonnx.io.TensorProtos;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.tensor.Tensor;
import java.nio.charset.StandardCharsets;

/** Builders of node attributes for tests, one per attribute type. */
public final class Attributes {
    private Attributes() {}

    public static AttributeProto of(String name, long value) {
        return builder(name, AttributeProto.AttributeType.INT).setI(value).build();
    }

    public static AttributeProto of(String name, float value) {
        return builder(name, AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    public static AttributeProto of(String name, String value) {
        return builder(name, AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFrom(value, StandardCharsets.UTF_8)).build();
    }

    /** Builds a tensor attribute whose stored tensor is named after the attribute. */
    public static AttributeProto of(String name, Tensor value) {
        return builder(name, AttributeProto.AttributeType.TENSOR)
                .setT(TensorProtos.toProto(value, name)).build();
    }

    public static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = builder(name, AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    public static AttributeProto floats(String name, float... values) {
        AttributeProto.Builder a = builder(name, AttributeProto.AttributeType.FLOATS);
        for (float v : values) {
            a.addFloats(v);
        }
        return a.build();
    }

    public static AttributeProto strings(String name, String... values) {
        AttributeProto.Builder a = builder(name, AttributeProto.AttributeType.STRINGS);
        for (String v : values) {
            a.addStrings(ByteString.copyFrom(v, StandardCharsets.UTF_8));
        }
        return a.build();
    }

    private static AttributeProto.Builder builder(String name, AttributeProto.AttributeType type) {
        return AttributeProto.newBuilder().setName(name).setType(type);
    }
}
