package dev.jonnx.runtime.ops.rnn;

import dev.jonnx.runtime.kernel.Sgemm;
import dev.jonnx.runtime.kernel.VectorMath;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * RNN, GRU and LSTM in float for the common case. That case needs constant float W, R and B,
 * the default activations (tanh for RNN, sigmoid and tanh for GRU, sigmoid, tanh and tanh for
 * LSTM) and no clip, and for LSTM no peepholes and no input_forget. The weights are transposed once at
 * session build, so a step is vector-times-matrix products into the gate pre-activations and
 * vectorized gate functions, with no allocation inside the sequence loop. Directions, both
 * layouts, initial states and GRU's linear_before_reset work as in {@link RecurrentKernel}; a
 * run with sequence_lens shorter than the sequence, or X that is not float, goes to that
 * general path. Results are computed in float, so they may differ from the general path,
 * which sums in double, in the last bits.
 */
final class RecurrentFloat {
    /** With at least this many rows of X, one matrix multiply computes W·x for every step. */
    private static final int GEMM_MIN_ROWS = 16;

    private final RecurrentKernel.Cell cell;
    private final boolean linearBeforeReset;
    private final int hidden;
    private final int inputSize;
    private final boolean[] reverse;
    private final boolean batchFirst;
    /** Per direction, W transposed: inputSize x gates * hidden. */
    private final float[][] inputWeights;
    /**
     * Per direction, R transposed: hidden x gates * hidden. For GRU only the z and r rows
     * (hidden x 2 * hidden), because the candidate's product reads the reset gate first.
     */
    private final float[][] recurrentWeights;
    /** Per direction, GRU's candidate rows of R transposed (hidden x hidden); null for the other cells. */
    private final float[][] candidateWeights;
    /**
     * Per direction, the bias added to the gate pre-activations: the W bias plus the R bias of
     * every gate row, except GRU's candidate rows, which get only the W bias.
     */
    private final float[][] bias;
    /** Per direction, GRU's R bias of the candidate rows; null for the other cells. */
    private final float[][] candidateBias;

    private RecurrentFloat(RecurrentKernel.Cell cell, boolean linearBeforeReset, int hidden, int inputSize,
            boolean[] reverse, boolean batchFirst, int dirs) {
        this.cell = cell;
        this.linearBeforeReset = linearBeforeReset;
        this.hidden = hidden;
        this.inputSize = inputSize;
        this.reverse = reverse;
        this.batchFirst = batchFirst;
        this.inputWeights = new float[dirs][];
        this.recurrentWeights = new float[dirs][];
        this.bias = new float[dirs][];
        boolean gru = cell == RecurrentKernel.Cell.GRU;
        this.candidateWeights = gru ? new float[dirs][] : null;
        this.candidateBias = gru ? new float[dirs][] : null;
    }

    /**
     * Prepares the fast path, or returns null when the weights do not fit it. W, R and B are
     * the constant inputs (B may be null when the node omits it); {@code hiddenSize} is the
     * attribute, or a value below 1 when the node does not set it.
     */
    static RecurrentFloat create(RecurrentKernel.Cell cell, boolean linearBeforeReset, int hiddenSize,
            boolean[] reverse, boolean batchFirst, Tensor w, Tensor r, Tensor b) {
        int dirs = reverse.length;
        if (w == null || r == null || w.type() != DataType.FLOAT || r.type() != DataType.FLOAT
                || w.rank() != 3 || r.rank() != 3 || (b != null && b.type() != DataType.FLOAT)) {
            return null;
        }
        int hidden = r.dim(2);
        int gateRows = cell.gates * hidden;
        int inputSize = w.dim(2);
        if (hidden == 0 || (hiddenSize > 0 && hiddenSize != hidden)
                || !Arrays.equals(w.shape(), new int[] {dirs, gateRows, inputSize})
                || !Arrays.equals(r.shape(), new int[] {dirs, gateRows, hidden})
                || (b != null && !Arrays.equals(b.shape(), new int[] {dirs, 2 * gateRows}))) {
            return null; // the general path reports the mismatch at run time
        }
        RecurrentFloat fast = new RecurrentFloat(cell, linearBeforeReset, hidden, inputSize, reverse, batchFirst,
                dirs);
        // GRU keeps its candidate rows (the last hidden rows of R and of the R bias) apart.
        int directRows = cell == RecurrentKernel.Cell.GRU ? 2 * hidden : gateRows;
        float[] bs = b == null ? null : b.floats();
        for (int d = 0; d < dirs; d++) {
            fast.inputWeights[d] = transpose(w.floats(), d * gateRows * inputSize, gateRows, inputSize);
            fast.recurrentWeights[d] = transpose(r.floats(), d * gateRows * hidden, directRows, hidden);
            float[] gateBias = new float[gateRows];
            if (bs != null) {
                int base = d * 2 * gateRows;
                for (int j = 0; j < gateRows; j++) {
                    gateBias[j] = bs[base + j] + (j < directRows ? bs[base + gateRows + j] : 0f);
                }
            }
            fast.bias[d] = gateBias;
            if (fast.candidateWeights != null) {
                fast.candidateWeights[d] = transpose(r.floats(), (d * gateRows + directRows) * hidden, hidden,
                        hidden);
                fast.candidateBias[d] = bs == null ? new float[hidden]
                        : Arrays.copyOfRange(bs, d * 2 * gateRows + gateRows + directRows, (d + 1) * 2 * gateRows);
            }
        }
        return fast;
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
     * Runs the node, or returns null when these inputs need the general path. They do when X is
     * not a float tensor of the expected rank and input size, or when sequence_lens ends a batch
     * entry early. They also do when an initial state has an unexpected type or shape, which the
     * general path then reports. Returns Y, Y_h and, for LSTM, Y_c, with null for the outputs
     * the node omits.
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
        boolean lstm = cell == RecurrentKernel.Cell.LSTM;
        int[] stateShape = batchFirst ? new int[] {batch, dirs, hidden} : new int[] {dirs, batch, hidden};
        float[] h0 = state(inputs, 5, stateShape);
        float[] c0 = lstm ? state(inputs, 6, stateShape) : null;
        if ((h0 == null && inputs.length > 5 && inputs[5] != null)
                || (lstm && c0 == null && inputs.length > 6 && inputs[6] != null)) {
            return null;
        }
        RecurrentKernel.Shape s = new RecurrentKernel.Shape(seq, batch, inputSize, hidden, dirs, batchFirst);
        int stateSize = dirs * batch * hidden;
        float[] y = wantY ? ctx.newFloats(seq * stateSize) : null;
        float[] yh = ctx.newFloats(stateSize);
        float[] yc = lstm ? ctx.newFloats(stateSize) : null;
        Scratch scratch = new Scratch(seq * batch >= GEMM_MIN_ROWS ? seq * batch : 0, batch, ctx);
        for (int d = 0; d < dirs; d++) {
            runDirection(d, x.floats(), s, h0, c0, y, yh, yc, scratch, ctx);
        }

        int[] yShape = batchFirst ? new int[] {batch, seq, dirs, hidden} : new int[] {seq, dirs, batch, hidden};
        Tensor yOut = y == null ? null : Tensor.of(DataType.FLOAT, yShape, y);
        Tensor yhOut = wantH ? Tensor.of(DataType.FLOAT, stateShape, yh) : null;
        if (!lstm) {
            return new Value[] {yOut, yhOut};
        }
        return new Value[] {yOut, yhOut, wantC ? Tensor.of(DataType.FLOAT, stateShape, yc) : null};
    }

    /**
     * Buffers of one run, shared by its directions. They come from the run's arena, so every
     * element is written before it is read.
     */
    private final class Scratch {
        /** W·x of every row of X when the whole sequence is projected at once, else null. */
        final float[] projected;
        final float[] h;
        /** The LSTM cell state; unused by the other cells. */
        final float[] c;
        final float[] gates;
        /** One row of hidden values: tanh of the LSTM cell, or GRU's reset-gated state or product. */
        final float[] row;

        Scratch(int projectedRows, int batch, RunContext ctx) {
            int gateRows = cell.gates * hidden;
            projected = projectedRows > 0 ? ctx.newFloats(projectedRows * gateRows) : null;
            h = ctx.newFloats(batch * hidden);
            c = ctx.newFloats(batch * hidden);
            gates = ctx.newFloats(batch * gateRows);
            row = ctx.newFloats(hidden);
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
            int gateRows = cell.gates * hidden;
            Sgemm.multiply(seq * batch, gateRows, inputSize, new Sgemm.Operand(xs, 0, inputSize, false),
                    new Sgemm.Operand(inputWeights[d], 0, gateRows, false), scratch.projected, 0, gateRows,
                    false, ctx.pool(), ctx.threads());
        }

        for (int step = 0; step < seq; step++) {
            ctx.checkCancelled();
            int t = reverse[d] ? seq - 1 - step : step;
            for (int bi = 0; bi < batch; bi++) {
                int xRow = batchFirst ? bi * seq + t : t * batch + bi;
                int g = inputGates(d, xs, xRow, scratch.projected, scratch.gates, bi);
                switch (cell) {
                    case RNN -> rnnStep(d, h, scratch.gates, g, bi);
                    case GRU -> gruStep(d, h, scratch.gates, g, scratch.row, bi);
                    case LSTM -> lstmStep(d, h, c, scratch.gates, g, scratch.row, bi);
                }
                if (y != null) {
                    System.arraycopy(h, bi * hidden, y, s.output(t, d, bi, 0), hidden);
                }
            }
        }
        for (int bi = 0; bi < batch; bi++) {
            System.arraycopy(h, bi * hidden, yh, s.state(d, bi, 0), hidden);
            if (yc != null) {
                System.arraycopy(c, bi * hidden, yc, s.state(d, bi, 0), hidden);
            }
        }
    }

    /**
     * Sets batch entry {@code b}'s gate rows to the bias plus W·x for row {@code xRow} of X, and
     * returns the offset of those rows in {@code gates}.
     */
    private int inputGates(int d, float[] xs, int xRow, float[] projected, float[] gates, int b) {
        int gateRows = cell.gates * hidden;
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
        return g;
    }

    private void rnnStep(int d, float[] h, float[] gates, int g, int b) {
        int hb = b * hidden;
        GateProduct.accumulate(h, hb, hidden, recurrentWeights[d], hidden, gates, g);
        VectorMath.tanh(gates, g, h, hb, hidden);
    }

    private void gruStep(int d, float[] h, float[] gates, int g, float[] row, int b) {
        int hb = b * hidden;
        // Gate rows are z, r, then the candidate: z and r read R·h directly.
        GateProduct.accumulate(h, hb, hidden, recurrentWeights[d], 2 * hidden, gates, g);
        VectorMath.sigmoid(gates, g, gates, g, 2 * hidden);
        int reset = g + hidden;
        int candidate = g + 2 * hidden;
        float[] rb = candidateBias[d];
        if (linearBeforeReset) {
            // candidate += r ⊙ (Rh·h + Rbh)
            System.arraycopy(rb, 0, row, 0, hidden);
            GateProduct.accumulate(h, hb, hidden, candidateWeights[d], hidden, row, 0);
            for (int j = 0; j < hidden; j++) {
                gates[candidate + j] += gates[reset + j] * row[j];
            }
        } else {
            // candidate += Rh·(r ⊙ h) + Rbh
            for (int j = 0; j < hidden; j++) {
                row[j] = gates[reset + j] * h[hb + j];
                gates[candidate + j] += rb[j];
            }
            GateProduct.accumulate(row, 0, hidden, candidateWeights[d], hidden, gates, candidate);
        }
        VectorMath.tanh(gates, candidate, gates, candidate, hidden);
        for (int j = 0; j < hidden; j++) {
            float z = gates[g + j];
            h[hb + j] = (1 - z) * gates[candidate + j] + z * h[hb + j];
        }
    }

    private void lstmStep(int d, float[] h, float[] c, float[] gates, int g, float[] cellTanh, int b) {
        int hb = b * hidden;
        GateProduct.accumulate(h, hb, hidden, recurrentWeights[d], 4 * hidden, gates, g);
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
