package dev.jonnx.runtime.ops.conv;

import dev.jonnx.runtime.kernel.Simd;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector path of the {@link WinogradConvolution} transforms: whole vectors of consecutive
 * tiles, then the scalar code for the tail. Used only when {@link Simd#enabled()}.
 */
final class WinogradVector {
    private static final VectorSpecies<Float> SPECIES =
            FloatVector.SPECIES_PREFERRED.length() == Simd.FLOAT_LANES ? FloatVector.SPECIES_PREFERRED
                    : VectorSpecies.of(float.class, VectorShape.forBitSize(Math.max(64, Simd.FLOAT_LANES * 32)));
    private static final int LANES = SPECIES.length();

    private WinogradVector() {}

    /** Does what {@link WinogradConvolution#transformInputRowScalar} does. */
    static void transformInputRow(float[] rows, int length, int from, int to, float[] v, int at, int stride) {
        int tx = from;
        // Tile tx + LANES - 1 reads index tx + LANES of each half, which is below length.
        for (; tx + LANES <= to; tx += LANES) {
            int p = at + tx;
            for (int i = 0; i < 4; i++) {
                FloatVector e0 = vertical(rows, length, i, tx);
                FloatVector e1 = vertical(rows, length, i, tx + 1);
                FloatVector o0 = vertical(rows, length, i, length + tx);
                FloatVector o1 = vertical(rows, length, i, length + tx + 1);
                e0.sub(e1).intoArray(v, p);
                o0.add(e1).intoArray(v, p + stride);
                e1.sub(o0).intoArray(v, p + 2 * stride);
                o0.sub(o1).intoArray(v, p + 3 * stride);
                p += 4 * stride;
            }
        }
        WinogradConvolution.transformInputRowScalar(rows, length, tx, to, v, at, stride);
    }

    /** Returns vertical row i of B^T d for the elements at {@code index} of one half of each input row. */
    private static FloatVector vertical(float[] rows, int length, int i, int index) {
        return switch (i) {
            case 0 -> load(rows, index).sub(load(rows, index + 4 * length));
            case 1 -> load(rows, index + 2 * length).add(load(rows, index + 4 * length));
            case 2 -> load(rows, index + 4 * length).sub(load(rows, index + 2 * length));
            default -> load(rows, index + 2 * length).sub(load(rows, index + 6 * length));
        };
    }

    private static FloatVector load(float[] a, int at) {
        return FloatVector.fromArray(SPECIES, a, at);
    }

    /** Does what {@link WinogradConvolution#transformOutputRowScalar} does. */
    static void transformOutputRow(float[] products, int at, int stride, int from, int to, int length,
            float[] outputs) {
        int tx = from;
        for (; tx + LANES <= to; tx += LANES) {
            int p = at + tx;
            // Each column j of the 4x4 product tile reduces to a top and a bottom value. The
            // four columns are written out, not looped, so that C2 keeps every vector in a
            // register (a vector assigned in a switch inside a loop is boxed on the heap).
            FloatVector s00 = columnTop(products, p, stride);
            FloatVector s10 = columnBottom(products, p, stride);
            FloatVector s01 = columnTop(products, p + stride, stride);
            FloatVector s11 = columnBottom(products, p + stride, stride);
            FloatVector s02 = columnTop(products, p + 2 * stride, stride);
            FloatVector s12 = columnBottom(products, p + 2 * stride, stride);
            FloatVector s03 = columnTop(products, p + 3 * stride, stride);
            FloatVector s13 = columnBottom(products, p + 3 * stride, stride);
            s00.add(s01).add(s02).intoArray(outputs, tx);
            s01.sub(s02).sub(s03).intoArray(outputs, length + tx);
            s10.add(s11).add(s12).intoArray(outputs, 2 * length + tx);
            s11.sub(s12).sub(s13).intoArray(outputs, 3 * length + tx);
        }
        WinogradConvolution.transformOutputRowScalar(products, at, stride, tx, to, length, outputs);
    }

    /** Returns m0 + m1 + m2 of the product column that starts at {@code q}. */
    private static FloatVector columnTop(float[] products, int q, int stride) {
        return load(products, q).add(load(products, q + 4 * stride)).add(load(products, q + 8 * stride));
    }

    /** Returns m1 - m2 - m3 of the product column that starts at {@code q}. */
    private static FloatVector columnBottom(float[] products, int q, int stride) {
        return load(products, q + 4 * stride).sub(load(products, q + 8 * stride)).sub(load(products, q + 12 * stride));
    }
}
