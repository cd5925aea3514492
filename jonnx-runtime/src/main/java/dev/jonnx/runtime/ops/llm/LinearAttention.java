package dev.jonnx.runtime.ops.llm;

import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * LinearAttention (opset 27): a recurrent state S of shape (d_k, d_v) per key/value head,
 * updated token by token with one of four rules, read by the query as o = scale * q^T S.
 * Runs the recurrence sequentially in double precision; the chunk_size hint is not needed.
 */
final class LinearAttention {
    private enum Rule { LINEAR, GATED, DELTA, GATED_DELTA }

    private LinearAttention() {}

    static Kernel create(NodeContext node) {
        int qHeads = (int) node.getInt("q_num_heads");
        int kvHeads = (int) node.getInt("kv_num_heads");
        if (qHeads <= 0 || kvHeads <= 0 || qHeads % kvHeads != 0) {
            throw node.error("q_num_heads (" + qHeads + ") must be a positive multiple of kv_num_heads ("
                    + kvHeads + ")");
        }
        double scaleAttribute = node.getFloat("scale", 0f);
        String ruleName = node.getString("update_rule", "gated_delta");
        Rule rule = switch (ruleName) {
            case "linear" -> Rule.LINEAR;
            case "gated" -> Rule.GATED;
            case "delta" -> Rule.DELTA;
            case "gated_delta" -> Rule.GATED_DELTA;
            default -> throw node.error("attribute 'update_rule' must be linear, gated, delta or"
                    + " gated_delta, got '" + ruleName + "'");
        };
        return (inputs, ctx) -> run(inputs, qHeads, kvHeads, scaleAttribute, rule);
    }

    private static Value[] run(Value[] inputs, int qHeads, int kvHeads, double scaleAttribute, Rule rule) {
        Tensor query = (Tensor) inputs[0];
        Tensor key = (Tensor) inputs[1];
        Tensor value = (Tensor) inputs[2];
        Tensor past = input(inputs, 3);
        Tensor decay = input(inputs, 4);
        Tensor beta = input(inputs, 5);
        for (Tensor t : new Tensor[] {query, key, value}) {
            if (t.rank() != 3) {
                throw new IllegalArgumentException("query, key and value must be 3-D (B, T, H * d), got "
                        + Arrays.toString(t.shape()));
            }
        }
        int batch = query.dim(0);
        int steps = query.dim(1);
        int dk = query.dim(2) / qHeads;
        int dv = value.dim(2) / kvHeads;
        if (query.dim(2) % qHeads != 0 || key.dim(2) != kvHeads * dk || value.dim(2) % kvHeads != 0) {
            throw new IllegalArgumentException("shapes do not split into heads: query "
                    + Arrays.toString(query.shape()) + ", key " + Arrays.toString(key.shape()) + ", value "
                    + Arrays.toString(value.shape()) + " with " + qHeads + " query and " + kvHeads
                    + " key/value heads");
        }
        boolean gated = rule == Rule.GATED || rule == Rule.GATED_DELTA;
        boolean delta = rule == Rule.DELTA || rule == Rule.GATED_DELTA;
        if (gated && decay == null) {
            throw new IllegalArgumentException("update_rule " + rule.name().toLowerCase() + " needs input 4 (decay)");
        }
        if (delta && beta == null) {
            throw new IllegalArgumentException("update_rule " + rule.name().toLowerCase() + " needs input 5 (beta)");
        }
        boolean decayPerKey = gated && decay.dim(2) == kvHeads * dk && dk != 1;
        if (gated && !decayPerKey && decay.dim(2) != kvHeads) {
            throw new IllegalArgumentException("decay must have last dimension " + kvHeads + " or "
                    + kvHeads * dk + ", got " + decay.dim(2));
        }
        double scale = scaleAttribute != 0 ? scaleAttribute : 1 / Math.sqrt(dk);
        double[] q = query.toDoubleArray();
        double[] k = key.toDoubleArray();
        double[] v = value.toDoubleArray();
        double[] g = gated ? decay.toDoubleArray() : null;
        double[] bt = delta ? beta.toDoubleArray() : null;
        int betaWidth = delta ? beta.dim(2) : 0;
        int stateSize = dk * dv;
        double[] state = new double[batch * kvHeads * stateSize];
        if (past != null) {
            if (!Arrays.equals(past.shape(), new int[] {batch, kvHeads, dk, dv})) {
                throw new IllegalArgumentException("past_state must have shape [" + batch + ", " + kvHeads
                        + ", " + dk + ", " + dv + "], got " + Arrays.toString(past.shape()));
            }
            System.arraycopy(past.toDoubleArray(), 0, state, 0, state.length);
        }
        double[] out = new double[batch * steps * qHeads * dv];
        double[] retrieved = new double[dv];
        int group = qHeads / kvHeads;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                int row = b * steps + t;
                for (int h = 0; h < kvHeads; h++) {
                    int s0 = (b * kvHeads + h) * stateSize;
                    int k0 = row * kvHeads * dk + h * dk;
                    int v0 = row * kvHeads * dv + h * dv;
                    if (gated) {
                        for (int i = 0; i < dk; i++) {
                            double factor = Math.exp(decayPerKey ? g[row * kvHeads * dk + h * dk + i]
                                    : g[row * kvHeads + h]);
                            for (int j = 0; j < dv; j++) {
                                state[s0 + i * dv + j] *= factor;
                            }
                        }
                    }
                    if (delta) {
                        double rate = bt[row * betaWidth + (betaWidth == 1 ? 0 : h)];
                        Arrays.fill(retrieved, 0);
                        for (int i = 0; i < dk; i++) {
                            for (int j = 0; j < dv; j++) {
                                retrieved[j] += state[s0 + i * dv + j] * k[k0 + i];
                            }
                        }
                        for (int i = 0; i < dk; i++) {
                            for (int j = 0; j < dv; j++) {
                                state[s0 + i * dv + j] += rate * k[k0 + i] * (v[v0 + j] - retrieved[j]);
                            }
                        }
                    } else {
                        for (int i = 0; i < dk; i++) {
                            for (int j = 0; j < dv; j++) {
                                state[s0 + i * dv + j] += k[k0 + i] * v[v0 + j];
                            }
                        }
                    }
                    for (int qh = h * group; qh < (h + 1) * group; qh++) {
                        int q0 = row * qHeads * dk + qh * dk;
                        int o0 = row * qHeads * dv + qh * dv;
                        for (int i = 0; i < dk; i++) {
                            double qi = q[q0 + i] * scale;
                            for (int j = 0; j < dv; j++) {
                                out[o0 + j] += qi * state[s0 + i * dv + j];
                            }
                        }
                    }
                }
            }
        }
        DataType stateType = past != null ? past.type() : query.type();
        return new Value[] {
            Tensor.fromDoubles(query.type(), new int[] {batch, steps, qHeads * dv}, out),
            Tensor.fromDoubles(stateType, new int[] {batch, kvHeads, dk, dv}, state)
        };
    }

    private static Tensor input(Value[] inputs, int i) {
        return i < inputs.length ? (Tensor) inputs[i] : null;
    }
}
