package dev.jonnx.runtime.kernel;

/**
 * FloatArithmetic float arithmetic on two arrays, or an array and a scalar, with offsets and a
 * length {@code n}. Out-of-place methods write to {@code out}, which may alias an input only
 * at the same offset; the {@code InPlace} methods overwrite the first operand. Every variant
 * rounds each result once, so the vector path ({@link FloatArithmeticVector}) and the scalar twins
 * ({@code addScalar}, ...) return the same bits.
 */
public final class FloatArithmetic {
    private FloatArithmetic() {}

    /** Computes out[i] = a[i] + b[i]; {@code out} may be {@code a} or {@code b} at the same offset. */
    public static void add(float[] a, int aOffset, float[] b, int bOffset, float[] out, int outOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                FloatArithmeticVector.add(a, aOffset + done, b, bOffset + done, out, outOffset + done, count);
            }
        } else {
            addScalar(a, aOffset, b, bOffset, out, outOffset, n);
        }
    }

    /** Computes a[i] = a[i] + b[i] in place. */
    public static void addInPlace(float[] a, int aOffset, float[] b, int bOffset, int n) {
        add(a, aOffset, b, bOffset, a, aOffset, n);
    }

    /** Computes out[i] = a[i] + s; {@code out} may be {@code a} at the same offset. */
    public static void add(float[] a, int aOffset, float s, float[] out, int outOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                FloatArithmeticVector.add(a, aOffset + done, s, out, outOffset + done, count);
            }
        } else {
            addScalar(a, aOffset, s, out, outOffset, n);
        }
    }

    /** Computes a[i] = a[i] + s in place. */
    public static void addInPlace(float[] a, int aOffset, float s, int n) {
        add(a, aOffset, s, a, aOffset, n);
    }

    public static void addScalar(float[] a, int aOffset, float[] b, int bOffset, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = a[aOffset + i] + b[bOffset + i];
        }
    }

    public static void addScalar(float[] a, int aOffset, float s, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = a[aOffset + i] + s;
        }
    }

    /** Computes out[i] = a[i] - b[i]; {@code out} may be {@code a} or {@code b} at the same offset. */
    public static void sub(float[] a, int aOffset, float[] b, int bOffset, float[] out, int outOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                FloatArithmeticVector.sub(a, aOffset + done, b, bOffset + done, out, outOffset + done, count);
            }
        } else {
            subScalar(a, aOffset, b, bOffset, out, outOffset, n);
        }
    }

    /** Computes a[i] = a[i] - b[i] in place. */
    public static void subInPlace(float[] a, int aOffset, float[] b, int bOffset, int n) {
        sub(a, aOffset, b, bOffset, a, aOffset, n);
    }

    /** Computes out[i] = a[i] - s; {@code out} may be {@code a} at the same offset. */
    public static void sub(float[] a, int aOffset, float s, float[] out, int outOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                FloatArithmeticVector.sub(a, aOffset + done, s, out, outOffset + done, count);
            }
        } else {
            subScalar(a, aOffset, s, out, outOffset, n);
        }
    }

    /** Computes a[i] = a[i] - s in place. */
    public static void subInPlace(float[] a, int aOffset, float s, int n) {
        sub(a, aOffset, s, a, aOffset, n);
    }

    public static void subScalar(float[] a, int aOffset, float[] b, int bOffset, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = a[aOffset + i] - b[bOffset + i];
        }
    }

    public static void subScalar(float[] a, int aOffset, float s, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = a[aOffset + i] - s;
        }
    }

    /** Computes out[i] = a[i] * b[i]; {@code out} may be {@code a} or {@code b} at the same offset. */
    public static void mul(float[] a, int aOffset, float[] b, int bOffset, float[] out, int outOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                FloatArithmeticVector.mul(a, aOffset + done, b, bOffset + done, out, outOffset + done, count);
            }
        } else {
            mulScalar(a, aOffset, b, bOffset, out, outOffset, n);
        }
    }

    /** Computes a[i] = a[i] * b[i] in place. */
    public static void mulInPlace(float[] a, int aOffset, float[] b, int bOffset, int n) {
        mul(a, aOffset, b, bOffset, a, aOffset, n);
    }

    /** Computes out[i] = a[i] * s; {@code out} may be {@code a} at the same offset. */
    public static void mul(float[] a, int aOffset, float s, float[] out, int outOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                FloatArithmeticVector.mul(a, aOffset + done, s, out, outOffset + done, count);
            }
        } else {
            mulScalar(a, aOffset, s, out, outOffset, n);
        }
    }

    /** Computes a[i] = a[i] * s in place. */
    public static void mulInPlace(float[] a, int aOffset, float s, int n) {
        mul(a, aOffset, s, a, aOffset, n);
    }

    public static void mulScalar(float[] a, int aOffset, float[] b, int bOffset, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = a[aOffset + i] * b[bOffset + i];
        }
    }

    public static void mulScalar(float[] a, int aOffset, float s, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = a[aOffset + i] * s;
        }
    }

    /** Computes out[i] = a[i] / b[i]; {@code out} may be {@code a} or {@code b} at the same offset. */
    public static void div(float[] a, int aOffset, float[] b, int bOffset, float[] out, int outOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                FloatArithmeticVector.div(a, aOffset + done, b, bOffset + done, out, outOffset + done, count);
            }
        } else {
            divScalar(a, aOffset, b, bOffset, out, outOffset, n);
        }
    }

    /** Computes a[i] = a[i] / b[i] in place. */
    public static void divInPlace(float[] a, int aOffset, float[] b, int bOffset, int n) {
        div(a, aOffset, b, bOffset, a, aOffset, n);
    }

    /** Computes out[i] = a[i] / s; {@code out} may be {@code a} at the same offset. */
    public static void div(float[] a, int aOffset, float s, float[] out, int outOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                FloatArithmeticVector.div(a, aOffset + done, s, out, outOffset + done, count);
            }
        } else {
            divScalar(a, aOffset, s, out, outOffset, n);
        }
    }

    /** Computes a[i] = a[i] / s in place. */
    public static void divInPlace(float[] a, int aOffset, float s, int n) {
        div(a, aOffset, s, a, aOffset, n);
    }

    public static void divScalar(float[] a, int aOffset, float[] b, int bOffset, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = a[aOffset + i] / b[bOffset + i];
        }
    }

    public static void divScalar(float[] a, int aOffset, float s, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = a[aOffset + i] / s;
        }
    }

    /** Computes out[i] = s - a[i], for a scalar left operand; {@code out} may be {@code a}. */
    public static void subFrom(float s, float[] a, int aOffset, float[] out, int outOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                FloatArithmeticVector.subFrom(s, a, aOffset + done, out, outOffset + done, count);
            }
        } else {
            subFromScalar(s, a, aOffset, out, outOffset, n);
        }
    }

    public static void subFromScalar(float s, float[] a, int aOffset, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = s - a[aOffset + i];
        }
    }

    /** Computes out[i] = s / a[i], for a scalar left operand; {@code out} may be {@code a}. */
    public static void divInto(float s, float[] a, int aOffset, float[] out, int outOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                FloatArithmeticVector.divInto(s, a, aOffset + done, out, outOffset + done, count);
            }
        } else {
            divIntoScalar(s, a, aOffset, out, outOffset, n);
        }
    }

    public static void divIntoScalar(float s, float[] a, int aOffset, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = s / a[aOffset + i];
        }
    }

    /** Computes out[i] = a[i] * b[i] + c[i] with one rounding; {@code out} may alias any input at the same offset. */
    public static void fma(float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset, float[] out,
            int outOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                FloatArithmeticVector.fma(a, aOffset + done, b, bOffset + done, c, cOffset + done, out,
                        outOffset + done, count);
            }
        } else {
            fmaScalar(a, aOffset, b, bOffset, c, cOffset, out, outOffset, n);
        }
    }

    /** Computes out[i] = a[i] * scale + shift with one rounding; {@code out} may be {@code a}. */
    public static void fma(float[] a, int aOffset, float scale, float shift, float[] out, int outOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                FloatArithmeticVector.fma(a, aOffset + done, scale, shift, out, outOffset + done, count);
            }
        } else {
            fmaScalar(a, aOffset, scale, shift, out, outOffset, n);
        }
    }

    public static void fmaScalar(float[] a, int aOffset, float[] b, int bOffset, float[] c, int cOffset,
            float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = Math.fma(a[aOffset + i], b[bOffset + i], c[cOffset + i]);
        }
    }

    public static void fmaScalar(float[] a, int aOffset, float scale, float shift, float[] out, int outOffset,
            int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = Math.fma(a[aOffset + i], scale, shift);
        }
    }

    /** Computes out[i] = a[i] * wa + b[i] * wb; {@code out} may be {@code a} or {@code b} at the same offset. */
    public static void blend(float[] a, int aOffset, float wa, float[] b, int bOffset, float wb, float[] out,
            int outOffset, int n) {
        if (Simd.enabled()) {
            for (int done = 0; done < n; done += Simd.CHUNK) {
                int count = Math.min(Simd.CHUNK, n - done);
                FloatArithmeticVector.blend(a, aOffset + done, wa, b, bOffset + done, wb, out,
                        outOffset + done, count);
            }
        } else {
            blendScalar(a, aOffset, wa, b, bOffset, wb, out, outOffset, n);
        }
    }

    public static void blendScalar(float[] a, int aOffset, float wa, float[] b, int bOffset, float wb,
            float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = a[aOffset + i] * wa + b[bOffset + i] * wb;
        }
    }
}
