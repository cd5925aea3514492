package dev.jonnx.runtime.ops.loss;

import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/** Registers the loss operators NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss. */
public final class LossOps {
    private LossOps() {}

    public static void register(OpRegistry.Builder registry) {
        registry.add("NegativeLogLikelihoodLoss", node -> create(node, false), 12, 13, 22);
        registry.add("SoftmaxCrossEntropyLoss", node -> create(node, true), 12, 13);
    }

    private enum Reduction { NONE, SUM, MEAN }

    private static Kernel create(NodeContext node, boolean softmax) {
        String reductionName = node.getString("reduction", "mean");
        Reduction reduction = switch (reductionName) {
            case "none" -> Reduction.NONE;
            case "sum" -> Reduction.SUM;
            case "mean" -> Reduction.MEAN;
            default -> throw node.error("attribute 'reduction' must be none, sum or mean, got '"
                    + reductionName + "'");
        };
        boolean hasIgnore = node.hasAttribute("ignore_index");
        long ignoreIndex = node.getInt("ignore_index", 0);
        boolean wantLogProb = softmax && node.hasOutput(1);
        return (inputs, ctx) -> {
            Tensor scores = (Tensor) inputs[0];
            Tensor labels = (Tensor) inputs[1];
            Tensor weights = inputs.length > 2 ? (Tensor) inputs[2] : null;
            return compute(scores, labels, weights, reduction, hasIgnore, ignoreIndex, softmax, wantLogProb);
        };
    }

    private static Value[] compute(Tensor scores, Tensor labels, Tensor weights, Reduction reduction,
            boolean hasIgnore, long ignoreIndex, boolean softmax, boolean wantLogProb) {
        int[] shape = scores.shape();
        if (shape.length < 2) {
            throw new IllegalArgumentException("input 0 must have shape (N, C, d1, ...), got "
                    + Arrays.toString(shape));
        }
        int n = shape[0];
        int c = shape[1];
        int inner = 1;
        for (int i = 2; i < shape.length; i++) {
            inner *= shape[i];
        }
        int[] expectedLabels = new int[shape.length - 1];
        expectedLabels[0] = n;
        System.arraycopy(shape, 2, expectedLabels, 1, shape.length - 2);
        if (!Arrays.equals(labels.shape(), expectedLabels)) {
            throw new IllegalArgumentException("input 1 (labels) must have shape "
                    + Arrays.toString(expectedLabels) + ", got " + Arrays.toString(labels.shape()));
        }
        double[] w = weights == null ? null : weights.toDoubleArray();
        if (w != null && (weights.rank() != 1 || w.length != c)) {
            throw new IllegalArgumentException("input 2 (weights) must have shape [" + c + "], got "
                    + Arrays.toString(weights.shape()));
        }
        double[] x = scores.toDoubleArray();
        double[] logProb = softmax ? logSoftmax(x, n, c, inner) : x;
        double[] loss = new double[n * inner];
        double weightTotal = 0;
        for (int b = 0; b < n; b++) {
            for (int j = 0; j < inner; j++) {
                int at = b * inner + j;
                long label = labels.getLong(at);
                if (hasIgnore && label == ignoreIndex) {
                    continue;
                }
                if (label < 0 || label >= c) {
                    throw new IllegalArgumentException("label " + label + " at index " + at
                            + " is outside [0, " + c + ")");
                }
                double weight = w == null ? 1 : w[(int) label];
                loss[at] = -logProb[(b * c + (int) label) * inner + j] * weight;
                weightTotal += weight;
            }
        }
        Tensor out = switch (reduction) {
            case NONE -> Tensor.fromDoubles(scores.type(), expectedLabels, loss);
            case SUM -> Tensor.fromDoubles(scores.type(), new int[0], new double[] {sum(loss)});
            case MEAN -> Tensor.fromDoubles(scores.type(), new int[0],
                    new double[] {sum(loss) / weightTotal});
        };
        if (!wantLogProb) {
            return new Value[] {out};
        }
        return new Value[] {out, Tensor.fromDoubles(scores.type(), shape, logProb)};
    }

    private static double sum(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }

    /** Log-softmax over axis 1 of an (N, C, inner) array. */
    private static double[] logSoftmax(double[] x, int n, int c, int inner) {
        double[] out = new double[x.length];
        for (int b = 0; b < n; b++) {
            for (int j = 0; j < inner; j++) {
                int base = b * c * inner + j;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < c; k++) {
                    max = Math.max(max, x[base + k * inner]);
                }
                double sum = 0;
                for (int k = 0; k < c; k++) {
                    sum += Math.exp(x[base + k * inner] - max);
                }
                double log = Math.log(sum) + max;
                for (int k = 0; k < c; k++) {
                    out[base + k * inner] = x[base + k * inner] - log;
                }
            }
        }
        return out;
    }
}
