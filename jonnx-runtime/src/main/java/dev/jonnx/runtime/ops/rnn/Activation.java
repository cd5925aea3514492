package dev.jonnx.runtime.ops.rnn;

import java.util.Locale;

/**
 * An activation function of the recurrent operators, with its alpha and beta. Names match
 * case-insensitively. Alpha and beta default to the defaults of the ONNX operator of the
 * same name (for example alpha 0.01 for LeakyRelu).
 */
record Activation(Kind kind, double alpha, double beta) {

    enum Kind {
        RELU, TANH, SIGMOID, AFFINE, LEAKYRELU, THRESHOLDEDRELU, SCALEDTANH, HARDSIGMOID, ELU,
        SOFTSIGN, SOFTPLUS
    }

    /** Returns the kind for an ONNX activation name, or null when the name is unknown. */
    static Kind kindOf(String name) {
        try {
            return Kind.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static boolean takesAlpha(Kind kind) {
        return switch (kind) {
            case AFFINE, LEAKYRELU, THRESHOLDEDRELU, SCALEDTANH, HARDSIGMOID, ELU -> true;
            default -> false;
        };
    }

    static boolean takesBeta(Kind kind) {
        return switch (kind) {
            case AFFINE, SCALEDTANH, HARDSIGMOID -> true;
            default -> false;
        };
    }

    static double defaultAlpha(Kind kind) {
        return switch (kind) {
            case LEAKYRELU -> 0.01;
            case HARDSIGMOID -> 0.2;
            default -> 1.0;
        };
    }

    static double defaultBeta(Kind kind) {
        return switch (kind) {
            case HARDSIGMOID -> 0.5;
            case SCALEDTANH -> 1.0;
            default -> 0.0;
        };
    }

    double apply(double x) {
        return switch (kind) {
            case RELU -> Math.max(x, 0);
            case TANH -> Math.tanh(x);
            case SIGMOID -> sigmoid(x);
            case AFFINE -> alpha * x + beta;
            case LEAKYRELU -> x >= 0 ? x : alpha * x;
            case THRESHOLDEDRELU -> x > alpha ? x : 0;
            case SCALEDTANH -> alpha * Math.tanh(beta * x);
            case HARDSIGMOID -> Math.min(Math.max(alpha * x + beta, 0), 1);
            case ELU -> x >= 0 ? x : alpha * (Math.exp(x) - 1);
            case SOFTSIGN -> x / (1 + Math.abs(x));
            case SOFTPLUS -> x > 30 ? x : Math.log1p(Math.exp(x));
        };
    }

    private static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }
}
