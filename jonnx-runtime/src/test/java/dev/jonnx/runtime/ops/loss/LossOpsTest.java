package dev.jonnx.runtime.ops.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import org.junit.jupiter.api.Test;

/** Loss values worked out by hand from the spec's examples. */
class LossOpsTest {
    static final OpRegistry REGISTRY = build();

    static OpRegistry build() {
        OpRegistry.Builder b = OpRegistry.builder();
        LossOps.register(b);
        return b.build();
    }

    static Kernel kernel(String op, int outputs, String reduction, Long ignoreIndex) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName("loss")
                .addInput("x").addInput("t").addInput("w");
        for (int i = 0; i < outputs; i++) {
            n.addOutput("y" + i);
        }
        n.addAttribute(AttributeProto.newBuilder().setName("reduction")
                .setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(reduction)));
        if (ignoreIndex != null) {
            n.addAttribute(AttributeProto.newBuilder().setName("ignore_index")
                    .setType(AttributeProto.AttributeType.INT).setI(ignoreIndex));
        }
        NodeContext ctx = new NodeContext(n.build(), "", 13, "test", NodeContext::decodeInline, null);
        return REGISTRY.lookup("", op, 13).orElseThrow().create(ctx);
    }

    // The spec's example: N=2, C=3, d1=2.
    static final Tensor INPUT = Tensor.of(new float[] {1, 2, 2, 2, 3, 2, 0, 1, 2, 2, 1, 2}, 2, 3, 2);
    static final Tensor TARGET = Tensor.of(new long[] {2, 1, 0, 2}, 2, 2);
    static final Tensor WEIGHT = Tensor.of(new float[] {0.2f, 0.3f, 0.1f}, 3);

    @Test
    void nllNoneReductionPicksTargetClass() {
        Value[] out = kernel("NegativeLogLikelihoodLoss", 1, "none", null)
                .run(new Value[] {INPUT, TARGET, null}, null);
        assertThat(((Tensor) out[0]).floats()).containsExactly(-3, -2, -0f, -2);
        assertThat(((Tensor) out[0]).shape()).containsExactly(2, 2);
    }

    @Test
    void nllWeightedSumAndMean() {
        Value[] sum = kernel("NegativeLogLikelihoodLoss", 1, "sum", null)
                .run(new Value[] {INPUT, TARGET, WEIGHT}, null);
        assertThat(((Tensor) sum[0]).floats()[0]).isCloseTo(-1.1f, within(1e-6f));
        Value[] mean = kernel("NegativeLogLikelihoodLoss", 1, "mean", null)
                .run(new Value[] {INPUT, TARGET, WEIGHT}, null);
        assertThat(((Tensor) mean[0]).floats()[0]).isCloseTo(-1.1f / 0.7f, within(1e-5f));
    }

    @Test
    void nllIgnoredTargetsLeaveTheMean() {
        Tensor target = Tensor.of(new long[] {2, -1, 0, -1}, 2, 2);
        Value[] mean = kernel("NegativeLogLikelihoodLoss", 1, "mean", -1L)
                .run(new Value[] {INPUT, target, null}, null);
        // Two samples count: -3 and -0, so the mean is -1.5.
        assertThat(((Tensor) mean[0]).floats()[0]).isCloseTo(-1.5f, within(1e-6f));
    }

    @Test
    void softmaxCrossEntropyMatchesLogSoftmax() {
        Tensor scores = Tensor.of(new float[] {1, 2, 3, 1, 1, 1}, 2, 3);
        Tensor labels = Tensor.of(new long[] {2, 0}, 2);
        Value[] out = kernel("SoftmaxCrossEntropyLoss", 2, "none", null)
                .run(new Value[] {scores, labels, null}, null);
        double log0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
        assertThat(((Tensor) out[0]).floats()[0]).isCloseTo((float) (log0 - 3), within(1e-6f));
        assertThat(((Tensor) out[0]).floats()[1]).isCloseTo((float) Math.log(3), within(1e-6f));
        assertThat(((Tensor) out[1]).shape()).containsExactly(2, 3);
        assertThat(((Tensor) out[1]).floats()[2]).isCloseTo((float) (3 - log0), within(1e-6f));
    }
}
