package dev.jonnx.runtime.kernel;

/**
 * Elementwise transcendental functions on float arrays: exp, log, tanh, sigmoid, erf, GELU (erf
 * and tanh forms) and SiLU. Each array method reads {@code n} elements from {@code x} at
 * {@code xOffset} and writes {@code n} results to {@code y} at {@code yOffset}; {@code y} may be
 * {@code x} with the same offset (in place). With {@link Simd#enabled()} the vector path in
 * {@link VectorMathVector} runs, otherwise the scalar twin ({@code expScalar}, ...).
 *
 * <p>Both paths evaluate the same approximation with the same operations in the same order, so
 * they return the same bits. The single-value methods ({@link #exp(float)}, ...) are that
 * approximation. The errors below are the maxima that {@code VectorMathTest} measured over
 * 300,000 random, edge and special inputs, against {@code Math.*} or the formula evaluated in
 * double; a ULP is the spacing of floats at the exact result, and the test bounds sit just above:
 * <ul>
 *   <li>exp: 1.02 ULP. It overflows to +Inf above ln(Float.MAX_VALUE) and returns subnormals
 *       down to 2^-149.
 *   <li>log: 1.35 ULP, subnormal inputs included; log(±0) = -Inf, log(x < 0) = NaN.
 *   <li>tanh: 2.04 ULP. sigmoid: 2.01 ULP, also in the negative tail where results are subnormal.
 *   <li>erf: 2.39 ULP.
 *   <li>gelu (erf form): 11.8 ULP (7e-7 relative) near x = -1.4, where 1 + erf(z) cancels to
 *       0.16. Below x = -1.41 the polynomial switches to erfc(-z), so the negative tail keeps
 *       its relative accuracy down to the subnormal range.
 *   <li>gelu (tanh form): 11.8 ULP for x >= -3. Below, rounding the argument 2u = 2 sqrt(2/pi)
 *       (x + 0.044715 x^3) in float costs up to 2.4 |2u| ULP (180 ULP at x = -9.8, where the
 *       result is about 1e-36), as for any float evaluation of that formula.
 *   <li>silu: 2.9 ULP for x > -87.3. Below, sigmoid(x) is subnormal and the error is at most
 *       |x| * 2^-149 in absolute terms.
 * </ul>
 * NaN inputs give NaN. GELU and SiLU of -Inf return -0.0, the limit, where the plain formula
 * would give -Inf * 0 = NaN.
 */
public final class VectorMath {
    // Rounding to nearest integer: adding 1.5 * 2^23 leaves n in the low mantissa bits.
    static final float ROUND_MAGIC = 12582912f;
    static final int ROUND_MAGIC_BITS = 0x4B400000;
    static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split in two: LN2_HI has 9 significant bits, so n * LN2_HI is exact for |n| < 2^15. */
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    /** exp(x) is +Inf at and above this after clamping (x * log2e rounds to 128). */
    static final float EXP_HI = 88.8f;
    /** exp(x) rounds to 0 at and below this after clamping (n = -150). */
    static final float EXP_LO = -104f;
    // Taylor coefficients 1/k! of e^r - 1 - r, from k = 2 to 7; |r| <= ln2 / 2 keeps the
    // truncation error below 6e-9 relative.
    static final float E2 = 0.5f;
    static final float E3 = 1f / 6;
    static final float E4 = 1f / 24;
    static final float E5 = 1f / 120;
    static final float E6 = 1f / 720;
    static final float E7 = 1f / 5040;

    static final float SQRT2 = 1.41421356f;
    static final float TWO_POW_23 = 8388608f;
    // atanh series for log: log(m) = 2s + 2s * (s^2/3 + s^4/5 + s^6/7 + s^8/9), s = (m-1)/(m+1).
    static final float L3 = 1f / 3;
    static final float L5 = 1f / 5;
    static final float L7 = 1f / 7;
    static final float L9 = 1f / 9;

    /** tanh switches from E/(E+2) to 1 - 2/(E+2) here (E = expm1(2|x|)), where both are about 0.5. */
    static final float TANH_SPLIT = 0.55f;
    /** tanh(x) rounds to ±1 beyond |x| = 9.01; clamping 2|x| to 20 keeps expm1 finite. */
    static final float TANH_CLAMP = 20f;

    // erf(z) = z * P(z^2) for |z| <= 1: a least-squares fit of relative error on Chebyshev
    // nodes, made for this file; the fit's own error is 1.3e-9 relative.
    static final float P0 = 1.1283791065216064f;
    static final float P1 = -0.3761262595653534f;
    static final float P2 = 0.1128358244895935f;
    static final float P3 = -0.026853691786527634f;
    static final float P4 = 0.005188099108636379f;
    static final float P5 = -0.0008008189615793526f;
    static final float P6 = 7.847259257687256e-05f;
    // erfc(z) = exp(-z^2) * Q(1/z - 0.5) / z for 1 <= z <= 11: a fit of the same kind in
    // t = 1/z; the float evaluation stays within 8.5e-8 relative.
    static final float Q_CENTER = 0.5f;
    static final float Q0 = 0.5107913613319397f;
    static final float Q1 = -0.16721086204051971f;
    static final float Q2 = -0.03663421422243118f;
    static final float Q3 = 0.11894610524177551f;
    static final float Q4 = -0.10868901759386063f;
    static final float Q5 = 0.04300853982567787f;
    static final float Q6 = 0.038888659328222275f;
    static final float Q7 = -0.11056585609912872f;
    static final float Q8 = 0.1428818702697754f;
    static final float Q9 = -0.056087665259838104f;
    static final float Q10 = -0.11894240230321884f;
    static final float Q11 = 0.12436114996671677f;
    /** erfc(11) is 1.4e-54, far below the smallest float, so larger |z| clamp to it. */
    static final float ERF_CLAMP = 11f;
    static final float INV_SQRT2 = 0.70710678f;
    /** GELU(x) for x below -15 underflows to -0.0; clamping keeps x * x finite. */
    static final float GELU_CLAMP = 15f;
    /** sqrt(2 / pi) and 0.044715 * sqrt(2 / pi), the constants of the tanh form. */
    static final float GELU_TANH_C1 = 0.7978845608f;
    static final float GELU_TANH_C3 = 0.0356774081f;
    /** x * sigmoid(x) is -0.0 in float below about -104; clamping avoids -Inf * 0. */
    static final float SILU_CLAMP = -200f;

    private VectorMath() {}

    // ---- array entry points ------------------------------------------------------------------

    public static void exp(float[] x, int xOffset, float[] y, int yOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                VectorMathVector.exp(x, xOffset + done, y, yOffset + done, count);
            }
        } else {
            expScalar(x, xOffset, y, yOffset, n);
        }
    }

    public static void log(float[] x, int xOffset, float[] y, int yOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                VectorMathVector.log(x, xOffset + done, y, yOffset + done, count);
            }
        } else {
            logScalar(x, xOffset, y, yOffset, n);
        }
    }

    public static void tanh(float[] x, int xOffset, float[] y, int yOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                VectorMathVector.tanh(x, xOffset + done, y, yOffset + done, count);
            }
        } else {
            tanhScalar(x, xOffset, y, yOffset, n);
        }
    }

    public static void sigmoid(float[] x, int xOffset, float[] y, int yOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                VectorMathVector.sigmoid(x, xOffset + done, y, yOffset + done, count);
            }
        } else {
            sigmoidScalar(x, xOffset, y, yOffset, n);
        }
    }

    public static void erf(float[] x, int xOffset, float[] y, int yOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                VectorMathVector.erf(x, xOffset + done, y, yOffset + done, count);
            }
        } else {
            erfScalar(x, xOffset, y, yOffset, n);
        }
    }

    /** Computes GELU, x/2 * (1 + erf(x / sqrt 2)), the exact form (approximate="none"). */
    public static void gelu(float[] x, int xOffset, float[] y, int yOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                VectorMathVector.gelu(x, xOffset + done, y, yOffset + done, count);
            }
        } else {
            geluScalar(x, xOffset, y, yOffset, n);
        }
    }

    /** Computes GELU's tanh form, x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))). */
    public static void geluTanh(float[] x, int xOffset, float[] y, int yOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                VectorMathVector.geluTanh(x, xOffset + done, y, yOffset + done, count);
            }
        } else {
            geluTanhScalar(x, xOffset, y, yOffset, n);
        }
    }

    /** Computes SiLU (swish), x * sigmoid(x). */
    public static void silu(float[] x, int xOffset, float[] y, int yOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                VectorMathVector.silu(x, xOffset + done, y, yOffset + done, count);
            }
        } else {
            siluScalar(x, xOffset, y, yOffset, n);
        }
    }

    // ---- scalar twins over arrays ------------------------------------------------------------

    public static void expScalar(float[] x, int xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] = exp(x[xOffset + i]);
        }
    }

    public static void logScalar(float[] x, int xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] = log(x[xOffset + i]);
        }
    }

    public static void tanhScalar(float[] x, int xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] = tanh(x[xOffset + i]);
        }
    }

    public static void sigmoidScalar(float[] x, int xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] = sigmoid(x[xOffset + i]);
        }
    }

    public static void erfScalar(float[] x, int xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] = erf(x[xOffset + i]);
        }
    }

    public static void geluScalar(float[] x, int xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] = gelu(x[xOffset + i]);
        }
    }

    public static void geluTanhScalar(float[] x, int xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] = geluTanh(x[xOffset + i]);
        }
    }

    public static void siluScalar(float[] x, int xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] = silu(x[xOffset + i]);
        }
    }

    // ---- the approximations, one value at a time ---------------------------------------------
    // Every step mirrors a line of VectorMathVector; change both together.

    /** Returns e^x by x = n ln2 + r, |r| <= ln2/2, e^x = 2^n * (1 + expm1 polynomial(r)). */
    public static float exp(float x) {
        float xc = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float t = Math.fma(xc, LOG2E, ROUND_MAGIC);
        float nf = t - ROUND_MAGIC;
        int n = Float.floatToRawIntBits(t) - ROUND_MAGIC_BITS;
        float r = Math.fma(-nf, LN2_HI, xc);
        r = Math.fma(-nf, LN2_LO, r);
        float p = expm1Poly(r) + 1f;
        // 2^n as two factors, so that n down to -150 (subnormal results) and up to 128 both work.
        int n1 = n >> 1;
        int n2 = n - n1;
        return p * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
    }

    /** Returns e^r - 1 for |r| <= ln2/2 without cancellation. */
    static float expm1Poly(float r) {
        float p = Math.fma(E7, r, E6);
        p = Math.fma(p, r, E5);
        p = Math.fma(p, r, E4);
        p = Math.fma(p, r, E3);
        p = Math.fma(p, r, E2);
        return Math.fma(r * r, p, r);
    }

    /** Returns e^y - 1 for 0 <= y <= 20 (the range tanh needs); NaN stays NaN. */
    static float expm1Bounded(float y) {
        float t = Math.fma(y, LOG2E, ROUND_MAGIC);
        float nf = t - ROUND_MAGIC;
        int n = Float.floatToRawIntBits(t) - ROUND_MAGIC_BITS;
        float r = Math.fma(-nf, LN2_HI, y);
        r = Math.fma(-nf, LN2_LO, r);
        float q = expm1Poly(r);
        float s = Float.intBitsToFloat((n + 127) << 23);
        return Math.fma(s, q, s - 1f);
    }

    /** Returns ln x from x = m * 2^e with sqrt(1/2) <= m < sqrt(2) and the atanh series of m. */
    public static float log(float x) {
        boolean subnormal = x < Float.MIN_NORMAL;
        float xs = subnormal ? x * TWO_POW_23 : x;
        int bits = Float.floatToRawIntBits(xs);
        float e = (float) (((bits >>> 23) & 0xFF) - 127) - (subnormal ? 23f : 0f);
        float m = Float.intBitsToFloat((bits & 0x007FFFFF) | 0x3F800000);
        boolean high = m > SQRT2;
        m = high ? m * 0.5f : m;
        e = high ? e + 1f : e;
        float f = m - 1f;
        float s = f / (f + 2f);
        float z = s * s;
        float p = Math.fma(L9, z, L7);
        p = Math.fma(p, z, L5);
        p = Math.fma(p, z, L3);
        float s2 = s + s;
        float logM = Math.fma(s2, z * p, s2);
        float result = Math.fma(e, LN2_HI, Math.fma(e, LN2_LO, logM));
        if (x < 0f || x != x) {
            return Float.NaN;
        }
        if (x == 0f) {
            return Float.NEGATIVE_INFINITY;
        }
        return x == Float.POSITIVE_INFINITY ? Float.POSITIVE_INFINITY : result;
    }

    /** Returns tanh x as E/(E+2) or 1 - 2/(E+2) with E = expm1(2|x|), and the sign of x. */
    public static float tanh(float x) {
        float a = Math.abs(x);
        float big = expm1Bounded(Math.min(a + a, TANH_CLAMP));
        float d = big + 2f;
        float t = a < TANH_SPLIT ? big / d : 1f - 2f / d;
        return Math.copySign(t, x);
    }

    /** Returns 1/(1+e^-x) for x >= 0 and e^x/(1+e^x) below, so neither side overflows. */
    public static float sigmoid(float x) {
        float e = exp(-Math.abs(x));
        float numerator = x < 0f ? e : 1f;
        return numerator / (1f + e);
    }

    public static float silu(float x) {
        float w = Math.max(x, SILU_CLAMP);
        return w * sigmoid(w);
    }

    /** Returns erf x: a polynomial for |x| <= 1, 1 - erfc(|x|) above, with the sign of x. */
    public static float erf(float x) {
        float a = Math.min(Math.abs(x), ERF_CLAMP);
        float r;
        if (a <= 1f) {
            r = a * erfSmallPoly(a * a);
        } else {
            float aa = a * a;
            r = 1f - erfcLarge(a, aa, Math.fma(a, a, -aa));
        }
        return Math.copySign(r, x);
    }

    /** Returns erf(z) / z for z^2 = w <= 1. */
    static float erfSmallPoly(float w) {
        float p = Math.fma(P6, w, P5);
        p = Math.fma(p, w, P4);
        p = Math.fma(p, w, P3);
        p = Math.fma(p, w, P2);
        p = Math.fma(p, w, P1);
        return Math.fma(p, w, P0);
    }

    /**
     * Returns erfc(a) for 1 <= a <= 11, where a^2 = z2 + z2Low exactly; the low part corrects
     * exp(-a^2) to first order, which matters for relative accuracy deep in the tail.
     */
    static float erfcLarge(float a, float z2, float z2Low) {
        float t = 1f / a;
        float u = t - Q_CENTER;
        float q = Math.fma(Q11, u, Q10);
        q = Math.fma(q, u, Q9);
        q = Math.fma(q, u, Q8);
        q = Math.fma(q, u, Q7);
        q = Math.fma(q, u, Q6);
        q = Math.fma(q, u, Q5);
        q = Math.fma(q, u, Q4);
        q = Math.fma(q, u, Q3);
        q = Math.fma(q, u, Q2);
        q = Math.fma(q, u, Q1);
        q = Math.fma(q, u, Q0);
        float g = q * t * (1f - z2Low);
        return exp(-z2) * g;
    }

    /**
     * Returns x/2 * (1 + erf(x / sqrt 2)). For z = x / sqrt 2 beyond ±1, 1 + erf(z) is taken as
     * erfc(-z) or 2 - erfc(z), and z^2 = x^2 / 2 is split in two exact parts.
     */
    public static float gelu(float x) {
        float w = Math.max(x, -GELU_CLAMP);
        float xc = Math.min(w, GELU_CLAMP);
        float z = xc * INV_SQRT2;
        float a = Math.abs(z);
        float onePlusErf;
        if (a <= 1f) {
            onePlusErf = Math.fma(z, erfSmallPoly(z * z), 1f);
        } else {
            float xx = xc * xc;
            float xxLow = Math.fma(xc, xc, -xx);
            float erfc = erfcLarge(Math.max(a, 1f), 0.5f * xx, 0.5f * xxLow);
            onePlusErf = z < 0f ? erfc : 2f - erfc;
        }
        return 0.5f * w * onePlusErf;
    }

    /** Returns GELU's tanh form as x * sigmoid(2u), the same value without the 1 + tanh cancellation. */
    public static float geluTanh(float x) {
        float w = Math.max(x, -GELU_CLAMP);
        float u = w * Math.fma(GELU_TANH_C3, w * w, GELU_TANH_C1);
        return w * sigmoid(u + u);
    }
}
