package dev.jonnx.runtime.ops.rnn;

import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * RNN, GRU and LSTM over a whole sequence, forward, reverse or bidirectional, with optional
 * per-batch sequence lengths. This general path computes every element type in double and
 * rounds once at the end. Float nodes with constant weights and default activations take
 * {@link RecurrentFloat} instead, which computes in float.
 *
 * <p>Gate order in W, R and B follows ONNX: one gate for RNN, z r h for GRU and i o f c for
 * LSTM. B contains the W biases of all gates, then the R biases. Positions past a batch entry's
 * sequence length produce zeros in Y, and that entry's Y_h and Y_c keep the state after its
 * last valid step. In reverse direction a batch entry runs from its own last valid position
 * back to 0.
 */
final class RecurrentKernel {
    private RecurrentKernel() {}

    enum Cell {
        RNN(1, 1, new String[] {"Tanh"}),
        GRU(3, 2, new String[] {"Sigmoid", "Tanh"}),
        LSTM(4, 3, new String[] {"Sigmoid", "Tanh", "Tanh"});

        final int gates;
        final int activationCount;
        final String[] defaultActivations;

        Cell(int gates, int activationCount, String[] defaultActivations) {
            this.gates = gates;
            this.activationCount = activationCount;
            this.defaultActivations = defaultActivations;
        }
    }

    /** The attributes of one node, parsed once. */
    record Config(Cell cell, int hiddenSize, boolean[] reverse, Activation[][] activations,
            double clip, boolean batchFirst, boolean inputForget, boolean linearBeforeReset) {

        int directions() {
            return reverse.length;
        }
    }

    static Kernel create(NodeContext node, Cell cell) {
        Config config = parse(node, cell);
        RecurrentFloat fast = fastPath(node, config);
        if (fast == null) {
            return (inputs, ctx) -> run(config, inputs, ctx);
        }
        boolean wantY = node.hasOutput(0);
        boolean wantH = node.hasOutput(1);
        boolean wantC = node.hasOutput(2);
        return (inputs, ctx) -> {
            Value[] outputs = fast.run(inputs, ctx, wantY, wantH, wantC);
            return outputs != null ? outputs : run(config, inputs, ctx);
        };
    }

    /** Parses and validates the node's attributes. */
    static Config parse(NodeContext node, Cell cell) {
        long hidden = node.getInt("hidden_size", -1);
        if (node.hasAttribute("hidden_size") && hidden <= 0) {
            throw node.error("attribute 'hidden_size' must be positive, got " + hidden);
        }
        String direction = node.getString("direction", "forward");
        boolean[] reverse = switch (direction) {
            case "forward" -> new boolean[] {false};
            case "reverse" -> new boolean[] {true};
            case "bidirectional" -> new boolean[] {false, true};
            default -> throw node.error("attribute 'direction' must be forward, reverse or"
                    + " bidirectional, got '" + direction + "'");
        };
        long layout = node.getInt("layout", 0);
        if (layout != 0 && layout != 1) {
            throw node.error("attribute 'layout' must be 0 or 1, got " + layout);
        }
        double clip = Double.POSITIVE_INFINITY;
        if (node.hasAttribute("clip")) {
            clip = node.getFloat("clip");
            if (!(clip > 0)) {
                throw node.error("attribute 'clip' must be positive, got " + clip);
            }
        }
        long inputForget = cell == Cell.LSTM ? node.getInt("input_forget", 0) : 0;
        long linearBeforeReset = cell == Cell.GRU ? node.getInt("linear_before_reset", 0) : 0;
        Activation[][] activations = activations(node, cell, reverse.length);
        return new Config(cell, (int) hidden, reverse, activations, clip, layout == 1,
                inputForget != 0, linearBeforeReset != 0);
    }

    /**
     * Prepares {@link RecurrentFloat} when the node's attributes and constant weights allow it,
     * or returns null.
     */
    static RecurrentFloat fastPath(NodeContext node, Config c) {
        boolean lstmExtras = c.cell == Cell.LSTM && (c.inputForget || node.hasInput(7));
        if (lstmExtras || c.clip != Double.POSITIVE_INFINITY
                || (node.hasInput(3) && node.constantInput(3) == null)) {
            return null;
        }
        for (Activation[] perDirection : c.activations) {
            for (int k = 0; k < perDirection.length; k++) {
                if (!perDirection[k].kind().name().equalsIgnoreCase(c.cell.defaultActivations[k])) {
                    return null;
                }
            }
        }
        return RecurrentFloat.create(c.cell, c.linearBeforeReset, c.hiddenSize, c.reverse, c.batchFirst,
                node.constantInput(1), node.constantInput(2), node.hasInput(3) ? node.constantInput(3) : null);
    }

    /** Parses the activations with their alphas and betas, per direction. */
    private static Activation[][] activations(NodeContext node, Cell cell, int directions) {
        int perDirection = cell.activationCount;
        String[] names = node.getStrings("activations", null);
        if (names == null) {
            names = new String[perDirection * directions];
            for (int d = 0; d < directions; d++) {
                System.arraycopy(cell.defaultActivations, 0, names, d * perDirection, perDirection);
            }
        } else if (names.length == perDirection && directions == 2) {
            // One list for both directions, as some exporters write it.
            String[] both = new String[perDirection * 2];
            System.arraycopy(names, 0, both, 0, perDirection);
            System.arraycopy(names, 0, both, perDirection, perDirection);
            names = both;
        } else if (names.length != perDirection * directions) {
            throw node.error("attribute 'activations' must list " + perDirection * directions
                    + " functions (" + perDirection + " per direction), got " + names.length);
        }
        float[] alphas = node.getFloats("activation_alpha", new float[0]);
        float[] betas = node.getFloats("activation_beta", new float[0]);
        int nextAlpha = 0;
        int nextBeta = 0;
        Activation[][] out = new Activation[directions][perDirection];
        for (int k = 0; k < names.length; k++) {
            Activation.Kind kind = Activation.kindOf(names[k]);
            if (kind == null) {
                throw node.unsupported("activation function '" + names[k] + "'");
            }
            double alpha = Activation.defaultAlpha(kind);
            double beta = Activation.defaultBeta(kind);
            if (Activation.takesAlpha(kind) && nextAlpha < alphas.length) {
                alpha = alphas[nextAlpha++];
            }
            if (Activation.takesBeta(kind) && nextBeta < betas.length) {
                beta = betas[nextBeta++];
            }
            out[k / perDirection][k % perDirection] = new Activation(kind, alpha, beta);
        }
        return out;
    }

    private static Tensor required(Value[] inputs, int index, String name) {
        if (index >= inputs.length || inputs[index] == null) {
            throw new IllegalArgumentException("input '" + name + "' is required");
        }
        if (!(inputs[index] instanceof Tensor t)) {
            throw new IllegalArgumentException("input '" + name + "' must be a tensor, got "
                    + inputs[index].describe());
        }
        return t;
    }

    private static Tensor optional(Value[] inputs, int index, String name) {
        return index < inputs.length && inputs[index] != null ? required(inputs, index, name) : null;
    }

    private static void expectShape(Tensor t, String name, int... shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("input '" + name + "' must have shape "
                    + Arrays.toString(shape) + ", got " + t.describe());
        }
    }

    private static Value[] run(Config c, Value[] inputs, RunContext ctx) {
        Tensor x = required(inputs, 0, "X");
        Tensor w = required(inputs, 1, "W");
        Tensor r = required(inputs, 2, "R");
        if (x.rank() != 3) {
            throw new IllegalArgumentException("input 'X' must have rank 3, got " + x.describe());
        }
        DataType type = x.type();
        if (!type.isFloatingPoint()) {
            throw new IllegalArgumentException("input 'X' must have a floating-point type, got "
                    + x.describe());
        }
        int seq = c.batchFirst ? x.dim(1) : x.dim(0);
        int batch = c.batchFirst ? x.dim(0) : x.dim(1);
        int inputSize = x.dim(2);
        int dirs = c.directions();
        int gates = c.cell.gates;
        if (r.rank() != 3) {
            throw new IllegalArgumentException("input 'R' must have rank 3, got " + r.describe());
        }
        int hidden = c.hiddenSize > 0 ? c.hiddenSize : r.dim(2);
        expectShape(w, "W", dirs, gates * hidden, inputSize);
        expectShape(r, "R", dirs, gates * hidden, hidden);
        Tensor b = optional(inputs, 3, "B");
        if (b != null) {
            expectShape(b, "B", dirs, 2 * gates * hidden);
        }
        Tensor lens = optional(inputs, 4, "sequence_lens");
        int[] lengths = new int[batch];
        Arrays.fill(lengths, seq);
        if (lens != null) {
            expectShape(lens, "sequence_lens", batch);
            for (int i = 0; i < batch; i++) {
                long n = lens.getLong(i);
                if (n < 0 || n > seq) {
                    throw new IllegalArgumentException("sequence_lens[" + i + "] is " + n
                            + ", but it must be between 0 and the sequence length " + seq);
                }
                lengths[i] = (int) n;
            }
        }
        int[] stateShape = c.batchFirst ? new int[] {batch, dirs, hidden} : new int[] {dirs, batch, hidden};
        Tensor h0 = optional(inputs, 5, "initial_h");
        if (h0 != null) {
            expectShape(h0, "initial_h", stateShape);
        }
        Tensor c0 = null;
        Tensor p = null;
        if (c.cell == Cell.LSTM) {
            c0 = optional(inputs, 6, "initial_c");
            if (c0 != null) {
                expectShape(c0, "initial_c", stateShape);
            }
            p = optional(inputs, 7, "P");
            if (p != null) {
                expectShape(p, "P", dirs, 3 * hidden);
            }
        }

        double[] xs = x.toDoubleArray();
        double[] ws = w.toDoubleArray();
        double[] rs = r.toDoubleArray();
        double[] bs = b == null ? null : b.toDoubleArray();
        double[] h0s = h0 == null ? null : h0.toDoubleArray();
        double[] c0s = c0 == null ? null : c0.toDoubleArray();
        double[] ps = p == null ? null : p.toDoubleArray();

        double[] y = new double[seq * dirs * batch * hidden];
        double[] yh = new double[dirs * batch * hidden];
        double[] yc = new double[dirs * batch * hidden];
        Shape s = new Shape(seq, batch, inputSize, hidden, dirs, c.batchFirst);
        for (int d = 0; d < dirs; d++) {
            double[] h = new double[batch * hidden];
            double[] cell = new double[batch * hidden];
            for (int bi = 0; bi < batch; bi++) {
                for (int j = 0; j < hidden; j++) {
                    int from = s.state(d, bi, j);
                    h[bi * hidden + j] = h0s == null ? 0 : h0s[from];
                    cell[bi * hidden + j] = c0s == null ? 0 : c0s[from];
                }
            }
            Direction dir = new Direction(c, s, d, ws, rs, bs, ps, c.activations[d]);
            for (int step = 0; step < seq; step++) {
                ctx.checkCancelled();
                for (int bi = 0; bi < batch; bi++) {
                    if (step >= lengths[bi]) {
                        continue;
                    }
                    int t = c.reverse[d] ? lengths[bi] - 1 - step : step;
                    dir.step(xs, s.input(t, bi), h, cell, bi);
                    for (int j = 0; j < hidden; j++) {
                        y[s.output(t, d, bi, j)] = h[bi * hidden + j];
                    }
                }
            }
            for (int bi = 0; bi < batch; bi++) {
                for (int j = 0; j < hidden; j++) {
                    yh[s.state(d, bi, j)] = h[bi * hidden + j];
                    yc[s.state(d, bi, j)] = cell[bi * hidden + j];
                }
            }
        }
        int[] yShape = c.batchFirst ? new int[] {batch, seq, dirs, hidden} : new int[] {seq, dirs, batch, hidden};
        Tensor yOut = Tensor.fromDoubles(type, yShape, y);
        Tensor yhOut = Tensor.fromDoubles(type, stateShape, yh);
        if (c.cell != Cell.LSTM) {
            return new Value[] {yOut, yhOut};
        }
        return new Value[] {yOut, yhOut, Tensor.fromDoubles(type, stateShape, yc)};
    }

    /** Index arithmetic for X, Y and the states in either layout. */
    record Shape(int seq, int batch, int inputSize, int hidden, int dirs, boolean batchFirst) {

        /** Returns the offset of row (t, b) of X. */
        int input(int t, int b) {
            return (batchFirst ? b * seq + t : t * batch + b) * inputSize;
        }

        int output(int t, int d, int b, int j) {
            return (batchFirst ? ((b * seq + t) * dirs + d) : ((t * dirs + d) * batch + b)) * hidden + j;
        }

        int state(int d, int b, int j) {
            return (batchFirst ? b * dirs + d : d * batch + b) * hidden + j;
        }
    }

    /** The weights of one direction and the scratch buffers of one step. */
    private static final class Direction {
        private final Config c;
        private final int inputSize;
        private final int hidden;
        private final int gates;
        private final double[] w;
        private final int wOffset;
        private final double[] r;
        private final int rOffset;
        private final double[] bias;
        private final double[] peephole;
        private final Activation f;
        private final Activation g;
        private final Activation h;
        /** W·x + Wb per gate row. */
        private final double[] xw;
        /** R·h + Rb per gate row. */
        private final double[] hr;
        private final double[] gated;

        Direction(Config c, Shape s, int d, double[] w, double[] r, double[] b, double[] p,
                Activation[] activations) {
            this.c = c;
            this.inputSize = s.inputSize;
            this.hidden = s.hidden;
            this.gates = c.cell.gates;
            this.w = w;
            this.wOffset = d * gates * hidden * inputSize;
            this.r = r;
            this.rOffset = d * gates * hidden * hidden;
            this.bias = new double[2 * gates * hidden];
            if (b != null) {
                System.arraycopy(b, d * 2 * gates * hidden, bias, 0, bias.length);
            }
            this.peephole = new double[3 * hidden];
            if (p != null) {
                System.arraycopy(p, d * 3 * hidden, peephole, 0, peephole.length);
            }
            this.f = activations[0];
            this.g = activations.length > 1 ? activations[1] : null;
            this.h = activations.length > 2 ? activations[2] : null;
            this.xw = new double[gates * hidden];
            this.hr = new double[gates * hidden];
            this.gated = new double[hidden];
        }

        private double clip(double v) {
            return Math.max(-c.clip, Math.min(c.clip, v));
        }

        /** Advances batch entry {@code b} by one step, updating its rows of {@code hs} and {@code cs}. */
        void step(double[] x, int xOffset, double[] hs, double[] cs, int b) {
            int hBase = b * hidden;
            for (int row = 0; row < gates * hidden; row++) {
                double sum = bias[row];
                int wRow = wOffset + row * inputSize;
                for (int i = 0; i < inputSize; i++) {
                    sum += w[wRow + i] * x[xOffset + i];
                }
                xw[row] = sum;
                double rec = bias[gates * hidden + row];
                int rRow = rOffset + row * hidden;
                for (int j = 0; j < hidden; j++) {
                    rec += r[rRow + j] * hs[hBase + j];
                }
                hr[row] = rec;
            }
            switch (c.cell) {
                case RNN -> {
                    for (int j = 0; j < hidden; j++) {
                        hs[hBase + j] = f.apply(clip(xw[j] + hr[j]));
                    }
                }
                case GRU -> gru(hs, hBase);
                case LSTM -> lstm(hs, cs, hBase);
            }
        }

        private void gru(double[] hs, int hBase) {
            // Gates z (0), r (1), h (2). The reset gate goes to gated[], and the candidate
            // overwrites hr's r rows, which are no longer needed once the reset gate is known.
            for (int j = 0; j < hidden; j++) {
                gated[j] = f.apply(clip(xw[hidden + j] + hr[hidden + j]));
            }
            int hGate = 2 * hidden;
            for (int j = 0; j < hidden; j++) {
                double recurrent;
                if (c.linearBeforeReset) {
                    recurrent = gated[j] * hr[hGate + j];
                } else {
                    double sum = bias[gates * hidden + hGate + j];
                    int rRow = rOffset + (hGate + j) * hidden;
                    for (int k = 0; k < hidden; k++) {
                        sum += r[rRow + k] * gated[k] * hs[hBase + k];
                    }
                    recurrent = sum;
                }
                hr[hidden + j] = g.apply(clip(xw[hGate + j] + recurrent));
            }
            for (int j = 0; j < hidden; j++) {
                double z = f.apply(clip(xw[j] + hr[j]));
                hs[hBase + j] = (1 - z) * hr[hidden + j] + z * hs[hBase + j];
            }
        }

        private void lstm(double[] hs, double[] cs, int hBase) {
            // Gates i (0), o (1), f (2), c (3); peepholes i, o, f.
            for (int j = 0; j < hidden; j++) {
                double previous = cs[hBase + j];
                double in = f.apply(clip(xw[j] + hr[j] + peephole[j] * previous));
                double forget = c.inputForget
                        ? 1 - in
                        : f.apply(clip(xw[2 * hidden + j] + hr[2 * hidden + j]
                                + peephole[2 * hidden + j] * previous));
                double candidate = g.apply(clip(xw[3 * hidden + j] + hr[3 * hidden + j]));
                double next = forget * previous + in * candidate;
                double out = f.apply(clip(xw[hidden + j] + hr[hidden + j] + peephole[hidden + j] * next));
                cs[hBase + j] = next;
                hs[hBase + j] = out * h.apply(next);
            }
        }
    }
}
