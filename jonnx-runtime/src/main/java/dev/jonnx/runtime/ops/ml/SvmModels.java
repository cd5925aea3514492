package dev.jonnx.runtime.ops.ml;

import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.Value;

/** SVMClassifier and SVMRegressor. */
final class SvmModels {
    private SvmModels() {}

    /** A kernel function with gamma, coef0 and degree from {@code kernel_params}. */
    record SvmKernel(String type, double gamma, double coef0, double degree) {

        static SvmKernel parse(NodeContext node) {
            String type = node.getString("kernel_type", "LINEAR");
            if (!type.equals("LINEAR") && !type.equals("POLY") && !type.equals("RBF")
                    && !type.equals("SIGMOID")) {
                throw node.error("attribute 'kernel_type' must be LINEAR, POLY, RBF or SIGMOID, got '"
                        + type + "'");
            }
            float[] params = node.getFloats("kernel_params", new float[0]);
            if (params.length != 0 && params.length != 3) {
                throw node.error("attribute 'kernel_params' must hold gamma, coef0 and degree,"
                        + " got " + params.length + " values");
            }
            return params.length == 0
                    ? new SvmKernel(type, 0, 0, 0)
                    : new SvmKernel(type, params[0], params[1], params[2]);
        }

        /** Computes K(x[xOffset...], v[vOffset...]) over {@code n} features. */
        double apply(double[] x, int xOffset, float[] v, int vOffset, int n) {
            if (type.equals("RBF")) {
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    double d = x[xOffset + i] - v[vOffset + i];
                    sum += d * d;
                }
                return Math.exp(-gamma * sum);
            }
            double dot = 0;
            for (int i = 0; i < n; i++) {
                dot += x[xOffset + i] * v[vOffset + i];
            }
            return switch (type) {
                case "POLY" -> Math.pow(gamma * dot + coef0, degree);
                case "SIGMOID" -> Math.tanh(gamma * dot + coef0);
                default -> dot;
            };
        }
    }

    // ---- SVMClassifier ----

    /**
     * Classifies with one of two models. Without {@code vectors_per_class} it is linear: one
     * coefficient row per class, score_c = x . w_c + rho[0], label = first maximum. Otherwise
     * it is a one-versus-one SVC: for each class pair (i, j), i < j, in order, the decision
     * value s_ij = sum over the support vectors v of class i of coef[j-1][v] K(x, v) plus the
     * same over class j with coef[i], plus rho[pair]; s_ij > 0 is a vote for i, otherwise for
     * j, and the label is the class with the most votes (the first on ties).
     *
     * <p>SVC scores are the pairwise decision values; for two classes the single value s is
     * written as [-s, s]. With {@code prob_a} and {@code prob_b} they become class
     * probabilities by Platt scaling and the pairwise coupling of Wu, Lin and Weng (2004),
     * as in libsvm. The post transform then applies to each row of scores.
     *
     * <p>NOTE: onnxruntime differs for two classes with a post transform other than NONE (it
     * writes [1 - s, s] untransformed) and in a few label choices of the linear model with
     * two classes.
     */
    static Kernel svmClassifier(NodeContext node) {
        ClassLabels labels = ClassLabels.parse(node, "classlabels_ints", "classlabels_strings");
        SvmKernel kernel = SvmKernel.parse(node);
        float[] coefficients = node.getFloats("coefficients", new float[0]);
        float[] rho = node.getFloats("rho", new float[0]);
        float[] supportVectors = node.getFloats("support_vectors", new float[0]);
        long[] vectorsPerClass = node.getInts("vectors_per_class", new long[0]);
        float[] probA = node.getFloats("prob_a", new float[0]);
        float[] probB = node.getFloats("prob_b", new float[0]);
        PostTransform transform = PostTransform.parse(node);
        int classes = labels.size();
        if (coefficients.length == 0) {
            throw node.error("attribute 'coefficients' is missing or empty");
        }
        if (rho.length == 0) {
            throw node.error("attribute 'rho' is missing or empty");
        }
        if (probA.length != probB.length) {
            throw node.error("attributes 'prob_a' (" + probA.length + ") and 'prob_b' ("
                    + probB.length + ") must have the same length");
        }
        long vectorCount = 0;
        for (long v : vectorsPerClass) {
            if (v < 0) {
                throw node.error("attribute 'vectors_per_class' must not be negative");
            }
            vectorCount += v;
        }
        if (vectorCount == 0) {
            if (coefficients.length % classes != 0) {
                throw node.error("attribute 'coefficients' has " + coefficients.length
                        + " entries, not a multiple of the " + classes + " classes");
            }
            int features = coefficients.length / classes;
            return (inputs, ctx) -> linearSvm(inputs, labels, coefficients, rho[0], features, transform);
        }
        if (vectorsPerClass.length != classes) {
            throw node.error("attribute 'vectors_per_class' has " + vectorsPerClass.length
                    + " entries, expected one per class (" + classes + ")");
        }
        if (supportVectors.length % vectorCount != 0 || supportVectors.length == 0) {
            throw node.error("attribute 'support_vectors' has " + supportVectors.length
                    + " entries, not a multiple of the " + vectorCount + " support vectors");
        }
        int pairs = classes * (classes - 1) / 2;
        if (coefficients.length != (classes - 1) * vectorCount) {
            throw node.error("attribute 'coefficients' has " + coefficients.length
                    + " entries, expected (classes - 1) x support vectors = "
                    + (classes - 1) * vectorCount);
        }
        if (rho.length != pairs) {
            throw node.error("attribute 'rho' has " + rho.length + " entries, expected one per"
                    + " class pair (" + pairs + ")");
        }
        if (probA.length != 0 && probA.length != pairs) {
            throw node.error("attributes 'prob_a' and 'prob_b' have " + probA.length
                    + " entries, expected one per class pair (" + pairs + ")");
        }
        Svc svc = new Svc(kernel, coefficients, rho, supportVectors, vectorsPerClass,
                (int) vectorCount, (int) (supportVectors.length / vectorCount), probA, probB);
        return (inputs, ctx) -> svc.run(inputs, labels, transform);
    }

    private static Value[] linearSvm(Value[] inputs, ClassLabels labels, float[] coefficients,
            double rho, int features, PostTransform transform) {
        Features x = Features.of(inputs[0], "SVMClassifier");
        x.requireColumns(features, "SVMClassifier", "attribute 'coefficients'");
        int classes = labels.size();
        double[] s = new double[x.rows() * classes];
        int[] label = new int[x.rows()];
        for (int r = 0; r < x.rows(); r++) {
            for (int c = 0; c < classes; c++) {
                double dot = rho;
                for (int j = 0; j < features; j++) {
                    dot += x.values()[r * features + j] * coefficients[c * features + j];
                }
                s[r * classes + c] = dot;
            }
            label[r] = ClassLabels.argmax(s, r * classes, classes);
            transform.apply(s, r * classes, classes);
        }
        return new Value[] {labels.select(label), Features.floatMatrix(s, x.rows(), classes)};
    }

    /** A one-versus-one support vector classifier. */
    private record Svc(SvmKernel kernel, float[] coefficients, float[] rho, float[] vectors,
            long[] vectorsPerClass, int vectorCount, int features, float[] probA, float[] probB) {

        Value[] run(Value[] inputs, ClassLabels labels, PostTransform transform) {
            Features x = Features.of(inputs[0], "SVMClassifier");
            x.requireColumns(features, "SVMClassifier", "attribute 'support_vectors'");
            int classes = labels.size();
            int pairs = classes * (classes - 1) / 2;
            boolean probabilities = probA.length > 0;
            int width = probabilities ? classes : Math.max(pairs, 2);
            int rows = x.rows();
            double[] out = new double[rows * width];
            int[] label = new int[rows];
            double[] k = new double[vectorCount];
            double[] decision = new double[pairs];
            int[] votes = new int[classes];
            int[] start = new int[classes];
            for (int c = 1; c < classes; c++) {
                start[c] = start[c - 1] + (int) vectorsPerClass[c - 1];
            }
            for (int r = 0; r < rows; r++) {
                for (int v = 0; v < vectorCount; v++) {
                    k[v] = kernel.apply(x.values(), r * features, vectors, v * features, features);
                }
                java.util.Arrays.fill(votes, 0);
                int p = 0;
                for (int i = 0; i < classes; i++) {
                    for (int j = i + 1; j < classes; j++) {
                        double s = rho[p];
                        for (int m = 0; m < vectorsPerClass[i]; m++) {
                            s += coefficients[(j - 1) * vectorCount + start[i] + m] * k[start[i] + m];
                        }
                        for (int m = 0; m < vectorsPerClass[j]; m++) {
                            s += coefficients[i * vectorCount + start[j] + m] * k[start[j] + m];
                        }
                        decision[p++] = s;
                        votes[s > 0 ? i : j]++;
                    }
                }
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    if (votes[c] > votes[best]) {
                        best = c;
                    }
                }
                label[r] = best;
                int offset = r * width;
                if (probabilities) {
                    coupleProbabilities(decision, classes, out, offset);
                } else if (pairs == 1) {
                    out[offset] = -decision[0];
                    out[offset + 1] = decision[0];
                } else {
                    System.arraycopy(decision, 0, out, offset, pairs);
                }
                transform.apply(out, offset, width);
            }
            return new Value[] {labels.select(label), Features.floatMatrix(out, rows, width)};
        }

        /**
         * Turns pairwise decision values into class probabilities: Platt scaling gives
         * r_ij = 1 / (1 + exp(A s_ij + B)), clipped to [1e-7, 1 - 1e-7], and the coupling
         * minimizes sum over i != j of (r_ji p_i - r_ij p_j)^2 with the sum of p equal to 1.
         */
        private void coupleProbabilities(double[] decision, int k, double[] out, int offset) {
            double[][] r = new double[k][k];
            int pair = 0;
            for (int i = 0; i < k; i++) {
                for (int j = i + 1; j < k; j++) {
                    double v = 1 / (1 + Math.exp(probA[pair] * decision[pair] + probB[pair]));
                    v = Math.min(Math.max(v, 1e-7), 1 - 1e-7);
                    r[i][j] = v;
                    r[j][i] = 1 - v;
                    pair++;
                }
            }
            double[][] q = new double[k][k];
            double[] p = new double[k];
            double[] qp = new double[k];
            for (int t = 0; t < k; t++) {
                p[t] = 1.0 / k;
                for (int j = 0; j < k; j++) {
                    if (j != t) {
                        q[t][t] += r[j][t] * r[j][t];
                        q[t][j] = -r[j][t] * r[t][j];
                    }
                }
            }
            double eps = 0.005 / k;
            for (int iteration = 0; iteration < Math.max(100, k); iteration++) {
                double pqp = 0;
                for (int t = 0; t < k; t++) {
                    qp[t] = 0;
                    for (int j = 0; j < k; j++) {
                        qp[t] += q[t][j] * p[j];
                    }
                    pqp += p[t] * qp[t];
                }
                double maxError = 0;
                for (int t = 0; t < k; t++) {
                    maxError = Math.max(maxError, Math.abs(qp[t] - pqp));
                }
                if (maxError < eps) {
                    break;
                }
                for (int t = 0; t < k; t++) {
                    double diff = (-qp[t] + pqp) / q[t][t];
                    p[t] += diff;
                    pqp = (pqp + diff * (diff * q[t][t] + 2 * qp[t])) / (1 + diff) / (1 + diff);
                    for (int j = 0; j < k; j++) {
                        qp[j] = (qp[j] + diff * q[t][j]) / (1 + diff);
                        p[j] /= 1 + diff;
                    }
                }
            }
            System.arraycopy(p, 0, out, offset, k);
        }
    }

    // ---- SVMRegressor ----

    /**
     * Computes y = sum over support vectors v of coef[v] K(x, v) + rho[0], or the linear
     * x . coefficients + rho[0] when {@code n_supports} is 0. A one-class model outputs 1 when
     * the score is positive and -1 otherwise.
     */
    static Kernel svmRegressor(NodeContext node) {
        SvmKernel kernel = SvmKernel.parse(node);
        float[] coefficients = node.getFloats("coefficients", new float[0]);
        float[] rho = node.getFloats("rho", new float[0]);
        float[] supportVectors = node.getFloats("support_vectors", new float[0]);
        long supports = node.getInt("n_supports", 0);
        boolean oneClass = node.getInt("one_class", 0) != 0;
        PostTransform transform = PostTransform.parse(node);
        if (rho.length == 0) {
            throw node.error("attribute 'rho' is missing or empty");
        }
        if (supports < 0) {
            throw node.error("attribute 'n_supports' must not be negative, got " + supports);
        }
        if (supports > 0) {
            if (coefficients.length != supports) {
                throw node.error("attribute 'coefficients' has " + coefficients.length
                        + " entries, expected one per support vector (" + supports + ")");
            }
            if (supportVectors.length == 0 || supportVectors.length % supports != 0) {
                throw node.error("attribute 'support_vectors' has " + supportVectors.length
                        + " entries, not a multiple of n_supports = " + supports);
            }
        }
        int n = (int) supports;
        int features = n > 0 ? supportVectors.length / n : coefficients.length;
        SvmKernel linear = new SvmKernel("LINEAR", 0, 0, 0);
        return (inputs, ctx) -> {
            Features x = Features.of(inputs[0], "SVMRegressor");
            x.requireColumns(features, "SVMRegressor",
                    n > 0 ? "attribute 'support_vectors'" : "attribute 'coefficients'");
            double[] y = new double[x.rows()];
            for (int r = 0; r < x.rows(); r++) {
                double s = rho[0];
                if (n > 0) {
                    for (int v = 0; v < n; v++) {
                        s += coefficients[v] * kernel.apply(x.values(), r * features,
                                supportVectors, v * features, features);
                    }
                } else {
                    s += linear.apply(x.values(), r * features, coefficients, 0, features);
                }
                if (oneClass) {
                    s = s > 0 ? 1 : -1;
                }
                y[r] = s;
                transform.apply(y, r, 1);
            }
            return new Value[] {Features.floatMatrix(y, x.rows(), 1)};
        };
    }
}
