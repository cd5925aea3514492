package dev.jonnx.runtime.ops.image;

import dev.jonnx.runtime.kernel.FloatArithmetic;
import dev.jonnx.runtime.ops.image.Resize.AxisTable;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;

/**
 * Float Resize in nearest and linear mode when only the last two axes change, computed in
 * float from the same per-axis tables as the general path. Output rows are spread over the
 * intra-op threads. A linear row blends two input rows, each first resampled along the last
 * axis. The two most recent resampled rows are kept, because neighbouring output rows share
 * them when upsampling.
 */
final class ResizeFloat {
    private ResizeFloat() {}

    /**
     * Returns {@code x} resized to {@code out}, or null when this path does not apply: another
     * element type, rank below 2, cubic mode, a change on a leading axis, an extrapolated
     * coordinate, or a linear table with other than two points.
     */
    static Tensor tryResize(Tensor x, int[] out, AxisTable[] tables, Resize.Mode mode,
            RunContext ctx) {
        int rank = out.length;
        if (ctx == null || x.type() != DataType.FLOAT || rank < 2 || mode == Resize.Mode.CUBIC) {
            return null;
        }
        for (int d = 0; d < rank - 2; d++) {
            if (!tables[d].isIdentity()) {
                return null;
            }
        }
        AxisTable rows = tables[rank - 2];
        AxisTable columns = tables[rank - 1];
        if (hasOutside(rows) || hasOutside(columns)) {
            return null;
        }
        int expectedPoints = mode == Resize.Mode.NEAREST ? 1 : 2;
        if (rows.points != expectedPoints || columns.points != expectedPoints) {
            return null;
        }
        int planes = 1;
        for (int d = 0; d < rank - 2; d++) {
            planes *= out[d];
        }
        int size = Tensor.sizeOf(out);
        float[] y = ctx.newFloats(size);
        if (size > 0) {
            if (mode == Resize.Mode.NEAREST) {
                nearest(x.floats(), y, planes, rows, columns, ctx);
            } else {
                linear(x.floats(), y, planes, rows, columns, ctx);
            }
        }
        return Tensor.of(DataType.FLOAT, out, y);
    }

    private static boolean hasOutside(AxisTable t) {
        for (boolean o : t.outside) {
            if (o) {
                return true;
            }
        }
        return false;
    }

    private static void nearest(float[] x, float[] y, int planes, AxisTable rows,
            AxisTable columns, RunContext ctx) {
        int inH = rows.inLength;
        int inW = columns.inLength;
        int outH = rows.outLength;
        int outW = columns.outLength;
        int[] sourceRow = rows.index;
        int[] sourceColumn = columns.index;
        ctx.parallelFor(planes * outH, 2L * outW, (from, to) -> {
            for (int r = from; r < to; r++) {
                int plane = r / outH;
                int oy = r - plane * outH;
                int target = r * outW;
                if (r > from && oy > 0 && sourceRow[oy] == sourceRow[oy - 1]) {
                    // The row above, written by this range, read the same input row.
                    System.arraycopy(y, target - outW, y, target, outW);
                    continue;
                }
                int source = (plane * inH + sourceRow[oy]) * inW;
                for (int ox = 0; ox < outW; ox++) {
                    y[target + ox] = x[source + sourceColumn[ox]];
                }
            }
        });
    }

    private static void linear(float[] x, float[] y, int planes, AxisTable rows,
            AxisTable columns, RunContext ctx) {
        int inH = rows.inLength;
        int outH = rows.outLength;
        int outW = columns.outLength;
        float[] rowWeights = rows.floatWeights();
        float[] columnWeights = columns.floatWeights();
        ctx.parallelFor(planes * outH, 6L * outW, (from, to) -> {
            RowCache cache = new RowCache(x, columns, columnWeights, ctx);
            for (int r = from; r < to; r++) {
                int plane = r / outH;
                int oy = r - plane * outH;
                int key0 = plane * inH + rows.index[2 * oy];
                int key1 = plane * inH + rows.index[2 * oy + 1];
                float w0 = rowWeights[2 * oy];
                float w1 = rowWeights[2 * oy + 1];
                int target = r * outW;
                // A zero weight drops its row, so an Inf or NaN there does not leak in as 0 * Inf.
                if (w0 == 0) {
                    FloatArithmetic.mul(cache.row(key1, key0), 0, w1, y, target, outW);
                } else if (w1 == 0) {
                    FloatArithmetic.mul(cache.row(key0, key1), 0, w0, y, target, outW);
                } else {
                    float[] row0 = cache.row(key0, key1);
                    float[] row1 = cache.row(key1, key0);
                    FloatArithmetic.blend(row0, 0, w0, row1, 0, w1, y, target, outW);
                }
            }
        });
    }

    /** Input rows resampled along the last axis, keyed by plane * inH + input row. */
    private static final class RowCache {
        private final float[] x;
        private final AxisTable columns;
        private final float[] weights;
        private final int[] keys = {-1, -1};
        private final float[][] rows;

        /** Takes the two row buffers from the run's arena; {@link #row} writes a row before it is read. */
        RowCache(float[] x, AxisTable columns, float[] weights, RunContext ctx) {
            this.x = x;
            this.columns = columns;
            this.weights = weights;
            this.rows = new float[][] {ctx.newFloats(columns.outLength), ctx.newFloats(columns.outLength)};
        }

        /** Returns row {@code key}, computing it in the slot that does not contain {@code keep}. */
        float[] row(int key, int keep) {
            if (keys[0] == key) {
                return rows[0];
            }
            if (keys[1] == key) {
                return rows[1];
            }
            int slot = keys[0] == keep ? 1 : 0;
            keys[slot] = key;
            float[] row = rows[slot];
            int source = key * columns.inLength;
            int[] index = columns.index;
            for (int ox = 0; ox < row.length; ox++) {
                float w0 = weights[2 * ox];
                float w1 = weights[2 * ox + 1];
                float v0 = x[source + index[2 * ox]];
                float v1 = x[source + index[2 * ox + 1]];
                if (w0 == 0) {
                    row[ox] = v1 * w1;
                } else if (w1 == 0) {
                    row[ox] = v0 * w0;
                } else {
                    row[ox] = v0 * w0 + v1 * w1;
                }
            }
            return row;
        }
    }
}
