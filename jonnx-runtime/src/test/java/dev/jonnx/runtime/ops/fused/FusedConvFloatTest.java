package dev.jonnx.runtime.ops.fused;

import static dev.jonnx.runtime.testing.TestTensors.gaussianDoubles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.ByteString;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * FusedConv with each activation: the float path, which applies the activation per output
 * block in float, against the double path, which applies it per element in double.
 */
class FusedConvFloatTest {

    private static Kernel kernel(String activation, float[] params, int group) {
        NodeProto.Builder node = NodeProto.newBuilder().setDomain(FusedOps.DOMAIN).setOpType("FusedConv")
                .setName("node").addInput("x").addInput("w").addInput("b").addOutput("y")
                .addAttribute(AttributeProto.newBuilder().setName("activation")
                        .setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(activation)))
                .addAttribute(AttributeProto.newBuilder().setName("group")
                        .setType(AttributeProto.AttributeType.INT).setI(group))
                .addAttribute(AttributeProto.newBuilder().setName("pads")
                        .setType(AttributeProto.AttributeType.INTS).addInts(1).addInts(1).addInts(1).addInts(1));
        if (params.length > 0) {
            AttributeProto.Builder a = AttributeProto.newBuilder().setName("activation_params")
                    .setType(AttributeProto.AttributeType.FLOATS);
            for (float p : params) {
                a.addFloats(p);
            }
            node.addAttribute(a);
        }
        return FusedConv.create(new NodeContext(node.build(), FusedOps.DOMAIN, 1, "test",
                NodeContext::decodeInline, null));
    }

    private static void check(String activation, float... params) {
        for (int group : new int[] {1, 6}) {
            Random random = new Random(activation.hashCode() + group);
            int[] xShape = {1, 6, 9, 11};
            int[] wShape = {6, 6 / group, 3, 3};
            double[] x = gaussianDoubles(random, 2.0, 6 * 9 * 11);
            double[] w = gaussianDoubles(random, 2.0, 6 * (6 / group) * 9);
            double[] b = gaussianDoubles(random, 2.0, 6);
            Kernel kernel = kernel(activation, params, group);
            RunContext ctx = new RunContext(null, RunContext.RunControl.unlimited());
            Tensor expected = (Tensor) kernel.run(new Tensor[] {Tensor.of(x, xShape), Tensor.of(w, wShape),
                Tensor.of(b, 6)}, ctx)[0];
            Tensor actual = (Tensor) kernel.run(new Tensor[] {Tensor.fromDoubles(DataType.FLOAT, xShape, x),
                Tensor.fromDoubles(DataType.FLOAT, wShape, w), Tensor.fromDoubles(DataType.FLOAT, new int[] {6}, b)},
                    ctx)[0];
            double[] e = expected.doubles();
            float[] a = actual.floats();
            assertThat(a).hasSize(e.length);
            for (int i = 0; i < e.length; i++) {
                assertThat((double) a[i]).as("%s group %d output %d", activation, group, i)
                        .isCloseTo(e[i], within(1e-4 * (1 + Math.abs(e[i]))));
            }
        }
    }

    @Test
    void activationsMatchDoublePath() {
        check("Relu");
        check("LeakyRelu", 0.1f);
        check("Clip", -1f, 1.5f);
        check("HardSigmoid", 0.2f, 0.5f);
        check("HardSwish");
        check("Sigmoid");
        check("Tanh");
    }

    @Test
    void reluOutputsAreNonNegative() {
        Kernel kernel = kernel("Relu", new float[0], 1);
        float[] x = new float[2 * 3 * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = i - 4;
        }
        float[] w = new float[2 * 2 * 9];
        java.util.Arrays.fill(w, 1f);
        Tensor y = (Tensor) kernel.run(new Tensor[] {Tensor.of(DataType.FLOAT, new int[] {1, 2, 3, 3}, x),
            Tensor.of(DataType.FLOAT, new int[] {2, 2, 3, 3}, w), Tensor.of(DataType.FLOAT, new int[] {2},
                new float[] {0f, -1000f})}, new RunContext(null, RunContext.RunControl.unlimited()))[0];
        // Channel 0 sums the 3x3 neighborhood of both input channels; the center window covers all 18
        // values, -4 + -3 + ... + 13 = 81.
        assertThat(y.floats()[4]).isEqualTo(81f);
        for (int i = 9; i < 18; i++) {
            assertThat(y.floats()[i]).as("output %d of the channel with bias -1000", i).isEqualTo(0f);
        }
    }
}
