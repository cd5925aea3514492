package dev.jonnx.runtime.kernel;

import static dev.jonnx.runtime.kernel.VectorMath.E2;
import static dev.jonnx.runtime.kernel.VectorMath.E3;
import static dev.jonnx.runtime.kernel.VectorMath.E4;
import static dev.jonnx.runtime.kernel.VectorMath.E5;
import static dev.jonnx.runtime.kernel.VectorMath.E6;
import static dev.jonnx.runtime.kernel.VectorMath.E7;
import static dev.jonnx.runtime.kernel.VectorMath.LN2_HI;
import static dev.jonnx.runtime.kernel.VectorMath.LN2_LO;
import static dev.jonnx.runtime.kernel.VectorMath.LOG2E;
import static dev.jonnx.runtime.kernel.VectorMath.ROUND_MAGIC;
import static dev.jonnx.runtime.kernel.VectorMath.ROUND_MAGIC_BITS;

import dev.jonnx.runtime.kernel.Attention.Mask;
import dev.jonnx.runtime.kernel.Attention.Rows;
import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector path of {@link Attention}. K is packed into panels of WIDTH keys, each stored as
 * depth rows of WIDTH floats (K transposed) and zero-padded to a whole panel. Query rows are
 * then taken ROWS at a time. A register-blocked kernel computes their score rows, and the
 * scale, mask and exp pass runs on those rows while they are in L1. A second register-blocked
 * kernel multiplies the unnormalized probabilities by V and scales each output row by 1/sum as
 * it is stored. V is read in place when its width is a multiple of WIDTH, as for head sizes 16,
 * 32 and 64 with 8 lanes, and otherwise packed into zero-padded panels of WIDTH columns.
 *
 * <p>Both kernels keep ROWS x 2 vector accumulators (8 of the 16 AVX2 registers, as in
 * {@link SgemmVector}) and write each multiply-add as {@code a.fma(b, acc)}, with the
 * accumulator as the addend, because C2 adds a register move per FMA for the other operand order.
 */
final class AttentionVector {
    private static final VectorSpecies<Float> SPECIES = VectorMathVector.SPECIES;
    private static final int LANES = SPECIES.length();
    /** The input below which exp returns 0 here, so that the scale 2^n is a normal float. */
    private static final float EXP_CUTOFF = -87.3f;
    /** Query rows per block. */
    private static final int ROWS = 4;
    /** Keys per packed K panel and value columns per packed V panel: two vectors. */
    private static final int WIDTH = 2 * LANES;

    /** Per-thread scratch arrays, grown on demand and kept for the thread's life. */
    private static final class Scratch {
        float[] packedK = new float[0];
        float[] packedV = new float[0];
        float[] scores = new float[0];
        /** Holds an output row pair whose last panel is only partly inside the head. */
        final float[] tile = new float[WIDTH];
    }

    /** Shuffles that move lane i + LANES / 2, then i + LANES / 4, and so on, to lane i. */
    private static final List<VectorShuffle<Float>> HALVES = halves();

    private static List<VectorShuffle<Float>> halves() {
        List<VectorShuffle<Float>> halves = new ArrayList<>();
        for (int width = LANES / 2; width >= 1; width /= 2) {
            int offset = width;
            halves.add(VectorShuffle.fromOp(SPECIES, i -> (i + offset) % LANES));
        }
        return List.copyOf(halves);
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private AttentionVector() {}

    static void attend(int queries, int keys, int depth, int valueDepth, Rows q, Rows k, Rows v, Mask mask,
            float scale, Rows y) {
        if (queries == 0 || valueDepth == 0) {
            return;
        }
        if (mask != null && mask.columnStride() != 0 && mask.columnStride() != 1) {
            // The vector path reads a mask row with vector loads, so it needs consecutive keys.
            Attention.attendScalar(queries, keys, depth, valueDepth, q, k, v, mask, scale, y);
            return;
        }
        if (keys == 0) {
            for (int i = 0; i < queries; i++) {
                int at = y.offset() + i * y.stride();
                java.util.Arrays.fill(y.data(), at, at + valueDepth, 0f);
            }
            return;
        }
        int keyPanels = (keys + WIDTH - 1) / WIDTH;
        int paddedKeys = keyPanels * WIDTH;
        int valuePanels = (valueDepth + WIDTH - 1) / WIDTH;
        Scratch scratch = SCRATCH.get();
        if (scratch.packedK.length < keyPanels * depth * WIDTH) {
            scratch.packedK = new float[keyPanels * depth * WIDTH];
        }
        if (scratch.scores.length < ROWS * paddedKeys) {
            scratch.scores = new float[ROWS * paddedKeys];
        }
        packKeys(k, keys, depth, scratch.packedK);
        // V is read in place when every panel is whole, and packed with zero padding otherwise.
        Rows values;
        int valuePanelStride;
        if (valueDepth % WIDTH == 0) {
            values = v;
            valuePanelStride = WIDTH;
        } else {
            if (scratch.packedV.length < valuePanels * keys * WIDTH) {
                scratch.packedV = new float[valuePanels * keys * WIDTH];
            }
            packValues(v, keys, valueDepth, scratch.packedV);
            values = new Rows(scratch.packedV, 0, WIDTH);
            valuePanelStride = keys * WIDTH;
        }
        float[] scores = scratch.scores;
        for (int i0 = 0; i0 < queries; i0 += ROWS) {
            int rows = Math.min(ROWS, queries - i0);
            computeScores(q, i0, rows, depth, scratch.packedK, keyPanels, scores, paddedKeys);
            float inverse0 = 1f / exponentiateRow(scores, 0, keys, scale, mask, i0);
            float inverse1 = rows > 1 ? 1f / exponentiateRow(scores, paddedKeys, keys, scale, mask, i0 + 1) : 0f;
            float inverse2 = rows > 2 ? 1f / exponentiateRow(scores, 2 * paddedKeys, keys, scale, mask, i0 + 2) : 0f;
            float inverse3 = rows > 3 ? 1f / exponentiateRow(scores, 3 * paddedKeys, keys, scale, mask, i0 + 3) : 0f;
            multiplyValues(scores, paddedKeys, keys, values, valuePanelStride, valuePanels, valueDepth, y, i0, rows,
                    inverse0, inverse1, inverse2, inverse3, scratch.tile);
        }
    }

    /**
     * Packs K so that panel p, depth d, lane c contains K[p * WIDTH + c][d], or 0 past the last key.
     * Each key's row is read in order and written with a stride of WIDTH. In a one-thread
     * measurement on a Zen 1 EPYC (128 keys of depth 32, rows 384 floats apart) this took about
     * 5.5 microseconds where gathering each depth column with indexed vector loads took 6.9.
     */
    private static void packKeys(Rows k, int keys, int depth, float[] packed) {
        float[] data = k.data();
        int stride = k.stride();
        int keyPanels = (keys + WIDTH - 1) / WIDTH;
        for (int j = 0; j < keyPanels * WIDTH; j++) {
            int at = (j / WIDTH) * depth * WIDTH + j % WIDTH;
            if (j < keys) {
                int from = k.offset() + j * stride;
                for (int d = 0; d < depth; d++) {
                    packed[at + d * WIDTH] = data[from + d];
                }
            } else {
                for (int d = 0; d < depth; d++) {
                    packed[at + d * WIDTH] = 0f;
                }
            }
        }
    }

    /** Packs V so that panel p, key j, lane c contains V[j][p * WIDTH + c], or 0 past the last column. */
    private static void packValues(Rows v, int keys, int valueDepth, float[] packed) {
        int valuePanels = (valueDepth + WIDTH - 1) / WIDTH;
        for (int p = 0; p < valuePanels; p++) {
            int columns = Math.min(WIDTH, valueDepth - p * WIDTH);
            for (int j = 0; j < keys; j++) {
                int at = (p * keys + j) * WIDTH;
                System.arraycopy(v.data(), v.offset() + j * v.stride() + p * WIDTH, packed, at, columns);
                if (columns < WIDTH) {
                    java.util.Arrays.fill(packed, at + columns, at + WIDTH, 0f);
                }
            }
        }
    }

    /**
     * Writes the raw scores Q K^T of query rows [i0, i0 + rows) to rows 0 to rows - 1 of the
     * score block (row stride paddedKeys). A block of fewer than ROWS rows repeats its last
     * query row in the remaining rows, so that the kernel always runs full.
     */
    private static void computeScores(Rows q, int i0, int rows, int depth, float[] packedK, int keyPanels,
            float[] scores, int paddedKeys) {
        float[] qd = q.data();
        int q0 = q.offset() + i0 * q.stride();
        int q1 = q.offset() + (i0 + Math.min(1, rows - 1)) * q.stride();
        int q2 = q.offset() + (i0 + Math.min(2, rows - 1)) * q.stride();
        int q3 = q.offset() + (i0 + Math.min(3, rows - 1)) * q.stride();
        for (int p = 0; p < keyPanels; p++) {
            FloatVector c00 = FloatVector.zero(SPECIES);
            FloatVector c01 = c00;
            FloatVector c10 = c00;
            FloatVector c11 = c00;
            FloatVector c20 = c00;
            FloatVector c21 = c00;
            FloatVector c30 = c00;
            FloatVector c31 = c00;
            int kAt = p * depth * WIDTH;
            for (int d = 0; d < depth; d++, kAt += WIDTH) {
                FloatVector b0 = FloatVector.fromArray(SPECIES, packedK, kAt);
                FloatVector b1 = FloatVector.fromArray(SPECIES, packedK, kAt + LANES);
                FloatVector a = FloatVector.broadcast(SPECIES, qd[q0 + d]);
                c00 = a.fma(b0, c00);
                c01 = a.fma(b1, c01);
                a = FloatVector.broadcast(SPECIES, qd[q1 + d]);
                c10 = a.fma(b0, c10);
                c11 = a.fma(b1, c11);
                a = FloatVector.broadcast(SPECIES, qd[q2 + d]);
                c20 = a.fma(b0, c20);
                c21 = a.fma(b1, c21);
                a = FloatVector.broadcast(SPECIES, qd[q3 + d]);
                c30 = a.fma(b0, c30);
                c31 = a.fma(b1, c31);
            }
            int at = p * WIDTH;
            c00.intoArray(scores, at);
            c01.intoArray(scores, at + LANES);
            c10.intoArray(scores, paddedKeys + at);
            c11.intoArray(scores, paddedKeys + at + LANES);
            c20.intoArray(scores, 2 * paddedKeys + at);
            c21.intoArray(scores, 2 * paddedKeys + at + LANES);
            c30.intoArray(scores, 3 * paddedKeys + at);
            c31.intoArray(scores, 3 * paddedKeys + at + LANES);
        }
    }

    /**
     * Replaces the first {@code keys} scores at {@code at} with exp(score * scale + mask - max)
     * and returns their sum. The max is over the masked scores, so a row of -Inf gives NaN.
     */
    private static float exponentiateRow(float[] scores, int at, int keys, float scale, Mask mask, int query) {
        int bound = SPECIES.loopBound(keys);
        FloatVector maxVector = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        float max = Float.NEGATIVE_INFINITY;
        if (mask == null) {
            int j = 0;
            for (; j < bound; j += LANES) {
                FloatVector x = FloatVector.fromArray(SPECIES, scores, at + j).mul(scale);
                x.intoArray(scores, at + j);
                maxVector = maxVector.blend(x, maxVector.compare(VectorOperators.LT, x));
            }
            for (; j < keys; j++) {
                float x = scores[at + j] * scale;
                scores[at + j] = x;
                max = Math.max(max, x);
            }
        } else if (mask.columnStride() == 0) {
            float m = mask.get(query, 0);
            int j = 0;
            for (; j < bound; j += LANES) {
                FloatVector x = FloatVector.fromArray(SPECIES, scores, at + j).mul(scale).add(m);
                x.intoArray(scores, at + j);
                maxVector = maxVector.blend(x, maxVector.compare(VectorOperators.LT, x));
            }
            for (; j < keys; j++) {
                float x = scores[at + j] * scale + m;
                scores[at + j] = x;
                max = Math.max(max, x);
            }
        } else {
            float[] maskData = mask.data();
            int maskAt = mask.offset() + query * mask.rowStride();
            int j = 0;
            for (; j < bound; j += LANES) {
                FloatVector x = FloatVector.fromArray(SPECIES, scores, at + j).mul(scale)
                        .add(FloatVector.fromArray(SPECIES, maskData, maskAt + j));
                x.intoArray(scores, at + j);
                maxVector = maxVector.blend(x, maxVector.compare(VectorOperators.LT, x));
            }
            for (; j < keys; j++) {
                float x = scores[at + j] * scale + maskData[maskAt + j];
                scores[at + j] = x;
                max = Math.max(max, x);
            }
        }
        max = Math.max(max, maxVector.reduceLanes(VectorOperators.MAX));
        return exponentiateShifted(scores, at, keys, max);
    }

    /**
     * Replaces x with exp(x - max) over {@code n} elements and returns their sum. The lanes
     * compute {@link VectorMathVector#exp(FloatVector)} with two shortcuts, because x - max is
     * at most 0 or NaN. There is no clamp: a lane below {@link #EXP_CUTOFF} computes a wrong
     * value (NaN for -Inf) that the blend at the end replaces by 0, and every other lane has a
     * normal 2^n, so one multiply applies the exponent. Results differ from
     * {@link VectorMath#exp} only below the cutoff, where it returns subnormals or 0.
     *
     * <p>The code is written out in the loop, not called, because C2 left such a call uninlined
     * (see {@link SoftmaxVector}).
     */
    private static float exponentiateShifted(float[] x, int at, int n, float max) {
        FloatVector minusLn2High = FloatVector.broadcast(SPECIES, -LN2_HI);
        FloatVector minusLn2Low = FloatVector.broadcast(SPECIES, -LN2_LO);
        FloatVector sumVector = FloatVector.zero(SPECIES);
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += LANES) {
            FloatVector xc = FloatVector.fromArray(SPECIES, x, at + i).sub(max);
            VectorMask<Float> tiny = xc.compare(VectorOperators.LT, EXP_CUTOFF);
            FloatVector t = xc.fma(LOG2E, ROUND_MAGIC);
            FloatVector nf = t.sub(ROUND_MAGIC);
            IntVector exponent = t.reinterpretAsInts().sub(ROUND_MAGIC_BITS - 127).lanewise(VectorOperators.LSHL, 23);
            FloatVector r = nf.fma(minusLn2High, xc);
            r = nf.fma(minusLn2Low, r);
            FloatVector p = r.fma(E7, E6);
            p = p.fma(r, FloatVector.broadcast(SPECIES, E5));
            p = p.fma(r, FloatVector.broadcast(SPECIES, E4));
            p = p.fma(r, FloatVector.broadcast(SPECIES, E3));
            p = p.fma(r, FloatVector.broadcast(SPECIES, E2));
            p = r.mul(r).fma(p, r).add(1f);
            FloatVector e = p.mul(exponent.reinterpretAsFloats()).blend(0f, tiny);
            e.intoArray(x, at + i);
            sumVector = sumVector.add(e);
        }
        float sum = 0f;
        for (; i < n; i++) {
            float shifted = x[at + i] - max;
            float e = shifted < EXP_CUTOFF ? 0f : VectorMath.exp(shifted);
            x[at + i] = e;
            sum += e;
        }
        return sum + sumPairwise(sumVector);
    }

    /**
     * Sums the lanes of {@code v} by halving: lane i adds lane i + LANES / 2, and so on down to
     * lane 0. The order of {@code reduceLanes(ADD)} is unspecified, and it changed once C2
     * compiled the loop, so the same input gave other bits after a few hundred calls.
     */
    private static float sumPairwise(FloatVector v) {
        FloatVector s = v;
        for (VectorShuffle<Float> half : HALVES) {
            s = s.add(s.rearrange(half));
        }
        return s.lane(0);
    }

    /**
     * Multiplies the first {@code keys} columns of the score block by V and stores row r, times
     * its inverse sum, to output row i0 + r for r below {@code rows}. Panel p of V starts at
     * {@code values.offset() + p * panelStride}, and its rows are {@code values.stride()} apart.
     */
    private static void multiplyValues(float[] scores, int paddedKeys, int keys, Rows values, int panelStride,
            int valuePanels, int valueDepth, Rows y, int i0, int rows, float inverse0, float inverse1,
            float inverse2, float inverse3, float[] tile) {
        int s1 = paddedKeys;
        int s2 = 2 * paddedKeys;
        int s3 = 3 * paddedKeys;
        float[] vData = values.data();
        int vStride = values.stride();
        for (int p = 0; p < valuePanels; p++) {
            FloatVector c00 = FloatVector.zero(SPECIES);
            FloatVector c01 = c00;
            FloatVector c10 = c00;
            FloatVector c11 = c00;
            FloatVector c20 = c00;
            FloatVector c21 = c00;
            FloatVector c30 = c00;
            FloatVector c31 = c00;
            int vAt = values.offset() + p * panelStride;
            for (int j = 0; j < keys; j++, vAt += vStride) {
                FloatVector b0 = FloatVector.fromArray(SPECIES, vData, vAt);
                FloatVector b1 = FloatVector.fromArray(SPECIES, vData, vAt + LANES);
                FloatVector a = FloatVector.broadcast(SPECIES, scores[j]);
                c00 = a.fma(b0, c00);
                c01 = a.fma(b1, c01);
                a = FloatVector.broadcast(SPECIES, scores[s1 + j]);
                c10 = a.fma(b0, c10);
                c11 = a.fma(b1, c11);
                a = FloatVector.broadcast(SPECIES, scores[s2 + j]);
                c20 = a.fma(b0, c20);
                c21 = a.fma(b1, c21);
                a = FloatVector.broadcast(SPECIES, scores[s3 + j]);
                c30 = a.fma(b0, c30);
                c31 = a.fma(b1, c31);
            }
            int column = p * WIDTH;
            int columns = Math.min(WIDTH, valueDepth - column);
            int at = y.offset() + i0 * y.stride() + column;
            storeRow(c00.mul(inverse0), c01.mul(inverse0), y.data(), at, columns, tile);
            if (rows > 1) {
                storeRow(c10.mul(inverse1), c11.mul(inverse1), y.data(), at + y.stride(), columns, tile);
            }
            if (rows > 2) {
                storeRow(c20.mul(inverse2), c21.mul(inverse2), y.data(), at + 2 * y.stride(), columns, tile);
            }
            if (rows > 3) {
                storeRow(c30.mul(inverse3), c31.mul(inverse3), y.data(), at + 3 * y.stride(), columns, tile);
            }
        }
    }

    /** Stores the first {@code columns} lanes of the pair (low, high) at {@code at}. */
    private static void storeRow(FloatVector low, FloatVector high, float[] y, int at, int columns, float[] tile) {
        if (columns == WIDTH) {
            low.intoArray(y, at);
            high.intoArray(y, at + LANES);
        } else {
            low.intoArray(tile, 0);
            high.intoArray(tile, LANES);
            System.arraycopy(tile, 0, y, at, columns);
        }
    }
}
