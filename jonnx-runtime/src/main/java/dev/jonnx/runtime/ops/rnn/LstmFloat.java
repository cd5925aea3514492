package dev.jonnx.runtime.ops.rnn;

import dev.jonnx.runtime.kernel.Sgemm;
import dev.jonnx.runtime.kernel.VectorMath;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * LSTM in float for the common case: constant float W, R and B, no peepholes, the default
 * activations (sigmoid, tanh, tanh), no clip and no input_forget. The weights are transposed
 * once at session build, so a step is two vector-times-matrix products into the gate
 * pre-activations and vectorized gate functions, with no allocation inside the sequence loop.
 * Directions, both layouts and initial states work as in {@link RecurrentKernel}; a run with
 * sequence_lens shorter than the sequence, or X that is not float, goes to that general path.
 * Results are computed in float, so they may differ from the general path, which sums in
 * double, in the last bits.
 */
final class LstmFloat {
    /** With at least this many rows of X, one matrix multiply computes W·x for every step. */
    private static final int GEMM_MIN_ROWS = 16;

    private final int hidden;
    private final int inputSize;
    private final boolean[] reverse;
    private final boolean batchFirst;
    /** Per direction, W transposed: inputSize x 4 * hidden. */
    private final float[][] inputWeights;
    /** Per direction, R transposed: hidden x 4 * hidden. */
    private final float[][] recurrentWeights;
    /** Per direction, the W bias plus the R bias of every gate row. */
    private final float[][] bias;

    private LstmFloat(int hidden, int inputSize, boolean[] reverse, boolean batchFirst,
            float[][] inputWeights, float[][] recurrentWeights, float[][] bias) {
        this.hidden = hidden;
        this.inputSize = inputSize;
        this.reverse = reverse;
        this.batchFirst = batchFirst;
        this.inputWeights = inputWeights;
        this.recurrentWeights = recurrentWeights;
        this.bias = bias;
    }

    /**
     * Prepares the fast path, or returns null when the node needs the general one. W, R and B
     * are the constant inputs (B may be null when the node omits it); {@code hiddenSize} is the
     * attribute, or a value below 1 when the node does not set it.
     */
    static LstmFloat create(int hiddenSize, boolean[] reverse, boolean batchFirst, Tensor w, Tensor r,
            Tensor b) {
        int dirs = reverse.length;
        if (w == null || r == null || w.type() != DataType.FLOAT || r.type() != DataType.FLOAT
                || w.rank() != 3 || r.rank() != 3 || (b != null && b.type() != DataType.FLOAT)) {
            return null;
        }
        int hidden = r.dim(2);
        int gateRows = 4 * hidden;
        int inputSize = w.dim(2);
        if (hidden == 0 || (hiddenSize > 0 && hiddenSize != hidden)
                || !Arrays.equals(w.shape(), new int[] {dirs, gateRows, inputSize})
                || !Arrays.equals(r.shape(), new int[] {dirs, gateRows, hidden})
                || (b != null && !Arrays.equals(b.shape(), new int[] {dirs, 2 * gateRows}))) {
            return null; // the general path reports the mismatch at run time
        }
        float[][] inputWeights = new float[dirs][];
        float[][] recurrentWeights = new float[dirs][];
        float[][] biases = new float[dirs][];
        for (int d = 0; d < dirs; d++) {
            inputWeights[d] = transpose(w.floats(), d * gateRows * inputSize, gateRows, inputSize);
            recurrentWeights[d] = transpose(r.floats(), d * gateRows * hidden, gateRows, hidden);
            biases[d] = new float[gateRows];
            if (b != null) {
                float[] bs = b.floats();
                int base = d * 2 * gateRows;
                for (int j = 0; j < gateRows; j++) {
                    biases[d][j] = bs[base + j] + bs[base + gateRows + j];
                }
            }
        }
        return new LstmFloat(hidden, inputSize, reverse, batchFirst, inputWeights, recurrentWeights, biases);
    }

    /** Returns the rows x cols block at {@code offset} of {@code data}, transposed. */
    private static float[] transpose(float[] data, int offset, int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = data[offset + i * cols + j];
            }
        }
        return t;
    }

    /**
     * Runs the node, or returns null when these inputs need the general path. That is the case
     * when X is not a float tensor of the expected rank and input size, when sequence_lens ends
     * a batch entry early, or when an initial state has an unexpected type or shape (which the
     * general path then reports).
     */
    Value[] run(Value[] inputs, RunContext ctx, boolean wantY, boolean wantH, boolean wantC) {
        if (!(inputs[0] instanceof Tensor x) || x.type() != DataType.FLOAT || x.rank() != 3
                || x.dim(2) != inputSize) {
            return null;
        }
        int seq = batchFirst ? x.dim(1) : x.dim(0);
        int batch = batchFirst ? x.dim(0) : x.dim(1);
        int dirs = reverse.length;
        if (inputs.length > 4 && inputs[4] != null && !fullLengths(inputs[4], batch, seq)) {
            return null;
        }
        int[] stateShape = batchFirst ? new int[] {batch, dirs, hidden} : new int[] {dirs, batch, hidden};
        float[] h0 = state(inputs, 5, stateShape);
        float[] c0 = state(inputs, 6, stateShape);
        if ((h0 == null && inputs.length > 5 && inputs[5] != null)
                || (c0 == null && inputs.length > 6 && inputs[6] != null)) {
            return null;
        }
        RecurrentKernel.Shape s = new RecurrentKernel.Shape(seq, batch, inputSize, hidden, dirs, batchFirst);
        int stateSize = dirs * batch * hidden;
        float[] y = wantY ? ctx.newFloats(seq * stateSize) : null;
        float[] yh = ctx.newFloats(stateSize);
        float[] yc = ctx.newFloats(stateSize);
        Scratch scratch = new Scratch(seq * batch >= GEMM_MIN_ROWS ? seq * batch : 0, batch);
        for (int d = 0; d < dirs; d++) {
            runDirection(d, x.floats(), s, h0, c0, y, yh, yc, scratch, ctx);
        }

        int[] yShape = batchFirst ? new int[] {batch, seq, dirs, hidden} : new int[] {seq, dirs, batch, hidden};
        return new Value[] {
            y == null ? null : Tensor.of(DataType.FLOAT, yShape, y),
            wantH ? Tensor.of(DataType.FLOAT, stateShape, yh) : null,
            wantC ? Tensor.of(DataType.FLOAT, stateShape, yc) : null
        };
    }

    /** Buffers of one run, shared by its directions. */
    private final class Scratch {
        /** W·x of every row of X when the whole sequence is projected at once, else null. */
        final float[] projected;
        final float[] h;
        final float[] c;
        final float[] gates;
        final float[] cellTanh;

        Scratch(int projectedRows, int batch) {
            projected = projectedRows > 0 ? new float[projectedRows * 4 * hidden] : null;
            h = new float[batch * hidden];
            c = new float[batch * hidden];
            gates = new float[batch * 4 * hidden];
            cellTanh = new float[hidden];
        }
    }

    /** Runs direction {@code d} over the whole sequence, writing its part of Y, Y_h and Y_c. */
    private void runDirection(int d, float[] xs, RecurrentKernel.Shape s, float[] h0, float[] c0, float[] y,
            float[] yh, float[] yc, Scratch scratch, RunContext ctx) {
        int seq = s.seq();
        int batch = s.batch();
        float[] h = scratch.h;
        float[] c = scratch.c;
        for (int bi = 0; bi < batch; bi++) {
            int from = s.state(d, bi, 0);
            copyOrZero(h0, from, h, bi * hidden, hidden);
            copyOrZero(c0, from, c, bi * hidden, hidden);
        }
        if (scratch.projected != null) {
            // Row (t, b) of X is row (t, b) of the projection, in X's own layout.
            int gateRows = 4 * hidden;
            Sgemm.multiply(seq * batch, gateRows, inputSize, new Sgemm.Operand(xs, 0, inputSize, false),
                    new Sgemm.Operand(inputWeights[d], 0, gateRows, false), scratch.projected, 0, gateRows,
                    false, ctx.pool(), ctx.threads());
        }

        for (int step = 0; step < seq; step++) {
            ctx.checkCancelled();
            int t = reverse[d] ? seq - 1 - step : step;
            for (int bi = 0; bi < batch; bi++) {
                int xRow = batchFirst ? bi * seq + t : t * batch + bi;
                step(d, xs, xRow, scratch.projected, h, c, scratch.gates, scratch.cellTanh, bi);
                if (y != null) {
                    System.arraycopy(h, bi * hidden, y, s.output(t, d, bi, 0), hidden);
                }
            }
        }
        for (int bi = 0; bi < batch; bi++) {
            System.arraycopy(h, bi * hidden, yh, s.state(d, bi, 0), hidden);
            System.arraycopy(c, bi * hidden, yc, s.state(d, bi, 0), hidden);
        }
    }

    /** Advances batch entry {@code b} of direction {@code d} by one step on row {@code xRow} of X. */
    private void step(int d, float[] xs, int xRow, float[] projected, float[] h, float[] c, float[] gates,
            float[] cellTanh, int b) {
        int gateRows = 4 * hidden;
        int g = b * gateRows;
        float[] gateBias = bias[d];
        if (projected != null) {
            int from = xRow * gateRows;
            for (int j = 0; j < gateRows; j++) {
                gates[g + j] = projected[from + j] + gateBias[j];
            }
        } else {
            System.arraycopy(gateBias, 0, gates, g, gateRows);
            GateProduct.accumulate(xs, xRow * inputSize, inputSize, inputWeights[d], gateRows, gates, g);
        }
        int hb = b * hidden;
        GateProduct.accumulate(h, hb, hidden, recurrentWeights[d], gateRows, gates, g);
        // Gate rows are i, o, f, then the candidate c: sigmoid on the first three, tanh on the last.
        VectorMath.sigmoid(gates, g, gates, g, 3 * hidden);
        VectorMath.tanh(gates, g + 3 * hidden, gates, g + 3 * hidden, hidden);
        int in = g;
        int forget = g + 2 * hidden;
        int candidate = g + 3 * hidden;
        for (int j = 0; j < hidden; j++) {
            c[hb + j] = gates[forget + j] * c[hb + j] + gates[in + j] * gates[candidate + j];
        }
        VectorMath.tanh(c, hb, cellTanh, 0, hidden);
        int out = g + hidden;
        for (int j = 0; j < hidden; j++) {
            h[hb + j] = gates[out + j] * cellTanh[j];
        }
    }

    private static boolean fullLengths(Value value, int batch, int seq) {
        if (!(value instanceof Tensor lens) || lens.rank() != 1 || lens.size() != batch) {
            return false;
        }
        for (int i = 0; i < batch; i++) {
            if (lens.getLong(i) != seq) {
                return false;
            }
        }
        return true;
    }

    /** Returns the float storage of initial state input {@code index}, or null when absent or invalid. */
    private static float[] state(Value[] inputs, int index, int[] shape) {
        if (index >= inputs.length || !(inputs[index] instanceof Tensor t) || t.type() != DataType.FLOAT
                || !Arrays.equals(t.shape(), shape)) {
            return null;
        }
        return t.floats();
    }

    private static void copyOrZero(float[] from, int fromOffset, float[] to, int toOffset, int length) {
        if (from == null) {
            Arrays.fill(to, toOffset, toOffset + length, 0f);
        } else {
            System.arraycopy(from, fromOffset, to, toOffset, length);
        }
    }
}
