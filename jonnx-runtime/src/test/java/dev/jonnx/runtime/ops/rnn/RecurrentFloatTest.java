package dev.jonnx.runtime.ops.rnn;

import static dev.jonnx.runtime.ops.control.Protos.attr;
import static dev.jonnx.runtime.ops.control.Protos.floats;
import static dev.jonnx.runtime.ops.control.Protos.node;
import static dev.jonnx.runtime.ops.control.Protos.run;
import static dev.jonnx.runtime.ops.control.Protos.strings;
import static dev.jonnx.runtime.testing.TestTensors.gaussianTensor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.runtime.ops.rnn.RecurrentKernel.Cell;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The float fast path of RNN, GRU and LSTM against the general double path on the same inputs. */
class RecurrentFloatTest {
    private static final List<String> INPUTS =
            List.of("X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P");

    private static NodeContext context(Cell cell, List<String> inputs, AttributeProto... attributes) {
        List<String> outputs = cell == Cell.LSTM ? List.of("Y", "Y_h", "Y_c") : List.of("Y", "Y_h");
        NodeProto n = node(cell.name(), inputs, outputs, attributes);
        return new NodeContext(n, "", 22, "test", NodeContext::decodeInline, (g, attribute) -> {
            throw new UnsupportedOperationException("no subgraphs in kernel tests");
        });
    }

    /** Builds the kernel with W, R and B as constant inputs, which allows the fast path. */
    private static Kernel withConstants(Cell cell, List<String> inputs, Tensor w, Tensor r, Tensor b,
            AttributeProto... attributes) {
        NodeContext ctx = context(cell, inputs, attributes);
        ctx.setConstantInputs(new Tensor[] {null, w, r, b});
        return RecurrentKernel.create(ctx, cell);
    }

    private static Kernel general(Cell cell, List<String> inputs, AttributeProto... attributes) {
        return RecurrentKernel.create(context(cell, inputs, attributes), cell);
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

    /** Runs both paths on random inputs and compares every output. */
    private static void compare(Cell cell, int seq, int batch, int inputSize, int hidden, String direction,
            long layout, boolean withBias, boolean withStates, long[] lengths, AttributeProto... extra) {
        Random random = new Random(seq * 1000 + batch * 100 + inputSize * 10 + hidden);
        int dirs = direction.equals("bidirectional") ? 2 : 1;
        int gateRows = cell.gates * hidden;
        Tensor x = layout == 0 ? gaussianTensor(random, 0.5, seq, batch, inputSize)
                : gaussianTensor(random, 0.5, batch, seq, inputSize);
        Tensor w = gaussianTensor(random, 0.5, dirs, gateRows, inputSize);
        Tensor r = gaussianTensor(random, 0.5, dirs, gateRows, hidden);
        Tensor b = withBias ? gaussianTensor(random, 0.5, dirs, 2 * gateRows) : null;
        int[] stateShape = layout == 0 ? new int[] {dirs, batch, hidden} : new int[] {batch, dirs, hidden};
        Tensor h0 = withStates ? gaussianTensor(random, 0.5, stateShape) : null;
        Tensor c0 = withStates && cell == Cell.LSTM ? gaussianTensor(random, 0.5, stateShape) : null;
        Tensor lens = lengths == null ? null : Tensor.of(lengths, lengths.length);
        List<String> inputs = new ArrayList<>(INPUTS.subList(0, cell == Cell.LSTM ? 7 : 6));
        if (!withBias) {
            inputs.set(3, "");
        }
        List<AttributeProto> attributes = new ArrayList<>(List.of(attr("hidden_size", (long) hidden),
                attr("direction", direction), attr("layout", layout)));
        attributes.addAll(List.of(extra));
        AttributeProto[] all = attributes.toArray(AttributeProto[]::new);
        Value[] feeds = cell == Cell.LSTM ? new Value[] {x, w, r, b, lens, h0, c0}
                : new Value[] {x, w, r, b, lens, h0};
        Value[] fast = run(withConstants(cell, inputs, w, r, b, all), feeds);
        Value[] reference = run(general(cell, inputs, all), feeds);
        assertThat(fast).as("output count").hasSize(reference.length);
        for (int k = 0; k < reference.length; k++) {
            assertClose(fast[k], reference[k], "output " + k);
        }
    }

    @Test
    void lstmOneStepMatchesGeneralPath() {
        compare(Cell.LSTM, 1, 1, 5, 7, "forward", 0, true, true, null);
    }

    @Test
    void lstmOddSizesMatchGeneralPath() {
        compare(Cell.LSTM, 3, 2, 13, 9, "forward", 0, true, true, null);
    }

    @Test
    void lstmReverseWithoutBiasMatchesGeneralPath() {
        compare(Cell.LSTM, 4, 3, 6, 5, "reverse", 0, false, false, null);
    }

    @Test
    void lstmBidirectionalBatchFirstMatchesGeneralPath() {
        compare(Cell.LSTM, 3, 2, 4, 11, "bidirectional", 1, true, true, null);
    }

    @Test
    void lstmLongSequenceUsesMatrixMultiply() {
        compare(Cell.LSTM, 20, 2, 16, 33, "bidirectional", 0, true, true, null);
    }

    @Test
    void lstmFullSequenceLengthsMatchGeneralPath() {
        compare(Cell.LSTM, 3, 2, 4, 6, "forward", 0, true, true, new long[] {3, 3});
    }

    @Test
    void lstmShorterSequenceLengthsFallBack() {
        compare(Cell.LSTM, 3, 2, 4, 6, "reverse", 0, true, true, new long[] {2, 0});
    }

    @Test
    void gruMatchesGeneralPath() {
        compare(Cell.GRU, 3, 2, 5, 7, "forward", 0, true, true, null);
    }

    @Test
    void gruLinearBeforeResetMatchesGeneralPath() {
        compare(Cell.GRU, 3, 2, 5, 7, "bidirectional", 1, true, true, null, attr("linear_before_reset", 1L));
    }

    @Test
    void gruLongSequenceWithoutBiasMatchesGeneralPath() {
        compare(Cell.GRU, 18, 1, 9, 10, "reverse", 0, false, false, null);
    }

    @Test
    void rnnMatchesGeneralPath() {
        compare(Cell.RNN, 4, 3, 6, 9, "bidirectional", 0, true, true, null);
    }

    @Test
    void rnnBatchFirstWithoutStatesMatchesGeneralPath() {
        compare(Cell.RNN, 17, 1, 3, 5, "forward", 1, true, false, null);
    }

    @Test
    void fastPathNeedsConstantWeightsAndDefaults() {
        Random random = new Random(7);
        Tensor w = gaussianTensor(random, 0.5, 1, 8, 3);
        Tensor r = gaussianTensor(random, 0.5, 1, 8, 2);
        Tensor b = gaussianTensor(random, 0.5, 1, 16);
        List<String> inputs = INPUTS.subList(0, 7);
        AttributeProto hidden = attr("hidden_size", 2L);
        Tensor[] constants = {null, w, r, b};
        assertThat(fastPath(Cell.LSTM, inputs, constants, hidden)).isTrue();
        assertThat(fastPath(Cell.LSTM, inputs, new Tensor[] {null, w, r, null}, hidden)).as("B not constant").isFalse();
        assertThat(fastPath(Cell.LSTM, inputs, new Tensor[] {null, null, r, b}, hidden)).as("W not constant").isFalse();
        assertThat(fastPath(Cell.LSTM, INPUTS, constants, hidden)).as("peepholes").isFalse();
        assertThat(fastPath(Cell.LSTM, inputs, constants, hidden, attr("clip", 5f))).as("clip").isFalse();
        assertThat(fastPath(Cell.LSTM, inputs, constants, hidden, attr("input_forget", 1L))).as("input_forget")
                .isFalse();
        assertThat(fastPath(Cell.LSTM, inputs, constants, hidden, strings("activations", "Sigmoid", "Tanh", "Relu")))
                .as("activations").isFalse();
        assertThat(fastPath(Cell.LSTM, inputs, constants, attr("hidden_size", 3L))).as("hidden_size mismatch")
                .isFalse();
        assertThat(fastPath(Cell.LSTM, inputs, constants, hidden, strings("activations", "sigmoid", "tanh", "tanh"),
                floats("activation_alpha", 2f))).as("default activations in lower case").isTrue();
        Tensor[] gruConstants = {null, gaussianTensor(random, 0.5, 1, 6, 3),
            gaussianTensor(random, 0.5, 1, 6, 2), gaussianTensor(random, 0.5, 1, 12)};
        assertThat(fastPath(Cell.GRU, INPUTS.subList(0, 6), gruConstants, hidden)).as("GRU defaults").isTrue();
        assertThat(fastPath(Cell.GRU, INPUTS.subList(0, 6), gruConstants, hidden, strings("activations", "Tanh", "Tanh")))
                .as("GRU with tanh gates").isFalse();
        Tensor[] rnnConstants = {null, gaussianTensor(random, 0.5, 1, 2, 3),
            gaussianTensor(random, 0.5, 1, 2, 2), gaussianTensor(random, 0.5, 1, 4)};
        assertThat(fastPath(Cell.RNN, INPUTS.subList(0, 6), rnnConstants, hidden)).as("RNN defaults").isTrue();
        assertThat(fastPath(Cell.RNN, INPUTS.subList(0, 6), rnnConstants, hidden, strings("activations", "Relu")))
                .as("RNN with relu").isFalse();
    }

    private static boolean fastPath(Cell cell, List<String> inputs, Tensor[] constants, AttributeProto... attributes) {
        NodeContext ctx = context(cell, inputs, attributes);
        ctx.setConstantInputs(constants);
        return RecurrentKernel.fastPath(ctx, RecurrentKernel.parse(ctx, cell)) != null;
    }
}
