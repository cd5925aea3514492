package dev.jonnx.runtime.kernel;

import static dev.jonnx.runtime.kernel.VectorMathVector.LANES;
import static dev.jonnx.runtime.kernel.VectorMathVector.SPECIES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * The vector path of {@link FloatBinary}: whole vectors, then a scalar tail. Each operator has
 * its own loop, so the switch runs once per row and every lane operation is a constant that
 * C2 can intrinsify. FloatVector max and min follow Math.max and Math.min, NaN and signed
 * zeros included.
 */
final class FloatBinaryVector {
    private FloatBinaryVector() {}

    static void row(FloatBinary.Op op, float[] a, int ia, int sa, float[] b, int ib, int sb,
            float[] out, int o, int n) {
        if (n <= 0) {
            return;
        }
        if (sa != 0 && sb != 0) {
            bothVectors(op, a, ia, b, ib, out, o, n);
        } else if (sa != 0) {
            scalarRight(op, a, ia, b, ib, out, o, n);
        } else if (sb != 0) {
            scalarLeft(op, a, ia, b, ib, out, o, n);
        } else {
            Arrays.fill(out, o, o + n, FloatBinary.apply(op, a[ia], b[ib]));
        }
    }

    /** Both inputs advance. */
    private static void bothVectors(FloatBinary.Op op, float[] a, int ia, float[] b, int ib, float[] out,
            int o, int n) {
        int bound = SPECIES.loopBound(n);
        switch (op) {
            case ADD -> {
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector va = FloatVector.fromArray(SPECIES, a, ia + i);
                    FloatVector vb = FloatVector.fromArray(SPECIES, b, ib + i);
                    va.add(vb).intoArray(out, o + i);
                }
            }
            case SUB -> {
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector va = FloatVector.fromArray(SPECIES, a, ia + i);
                    FloatVector vb = FloatVector.fromArray(SPECIES, b, ib + i);
                    va.sub(vb).intoArray(out, o + i);
                }
            }
            case MUL -> {
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector va = FloatVector.fromArray(SPECIES, a, ia + i);
                    FloatVector vb = FloatVector.fromArray(SPECIES, b, ib + i);
                    va.mul(vb).intoArray(out, o + i);
                }
            }
            case DIV -> {
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector va = FloatVector.fromArray(SPECIES, a, ia + i);
                    FloatVector vb = FloatVector.fromArray(SPECIES, b, ib + i);
                    va.div(vb).intoArray(out, o + i);
                }
            }
            case MAX -> {
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector va = FloatVector.fromArray(SPECIES, a, ia + i);
                    FloatVector vb = FloatVector.fromArray(SPECIES, b, ib + i);
                    va.max(vb).intoArray(out, o + i);
                }
            }
            case MIN -> {
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector va = FloatVector.fromArray(SPECIES, a, ia + i);
                    FloatVector vb = FloatVector.fromArray(SPECIES, b, ib + i);
                    va.min(vb).intoArray(out, o + i);
                }
            }
            case PRELU -> {
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector va = FloatVector.fromArray(SPECIES, a, ia + i);
                    FloatVector vb = FloatVector.fromArray(SPECIES, b, ib + i);
                    va.blend(va.mul(vb), va.lt(0f)).intoArray(out, o + i);
                }
            }
        }
        for (int i = bound; i < n; i++) {
            out[o + i] = FloatBinary.apply(op, a[ia + i * 1], b[ib + i * 1]);
        }
    }

    /** Input B repeats b[ib]. */
    private static void scalarRight(FloatBinary.Op op, float[] a, int ia, float[] b, int ib, float[] out,
            int o, int n) {
        int bound = SPECIES.loopBound(n);
        switch (op) {
            case ADD -> {
                FloatVector vb = FloatVector.broadcast(SPECIES, b[ib]);
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector va = FloatVector.fromArray(SPECIES, a, ia + i);
                    va.add(vb).intoArray(out, o + i);
                }
            }
            case SUB -> {
                FloatVector vb = FloatVector.broadcast(SPECIES, b[ib]);
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector va = FloatVector.fromArray(SPECIES, a, ia + i);
                    va.sub(vb).intoArray(out, o + i);
                }
            }
            case MUL -> {
                FloatVector vb = FloatVector.broadcast(SPECIES, b[ib]);
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector va = FloatVector.fromArray(SPECIES, a, ia + i);
                    va.mul(vb).intoArray(out, o + i);
                }
            }
            case DIV -> {
                FloatVector vb = FloatVector.broadcast(SPECIES, b[ib]);
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector va = FloatVector.fromArray(SPECIES, a, ia + i);
                    va.div(vb).intoArray(out, o + i);
                }
            }
            case MAX -> {
                FloatVector vb = FloatVector.broadcast(SPECIES, b[ib]);
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector va = FloatVector.fromArray(SPECIES, a, ia + i);
                    va.max(vb).intoArray(out, o + i);
                }
            }
            case MIN -> {
                FloatVector vb = FloatVector.broadcast(SPECIES, b[ib]);
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector va = FloatVector.fromArray(SPECIES, a, ia + i);
                    va.min(vb).intoArray(out, o + i);
                }
            }
            case PRELU -> {
                FloatVector vb = FloatVector.broadcast(SPECIES, b[ib]);
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector va = FloatVector.fromArray(SPECIES, a, ia + i);
                    va.blend(va.mul(vb), va.lt(0f)).intoArray(out, o + i);
                }
            }
        }
        for (int i = bound; i < n; i++) {
            out[o + i] = FloatBinary.apply(op, a[ia + i * 1], b[ib + i * 0]);
        }
    }

    /** Input A repeats a[ia]. */
    private static void scalarLeft(FloatBinary.Op op, float[] a, int ia, float[] b, int ib, float[] out,
            int o, int n) {
        int bound = SPECIES.loopBound(n);
        switch (op) {
            case ADD -> {
                FloatVector va = FloatVector.broadcast(SPECIES, a[ia]);
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector vb = FloatVector.fromArray(SPECIES, b, ib + i);
                    va.add(vb).intoArray(out, o + i);
                }
            }
            case SUB -> {
                FloatVector va = FloatVector.broadcast(SPECIES, a[ia]);
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector vb = FloatVector.fromArray(SPECIES, b, ib + i);
                    va.sub(vb).intoArray(out, o + i);
                }
            }
            case MUL -> {
                FloatVector va = FloatVector.broadcast(SPECIES, a[ia]);
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector vb = FloatVector.fromArray(SPECIES, b, ib + i);
                    va.mul(vb).intoArray(out, o + i);
                }
            }
            case DIV -> {
                FloatVector va = FloatVector.broadcast(SPECIES, a[ia]);
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector vb = FloatVector.fromArray(SPECIES, b, ib + i);
                    va.div(vb).intoArray(out, o + i);
                }
            }
            case MAX -> {
                FloatVector va = FloatVector.broadcast(SPECIES, a[ia]);
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector vb = FloatVector.fromArray(SPECIES, b, ib + i);
                    va.max(vb).intoArray(out, o + i);
                }
            }
            case MIN -> {
                FloatVector va = FloatVector.broadcast(SPECIES, a[ia]);
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector vb = FloatVector.fromArray(SPECIES, b, ib + i);
                    va.min(vb).intoArray(out, o + i);
                }
            }
            case PRELU -> {
                FloatVector va = FloatVector.broadcast(SPECIES, a[ia]);
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector vb = FloatVector.fromArray(SPECIES, b, ib + i);
                    va.blend(va.mul(vb), va.lt(0f)).intoArray(out, o + i);
                }
            }
        }
        for (int i = bound; i < n; i++) {
            out[o + i] = FloatBinary.apply(op, a[ia + i * 0], b[ib + i * 1]);
        }
    }
}
