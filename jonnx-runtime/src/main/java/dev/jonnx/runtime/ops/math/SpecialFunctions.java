package dev.jonnx.runtime.ops.math;

/** Special functions that {@link Math} lacks. */
final class SpecialFunctions {
    private SpecialFunctions() {}

    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    /**
     * The error function, to about 1e-14 relative error. Small arguments use the Maclaurin
     * series; larger ones use the continued fraction of erfc, which converges fast there.
     */
    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        if (a >= 6) {
            return Math.copySign(1.0, x);
        }
        if (a < 2.5) {
            // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
            double x2 = x * x;
            double term = x;
            double sum = x;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            return TWO_OVER_SQRT_PI * sum;
        }
        return Math.copySign(1 - erfcContinuedFraction(a), x);
    }

    /**
     * erfc(a) for a >= 2.5 from the continued fraction
     * erfc(a) = exp(-a^2) / sqrt(pi) * 1 / (a + (1/2) / (a + 1 / (a + (3/2) / (a + 2 / ...)))),
     * evaluated with the modified Lentz method.
     */
    private static double erfcContinuedFraction(double a) {
        double tiny = 1e-300;
        double f = a;
        double c = a;
        double d = 0;
        for (int k = 1; k < 500; k++) {
            double coefficient = k / 2.0;
            d = a + coefficient * d;
            d = d == 0 ? tiny : d;
            c = a + coefficient / c;
            c = c == 0 ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return Math.exp(-a * a) / (Math.sqrt(Math.PI) * f);
    }
}
