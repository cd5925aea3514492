package dev.jonnx.runtime.ops.rnn;

import static dev.jonnx.runtime.ops.control.Protos.attr;
import static dev.jonnx.runtime.ops.control.Protos.floats;
import static dev.jonnx.runtime.ops.control.Protos.kernel;
import static dev.jonnx.runtime.ops.control.Protos.node;
import static dev.jonnx.runtime.ops.control.Protos.run;
import static dev.jonnx.runtime.ops.control.Protos.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.ModelCheckException;
import dev.jonnx.UnsupportedOperatorException;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.FloatFormats;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RNN, GRU and LSTM with one or two hidden units, checked against the ONNX equations. */
class RnnOpsTest {
    private static final List<String> INPUTS =
            List.of("X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P");

    private static Kernel recurrent(String op, int opset, AttributeProto... attributes) {
        int count = op.equals("LSTM") ? 8 : 6;
        return kernel(node(op, INPUTS.subList(0, count), List.of("Y", "Y_h", "Y_c").subList(0,
                op.equals("LSTM") ? 3 : 2), attributes), opset);
    }

    private static Tensor t(float... values) {
        return Tensor.of(values, values.length);
    }

    private static Tensor t3(int a, int b, int c, float... values) {
        return Tensor.of(values, a, b, c);
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private static void assertValues(Value value, double... expected) {
        float[] actual = ((Tensor) value).floats();
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("element " + i).isCloseTo(expected[i], within(1e-6));
        }
    }

    // ---- RNN ----

    @Test
    void rnnForwardFollowsEquation() {
        Value[] out = run(recurrent("RNN", 22, attr("hidden_size", 1L)),
                t3(2, 1, 1, 1, 2), t3(1, 1, 1, 0.5f), t3(1, 1, 1, 1), null, null, null);
        double h1 = Math.tanh(0.5);
        double h2 = Math.tanh(1 + h1);
        assertThat(((Tensor) out[0]).shape()).containsExactly(2, 1, 1, 1);
        assertValues(out[0], h1, h2);
        assertThat(((Tensor) out[1]).shape()).containsExactly(1, 1, 1);
        assertValues(out[1], h2);
    }

    @Test
    void rnnInfersHiddenSizeAndAddsBothBiases() {
        Tensor bias = Tensor.of(new float[] {0.25f, 0.5f}, 1, 2);
        Tensor h0 = t3(1, 1, 1, -1);
        Value[] out = run(recurrent("RNN", 7), t3(1, 1, 1, 1), t3(1, 1, 1, 2), t3(1, 1, 1, 3),
                bias, null, h0);
        assertValues(out[1], Math.tanh(2 - 3 + 0.75));
    }

    /** Two batch entries of lengths 2 and 1; the padded step of the second is 9. */
    private static Value[] rnnWithLengths(String direction, long layout) {
        Tensor x = layout == 0 ? t3(2, 2, 1, 1, 3, 2, 9) : t3(2, 2, 1, 1, 2, 3, 9);
        int dirs = direction.equals("bidirectional") ? 2 : 1;
        float[] ones = new float[dirs];
        java.util.Arrays.fill(ones, 1);
        return run(recurrent("RNN", 22, attr("direction", direction), attr("layout", layout)),
                x, t3(dirs, 1, 1, ones), t3(dirs, 1, 1, ones), null,
                Tensor.of(new int[] {2, 1}, 2), null);
    }

    @Test
    void rnnStopsEachBatchEntryAtItsLength() {
        Value[] out = rnnWithLengths("forward", 0);
        double b0 = Math.tanh(2 + Math.tanh(1));
        // Y is [seq, dirs, batch, hidden]; the second entry's step 1 is padding and stays 0.
        assertValues(out[0], Math.tanh(1), Math.tanh(3), b0, 0);
        assertValues(out[1], b0, Math.tanh(3));
    }

    @Test
    void rnnReverseStartsAtEachEntrysLastStep() {
        Value[] out = rnnWithLengths("reverse", 0);
        double b0 = Math.tanh(1 + Math.tanh(2));
        assertValues(out[0], b0, Math.tanh(3), Math.tanh(2), 0);
        assertValues(out[1], b0, Math.tanh(3));
    }

    @Test
    void rnnBidirectionalStacksBothDirections() {
        Value[] out = rnnWithLengths("bidirectional", 0);
        assertThat(((Tensor) out[0]).shape()).containsExactly(2, 2, 2, 1);
        double forward = Math.tanh(2 + Math.tanh(1));
        double reverse = Math.tanh(1 + Math.tanh(2));
        assertValues(out[0], Math.tanh(1), Math.tanh(3), reverse, Math.tanh(3),
                forward, 0, Math.tanh(2), 0);
        assertValues(out[1], forward, Math.tanh(3), reverse, Math.tanh(3));
    }

    @Test
    void rnnLayoutOnePutsBatchFirst() {
        Value[] out = rnnWithLengths("forward", 1);
        double b0 = Math.tanh(2 + Math.tanh(1));
        assertThat(((Tensor) out[0]).shape()).containsExactly(2, 2, 1, 1);
        assertValues(out[0], Math.tanh(1), b0, Math.tanh(3), 0);
        assertThat(((Tensor) out[1]).shape()).containsExactly(2, 1, 1);
        assertValues(out[1], b0, Math.tanh(3));
    }

    @Test
    void rnnUsesActivationAlpha() {
        Value[] out = run(recurrent("RNN", 14, strings("activations", "LeakyRelu"),
                floats("activation_alpha", 0.1f)), t3(1, 1, 1, -1), t3(1, 1, 1, 1), t3(1, 1, 1, 1),
                null, null, null);
        assertValues(out[1], -0.1);
    }

    @Test
    void rnnActivationDefaultsMatchOperators() {
        Value[] out = run(recurrent("RNN", 14, strings("activations", "hardsigmoid")),
                t3(1, 1, 1, 1), t3(1, 1, 1, 1), t3(1, 1, 1, 1), null, null, null);
        assertValues(out[1], 0.2 * 1 + 0.5);
    }

    @Test
    void rnnKeepsFloat16() {
        short one = (short) FloatFormats.fromFloat(DataType.FLOAT16, 1f, false);
        Tensor x = Tensor.of(DataType.FLOAT16, new int[] {1, 1, 1}, new short[] {one});
        Value[] out = run(recurrent("RNN", 22), x, x, x, null, null, null);
        Tensor yh = (Tensor) out[1];
        assertThat(yh.type()).isEqualTo(DataType.FLOAT16);
        assertThat(yh.getDouble(0)).isCloseTo(Math.tanh(1), within(1e-3));
    }

    @Test
    void rnnRejectsWeightsOfWrongShape() {
        Kernel k = recurrent("RNN", 22, attr("hidden_size", 2L));
        assertThatThrownBy(() -> run(k, t3(1, 1, 1, 1), t3(1, 1, 1, 1), t3(1, 1, 1, 1), null, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input 'W' must have shape [1, 2, 1]");
    }

    @Test
    void rnnRejectsUnknownDirectionAndActivation() {
        assertThatThrownBy(() -> recurrent("RNN", 22, attr("direction", "sideways")))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("forward, reverse or bidirectional");
        assertThatThrownBy(() -> recurrent("RNN", 22, strings("activations", "Swish")))
                .isInstanceOf(UnsupportedOperatorException.class)
                .hasMessageContaining("Swish");
    }

    // ---- GRU ----

    private static Value[] gru(long linearBeforeReset) {
        Tensor w = t3(1, 3, 1, 1, 1, 1);
        Tensor r = t3(1, 3, 1, 0.5f, 0.5f, 0.5f);
        Tensor b = Tensor.of(new float[] {0, 0, 0, 0, 0, 0.3f}, 1, 6);
        return run(recurrent("GRU", 14, attr("linear_before_reset", linearBeforeReset)),
                t3(1, 1, 1, 1), w, r, b, null, t3(1, 1, 1, 0.5f));
    }

    @Test
    void gruAppliesResetBeforeRecurrence() {
        double z = sigmoid(1.25);
        double reset = sigmoid(1.25);
        double candidate = Math.tanh(1 + (reset * 0.5) * 0.5 + 0.3);
        assertValues(gru(0)[1], (1 - z) * candidate + z * 0.5);
    }

    @Test
    void gruLinearBeforeResetAppliesResetAfterRecurrence() {
        double z = sigmoid(1.25);
        double reset = sigmoid(1.25);
        double candidate = Math.tanh(1 + reset * (0.5 * 0.5 + 0.3));
        assertValues(gru(1)[1], (1 - z) * candidate + z * 0.5);
    }

    // ---- LSTM ----

    private static Value[] lstm(AttributeProto... attributes) {
        Tensor w = t3(1, 4, 1, 1, 2, 3, 4);
        Tensor r = Tensor.zeros(DataType.FLOAT, 1, 4, 1);
        Tensor p = Tensor.of(new float[] {0.1f, 0.2f, 0.3f}, 1, 3);
        return run(recurrent("LSTM", 22, attributes), t3(1, 1, 1, 1), w, r, null, null,
                t3(1, 1, 1, 0), t3(1, 1, 1, 0.5f), p);
    }

    @Test
    void lstmUsesPeepholesInGateOrderIofc() {
        Value[] out = lstm();
        double in = sigmoid(1 + 0.1 * 0.5);
        double forget = sigmoid(3 + 0.3 * 0.5);
        double cell = forget * 0.5 + in * Math.tanh(4);
        double output = sigmoid(2 + 0.2 * cell);
        assertValues(out[0], output * Math.tanh(cell));
        assertValues(out[1], output * Math.tanh(cell));
        assertValues(out[2], cell);
    }

    @Test
    void lstmInputForgetCouplesGates() {
        Value[] out = lstm(attr("input_forget", 1L));
        double in = sigmoid(1 + 0.1 * 0.5);
        double cell = (1 - in) * 0.5 + in * Math.tanh(4);
        assertValues(out[2], cell);
    }

    @Test
    void lstmClipBoundsGateInputs() {
        Value[] out = lstm(attr("clip", 0.5f));
        double gate = sigmoid(0.5);
        double cell = gate * 0.5 + gate * Math.tanh(0.5);
        assertValues(out[2], cell);
        assertValues(out[1], gate * Math.tanh(cell));
    }

    @Test
    void lstmWithoutOptionalInputsStartsFromZero() {
        Kernel k = kernel(node("LSTM", List.of("X", "W", "R"), List.of("", "Y_h")), 7);
        Tensor w = t3(1, 4, 1, 1, 1, 1, 1);
        Value[] out = run(k, t3(1, 1, 1, 1), w, Tensor.zeros(DataType.FLOAT, 1, 4, 1));
        double cell = sigmoid(1) * Math.tanh(1);
        assertValues(out[1], sigmoid(1) * Math.tanh(cell));
    }
}
