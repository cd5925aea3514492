package dev.jonnx.runtime.kernel;

import static dev.jonnx.runtime.kernel.VectorMathVector.LANES;
import static dev.jonnx.runtime.kernel.VectorMathVector.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;

/**
 * The vector path of {@link TransposedConvRows}: blocks of four output rows by two vectors of
 * elements keep eight accumulators, so each input vector loaded feeds four multiply-adds.
 * Remaining rows run one at a time and remaining elements in the scalar reference.
 */
final class TransposedConvRowsVector {
    private TransposedConvRowsVector() {}

    private static final int ROWS = 4;
    private static final int BLOCK = 2 * LANES;
    /**
     * Shuffles that repeat each lane of the low half (LOW_HALF: lane i reads lane i / 2) or of
     * the high half (HIGH_HALF: lane i reads lane (LANES + i) / 2) twice.
     */
    private static final VectorShuffle<Float> LOW_HALF = VectorShuffle.fromOp(SPECIES, i -> i / 2);
    private static final VectorShuffle<Float> HIGH_HALF = VectorShuffle.fromOp(SPECIES, i -> (LANES + i) / 2);
    private static final VectorMask<Float> ODD = VectorMask.fromLong(SPECIES, 0xAAAAAAAAAAAAAAAAL);

    /**
     * Per-thread staging for the strided stores. A new array per call was the largest garbage of
     * a ConvTranspose, because the kernel is called once per input row.
     */
    private static final ThreadLocal<float[]> LANES_BUFFER = ThreadLocal.withInitial(() -> new float[BLOCK]);

    static void compute(float[] x, int xOffset, int plane, int channels, float[] a, float[] bias,
            int rows, int width, float[] y, int[] targets, int shift, int step) {
        float[] lanes = LANES_BUFFER.get();
        int wEnd = width - width % BLOCK;
        int r = 0;
        for (; r + ROWS <= rows; r += ROWS) {
            for (int w = 0; w < wEnd; w += BLOCK) {
                fourRows(x, xOffset + w, plane, channels, a, bias, r, y, targets, shift + w * step,
                        step, lanes);
            }
        }
        for (; r < rows; r++) {
            for (int w = 0; w < wEnd; w += BLOCK) {
                oneRow(x, xOffset + w, plane, channels, a, bias, r, y, targets[r] + shift + w * step,
                        step, lanes);
            }
        }
        if (wEnd < width) {
            TransposedConvRows.computeScalar(x, xOffset, plane, channels, a, bias, 0, rows, wEnd,
                    width, y, targets, shift, step);
        }
    }

    private static void fourRows(float[] x, int xAt, int plane, int channels, float[] a,
            float[] bias, int r, float[] y, int[] targets, int shift, int step, float[] lanes) {
        FloatVector s00 = FloatVector.broadcast(SPECIES, bias[r]);
        FloatVector s01 = s00;
        FloatVector s10 = FloatVector.broadcast(SPECIES, bias[r + 1]);
        FloatVector s11 = s10;
        FloatVector s20 = FloatVector.broadcast(SPECIES, bias[r + 2]);
        FloatVector s21 = s20;
        FloatVector s30 = FloatVector.broadcast(SPECIES, bias[r + 3]);
        FloatVector s31 = s30;
        int a0 = r * channels;
        int a1 = a0 + channels;
        int a2 = a1 + channels;
        int a3 = a2 + channels;
        for (int c = 0; c < channels; c++) {
            int at = xAt + c * plane;
            FloatVector x0 = FloatVector.fromArray(SPECIES, x, at);
            FloatVector x1 = FloatVector.fromArray(SPECIES, x, at + LANES);
            FloatVector w0 = FloatVector.broadcast(SPECIES, a[a0 + c]);
            s00 = x0.fma(w0, s00);
            s01 = x1.fma(w0, s01);
            FloatVector w1 = FloatVector.broadcast(SPECIES, a[a1 + c]);
            s10 = x0.fma(w1, s10);
            s11 = x1.fma(w1, s11);
            FloatVector w2 = FloatVector.broadcast(SPECIES, a[a2 + c]);
            s20 = x0.fma(w2, s20);
            s21 = x1.fma(w2, s21);
            FloatVector w3 = FloatVector.broadcast(SPECIES, a[a3 + c]);
            s30 = x0.fma(w3, s30);
            s31 = x1.fma(w3, s31);
        }
        if (step == 2 && targets[r + 1] == targets[r] + 1 && targets[r + 3] == targets[r + 2] + 1) {
            // Rows r and r + 1 are the two kernel columns of one output row: interleave them.
            storeInterleaved(s00, s10, y, targets[r] + shift);
            storeInterleaved(s01, s11, y, targets[r] + shift + BLOCK);
            storeInterleaved(s20, s30, y, targets[r + 2] + shift);
            storeInterleaved(s21, s31, y, targets[r + 2] + shift + BLOCK);
            return;
        }
        store(s00, s01, y, targets[r] + shift, step, lanes);
        store(s10, s11, y, targets[r + 1] + shift, step, lanes);
        store(s20, s21, y, targets[r + 2] + shift, step, lanes);
        store(s30, s31, y, targets[r + 3] + shift, step, lanes);
    }

    /** Stores even and odd as the even and odd lanes of two consecutive output vectors. */
    private static void storeInterleaved(FloatVector even, FloatVector odd, float[] y, int target) {
        even.rearrange(LOW_HALF).blend(odd.rearrange(LOW_HALF), ODD).intoArray(y, target);
        even.rearrange(HIGH_HALF).blend(odd.rearrange(HIGH_HALF), ODD).intoArray(y, target + LANES);
    }

    private static void oneRow(float[] x, int xAt, int plane, int channels, float[] a,
            float[] bias, int r, float[] y, int target, int step, float[] lanes) {
        FloatVector s0 = FloatVector.broadcast(SPECIES, bias[r]);
        FloatVector s1 = s0;
        int aRow = r * channels;
        for (int c = 0; c < channels; c++) {
            int at = xAt + c * plane;
            FloatVector wc = FloatVector.broadcast(SPECIES, a[aRow + c]);
            s0 = FloatVector.fromArray(SPECIES, x, at).fma(wc, s0);
            s1 = FloatVector.fromArray(SPECIES, x, at + LANES).fma(wc, s1);
        }
        store(s0, s1, y, target, step, lanes);
    }

    /** Stores two vectors of consecutive row elements {@code step} apart in the output. */
    private static void store(FloatVector v0, FloatVector v1, float[] y, int target, int step,
            float[] lanes) {
        if (step == 1) {
            v0.intoArray(y, target);
            v1.intoArray(y, target + LANES);
            return;
        }
        v0.intoArray(lanes, 0);
        v1.intoArray(lanes, LANES);
        for (int i = 0; i < BLOCK; i++) {
            y[target + i * step] = lanes[i];
        }
    }
}
