package dev.jonnx.runtime.ops.rnn;

import static dev.jonnx.runtime.ops.control.Protos.attr;
import static dev.jonnx.runtime.ops.control.Protos.floats;
import static dev.jonnx.runtime.ops.control.Protos.node;
import static dev.jonnx.runtime.ops.control.Protos.run;
import static dev.jonnx.runtime.ops.control.Protos.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The float LSTM fast path against the general double path on the same inputs. */
class LstmFloatTest {
    private static final List<String> INPUTS =
            List.of("X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P");

    private static NodeContext context(List<String> inputs, AttributeProto... attributes) {
        NodeProto n = node("LSTM", inputs, List.of("Y", "Y_h", "Y_c"), attributes);
        return new NodeContext(n, "", 22, "test", NodeContext::decodeInline, (g, attribute) -> {
            throw new UnsupportedOperationException("no subgraphs in kernel tests");
        });
    }

    /** Builds the kernel with W, R and B as constant inputs, which allows the fast path. */
    private static Kernel withConstants(List<String> inputs, Tensor w, Tensor r, Tensor b, AttributeProto... attributes) {
        NodeContext ctx = context(inputs, attributes);
        ctx.setConstantInputs(new Tensor[] {null, w, r, b});
        return RecurrentKernel.create(ctx, RecurrentKernel.Cell.LSTM);
    }

    private static Kernel general(List<String> inputs, AttributeProto... attributes) {
        return RecurrentKernel.create(context(inputs, attributes), RecurrentKernel.Cell.LSTM);
    }

    private static Tensor random(Random random, int... shape) {
        int size = 1;
        for (int d : shape) {
            size *= d;
        }
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) (random.nextGaussian() * 0.5);
        }
        return Tensor.of(values, shape);
    }

    private static void assertClose(Value actual, Value expected, String label) {
        Tensor a = (Tensor) actual;
        Tensor e = (Tensor) expected;
        assertThat(a.shape()).as(label + " shape").containsExactly(e.shape());
        float[] av = a.floats();
        float[] ev = e.floats();
        for (int i = 0; i < ev.length; i++) {
            assertThat(av[i]).as(label + " element " + i).isCloseTo(ev[i], within(2e-5f));
        }
    }

    /** Runs both paths on random inputs and compares Y, Y_h and Y_c. */
    private static void compare(int seq, int batch, int inputSize, int hidden, String direction, long layout,
            boolean withBias, boolean withStates, long[] lengths) {
        Random random = new Random(seq * 1000 + batch * 100 + inputSize * 10 + hidden);
        int dirs = direction.equals("bidirectional") ? 2 : 1;
        Tensor x = layout == 0 ? random(random, seq, batch, inputSize) : random(random, batch, seq, inputSize);
        Tensor w = random(random, dirs, 4 * hidden, inputSize);
        Tensor r = random(random, dirs, 4 * hidden, hidden);
        Tensor b = withBias ? random(random, dirs, 8 * hidden) : null;
        int[] stateShape = layout == 0 ? new int[] {dirs, batch, hidden} : new int[] {batch, dirs, hidden};
        Tensor h0 = withStates ? random(random, stateShape) : null;
        Tensor c0 = withStates ? random(random, stateShape) : null;
        Tensor lens = lengths == null ? null : Tensor.of(lengths, lengths.length);
        List<String> inputs = new ArrayList<>(INPUTS.subList(0, 7));
        if (!withBias) {
            inputs.set(3, "");
        }
        AttributeProto[] attributes = {attr("hidden_size", (long) hidden), attr("direction", direction),
            attr("layout", layout)};
        Value[] fast = run(withConstants(inputs, w, r, b, attributes), x, w, r, b, lens, h0, c0);
        Value[] reference = run(general(inputs, attributes), x, w, r, b, lens, h0, c0);
        for (int k = 0; k < 3; k++) {
            assertClose(fast[k], reference[k], "output " + k);
        }
    }

    @Test
    void forwardOneStepMatchesGeneralPath() {
        compare(1, 1, 5, 7, "forward", 0, true, true, null);
    }

    @Test
    void forwardOddSizesMatchGeneralPath() {
        compare(3, 2, 13, 9, "forward", 0, true, true, null);
    }

    @Test
    void reverseWithoutBiasMatchesGeneralPath() {
        compare(4, 3, 6, 5, "reverse", 0, false, false, null);
    }

    @Test
    void bidirectionalBatchFirstMatchesGeneralPath() {
        compare(3, 2, 4, 11, "bidirectional", 1, true, true, null);
    }

    @Test
    void longSequenceUsesMatrixMultiply() {
        compare(20, 2, 16, 33, "bidirectional", 0, true, true, null);
    }

    @Test
    void fullSequenceLengthsMatchGeneralPath() {
        compare(3, 2, 4, 6, "forward", 0, true, true, new long[] {3, 3});
    }

    @Test
    void shorterSequenceLengthsFallBackToGeneralPath() {
        compare(3, 2, 4, 6, "reverse", 0, true, true, new long[] {2, 0});
    }

    @Test
    void fastPathNeedsConstantWeightsAndDefaults() {
        Random random = new Random(7);
        Tensor w = random(random, 1, 8, 3);
        Tensor r = random(random, 1, 8, 2);
        Tensor b = random(random, 1, 16);
        List<String> inputs = INPUTS.subList(0, 7);
        AttributeProto hidden = attr("hidden_size", 2L);
        assertThat(fastPath(inputs, new Tensor[] {null, w, r, b}, hidden)).isTrue();
        assertThat(fastPath(inputs, new Tensor[] {null, w, r, null}, hidden)).as("B not constant").isFalse();
        assertThat(fastPath(inputs, new Tensor[] {null, null, r, b}, hidden)).as("W not constant").isFalse();
        assertThat(fastPath(INPUTS, new Tensor[] {null, w, r, b}, hidden)).as("peepholes").isFalse();
        assertThat(fastPath(inputs, new Tensor[] {null, w, r, b}, hidden, attr("clip", 5f))).as("clip").isFalse();
        assertThat(fastPath(inputs, new Tensor[] {null, w, r, b}, hidden, attr("input_forget", 1L)))
                .as("input_forget").isFalse();
        assertThat(fastPath(inputs, new Tensor[] {null, w, r, b}, hidden,
                strings("activations", "Sigmoid", "Tanh", "Relu"))).as("activations").isFalse();
        assertThat(fastPath(inputs, new Tensor[] {null, w, r, b}, attr("hidden_size", 3L)))
                .as("hidden_size mismatch").isFalse();
        assertThat(fastPath(inputs, new Tensor[] {null, w, r, b}, hidden,
                strings("activations", "sigmoid", "tanh", "tanh"), floats("activation_alpha", 2f)))
                .as("default activations in lower case").isTrue();
    }

    private static boolean fastPath(List<String> inputs, Tensor[] constants, AttributeProto... attributes) {
        NodeContext ctx = context(inputs, attributes);
        ctx.setConstantInputs(constants);
        return RecurrentKernel.fastLstm(ctx, RecurrentKernel.parse(ctx, RecurrentKernel.Cell.LSTM)) != null;
    }
}
