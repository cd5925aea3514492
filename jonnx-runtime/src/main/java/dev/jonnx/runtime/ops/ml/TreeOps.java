package dev.jonnx.runtime.ops.ml;

import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;

/** TreeEnsembleClassifier, TreeEnsembleRegressor (opsets 1 and 3) and TreeEnsemble (opset 5). */
final class TreeOps {
    private TreeOps() {}

    /** Rejects the legacy tree operators from opset 5 on, where the spec deprecates them. */
    static Kernel deprecated(NodeContext node) {
        throw node.error(node.opType() + " is deprecated since ai.onnx.ml opset 5; use"
                + " TreeEnsemble, or import ai.onnx.ml opset 4 or lower");
    }

    // ---- TreeEnsembleRegressor ----

    static Kernel regressor(NodeContext node) {
        long targetsAttr = node.getInt("n_targets", -1);
        long maxId = -1;
        for (long id : node.getInts("target_ids", new long[0])) {
            maxId = Math.max(maxId, id);
        }
        long targets = targetsAttr >= 0 ? targetsAttr : maxId + 1;
        if (targets < 1 || targets > Integer.MAX_VALUE) {
            throw node.error("attribute 'n_targets' must be at least 1, got " + targets);
        }
        TreeModel model = TreeModel.fromLegacy(node, "target", (int) targets);
        TreeModel.Aggregate aggregate = switch (node.getString("aggregate_function", "SUM")) {
            case "AVERAGE" -> TreeModel.Aggregate.AVERAGE;
            case "SUM" -> TreeModel.Aggregate.SUM;
            case "MIN" -> TreeModel.Aggregate.MIN;
            case "MAX" -> TreeModel.Aggregate.MAX;
            default -> throw node.error("attribute 'aggregate_function' must be AVERAGE, SUM, MIN or"
                    + " MAX, got '" + node.getString("aggregate_function") + "'");
        };
        double[] base = TreeModel.doublesAttribute(node, "base_values");
        if (base.length != 0 && base.length != targets) {
            throw node.error("attribute 'base_values' has " + base.length + " entries, expected one"
                    + " per target (" + targets + ")");
        }
        PostTransform transform = PostTransform.parse(node);
        int t = (int) targets;
        return (inputs, ctx) -> {
            Features x = Features.of(inputs[0], "TreeEnsembleRegressor");
            double[] y = model.evaluate(x, aggregate, base, "TreeEnsembleRegressor", ctx);
            for (int r = 0; r < x.rows(); r++) {
                transform.apply(y, r * t, t);
            }
            return new Value[] {Features.floatMatrix(y, x.rows(), t)};
        };
    }

    // ---- TreeEnsembleClassifier ----

    /**
     * Sums the class weights of the reached leaves, adds {@code base_values}, takes the first
     * maximum as the label and applies the post transform.
     *
     * <p>Two classes whose weights all go to one class id form the binary case: that column
     * is the score s of the second class (plus the single base value, if any). If every weight
     * is non-negative, s is a vote share: the label is the second class when s > 0.5 and the
     * scores are [1 - s, s], untransformed. Otherwise s is a margin: the label is the second
     * class when s > 0 and the scores are [-s, s], then transformed (LOGISTIC gives
     * [1 - p, p]). This follows onnxruntime's tree aggregator, except that onnxruntime leaves
     * [-s, s] untransformed for SOFTMAX and SOFTMAX_ZERO and writes one column for PROBIT.
     * NOTE: the ONNX reference implementation decides by the transform, not the weights: it
     * writes [1 - s, s] for NONE and PROBIT and [-s, s] otherwise, then transforms and takes
     * the maximum.
     */
    static Kernel classifier(NodeContext node) {
        ClassLabels labels = ClassLabels.parse(node, "classlabels_int64s", "classlabels_strings");
        int classes = labels.size();
        TreeModel model = TreeModel.fromLegacy(node, "class", classes);
        double[] base = TreeModel.doublesAttribute(node, "base_values");
        long[] classIds = node.getInts("class_ids", new long[0]);
        double[] weights = TreeModel.doublesAttribute(node, "class_weights");
        boolean singleColumn = classes == 2 && classIds.length > 0;
        for (long id : classIds) {
            singleColumn &= id == classIds[0];
        }
        boolean allPositive = true;
        for (double w : weights) {
            allPositive &= w >= 0;
        }
        PostTransform transform = PostTransform.parse(node);
        if (singleColumn) {
            int column = (int) classIds[0];
            if (base.length > 2) {
                throw node.error("attribute 'base_values' has " + base.length + " entries, expected"
                        + " at most one per class (2)");
            }
            double offset = binaryOffset(base, column);
            boolean votes = allPositive;
            return (inputs, ctx) -> {
                Features x = Features.of(inputs[0], "TreeEnsembleClassifier");
                double[] sums = model.evaluate(x, TreeModel.Aggregate.SUM, new double[0],
                        "TreeEnsembleClassifier", ctx);
                int rows = x.rows();
                double[] z = new double[rows * 2];
                int[] label = new int[rows];
                for (int r = 0; r < rows; r++) {
                    double s = sums[r * 2 + column] + offset;
                    if (votes) {
                        label[r] = s > 0.5 ? 1 : 0;
                        z[2 * r] = 1 - s;
                        z[2 * r + 1] = s;
                    } else {
                        label[r] = s > 0 ? 1 : 0;
                        z[2 * r] = -s;
                        z[2 * r + 1] = s;
                        transform.apply(z, 2 * r, 2);
                    }
                }
                return new Value[] {labels.select(label), Features.floatMatrix(z, rows, 2)};
            };
        }
        if (base.length != 0 && base.length != classes) {
            throw node.error("attribute 'base_values' has " + base.length + " entries, expected one"
                    + " per class (" + classes + ")");
        }
        return (inputs, ctx) -> {
            Features x = Features.of(inputs[0], "TreeEnsembleClassifier");
            double[] z = model.evaluate(x, TreeModel.Aggregate.SUM, base, "TreeEnsembleClassifier", ctx);
            int rows = x.rows();
            int[] label = new int[rows];
            for (int r = 0; r < rows; r++) {
                label[r] = ClassLabels.argmax(z, r * classes, classes);
                transform.apply(z, r * classes, classes);
            }
            return new Value[] {labels.select(label), Features.floatMatrix(z, rows, classes)};
        };
    }

    /** Returns the base value of the binary case: the single one, or that of its column. */
    private static double binaryOffset(double[] base, int column) {
        if (base.length == 1) {
            return base[0];
        }
        if (base.length == 2) {
            return base[column];
        }
        return 0;
    }

    // ---- TreeEnsemble ----

    static Kernel treeEnsemble(NodeContext node) {
        TreeModel model = TreeModel.fromTreeEnsemble(node);
        long code = node.getInt("aggregate_function", 1);
        if (code < 0 || code > 3) {
            throw node.error("attribute 'aggregate_function' must be in [0, 3], got " + code);
        }
        TreeModel.Aggregate aggregate = TreeModel.Aggregate.values()[(int) code];
        PostTransform transform = PostTransform.parseCode(node);
        int targets = model.targets();
        return (inputs, ctx) -> {
            if (!(inputs[0] instanceof Tensor t) || (t.type() != DataType.FLOAT
                    && t.type() != DataType.DOUBLE && t.type() != DataType.FLOAT16)) {
                throw new IllegalArgumentException("TreeEnsemble: input X must be a float, double"
                        + " or float16 tensor, got "
                        + (inputs[0] == null ? "nothing" : inputs[0].describe()));
            }
            if (t.rank() != 2) {
                throw new IllegalArgumentException("TreeEnsemble: input X must be [N, F], got "
                        + t.describe());
            }
            int rows = t.dim(0);
            Features x = new Features(t.toDoubleArray(), rows, t.dim(1));
            double[] y = model.evaluate(x, aggregate, new double[0], "TreeEnsemble", ctx);
            for (int r = 0; r < rows; r++) {
                transform.apply(y, r * targets, targets);
            }
            return new Value[] {Tensor.fromDoubles(t.type(), new int[] {rows, targets}, y)};
        };
    }
}
