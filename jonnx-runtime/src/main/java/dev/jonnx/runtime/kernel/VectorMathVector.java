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
 */
final class VectorMathVector {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED.length() == Simd.FLOAT_LANES
            ? FloatVector.SPECIES_PREFERRED
            : VectorSpecies.of(float.class, VectorShape.forBitSize(Simd.FLOAT_LANES * 32));
    static final int LANES = SPECIES.length();

    private VectorMathVector() {}

    static void exp(float[] x, int xOffset, float[] y, int yOffset, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            exp(FloatVector.fromArray(SPECIES, x, xOffset + i)).intoArray(y, yOffset + i);
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

    static void erf(float[] x, int xOffset, float[] y, int yOffset, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            erf(FloatVector.fromArray(SPECIES, x, xOffset + i)).intoArray(y, yOffset + i);
        }
        for (; i < n; i++) {
            y[yOffset + i] = VectorMath.erf(x[xOffset + i]);
        }
    }

    static void gelu(float[] x, int xOffset, float[] y, int yOffset, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            gelu(FloatVector.fromArray(SPECIES, x, xOffset + i)).intoArray(y, yOffset + i);
        }
        for (; i < n; i++) {
            y[yOffset + i] = VectorMath.gelu(x[xOffset + i]);
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
        FloatVector result = e.fma(broadcast(LN2_HI), e.fma(broadcast(LN2_LO), logM));
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

    static FloatVector erfcLarge(FloatVector a, FloatVector z2, FloatVector z2Low) {
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
        FloatVector g = q.mul(t).mul(FloatVector.broadcast(SPECIES, 1f).sub(z2Low));
        return exp(z2.neg()).mul(g);
    }

    static FloatVector erf(FloatVector x) {
        FloatVector a = x.abs().lanewise(VectorOperators.MIN, ERF_CLAMP);
        VectorMask<Float> small = a.compare(VectorOperators.LE, 1f);
        FloatVector r = a.mul(erfSmallPoly(a.mul(a)));
        if (!small.allTrue()) {
            // The large branch needs a >= 1 to stay inside its fit; small lanes are replaced anyway.
            FloatVector aa = a.mul(a);
            FloatVector aaLow = a.fma(a, aa.neg());
            FloatVector large = FloatVector.broadcast(SPECIES, 1f).sub(erfcLarge(a, aa, aaLow));
            r = large.blend(r, small);
        }
        return copySign(r, x);
    }

    static FloatVector gelu(FloatVector x) {
        FloatVector w = x.lanewise(VectorOperators.MAX, -GELU_CLAMP);
        FloatVector xc = w.lanewise(VectorOperators.MIN, GELU_CLAMP);
        FloatVector z = xc.mul(INV_SQRT2);
        FloatVector a = z.abs();
        VectorMask<Float> small = a.compare(VectorOperators.LE, 1f);
        FloatVector onePlusErf = z.fma(erfSmallPoly(z.mul(z)), FloatVector.broadcast(SPECIES, 1f));
        if (!small.allTrue()) {
            FloatVector xx = xc.mul(xc);
            FloatVector xxLow = xc.fma(xc, xx.neg());
            FloatVector erfc = erfcLarge(a.lanewise(VectorOperators.MAX, 1f), xx.mul(0.5f), xxLow.mul(0.5f));
            FloatVector large = FloatVector.broadcast(SPECIES, 2f).sub(erfc)
                    .blend(erfc, z.compare(VectorOperators.LT, 0f));
            onePlusErf = large.blend(onePlusErf, small);
        }
        return w.mul(0.5f).mul(onePlusErf);
    }

    static FloatVector geluTanh(FloatVector x) {
        FloatVector w = x.lanewise(VectorOperators.MAX, -GELU_CLAMP);
        FloatVector u = w.mul(w.mul(w).fma(GELU_TANH_C3, GELU_TANH_C1));
        return w.mul(sigmoid(u.add(u)));
    }
}
