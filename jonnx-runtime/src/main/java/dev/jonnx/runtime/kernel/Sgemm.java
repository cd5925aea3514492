package dev.jonnx.runtime.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Single-precision matrix multiply, C = A * B or C += A * B, on row-major arrays with row
 * strides. A is m x k (or k x m when {@code transA}), B is k x n (or n x k when
 * {@code transB}), C is m x n.
 *
 * <p>The vector path ({@link SgemmVector}) packs panels of A and B and runs a register-blocked
 * kernel with fused multiply-add, so its sums may differ from {@link #multiplyScalar} in the
 * last bits; the scalar path is the reference the tests compare against. With a pool and more
 * than one thread, the columns of C are split into contiguous slices, one per thread.
 */
public final class Sgemm {
    /** Below this many multiply-adds a single thread does the work. */
    private static final long PARALLEL_THRESHOLD = 1L << 18;

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
        int parts = pool == null || threads <= 1 || work < PARALLEL_THRESHOLD ? 1
                : Math.min(threads, Math.max(1, n / SgemmVector.NR));
        if (parts <= 1) {
            SgemmVector.multiply(m, 0, n, k, a, b, c, cOffset, ldc, accumulate);
            return;
        }
        // Column slices aligned to the kernel's panel width, one task per thread.
        int panels = (n + SgemmVector.NR - 1) / SgemmVector.NR;
        List<Future<?>> tasks = new ArrayList<>();
        int start = 0;
        for (int p = 0; p < parts; p++) {
            int endPanel = (int) ((long) panels * (p + 1) / parts);
            int end = Math.min(n, endPanel * SgemmVector.NR);
            if (end <= start) {
                continue;
            }
            int from = start;
            int to = end;
            if (p == parts - 1) {
                SgemmVector.multiply(m, from, to, k, a, b, c, cOffset, ldc, accumulate);
            } else {
                tasks.add(pool.submit(() -> SgemmVector.multiply(m, from, to, k, a, b, c, cOffset, ldc,
                        accumulate)));
            }
            start = end;
        }
        for (Future<?> f : tasks) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while multiplying", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("matrix multiply failed: " + e.getCause(), e.getCause());
            }
        }
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
