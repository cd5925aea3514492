package dev.jonnx.runtime.ops.ml;

import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.Value;

/** LinearClassifier and LinearRegressor: scores = X * coefficients^T + intercepts. */
final class LinearModels {
    private LinearModels() {}

    /**
     * Computes {@code X * W^T + b} for W of shape [targets, columns] in row-major order, or
     * raises an error if the coefficient count is not a multiple of the input's columns.
     */
    private static double[] scores(Features x, float[] coefficients, float[] intercepts,
            int targets, String op) {
        int c = x.columns();
        if ((long) targets * c != coefficients.length) {
            throw new IllegalArgumentException(op + ": attribute 'coefficients' has "
                    + coefficients.length + " entries, expected " + targets + " targets x " + c
                    + " features of input X");
        }
        double[] s = new double[x.rows() * targets];
        double[] in = x.values();
        for (int r = 0; r < x.rows(); r++) {
            for (int t = 0; t < targets; t++) {
                double sum = intercepts.length == 0 ? 0 : intercepts[t];
                for (int j = 0; j < c; j++) {
                    sum += in[r * c + j] * coefficients[t * c + j];
                }
                s[r * targets + t] = sum;
            }
        }
        return s;
    }

    // ---- LinearClassifier ----

    /**
     * Classifies with one coefficient row per class, or a single row for two classes. With
     * a single row, the score s becomes the pair [-s, s] before the post transform and the
     * label is the second class when s > 0, as in the ONNX reference implementation. A single
     * row with a label count other than two yields labels 1 (s > 0) and 0, as in onnxruntime.
     * NOTE: for the two-label single row, onnxruntime writes [1 - s, s] untransformed unless
     * the transform is PROBIT.
     */
    static Kernel linearClassifier(NodeContext node) {
        ClassLabels labels = ClassLabels.parse(node, "classlabels_ints", "classlabels_strings");
        float[] coefficients = node.getFloats("coefficients", null);
        if (coefficients == null || coefficients.length == 0) {
            throw node.error("required attribute 'coefficients' is missing or empty");
        }
        float[] intercepts = node.getFloats("intercepts", new float[0]);
        PostTransform transform = PostTransform.parse(node);
        return (inputs, ctx) -> {
            Features x = Features.of(inputs[0], "LinearClassifier");
            int rows = x.rows();
            if (x.columns() == 0 || coefficients.length % x.columns() != 0) {
                throw new IllegalArgumentException("LinearClassifier: attribute 'coefficients'"
                        + " has " + coefficients.length + " entries, not a multiple of the "
                        + x.columns() + " features of input X");
            }
            int targets = coefficients.length / x.columns();
            if (intercepts.length != 0 && intercepts.length != targets) {
                throw new IllegalArgumentException("LinearClassifier: attribute 'intercepts' has "
                        + intercepts.length + " entries, expected one per class (" + targets + ")");
            }
            if (targets > 1 && targets != labels.size()) {
                throw new IllegalArgumentException("LinearClassifier: the coefficients have "
                        + targets + " rows but there are " + labels.size() + " class labels");
            }
            double[] s = scores(x, coefficients, intercepts, targets, "LinearClassifier");
            int[] label = new int[rows];
            if (targets > 1) {
                for (int r = 0; r < rows; r++) {
                    label[r] = ClassLabels.argmax(s, r * targets, targets);
                    transform.apply(s, r * targets, targets);
                }
                return new Value[] {labels.select(label), Features.floatMatrix(s, rows, targets)};
            }
            ClassLabels binary = labels.size() == 2 ? labels : labels.defaultBinary();
            for (int r = 0; r < rows; r++) {
                label[r] = s[r] > 0 ? 1 : 0;
            }
            if (labels.size() != 2) {
                transform.apply(s, 0, s.length);
                return new Value[] {binary.select(label), Features.floatMatrix(s, rows, 1)};
            }
            double[] pair = new double[rows * 2];
            for (int r = 0; r < rows; r++) {
                pair[2 * r] = -s[r];
                pair[2 * r + 1] = s[r];
                transform.apply(pair, 2 * r, 2);
            }
            return new Value[] {binary.select(label), Features.floatMatrix(pair, rows, 2)};
        };
    }

    // ---- LinearRegressor ----

    static Kernel linearRegressor(NodeContext node) {
        float[] coefficients = node.getFloats("coefficients", new float[0]);
        float[] intercepts = node.getFloats("intercepts", new float[0]);
        long targets = node.getInt("targets", 1);
        if (targets < 1) {
            throw node.error("attribute 'targets' must be at least 1, got " + targets);
        }
        if (intercepts.length != 0 && intercepts.length != targets) {
            throw node.error("attribute 'intercepts' has " + intercepts.length
                    + " entries, expected one per target (" + targets + ")");
        }
        PostTransform transform = PostTransform.parse(node);
        int t = (int) targets;
        return (inputs, ctx) -> {
            Features x = Features.of(inputs[0], "LinearRegressor");
            double[] s = scores(x, coefficients, intercepts, t, "LinearRegressor");
            for (int r = 0; r < x.rows(); r++) {
                transform.apply(s, r * t, t);
            }
            return new Value[] {Features.floatMatrix(s, x.rows(), t)};
        };
    }
}
