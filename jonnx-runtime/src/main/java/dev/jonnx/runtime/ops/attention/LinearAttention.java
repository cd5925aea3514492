package dev.jonnx.runtime.ops.attention;

import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;

/**
 * LinearAttention (opset 27): a recurrent state S of shape (d_k, d_v) per batch and key/value
 * head, updated token by token, with output scale * q^T S after each update. The update rules:
 *
 * <ul>
 *   <li>linear: S = S + k v^T
 *   <li>gated: S = exp(g) * S + k v^T
 *   <li>delta: S = S + beta * k (v - S^T k)^T
 *   <li>gated_delta: S' = exp(g) * S, then S = S' + beta * k (v - S'^T k)^T
 * </ul>
 *
 * The decay g is given per key dimension (B, T, H_kv * d_k) or per head (B, T, H_kv), and
 * beta per head (B, T, H_kv) or once per token (B, T, 1). Query, key and value are packed as
 * (B, T, heads * size). Query head h reads the state of key/value head h / (q_heads / kv_heads).
 */
final class LinearAttention {
    private LinearAttention() {}

    enum Rule { LINEAR, GATED, DELTA, GATED_DELTA }

    static KernelFactory factory() {
        return node -> {
            int qHeads = (int) node.getInt("q_num_heads");
            int kvHeads = (int) node.getInt("kv_num_heads");
            if (qHeads <= 0 || kvHeads <= 0 || qHeads % kvHeads != 0) {
                throw node.error("q_num_heads " + qHeads + " must be a positive multiple of kv_num_heads " + kvHeads);
            }
            float scaleAttribute = node.getFloat("scale", 0f);
            String ruleName = node.getString("update_rule", "gated_delta");
            Rule rule = switch (ruleName) {
                case "linear" -> Rule.LINEAR;
                case "gated" -> Rule.GATED;
                case "delta" -> Rule.DELTA;
                case "gated_delta" -> Rule.GATED_DELTA;
                default -> throw node.error("attribute 'update_rule' must be linear, gated, delta or gated_delta, got '"
                        + ruleName + "'");
            };
            boolean gated = rule == Rule.GATED || rule == Rule.GATED_DELTA;
            boolean delta = rule == Rule.DELTA || rule == Rule.GATED_DELTA;
            if (gated && !node.hasInput(4)) {
                throw node.error("input 'decay' is required for update_rule '" + ruleName + "'");
            }
            if (delta && !node.hasInput(5)) {
                throw node.error("input 'beta' is required for update_rule '" + ruleName + "'");
            }
            return (inputs, ctx) -> run(inputs, qHeads, kvHeads, scaleAttribute, gated, delta);
        };
    }

    private static Tensor input(Value[] inputs, int i) {
        return i < inputs.length ? (Tensor) inputs[i] : null;
    }

    static Value[] run(Value[] inputs, int qHeads, int kvHeads, float scaleAttribute, boolean gated, boolean delta) {
        Tensor query = (Tensor) inputs[0];
        Tensor key = (Tensor) inputs[1];
        Tensor value = (Tensor) inputs[2];
        Tensor pastState = input(inputs, 3);
        Tensor decay = input(inputs, 4);
        Tensor beta = input(inputs, 5);
        if (query.rank() != 3 || key.rank() != 3 || value.rank() != 3) {
            throw new IllegalArgumentException("inputs query, key and value must be 3-D, got " + query.describe()
                    + ", " + key.describe() + ", " + value.describe());
        }
        int batch = query.dim(0);
        int steps = query.dim(1);
        int dk = query.dim(2) / qHeads;
        int dv = value.dim(2) / kvHeads;
        if (query.dim(2) != qHeads * dk || key.dim(2) != kvHeads * dk || value.dim(2) != kvHeads * dv
                || key.dim(0) != batch || key.dim(1) != steps || value.dim(0) != batch || value.dim(1) != steps) {
            throw new IllegalArgumentException("inputs query, key and value have inconsistent shapes for "
                    + qHeads + " query and " + kvHeads + " key/value heads: " + query.describe() + ", "
                    + key.describe() + ", " + value.describe());
        }

        double scale = scaleAttribute != 0f ? scaleAttribute : 1 / Math.sqrt(dk);
        int group = qHeads / kvHeads;
        int stateSize = dk * dv;
        double[] state = new double[batch * kvHeads * stateSize];
        DataType stateType = query.type();
        if (pastState != null) {
            if (pastState.size() != state.length) {
                throw new IllegalArgumentException("input 'past_state' must have shape [" + batch + ", " + kvHeads
                        + ", " + dk + ", " + dv + "], got " + pastState.describe());
            }
            System.arraycopy(pastState.toDoubleArray(), 0, state, 0, state.length);
            stateType = pastState.type();
        }

        int decayWidth = 0;
        if (gated) {
            decayWidth = decay.dim(2);
            if (decayWidth != kvHeads && decayWidth != kvHeads * dk) {
                throw new IllegalArgumentException("input 'decay' must have last dimension " + kvHeads + " or "
                        + kvHeads * dk + ", got " + decay.describe());
            }
        }
        int betaWidth = 0;
        if (delta) {
            betaWidth = beta.dim(2);
            if (betaWidth != kvHeads && betaWidth != 1) {
                throw new IllegalArgumentException("input 'beta' must have last dimension " + kvHeads
                        + " or 1, got " + beta.describe());
            }
        }
        double[] q = query.toDoubleArray();
        double[] k = key.toDoubleArray();
        double[] v = value.toDoubleArray();
        double[] g = gated ? decay.toDoubleArray() : null;
        double[] b = delta ? beta.toDoubleArray() : null;
        double[] out = new double[batch * steps * qHeads * dv];
        double[] residual = new double[dv];
        for (int n = 0; n < batch; n++) {
            for (int t = 0; t < steps; t++) {
                int token = n * steps + t;
                for (int h = 0; h < kvHeads; h++) {
                    int s0 = (n * kvHeads + h) * stateSize;
                    int k0 = (token * kvHeads + h) * dk;
                    int v0 = (token * kvHeads + h) * dv;
                    if (gated) {
                        boolean perHead = decayWidth == kvHeads;
                        decayState(state, s0, dk, dv, g, perHead ? token * kvHeads + h : k0, perHead);
                    }
                    if (delta) {
                        double rate = b[token * betaWidth + (betaWidth == 1 ? 0 : h)];
                        deltaResidual(state, s0, dk, dv, k, k0, v, v0, rate, residual);
                    } else {
                        System.arraycopy(v, v0, residual, 0, dv);
                    }
                    for (int i = 0; i < dk; i++) {
                        double ki = k[k0 + i];
                        for (int j = 0; j < dv; j++) {
                            state[s0 + i * dv + j] += ki * residual[j];
                        }
                    }
                }

                for (int h = 0; h < qHeads; h++) {
                    int s0 = (n * kvHeads + h / group) * stateSize;
                    int q0 = (token * qHeads + h) * dk;
                    int o0 = (token * qHeads + h) * dv;
                    for (int i = 0; i < dk; i++) {
                        double qi = q[q0 + i] * scale;
                        for (int j = 0; j < dv; j++) {
                            out[o0 + j] += qi * state[s0 + i * dv + j];
                        }
                    }
                }
            }
        }
        return new Value[] {
            Tensor.fromDoubles(query.type(), new int[] {batch, steps, qHeads * dv}, out),
            Tensor.fromDoubles(stateType, new int[] {batch, kvHeads, dk, dv}, state)
        };
    }

    /**
     * Multiplies row i of the state at {@code s0} by exp(g[g0 + i]), or every row by exp(g[g0])
     * for a per-head decay.
     */
    private static void decayState(double[] state, int s0, int dk, int dv, double[] g, int g0, boolean perHead) {
        for (int i = 0; i < dk; i++) {
            double factor = Math.exp(perHead ? g[g0] : g[g0 + i]);
            for (int j = 0; j < dv; j++) {
                state[s0 + i * dv + j] *= factor;
            }
        }
    }

    /** Stores rate * (v - S^T k) in {@code residual}, reading the state before this token's update. */
    private static void deltaResidual(double[] state, int s0, int dk, int dv, double[] k, int k0, double[] v, int v0,
            double rate, double[] residual) {
        for (int j = 0; j < dv; j++) {
            double projected = 0;
            for (int i = 0; i < dk; i++) {
                projected += state[s0 + i * dv + j] * k[k0 + i];
            }
            residual[j] = rate * (v[v0 + j] - projected);
        }
    }
}
