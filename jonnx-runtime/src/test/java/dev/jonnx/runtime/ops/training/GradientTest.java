package dev.jonnx.runtime.ops.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.UnsupportedOperatorException;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.OperatorSetIdProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.Result;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Gradients of y = MatMul(x, w) * b + x2 checked against hand-derived values. */
class GradientTest {

    static NodeProto node(String op, String out, String... in) {
        return NodeProto.newBuilder().setOpType(op).setName(out).addAllInput(java.util.List.of(in))
                .addOutput(out).build();
    }

    static byte[] model(String middleOp) {
        NodeProto gradient = NodeProto.newBuilder().setOpType("Gradient")
                .setDomain("ai.onnx.preview.training").setName("grad")
                .addInput("w").addInput("b").addInput("x").addOutput("dw").addOutput("db")
                .addAttribute(AttributeProto.newBuilder().setName("xs")
                        .setType(AttributeProto.AttributeType.STRINGS)
                        .addStrings(com.google.protobuf.ByteString.copyFromUtf8("w"))
                        .addStrings(com.google.protobuf.ByteString.copyFromUtf8("b")))
                .addAttribute(AttributeProto.newBuilder().setName("zs")
                        .setType(AttributeProto.AttributeType.STRINGS)
                        .addStrings(com.google.protobuf.ByteString.copyFromUtf8("x")))
                .addAttribute(AttributeProto.newBuilder().setName("y")
                        .setType(AttributeProto.AttributeType.STRING)
                        .setS(com.google.protobuf.ByteString.copyFromUtf8("y")))
                .build();
        GraphProto g = GraphProto.newBuilder().setName("g")
                .addNode(node("MatMul", "h", "x", "w"))
                .addNode(node(middleOp, "y", "h", "b"))
                .addNode(gradient)
                .addInput(ValueInfoProto.newBuilder().setName("x"))
                .addInput(ValueInfoProto.newBuilder().setName("w"))
                .addInput(ValueInfoProto.newBuilder().setName("b"))
                .addOutput(ValueInfoProto.newBuilder().setName("dw"))
                .addOutput(ValueInfoProto.newBuilder().setName("db"))
                .build();
        return ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("ai.onnx.preview.training").setVersion(1))
                .setGraph(g).build().toByteArray();
    }

    @Test
    void matMulTimesBroadcastBias() {
        // x is 2x2, w is 2x1, b has shape [1]: y = (x w) * b, so dy/dw = x^T (b, b) and
        // dy/db = sum of x w.
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor w = Tensor.of(new float[] {0.5f, -1}, 2, 1);
        Tensor b = Tensor.of(new float[] {3}, 1);
        try (Session s = Session.open(model("Mul"), SessionOptions.defaults());
                Result r = s.run(Map.of("x", x, "w", w, "b", b))) {
            float[] dw = r.tensor("dw").floats();
            assertThat(dw[0]).isCloseTo(3 * (1 + 3), within(1e-6f));
            assertThat(dw[1]).isCloseTo(3 * (2 + 4), within(1e-6f));
            float[] db = r.tensor("db").floats();
            assertThat(r.tensor("db").shape()).containsExactly(1);
            assertThat(db[0]).isCloseTo((0.5f - 2) + (1.5f - 4), within(1e-6f));
        }
    }

    @Test
    void unsupportedOperatorOnPathIsRejected() {
        assertThatThrownBy(() -> Session.open(model("Pow"), SessionOptions.defaults()))
                .isInstanceOf(UnsupportedOperatorException.class)
                .hasMessageContaining("differentiating Pow");
    }
}
