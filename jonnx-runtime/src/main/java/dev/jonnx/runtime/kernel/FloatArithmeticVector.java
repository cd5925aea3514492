package dev.jonnx.runtime.kernel;

import static dev.jonnx.runtime.kernel.VectorMathVector.LANES;
import static dev.jonnx.runtime.kernel.VectorMathVector.SPECIES;

import jdk.incubator.vector.FloatVector;

/** The vector path of {@link FloatArithmetic}: whole vectors, then a scalar tail. */
final class FloatArithmeticVector {
    private FloatArithmeticVector() {}

    static void add(float[] a, int aOffset, float[] b, int bOffset, float[] out, int outOffset, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector va = FloatVector.fromArray(SPECIES, a, aOffset + i);
            va.add(FloatVector.fromArray(SPECIES, b, bOffset + i)).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = a[aOffset + i] + b[bOffset + i];
        }
    }

    static void add(float[] a, int aOffset, float s, float[] out, int outOffset, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(SPECIES, a, aOffset + i).add(s).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = a[aOffset + i] + s;
        }
    }

    static void sub(float[] a, int aOffset, float[] b, int bOffset, float[] out, int outOffset, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector va = FloatVector.fromArray(SPECIES, a, aOffset + i);
            va.sub(FloatVector.fromArray(SPECIES, b, bOffset + i)).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = a[aOffset + i] - b[bOffset + i];
        }
    }

    static void sub(float[] a, int aOffset, float s, float[] out, int outOffset, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(SPECIES, a, aOffset + i).sub(s).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = a[aOffset + i] - s;
        }
    }

    static void mul(float[] a, int aOffset, float[] b, int bOffset, float[] out, int outOffset, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector va = FloatVector.fromArray(SPECIES, a, aOffset + i);
            va.mul(FloatVector.fromArray(SPECIES, b, bOffset + i)).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = a[aOffset + i] * b[bOffset + i];
        }
    }

    static void mul(float[] a, int aOffset, float s, float[] out, int outOffset, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(SPECIES, a, aOffset + i).mul(s).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = a[aOffset + i] * s;
        }
    }

    static void div(float[] a, int aOffset, float[] b, int bOffset, float[] out, int outOffset, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector va = FloatVector.fromArray(SPECIES, a, aOffset + i);
            va.div(FloatVector.fromArray(SPECIES, b, bOffset + i)).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = a[aOffset + i] / b[bOffset + i];
        }
    }

    static void div(float[] a, int aOffset, float s, float[] out, int outOffset, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(SPECIES, a, aOffset + i).div(s).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = a[aOffset + i] / s;
        }
    }

    static void subFrom(float s, float[] a, int aOffset, float[] out, int outOffset, int n) {
        FloatVector vs = FloatVector.broadcast(SPECIES, s);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            vs.sub(FloatVector.fromArray(SPECIES, a, aOffset + i)).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = s - a[aOffset + i];
        }
    }

    static void divInto(float s, float[] a, int aOffset, float[] out, int outOffset, int n) {
        FloatVector vs = FloatVector.broadcast(SPECIES, s);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            vs.div(FloatVector.fromArray(SPECIES, a, aOffset + i)).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = s / a[aOffset + i];
        }
    }

    static void fma(float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset, float[] out,
            int outOffset, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector va = FloatVector.fromArray(SPECIES, a, aOffset + i);
            FloatVector vb = FloatVector.fromArray(SPECIES, b, bOffset + i);
            va.fma(vb, FloatVector.fromArray(SPECIES, c, cOffset + i)).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = Math.fma(a[aOffset + i], b[bOffset + i], c[cOffset + i]);
        }
    }

    static void fma(float[] a, int aOffset, float scale, float shift, float[] out, int outOffset, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(SPECIES, a, aOffset + i).fma(scale, shift).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = Math.fma(a[aOffset + i], scale, shift);
        }
    }

    static void blend(float[] a, int aOffset, float wa, float[] b, int bOffset, float wb, float[] out,
            int outOffset, int n) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector va = FloatVector.fromArray(SPECIES, a, aOffset + i).mul(wa);
            FloatVector vb = FloatVector.fromArray(SPECIES, b, bOffset + i).mul(wb);
            va.add(vb).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = a[aOffset + i] * wa + b[bOffset + i] * wb;
        }
    }
}
