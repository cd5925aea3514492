package dev.jonnx.runtime.ops.training;

import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * Registers the optimizers of the {@code ai.onnx.preview.training} domain: Adagrad, Adam and
 * Momentum. Each updates one or more tensors X_i with their gradients and optimizer states;
 * the inputs are {@code R, T, X_1..X_k, G_1..G_k, state_1..} and the outputs
 * {@code X_new_1..X_new_k, state_new_1..}. Updates are computed in double and stored in the
 * type of X (float or double). Also registers {@link Gradient}.
 */
public final class TrainingOps {
    static final String DOMAIN = "ai.onnx.preview.training";

    private TrainingOps() {}

    public static void register(OpRegistry.Builder registry) {
        registry.add(DOMAIN, "Adagrad", 1, adagrad());
        registry.add(DOMAIN, "Adam", 1, adam());
        registry.add(DOMAIN, "Momentum", 1, momentum());
        registry.add(DOMAIN, "Gradient", 1, Gradient::create);
    }

    /** One elementwise update step on the tensors of one optimized variable. */
    @FunctionalInterface
    private interface Update {
        /**
         * Updates element {@code i}: {@code in[j]} are the input values (X, G, states) and
         * {@code out[j]} receive X_new and the new states.
         */
        void apply(double[] in, double[] out);
    }

    /**
     * Runs a multi-tensor optimizer: {@code states} optimizer tensors per variable after X and
     * G, and {@code 1 + states} outputs per variable.
     */
    private static Value[] optimize(Value[] inputs, int states,
            Update update) {
        int perVariable = 2 + states;
        int tensors = inputs.length - 2;
        if (tensors <= 0 || tensors % perVariable != 0) {
            throw new IllegalArgumentException("expected R, T and " + perVariable
                    + " tensors per optimized variable, got " + inputs.length + " inputs");
        }
        int variables = tensors / perVariable;
        Value[] outputs = new Value[variables * (1 + states)];
        double[] in = new double[perVariable];
        double[] out = new double[1 + states];
        for (int v = 0; v < variables; v++) {
            Tensor x = (Tensor) inputs[2 + v];
            requireFloat(x, "X_" + (v + 1));
            int[] shape = x.shape();
            int size = x.size();
            double[][] values = new double[perVariable][];
            int[][] index = new int[perVariable][];
            for (int j = 0; j < perVariable; j++) {
                Tensor t = (Tensor) inputs[2 + v + j * variables];
                requireFloat(t, "input " + (2 + v + j * variables));
                values[j] = t.toDoubleArray();
                if (!Arrays.equals(t.shape(), shape)) {
                    int[] broadcast = Shapes.broadcast(t.shape(), shape);
                    if (!Arrays.equals(broadcast, shape)) {
                        throw new IllegalArgumentException("input " + (2 + v + j * variables)
                                + " of shape " + Arrays.toString(t.shape())
                                + " does not broadcast to the shape of X, " + Arrays.toString(shape));
                    }
                    index[j] = Shapes.broadcastIndex(t.shape(), shape);
                }
            }
            double[][] results = new double[1 + states][size];
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < perVariable; j++) {
                    in[j] = values[j][index[j] == null ? i : index[j][i]];
                }
                update.apply(in, out);
                for (int j = 0; j <= states; j++) {
                    results[j][i] = out[j];
                }
            }
            for (int j = 0; j <= states; j++) {
                outputs[v + j * variables] = Tensor.fromDoubles(x.type(), shape, results[j]);
            }
        }
        return outputs;
    }

    private static void requireFloat(Tensor t, String name) {
        if (t.type() != DataType.FLOAT && t.type() != DataType.DOUBLE) {
            throw new IllegalArgumentException(name + " must be float or double, got " + t.type());
        }
    }

    private static double learningRate(Value r) {
        Tensor t = (Tensor) r;
        requireFloat(t, "learning rate R");
        if (t.size() != 1) {
            throw new IllegalArgumentException("learning rate R must be a scalar, got " + t.describe());
        }
        return t.getDouble(0);
    }

    private static long updateCount(Value count) {
        Tensor t = (Tensor) count;
        if (t.type() != DataType.INT64 || t.size() != 1) {
            throw new IllegalArgumentException("update count T must be an int64 scalar, got "
                    + t.describe());
        }
        return t.getLong(0);
    }

    /** Adagrad-1: state H, the accumulated squared gradient. */
    static KernelFactory adagrad() {
        return node -> {
            double decay = node.getFloat("decay_factor", 0f);
            double epsilon = node.getFloat("epsilon", 0f);
            double norm = node.getFloat("norm_coefficient", 0f);
            return (inputs, ctx) -> {
                double r = learningRate(inputs[0]) / (1 + updateCount(inputs[1]) * decay);
                return optimize(inputs, 1, (in, out) -> {
                    double g = norm * in[0] + in[1];
                    double h = in[2] + g * g;
                    out[0] = in[0] - r * g / (Math.sqrt(h) + epsilon);
                    out[1] = h;
                });
            };
        };
    }

    /** Adam-1: states V (averaged gradient) and H (averaged squared gradient). */
    static KernelFactory adam() {
        return node -> {
            double alpha = node.getFloat("alpha", 0.9f);
            double beta = node.getFloat("beta", 0.999f);
            double epsilon = node.getFloat("epsilon", 0f);
            double norm = node.getFloat("norm_coefficient", 0f);
            double normPost = node.getFloat("norm_coefficient_post", 0f);
            return (inputs, ctx) -> {
                double rate = learningRate(inputs[0]);
                long t = updateCount(inputs[1]);
                double adjusted = t > 0
                        ? rate * Math.sqrt(1 - Math.pow(beta, t)) / (1 - Math.pow(alpha, t))
                        : rate;
                return optimize(inputs, 2, (in, out) -> {
                    double g = norm * in[0] + in[1];
                    double v = alpha * in[2] + (1 - alpha) * g;
                    double h = beta * in[3] + (1 - beta) * g * g;
                    double x = in[0] - adjusted * v / (Math.sqrt(h) + epsilon);
                    out[0] = (1 - normPost) * x;
                    out[1] = v;
                    out[2] = h;
                });
            };
        };
    }

    /** Momentum-1: state V; mode "standard" or "nesterov". */
    static KernelFactory momentum() {
        return node -> {
            double alpha = node.getFloat("alpha");
            double beta = node.getFloat("beta");
            double norm = node.getFloat("norm_coefficient");
            String mode = node.getString("mode");
            if (!mode.equals("standard") && !mode.equals("nesterov")) {
                throw node.error("mode must be 'standard' or 'nesterov', got '" + mode + "'");
            }
            boolean nesterov = mode.equals("nesterov");
            return (inputs, ctx) -> {
                double rate = learningRate(inputs[0]);
                double betaAdjusted = updateCount(inputs[1]) > 0 ? beta : 1;
                return optimize(inputs, 1, (in, out) -> {
                    double g = norm * in[0] + in[1];
                    double v = alpha * in[2] + betaAdjusted * g;
                    out[0] = nesterov ? in[0] - rate * (g + alpha * v) : in[0] - rate * v;
                    out[1] = v;
                });
            };
        };
    }
}
