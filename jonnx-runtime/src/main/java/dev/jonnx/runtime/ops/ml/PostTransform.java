package dev.jonnx.runtime.ops.ml;

import dev.jonnx.runtime.registry.NodeContext;

/**
 * The score transforms of the ai.onnx.ml classifiers and regressors, applied to one row of
 * scores at a time. The enum order matches the integer codes of TreeEnsemble (opset 5).
 */
enum PostTransform {
    NONE, SOFTMAX, LOGISTIC, SOFTMAX_ZERO, PROBIT;

    /** Parses the string attribute {@code post_transform} (default NONE). */
    static PostTransform parse(NodeContext node) {
        String name = node.getString("post_transform", "NONE");
        for (PostTransform t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw node.error("attribute 'post_transform' must be one of NONE, SOFTMAX, LOGISTIC,"
                + " SOFTMAX_ZERO or PROBIT, got '" + name + "'");
    }

    /** Parses the integer attribute {@code post_transform} of TreeEnsemble (default 0). */
    static PostTransform parseCode(NodeContext node) {
        long code = node.getInt("post_transform", 0);
        if (code < 0 || code >= values().length) {
            throw node.error("attribute 'post_transform' must be in [0, 4], got " + code);
        }
        return values()[(int) code];
    }

    /** Transforms {@code scores[offset, offset + length)} in place. */
    void apply(double[] scores, int offset, int length) {
        int end = offset + length;
        switch (this) {
            case NONE -> { }
            case LOGISTIC -> {
                for (int i = offset; i < end; i++) {
                    scores[i] = logistic(scores[i]);
                }
            }
            case PROBIT -> {
                for (int i = offset; i < end; i++) {
                    scores[i] = probit(scores[i]);
                }
            }
            case SOFTMAX -> softmax(scores, offset, end, false);
            case SOFTMAX_ZERO -> softmax(scores, offset, end, true);
        }
    }

    static double logistic(double x) {
        // Evaluate exp on a non-positive argument so that it never overflows.
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }

    /**
     * Computes a softmax over {@code [start, end)}. With {@code skipZeros}, entries equal to
     * zero stay zero and the softmax runs over the others; a row of zeros stays zeros.
     */
    private static void softmax(double[] s, int start, int end, boolean skipZeros) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = start; i < end; i++) {
            if (!(skipZeros && s[i] == 0) && s[i] > max) {
                max = s[i];
            }
        }
        double sum = 0;
        for (int i = start; i < end; i++) {
            if (skipZeros && s[i] == 0) {
                continue;
            }
            s[i] = Math.exp(s[i] - max);
            sum += s[i];
        }
        if (sum == 0) {
            return;
        }
        for (int i = start; i < end; i++) {
            s[i] /= sum;
        }
    }

    /**
     * Returns the probit of {@code p}, the inverse of the standard normal distribution
     * function, to about double precision: {@code -inf} at 0, {@code +inf} at 1, NaN outside
     * [0, 1].
     *
     * <p>NOTE: onnxruntime and the ONNX reference implementation use a closed-form
     * approximation of the inverse error function instead, so their PROBIT scores can differ
     * from these in the third or fourth significant digit.
     */
    static double probit(double p) {
        if (Double.isNaN(p) || p < 0 || p > 1) {
            return Double.NaN;
        }
        if (p == 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (p == 1) {
            return Double.POSITIVE_INFINITY;
        }
        // Solve in the lower tail, where q = min(p, 1 - p) is exact, and mirror the result.
        double q = Math.min(p, 1 - p);
        double z = -Math.sqrt(2) * approximateErfInv(1 - 2 * q);
        for (int i = 0; i < 4; i++) {
            // Halley steps on normalCdf(z) - q = 0.
            double error = normalCdf(z) - q;
            double u = error * Math.sqrt(2 * Math.PI) * Math.exp(z * z / 2);
            z = z - u / (1 + z * u / 2);
        }
        return p < 0.5 ? z : -z;
    }

    /** Winitzki's closed-form estimate of erfinv(x), relative error about 2e-3. */
    private static double approximateErfInv(double x) {
        double a = 0.147;
        double ln = Math.log((1 - x) * (1 + x));
        double b = 2 / (Math.PI * a) + ln / 2;
        double r = Math.sqrt(Math.sqrt(b * b - ln / a) - b);
        return x < 0 ? -r : r;
    }

    static double normalCdf(double z) {
        return erfc(-z / Math.sqrt(2)) / 2;
    }

    /** The complementary error function, with a relative error below about 1e-12. */
    static double erfc(double x) {
        if (x < 0) {
            return 2 - erfc(-x);
        }
        if (x < 3) {
            // Maclaurin series of erf: 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)).
            double x2 = x * x;
            double term = x;
            double sum = x;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double next = term / (2 * n + 1);
                sum += next;
                if (Math.abs(next) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            return 1 - 2 / Math.sqrt(Math.PI) * sum;
        }
        // Continued fraction erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
        // evaluated from the tail.
        double f = x;
        for (int k = 80; k >= 1; k--) {
            f = x + (k / 2.0) / f;
        }
        return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
    }
}
