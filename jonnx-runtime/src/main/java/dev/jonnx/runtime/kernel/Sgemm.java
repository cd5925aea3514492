package dev.jonnx.runtime.kernel;

import dev.jonnx.runtime.registry.IntraOpPool;
import java.util.concurrent.ExecutorService;

/**
 * Single-precision matrix multiply, C = A * B or C += A * B, on row-major arrays with row
 * strides. A is m x k (or k x m when {@code transA}), B is k x n (or n x k when
 * {@code transB}), C is m x n.
 *
 * <p>The vector path ({@link SgemmVector}) packs panels of A and B and runs a register-blocked
 * kernel with fused multiply-add, so its sums may differ from {@link #multiplyScalar} in the
 * last bits; the scalar path is the reference the tests compare against. With a pool and more
 * than one thread, the columns of C are split into contiguous slices, several per thread.
 */
public final class Sgemm {
    /** Below this many multiply-adds a single thread does the work. */
    private static final long PARALLEL_THRESHOLD = 1L << 18;
    /**
     * Below this many elements of A the calling thread packs A alone: a split costs one more
     * wait for the slowest thread, which is more than the 20-odd microseconds that 128 x 384
     * takes to pack (measured on Zen 3).
     */
    private static final long PARALLEL_PACK_FLOATS = 1L << 17;

    private Sgemm() {}

    /** A matrix operand: an array, the offset of element (0, 0), the row stride, transposition. */
    public record Operand(float[] data, int offset, int stride, boolean transposed) {
        float get(int row, int col) {
            return transposed ? data[offset + col * stride + row] : data[offset + row * stride + col];
        }
    }

    public static void multiply(int m, int n, int k, Operand a, Operand b, float[] c, int cOffset,
            int ldc, boolean accumulate, ExecutorService pool, int threads) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(c, cOffset + i * ldc, cOffset + i * ldc + n, 0f);
                }
            }
            return;
        }
        if (!Simd.enabled()) {
            multiplyScalar(m, n, k, a, b, c, cOffset, ldc, accumulate);
            return;
        }
        long work = (long) m * n * k;
        // With several slices, A is packed once here instead of once per slice.
        float[] packedA = packAShared(a, m, k, n, work, pool, threads);
        inColumnSlices(n, work, pool, threads,
                (from, to) -> SgemmVector.multiply(m, from, to, k, a, packedA, b, c, cOffset, ldc, accumulate));
    }

    /** An activation that the packed product applies to each element of C after the bias. */
    public enum Activation {
        NONE,
        /** GELU in its exact form, x/2 * (1 + erf(x / sqrt 2)), as {@link VectorMath#gelu} computes it. */
        GELU
    }

    /**
     * A right operand B (k x n) packed once into the layout the vector kernel reads, so that
     * a constant weight matrix skips packing on every product. On the scalar path it keeps a
     * reference to the operand instead.
     */
    public static final class PackedB {
        private final int rows;
        private final int columns;
        private final Operand source;
        private final float[] panels;
        /** The panels as bytes instead of floats, or null: see {@link #packSmallIntegers}. */
        private final byte[] bytePanels;

        private PackedB(int rows, int columns, Operand source, float[] panels, byte[] bytePanels) {
            this.rows = rows;
            this.columns = columns;
            this.source = source;
            this.panels = panels;
            this.bytePanels = bytePanels;
        }

        /** Returns the depth k of the products this operand takes part in. */
        public int rows() {
            return rows;
        }

        /** Returns the number n of columns of C. */
        public int columns() {
            return columns;
        }

        /** Returns whether the panels are kept as bytes (see {@link Sgemm#packSmallIntegers}). */
        public boolean compact() {
            return bytePanels != null;
        }
    }

    /**
     * Packs B, a k x n operand (n x k in storage when transposed). The vector path copies it,
     * so later changes to the operand's array do not reach the packed copy.
     */
    public static PackedB pack(int k, int n, Operand b) {
        if (!Simd.enabled() || k == 0 || n == 0) {
            return new PackedB(k, n, b, null, null);
        }
        return new PackedB(k, n, null, SgemmVector.pack(b, k, n), null);
    }

    /**
     * Packs B as {@link #pack} does, but when every value of B is an integer in [-128, 127]
     * keeps the panels as bytes, a quarter of the memory. The products widen one panel at a
     * time into floats before they use it, so their results are the same bits as with
     * {@link #pack}.
     */
    public static PackedB packSmallIntegers(int k, int n, Operand b) {
        PackedB packed = pack(k, n, b);
        if (packed.panels == null) {
            return packed;
        }
        byte[] bytes = SgemmVector.toBytes(packed.panels);
        return bytes == null ? packed : new PackedB(k, n, null, null, bytes);
    }

    /**
     * Computes C = activation(A * B + bias) with a packed B: A is m x k, C is m x n with row
     * stride {@code ldc}, and {@code bias} (length n, or null) is added to every row.
     */
    public static void multiply(int m, Operand a, PackedB b, float[] c, int cOffset, int ldc, float[] bias,
            Activation activation, ExecutorService pool, int threads) {
        multiply(m, a, b, c, cOffset, ldc, bias, activation, null, 0, pool, threads);
    }

    /**
     * Computes C = activation(A * B + bias) + R with a packed B, where R ({@code residual}, or
     * null) is laid out like C, element (i, j) at {@code residualOffset + i * ldc + j}, and must
     * not overlap C.
     */
    public static void multiply(int m, Operand a, PackedB b, float[] c, int cOffset, int ldc, float[] bias,
            Activation activation, float[] residual, int residualOffset, ExecutorService pool, int threads) {
        int n = b.columns;
        int k = b.rows;
        if (bias != null && bias.length < n) {
            throw new IllegalArgumentException("bias has " + bias.length + " elements, expected " + n);
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (b.panels == null && b.bytePanels == null) {
            // Scalar path, or k == 0: the operand was kept unpacked.
            multiply(m, n, k, a, b.source, c, cOffset, ldc, false, pool, threads);
            applyEpilogueScalar(m, n, c, cOffset, ldc, bias, activation, residual, residualOffset);
            return;
        }
        boolean gelu = activation == Activation.GELU;
        long work = (long) m * n * k;
        // With several slices, A is packed once here instead of once per slice.
        float[] packedA = packAShared(a, m, k, n, work, pool, threads);
        inColumnSlices(n, work, pool, threads, (from, to) -> SgemmVector.multiplyPacked(m, from, to, k, n, a,
                packedA, b.panels, b.bytePanels, c, cOffset, ldc, bias, gelu, residual, residualOffset));
    }

    /**
     * Packs all of A for the column slices of a threaded product, or returns null when the product
     * runs on one thread. The threads pack ranges of rows in parallel, because packing A on the
     * calling thread alone took about a sixth of the product's time at m = 1024, k = 1536
     * (measured on Zen 3) while the other threads waited.
     */
    private static float[] packAShared(Operand a, int m, int k, int n, long work, ExecutorService pool,
            int threads) {
        int parts = sliceThreads(n, work, pool, threads);
        if (parts <= 1) {
            return null;
        }
        if ((long) m * k < PARALLEL_PACK_FLOATS) {
            return SgemmVector.packA(a, m, k);
        }
        float[] packedA = SgemmVector.packedABuffer(m, k);
        int rowPanels = (m + SgemmVector.MR - 1) / SgemmVector.MR;
        int chunks = Math.min(rowPanels, parts * IntraOpPool.CHUNKS_PER_THREAD);
        IntraOpPool.forEachChunk(pool, parts, chunks, (first, end) -> {
            for (int chunk = first; chunk < end; chunk++) {
                int top = Math.min(m, rowPanels * chunk / chunks * SgemmVector.MR);
                int bottom = Math.min(m, rowPanels * (chunk + 1) / chunks * SgemmVector.MR);
                SgemmVector.packARows(a, m, k, top, bottom, packedA);
            }
        });
        return packedA;
    }

    /** The reference for the packed product: {@link #multiplyScalar}, then bias, activation and residual. */
    public static void multiplyScalar(int m, Operand a, int k, int n, Operand b, float[] c, int cOffset, int ldc,
            float[] bias, Activation activation, float[] residual, int residualOffset) {
        multiplyScalar(m, n, k, a, b, c, cOffset, ldc, false);
        applyEpilogueScalar(m, n, c, cOffset, ldc, bias, activation, residual, residualOffset);
    }

    private static void applyEpilogueScalar(int m, int n, float[] c, int cOffset, int ldc, float[] bias,
            Activation activation, float[] residual, int residualOffset) {
        for (int i = 0; i < m; i++) {
            int row = cOffset + i * ldc;
            if (bias != null) {
                for (int j = 0; j < n; j++) {
                    c[row + j] += bias[j];
                }
            }
            if (activation == Activation.GELU) {
                VectorMath.geluScalar(c, row, c, row, n);
            }
            if (residual != null) {
                int residualRow = residualOffset + i * ldc;
                for (int j = 0; j < n; j++) {
                    c[row + j] += residual[residualRow + j];
                }
            }
        }
    }

    /** Work on the column range [from, to) of C. */
    @FunctionalInterface
    private interface ColumnTask {
        void run(int from, int to);
    }

    /**
     * Runs {@code task} over the columns [0, n) in slices aligned to the kernel's panel width:
     * several per thread, taken by the calling thread and the pool's workers as they come, or
     * in one call when the work is small or there is no pool.
     */
    private static void inColumnSlices(int n, long work, ExecutorService pool, int threads, ColumnTask task) {
        int parts = sliceThreads(n, work, pool, threads);
        if (parts <= 1) {
            task.run(0, n);
            return;
        }
        int panels = (n + SgemmVector.NR - 1) / SgemmVector.NR;
        // At least 4 panels a slice, so each slice still reuses its packed rows of A enough.
        int slices = Math.max(parts, Math.min(panels / 4, parts * IntraOpPool.CHUNKS_PER_THREAD));
        IntraOpPool.forEachChunk(pool, parts, slices, (first, end) -> {
            for (int s = first; s < end; s++) {
                int from = Math.min(n, (int) ((long) panels * s / slices) * SgemmVector.NR);
                int to = Math.min(n, (int) ((long) panels * (s + 1) / slices) * SgemmVector.NR);
                if (from < to) {
                    task.run(from, to);
                }
            }
        });
    }

    /** Returns how many threads {@link #inColumnSlices} uses. */
    private static int sliceThreads(int n, long work, ExecutorService pool, int threads) {
        return pool == null || threads <= 1 || work < PARALLEL_THRESHOLD ? 1
                : Math.min(threads, Math.max(1, n / SgemmVector.NR));
    }

    /** The reference: a plain triple loop, i-k-j order, summing in float. */
    public static void multiplyScalar(int m, int n, int k, Operand a, Operand b, float[] c, int cOffset,
            int ldc, boolean accumulate) {
        float[] row = new float[n];
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(row, 0f);
            for (int p = 0; p < k; p++) {
                float av = a.get(i, p);
                if (!b.transposed()) {
                    int bRow = b.offset() + p * b.stride();
                    for (int j = 0; j < n; j++) {
                        row[j] += av * b.data()[bRow + j];
                    }
                } else {
                    for (int j = 0; j < n; j++) {
                        row[j] += av * b.get(p, j);
                    }
                }
            }
            int cRow = cOffset + i * ldc;
            for (int j = 0; j < n; j++) {
                c[cRow + j] = accumulate ? c[cRow + j] + row[j] : row[j];
            }
        }
    }
}
