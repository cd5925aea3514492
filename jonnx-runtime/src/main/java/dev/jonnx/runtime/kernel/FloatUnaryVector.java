package dev.jonnx.runtime.kernel;

import static dev.jonnx.runtime.kernel.VectorMathVector.LANES;
import static dev.jonnx.runtime.kernel.VectorMathVector.SPECIES;

import jdk.incubator.vector.FloatVector;

/**
 * The vector path of {@link FloatUnary}: one loop per function, so the switch runs once per
 * call, then a scalar tail. Vector max and min follow Math.max and Math.min, and a lane
 * compare with NaN is false, so NaN passes through as in the scalar twin.
 */
final class FloatUnaryVector {
    private FloatUnaryVector() {}

    static void apply(FloatUnary.Op op, float p, float q, float[] x, int xOffset, float[] y,
            int yOffset, int n) {
        int bound = SPECIES.loopBound(n);
        switch (op) {
            case RELU -> {
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector v = FloatVector.fromArray(SPECIES, x, xOffset + i);
                    v.max(0f).intoArray(y, yOffset + i);
                }
            }
            case NEG -> {
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector v = FloatVector.fromArray(SPECIES, x, xOffset + i);
                    v.neg().intoArray(y, yOffset + i);
                }
            }
            case ABS -> {
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector v = FloatVector.fromArray(SPECIES, x, xOffset + i);
                    v.abs().intoArray(y, yOffset + i);
                }
            }
            case SQRT -> {
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector v = FloatVector.fromArray(SPECIES, x, xOffset + i);
                    v.sqrt().intoArray(y, yOffset + i);
                }
            }
            case RECIPROCAL -> {
                FloatVector ones = FloatVector.broadcast(SPECIES, 1f);
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector v = FloatVector.fromArray(SPECIES, x, xOffset + i);
                    ones.div(v).intoArray(y, yOffset + i);
                }
            }
            case SQUARE -> {
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector v = FloatVector.fromArray(SPECIES, x, xOffset + i);
                    v.mul(v).intoArray(y, yOffset + i);
                }
            }
            case POW_HALF -> {
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector v = FloatVector.fromArray(SPECIES, x, xOffset + i);
                    v.sqrt().add(0f).blend(Float.POSITIVE_INFINITY, v.eq(Float.NEGATIVE_INFINITY)).intoArray(y, yOffset + i);
                }
            }
            case CLIP -> {
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector v = FloatVector.fromArray(SPECIES, x, xOffset + i);
                    v.max(p).min(q).intoArray(y, yOffset + i);
                }
            }
            case LEAKY_RELU -> {
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector v = FloatVector.fromArray(SPECIES, x, xOffset + i);
                    v.blend(v.mul(p), v.lt(0f)).intoArray(y, yOffset + i);
                }
            }
            case HARD_SIGMOID -> {
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector v = FloatVector.fromArray(SPECIES, x, xOffset + i);
                    v.fma(p, q).max(0f).min(1f).intoArray(y, yOffset + i);
                }
            }
            case HARD_SWISH -> {
                for (int i = 0; i < bound; i += LANES) {
                    FloatVector v = FloatVector.fromArray(SPECIES, x, xOffset + i);
                    v.mul(v.add(3f).div(6f).max(0f).min(1f)).intoArray(y, yOffset + i);
                }
            }
        }
        for (int i = bound; i < n; i++) {
            y[yOffset + i] = FloatUnary.apply(op, p, q, x[xOffset + i]);
        }
    }
}
