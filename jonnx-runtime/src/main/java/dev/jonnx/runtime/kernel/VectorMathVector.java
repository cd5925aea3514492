package dev.jonnx.runtime.kernel;

import static dev.jonnx.runtime.kernel.VectorMath.*;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector path of {@link VectorMath}, lane by lane the same operations as its scalar
 * methods. The loops run whole vectors and finish the tail with the scalar twin. The species
 * here is shared by the other vector kernels of this package.
 *
 * <p>NOTE: only C2 intrinsifies the Vector API. Until a loop here is compiled (a few thousand
 * vectors, seconds on a loaded machine) it runs the Java fallback, hundreds of times slower
 * than the scalar twin, so short runs see no speedup.
 */
final class VectorMathVector {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED.length() == Simd.FLOAT_LANES
            ? FloatVector.SPECIES_PREFERRED
            : VectorSpecies.of(float.class, VectorShape.forBitSize(Simd.FLOAT_LANES * 32));
    static final int LANES = SPECIES.length();

    private VectorMathVector() {}

    /** Runs exp over arrays. The lane code is written out in the loop, not called, so that C2 compiles it the same way every time. */
    static void exp(float[] x, int xOffset, float[] y, int yOffset, int n) {
        FloatVector ln2High = broadcast(LN2_HI);
        FloatVector ln2Low = broadcast(LN2_LO);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector xc = atMost(atLeast(FloatVector.fromArray(SPECIES, x, xOffset + i), EXP_LO), EXP_HI);
            FloatVector t = xc.fma(LOG2E, ROUND_MAGIC);
            FloatVector nf = t.sub(ROUND_MAGIC);
            IntVector n0 = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
            FloatVector r = nf.neg().fma(ln2High, xc);
            r = nf.neg().fma(ln2Low, r);
            FloatVector p = r.fma(E7, E6);
            p = p.fma(r, broadcast(E5));
            p = p.fma(r, broadcast(E4));
            p = p.fma(r, broadcast(E3));
            p = p.fma(r, broadcast(E2));
            p = r.mul(r).fma(p, r).add(1f);
            IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
            IntVector n2 = n0.sub(n1);
            FloatVector scale1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector scale2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            p.mul(scale1).mul(scale2).intoArray(y, yOffset + i);
        }
        for (; i < n; i++) {
            y[yOffset + i] = VectorMath.exp(x[xOffset + i]);
        }
    }

    static void log(float[] x, int xOffset, float[] y, int yOffset, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            log(FloatVector.fromArray(SPECIES, x, xOffset + i)).intoArray(y, yOffset + i);
        }
        for (; i < n; i++) {
            y[yOffset + i] = VectorMath.log(x[xOffset + i]);
        }
    }

    static void tanh(float[] x, int xOffset, float[] y, int yOffset, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            tanh(FloatVector.fromArray(SPECIES, x, xOffset + i)).intoArray(y, yOffset + i);
        }
        for (; i < n; i++) {
            y[yOffset + i] = VectorMath.tanh(x[xOffset + i]);
        }
    }

    static void sigmoid(float[] x, int xOffset, float[] y, int yOffset, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            sigmoid(FloatVector.fromArray(SPECIES, x, xOffset + i)).intoArray(y, yOffset + i);
        }
        for (; i < n; i++) {
            y[yOffset + i] = VectorMath.sigmoid(x[xOffset + i]);
        }
    }

    /**
     * Floats per pass of erf and gelu. Their vector code runs in three passes over
     * chunks (polynomials, exp, combine) because one loop body with all of it grows past C2's
     * inlining limits, and a vector value that crosses a call that is not inlined is boxed.
     */
    private static final int CHUNK = 256;

    /** Per-thread scratch arrays of CHUNK floats for the three passes of erf and gelu. */
    private static final ThreadLocal<float[][]> SCRATCH =
            ThreadLocal.withInitial(() -> new float[][] {new float[CHUNK], new float[CHUNK], new float[CHUNK]});

    static void erf(float[] x, int xOffset, float[] y, int yOffset, int n) {
        int bound = SPECIES.loopBound(n);
        int chunk = Math.min(CHUNK, bound);
        float[][] scratch = SCRATCH.get();
        float[] small = scratch[0];
        float[] expArgument = scratch[1];
        float[] factor = scratch[2];
        for (int start = 0; start < bound; start += chunk) {
            int length = Math.min(chunk, bound - start);
            erfPrepare(x, xOffset + start, small, expArgument, factor, length);
            exp(expArgument, 0, expArgument, 0, length);
            erfCombine(x, xOffset + start, small, expArgument, factor, y, yOffset + start, length);
        }
        for (int i = bound; i < n; i++) {
            y[yOffset + i] = VectorMath.erf(x[xOffset + i]);
        }
    }

    /** Stores erf of the small branch, -a^2 and the factor that multiplies exp(-a^2) in erfc. */
    private static void erfPrepare(float[] x, int xOffset, float[] small, float[] expArgument, float[] factor,
            int length) {
        for (int i = 0; i < length; i += LANES) {
            FloatVector a = atMost(FloatVector.fromArray(SPECIES, x, xOffset + i).abs(), ERF_CLAMP);
            a.mul(erfSmallPoly(a.mul(a))).intoArray(small, i);
            FloatVector aa = a.mul(a);
            FloatVector aaLow = a.fma(a, aa.neg());
            aa.neg().intoArray(expArgument, i);
            erfcFactor(a, aaLow).intoArray(factor, i);
        }
    }

    private static void erfCombine(float[] x, int xOffset, float[] small, float[] exp, float[] factor, float[] y,
            int yOffset, int length) {
        for (int i = 0; i < length; i += LANES) {
            FloatVector vx = FloatVector.fromArray(SPECIES, x, xOffset + i);
            FloatVector a = atMost(vx.abs(), ERF_CLAMP);
            FloatVector erfc = FloatVector.fromArray(SPECIES, exp, i).mul(FloatVector.fromArray(SPECIES, factor, i));
            FloatVector r = broadcast(1f).sub(erfc)
                    .blend(FloatVector.fromArray(SPECIES, small, i), a.compare(VectorOperators.LE, 1f));
            copySign(r, vx).intoArray(y, yOffset + i);
        }
    }

    static void gelu(float[] x, int xOffset, float[] y, int yOffset, int n) {
        int bound = SPECIES.loopBound(n);
        int chunk = Math.min(CHUNK, bound);
        float[][] scratch = SCRATCH.get();
        float[] small = scratch[0];
        float[] expArgument = scratch[1];
        float[] factor = scratch[2];
        for (int start = 0; start < bound; start += chunk) {
            int length = Math.min(chunk, bound - start);
            geluPrepare(x, xOffset + start, small, expArgument, factor, length);
            exp(expArgument, 0, expArgument, 0, length);
            geluCombine(x, xOffset + start, small, expArgument, factor, y, yOffset + start, length);
        }
        for (int i = bound; i < n; i++) {
            y[yOffset + i] = VectorMath.gelu(x[xOffset + i]);
        }
    }

    /** Stores 1 + erf(z) of the small branch, -z^2 and the factor that multiplies exp(-z^2) in erfc. */
    private static void geluPrepare(float[] x, int xOffset, float[] small, float[] expArgument, float[] factor,
            int length) {
        for (int i = 0; i < length; i += LANES) {
            FloatVector xc = atMost(atLeast(FloatVector.fromArray(SPECIES, x, xOffset + i), -GELU_CLAMP), GELU_CLAMP);
            FloatVector z = xc.mul(INV_SQRT2);
            z.fma(erfSmallPoly(z.mul(z)), broadcast(1f)).intoArray(small, i);
            FloatVector xx = xc.mul(xc);
            FloatVector xxLow = xc.fma(xc, xx.neg());
            xx.mul(0.5f).neg().intoArray(expArgument, i);
            erfcFactor(atLeast(z.abs(), 1f), xxLow.mul(0.5f)).intoArray(factor, i);
        }
    }

    private static void geluCombine(float[] x, int xOffset, float[] small, float[] exp, float[] factor, float[] y,
            int yOffset, int length) {
        for (int i = 0; i < length; i += LANES) {
            FloatVector w = atLeast(FloatVector.fromArray(SPECIES, x, xOffset + i), -GELU_CLAMP);
            FloatVector z = atMost(w, GELU_CLAMP).mul(INV_SQRT2);
            FloatVector erfc = FloatVector.fromArray(SPECIES, exp, i).mul(FloatVector.fromArray(SPECIES, factor, i));
            FloatVector large = broadcast(2f).sub(erfc).blend(erfc, z.compare(VectorOperators.LT, 0f));
            FloatVector onePlusErf = large.blend(FloatVector.fromArray(SPECIES, small, i),
                    z.abs().compare(VectorOperators.LE, 1f));
            w.mul(0.5f).mul(onePlusErf).intoArray(y, yOffset + i);
        }
    }

    static void geluTanh(float[] x, int xOffset, float[] y, int yOffset, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            geluTanh(FloatVector.fromArray(SPECIES, x, xOffset + i)).intoArray(y, yOffset + i);
        }
        for (; i < n; i++) {
            y[yOffset + i] = VectorMath.geluTanh(x[xOffset + i]);
        }
    }

    static void silu(float[] x, int xOffset, float[] y, int yOffset, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            silu(FloatVector.fromArray(SPECIES, x, xOffset + i)).intoArray(y, yOffset + i);
        }
        for (; i < n; i++) {
            y[yOffset + i] = VectorMath.silu(x[xOffset + i]);
        }
    }

    // ---- lane-wise approximations ------------------------------------------------------------

    /**
     * Returns max(v, low) for a nonzero {@code low}, keeping NaN lanes NaN as lanewise MAX does.
     * A compare and a blend compile to two instructions, where lanewise MAX takes several more
     * to order signed zeros and NaN, which cannot differ here.
     */
    private static FloatVector atLeast(FloatVector v, float low) {
        return v.blend(low, v.compare(VectorOperators.LT, low));
    }

    /** Returns min(v, high) for a nonzero {@code high}, keeping NaN lanes NaN as lanewise MIN does. */
    private static FloatVector atMost(FloatVector v, float high) {
        return v.blend(high, v.compare(VectorOperators.GT, high));
    }

    private static FloatVector broadcast(float value) {
        return FloatVector.broadcast(SPECIES, value);
    }

    /** 2^n for integer lanes n in [-126, 127], built in the exponent field. */
    private static FloatVector pow2(IntVector n) {
        return n.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }

    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.lanewise(VectorOperators.MAX, EXP_LO).lanewise(VectorOperators.MIN, EXP_HI);
        FloatVector t = xc.fma(LOG2E, ROUND_MAGIC);
        FloatVector nf = t.sub(ROUND_MAGIC);
        IntVector n = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
        FloatVector r = nf.neg().fma(broadcast(LN2_HI), xc);
        r = nf.neg().fma(broadcast(LN2_LO), r);
        FloatVector p = expm1Poly(r).add(1f);
        IntVector n1 = n.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = n.sub(n1);
        return p.mul(pow2(n1)).mul(pow2(n2));
    }

    static FloatVector expm1Poly(FloatVector r) {
        FloatVector p = r.fma(E7, E6);
        p = p.fma(r, FloatVector.broadcast(SPECIES, E5));
        p = p.fma(r, FloatVector.broadcast(SPECIES, E4));
        p = p.fma(r, FloatVector.broadcast(SPECIES, E3));
        p = p.fma(r, FloatVector.broadcast(SPECIES, E2));
        return r.mul(r).fma(p, r);
    }

    static FloatVector expm1Bounded(FloatVector y) {
        FloatVector t = y.fma(LOG2E, ROUND_MAGIC);
        FloatVector nf = t.sub(ROUND_MAGIC);
        IntVector n = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS);
        FloatVector r = nf.neg().fma(broadcast(LN2_HI), y);
        r = nf.neg().fma(broadcast(LN2_LO), r);
        FloatVector q = expm1Poly(r);
        FloatVector s = pow2(n);
        return s.fma(q, s.sub(1f));
    }

    static FloatVector log(FloatVector x) {
        VectorMask<Float> subnormal = x.compare(VectorOperators.LT, Float.MIN_NORMAL);
        FloatVector xs = x.blend(x.mul(TWO_POW_23), subnormal);
        IntVector bits = xs.reinterpretAsInts();
        IntVector exponent = bits.lanewise(VectorOperators.LSHR, 23).and(0xFF).sub(127);
        FloatVector e = ((FloatVector) exponent.convert(VectorOperators.I2F, 0))
                .sub(FloatVector.zero(SPECIES).blend(23f, subnormal));
        FloatVector m = bits.and(0x007FFFFF).or(0x3F800000).reinterpretAsFloats();
        VectorMask<Float> high = m.compare(VectorOperators.GT, SQRT2);
        m = m.blend(m.mul(0.5f), high);
        e = e.blend(e.add(1f), high);
        FloatVector f = m.sub(1f);
        FloatVector s = f.div(f.add(2f));
        FloatVector z = s.mul(s);
        FloatVector p = z.fma(L9, L7);
        p = p.fma(z, FloatVector.broadcast(SPECIES, L5));
        p = p.fma(z, FloatVector.broadcast(SPECIES, L3));
        FloatVector s2 = s.add(s);
        FloatVector logM = s2.fma(z.mul(p), s2);
        return logSpecialValues(x, e.fma(broadcast(LN2_HI), e.fma(broadcast(LN2_LO), logM)));
    }

    /** Sets NaN for x < 0 or NaN, -Inf for ±0 and +Inf for +Inf (kept apart so log stays small enough to inline). */
    private static FloatVector logSpecialValues(FloatVector x, FloatVector result) {
        VectorMask<Float> invalid = x.compare(VectorOperators.LT, 0f).or(x.test(VectorOperators.IS_NAN));
        result = result.blend(Float.NaN, invalid);
        result = result.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
        return result.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
    }

    /** Copies the sign bit of {@code sign} onto {@code magnitude}, a non-negative value or NaN. */
    private static FloatVector copySign(FloatVector magnitude, FloatVector sign) {
        IntVector signBit = sign.reinterpretAsInts().and(0x80000000);
        return magnitude.reinterpretAsInts().and(0x7FFFFFFF).or(signBit).reinterpretAsFloats();
    }

    static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector big = expm1Bounded(a.add(a).lanewise(VectorOperators.MIN, TANH_CLAMP));
        FloatVector d = big.add(2f);
        FloatVector small = big.div(d);
        FloatVector large = FloatVector.broadcast(SPECIES, 1f).sub(FloatVector.broadcast(SPECIES, 2f).div(d));
        FloatVector t = large.blend(small, a.compare(VectorOperators.LT, TANH_SPLIT));
        return copySign(t, x);
    }

    static FloatVector sigmoid(FloatVector x) {
        FloatVector e = exp(x.abs().neg());
        FloatVector numerator = FloatVector.broadcast(SPECIES, 1f).blend(e, x.compare(VectorOperators.LT, 0f));
        return numerator.div(e.add(1f));
    }

    static FloatVector silu(FloatVector x) {
        FloatVector w = x.lanewise(VectorOperators.MAX, SILU_CLAMP);
        return w.mul(sigmoid(w));
    }

    static FloatVector erfSmallPoly(FloatVector w) {
        FloatVector p = w.fma(P6, P5);
        p = p.fma(w, FloatVector.broadcast(SPECIES, P4));
        p = p.fma(w, FloatVector.broadcast(SPECIES, P3));
        p = p.fma(w, FloatVector.broadcast(SPECIES, P2));
        p = p.fma(w, FloatVector.broadcast(SPECIES, P1));
        return p.fma(w, FloatVector.broadcast(SPECIES, P0));
    }

    /** Returns erfc(a) / exp(-a^2) for 1 <= a <= 11, the part of VectorMath.erfcLarge before its exp. */
    static FloatVector erfcFactor(FloatVector a, FloatVector z2Low) {
        FloatVector t = FloatVector.broadcast(SPECIES, 1f).div(a);
        FloatVector u = t.sub(Q_CENTER);
        FloatVector q = u.fma(Q11, Q10);
        q = q.fma(u, FloatVector.broadcast(SPECIES, Q9));
        q = q.fma(u, FloatVector.broadcast(SPECIES, Q8));
        q = q.fma(u, FloatVector.broadcast(SPECIES, Q7));
        q = q.fma(u, FloatVector.broadcast(SPECIES, Q6));
        q = q.fma(u, FloatVector.broadcast(SPECIES, Q5));
        q = q.fma(u, FloatVector.broadcast(SPECIES, Q4));
        q = q.fma(u, FloatVector.broadcast(SPECIES, Q3));
        q = q.fma(u, FloatVector.broadcast(SPECIES, Q2));
        q = q.fma(u, FloatVector.broadcast(SPECIES, Q1));
        q = q.fma(u, FloatVector.broadcast(SPECIES, Q0));
        return q.mul(t).mul(FloatVector.broadcast(SPECIES, 1f).sub(z2Low));
    }

    static FloatVector geluTanh(FloatVector x) {
        FloatVector w = x.lanewise(VectorOperators.MAX, -GELU_CLAMP);
        FloatVector u = w.mul(w.mul(w).fma(GELU_TANH_C3, GELU_TANH_C1));
        return w.mul(sigmoid(u.add(u)));
    }
}
