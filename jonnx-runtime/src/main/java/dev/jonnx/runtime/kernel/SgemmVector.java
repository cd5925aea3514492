package dev.jonnx.runtime.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector path of {@link Sgemm}: blocked as in BLIS. B is packed into panels of NR columns
 * (one depth block deep) and A into panels of MR rows, so the 6 x NR kernel streams both from
 * contiguous memory and keeps its 12 accumulators in registers. NR is two vectors wide.
 */
final class SgemmVector {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED.length() == Simd.FLOAT_LANES
            ? FloatVector.SPECIES_PREFERRED
            : VectorSpecies.of(float.class, jdk.incubator.vector.VectorShape.forBitSize(Simd.FLOAT_LANES * 32));
    static final int LANES = SPECIES.length();
    static final int MR = 6;
    static final int NR = 2 * LANES;
    /**
     * The maximum depth of a packed block: a KC x NR panel of B (24 KiB with 8 lanes) stays in
     * a 32 KiB L1 while 6-row panels of A stream past it. {@link #depthBlock} splits k into equal
     * blocks up to this. At 384, a transformer with hidden size 384 computes its products in one
     * depth block, so each tile of C is written once, without the read and add of a second block.
     * Against 256, this raised MiniLM's products at 128 rows from a median 77% to 84% of the FMA
     * peak, with packed B coming from memory (KernelBench shapes, Zen 3).
     */
    static final int KC = 384;
    /** The maximum number of rows of A packed at once (a multiple of MR): MC x KC floats stay in L2. */
    static final int MC = 144;
    /** Columns of B packed at once (a multiple of NR). */
    static final int NC = 2048;

    /**
     * An index that the kernel's depth loop never reaches, because its indices count up from 0.
     * The loop compares two different indices with it per step only to split its body into
     * three basic blocks (C2 merges two identical tests). C2 schedules loads early within a
     * block, and with all six broadcasts of A in flight next to 12 accumulators and 2 B vectors
     * it runs out of the 16 AVX2 registers and spills an accumulator, which halved the speed.
     * The field is not final, so C2 cannot fold the tests away.
     */
    private static int unreachableDepth = -1;

    /**
     * The maximum size of the chunk of C that the packed product computes over all depth blocks
     * before it moves on. At 256 KiB it stays in a 512 KiB L2 (Zen 3) next to a depth block of
     * packed A, and 128 rows of 384 columns (MiniLM) make one chunk.
     */
    static final int C_CHUNK_FLOATS = 64 * 1024;

    /**
     * Per-thread scratch: a packed B block, a packed A block, an edge tile, one row block of A
     * packed over the whole depth, and all of A packed for the threads of one product (the last
     * two grown on demand).
     */
    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(
            () -> new float[][] {new float[KC * NC], new float[MC * KC], new float[MR * NR], new float[0], new float[0],
                new float[KC * NR]});

    private SgemmVector() {}

    /**
     * Computes columns [from, to) of C. {@code packedA} is A packed by
     * {@link #packA(Sgemm.Operand, int, int)}, or null to pack each block of A here.
     */
    static void multiply(int m, int from, int to, int k, Sgemm.Operand a, float[] packedA, Sgemm.Operand b,
            float[] c, int cOffset, int ldc, boolean accumulate) {
        float[][] buffers = BUFFERS.get();
        float[] packedB = buffers[0];
        float[] blockA = packedA != null ? packedA : buffers[1];
        float[] tile = buffers[2];
        int blockRows = packedBlockRows(m);
        int depth = depthBlock(k);
        for (int jc = from; jc < to; jc += NC) {
            int nc = Math.min(NC, to - jc);
            for (int pc = 0; pc < k; pc += depth) {
                int kc = Math.min(depth, k - pc);
                packB(b, pc, kc, jc, nc, packedB);
                boolean add = accumulate || pc > 0;
                for (int ic = 0; ic < m; ic += blockRows) {
                    int mc = Math.min(blockRows, m - ic);
                    int aStart = 0;
                    if (packedA == null) {
                        packA(a, ic, mc, pc, kc, blockA, 0);
                    } else {
                        aStart = ic * k + blockRows * pc;
                    }
                    blockKernel(mc, nc, kc, blockA, aStart, packedB, 0, c, cOffset + ic * ldc + jc, ldc, add, tile);
                }
            }
        }
    }

    /**
     * Computes columns [from, to) of C = A * B + bias, optionally through GELU, plus an optional
     * residual laid out like C, where B was packed whole by {@link #pack}. {@code from} is a
     * multiple of NR. {@code packedA} is A packed by {@link #packA(Sgemm.Operand, int, int)}, or
     * null to pack each row block here. Each chunk of C gets its bias, activation and residual
     * right after its last depth step, while it is still in cache.
     */
    static void multiplyPacked(int m, int from, int to, int k, int n, Sgemm.Operand a, float[] packedA,
            float[] packedB, byte[] packedBytes, float[] c, int cOffset, int ldc, float[] bias, boolean gelu,
            float[] residual, int residualOffset) {
        float[][] buffers = BUFFERS.get();
        float[] tile = buffers[2];
        float[] widePanel = buffers[5];
        int panels = (n + NR - 1) / NR;
        int blockRows = packedBlockRows(m);
        int depth = depthBlock(k);
        // Chunks of equal width in whole panels, so that no narrow last chunk walks all of A again.
        int slicePanels = (to - from + NR - 1) / NR;
        int maxChunkPanels = Math.max(1, C_CHUNK_FLOATS / blockRows / NR);
        int chunkCount = (slicePanels + maxChunkPanels - 1) / maxChunkPanels;
        int chunk = (slicePanels + chunkCount - 1) / chunkCount * NR;
        // With one column chunk, each depth block of A is packed into the same place just before
        // its use, so that it stays in L2. With several, all of them are kept for the later chunks.
        boolean keepDepthBlocks = to - from > chunk;
        float[] blockA = packedA;
        if (blockA == null) {
            int size = keepDepthBlocks ? blockRows * k : blockRows * depth;
            if (buffers[3].length < size) {
                buffers[3] = new float[size];
            }
            blockA = buffers[3];
        }
        for (int ic = 0; ic < m; ic += blockRows) {
            int mc = Math.min(blockRows, m - ic);
            // Column chunks, so that the chunk of C stays in L2 across the depth blocks.
            for (int jc = from; jc < to; jc += chunk) {
                int nc = Math.min(chunk, to - jc);
                for (int pc = 0; pc < k; pc += depth) {
                    int kc = Math.min(depth, k - pc);
                    int aStart;
                    if (packedA != null) {
                        aStart = ic * k + blockRows * pc;
                    } else {
                        aStart = keepDepthBlocks ? blockRows * pc : 0;
                        if (jc == from) {
                            packA(a, ic, mc, pc, kc, blockA, aStart);
                        }
                    }
                    int bStart = pc * panels * NR + (jc / NR) * kc * NR;
                    if (packedBytes == null) {
                        blockKernel(mc, nc, kc, blockA, aStart, packedB, bStart, c, cOffset + ic * ldc + jc, ldc,
                                pc > 0, tile);
                    } else {
                        // One panel at a time: widen it into an L1-sized buffer, then run the
                        // whole row block over it, so each byte is widened once per row block.
                        for (int jr = 0; jr < nc; jr += NR) {
                            widen(packedBytes, bStart + (jr / NR) * kc * NR, kc * NR, widePanel);
                            blockKernel(mc, Math.min(NR, nc - jr), kc, blockA, aStart, widePanel, 0, c,
                                    cOffset + ic * ldc + jc + jr, ldc, pc > 0, tile);
                        }
                    }
                }
                applyEpilogue(ic, mc, jc, nc, c, cOffset, ldc, bias, gelu, residual, residualOffset);
            }
        }
    }

    /**
     * Returns the rows per block of A: blocks of equal size up to MC, in whole panels of MR, so
     * that no short last block reads all of B for a few rows.
     */
    private static int packedBlockRows(int m) {
        int blocks = (m + MC - 1) / MC;
        return ((m + blocks - 1) / blocks + MR - 1) / MR * MR;
    }

    /**
     * Packs all of A (m x k) for {@link #multiply} and {@link #multiplyPacked} into the calling thread's buffer and
     * returns it: row block i starts at {@code i * blockRows * k}. Several threads may read the
     * result at once, until the calling thread packs again.
     */
    static float[] packA(Sgemm.Operand a, int m, int k) {
        float[] out = packedABuffer(m, k);
        packARows(a, m, k, 0, m, out);
        return out;
    }

    /**
     * Returns the calling thread's buffer for all of A (m x k) in the layout of
     * {@link #packA(Sgemm.Operand, int, int)}, grown when needed, for {@link #packARows} to fill.
     */
    static float[] packedABuffer(int m, int k) {
        float[][] buffers = BUFFERS.get();
        int blockRows = packedBlockRows(m);
        int size = (m + blockRows - 1) / blockRows * blockRows * k;
        if (buffers[4].length < size) {
            buffers[4] = new float[size];
        }
        return buffers[4];
    }

    /**
     * Packs rows [top, bottom) of A (m x k) into {@code out} where {@link #packA(Sgemm.Operand, int, int)}
     * puts them. {@code top} must be a multiple of MR, and {@code bottom} one too or m, so that
     * threads packing disjoint ranges write disjoint panels.
     */
    static void packARows(Sgemm.Operand a, int m, int k, int top, int bottom, float[] out) {
        int blockRows = packedBlockRows(m);
        int depth = depthBlock(k);
        int row = top;
        while (row < bottom) {
            int ic = row / blockRows * blockRows;
            int end = Math.min(bottom, Math.min(ic + blockRows, m));
            for (int pc = 0; pc < k; pc += depth) {
                int kc = Math.min(depth, k - pc);
                packA(a, row, end - row, pc, kc, out, ic * k + blockRows * pc + (row - ic) * kc);
            }
            row = end;
        }
    }

    /** Adds bias, applies GELU and adds the residual on rows [ic, ic+mc) and columns [jc, jc+nc) of C. */
    private static void applyEpilogue(int ic, int mc, int jc, int nc, float[] c, int cOffset, int ldc, float[] bias,
            boolean gelu, float[] residual, int residualOffset) {
        for (int r = 0; r < mc; r++) {
            int row = cOffset + (ic + r) * ldc;
            if (bias != null) {
                addRow(c, row + jc, bias, jc, nc);
            }
            if (gelu) {
                VectorMathVector.gelu(c, row + jc, c, row + jc, nc);
            }
            if (residual != null) {
                addRow(c, row + jc, residual, residualOffset + (ic + r) * ldc + jc, nc);
            }
        }
    }

    /**
     * Returns the depth of the blocks that k is split into: the fewest blocks of at most KC
     * rows, of equal size except for a shorter last one, so that k = 1024 gives three blocks of
     * 342, 342 and 340 instead of 384, 384 and 256.
     */
    static int depthBlock(int k) {
        int blocks = (k + KC - 1) / KC;
        return (k + blocks - 1) / blocks;
    }

    /**
     * Packs all of B (k x n) for {@link #multiplyPacked}: depth blocks of {@link #depthBlock}
     * rows one after another, each split into panels of NR columns with the last panel
     * zero-padded.
     */
    static float[] pack(Sgemm.Operand b, int k, int n) {
        int panels = (n + NR - 1) / NR;
        float[] packed = new float[k * panels * NR];
        int depth = depthBlock(k);
        float[] block = new float[depth * panels * NR];
        for (int pc = 0; pc < k; pc += depth) {
            int kc = Math.min(depth, k - pc);
            packB(b, pc, kc, 0, n, block);
            System.arraycopy(block, 0, packed, pc * panels * NR, kc * panels * NR);
        }
        return packed;
    }

    /**
     * Returns the packed panels as bytes when every value is an integer in [-128, 127], or null.
     * The padding is zero, so it always fits.
     */
    static byte[] toBytes(float[] panels) {
        byte[] bytes = new byte[panels.length];
        for (int i = 0; i < panels.length; i++) {
            float v = panels[i];
            // The comparisons are false for NaN.
            if (!(v >= -128f && v <= 127f) || v != (float) (int) v) {
                return null;
            }
            bytes[i] = (byte) v;
        }
        return bytes;
    }

    /**
     * Converts {@code count} bytes from {@code at} to floats at the start of {@code out}. A plain
     * loop, which C2 vectorizes, measured faster here than ByteVector conversions.
     */
    static void widen(byte[] bytes, int at, int count, float[] out) {
        for (int i = 0; i < count; i++) {
            out[i] = bytes[at + i];
        }
    }

    /**
     * Multiplies a packed mc x kc block of A by nc columns of packed B whose first panel
     * starts at {@code bStart}, into C starting at {@code cStart}.
     */
    private static void blockKernel(int mc, int nc, int kc, float[] packedA, int aStart, float[] packedB, int bStart,
            float[] c, int cStart, int ldc, boolean add, float[] tile) {
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int bBase = bStart + (jr / NR) * kc * NR;
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir);
                int aBase = aStart + (ir / MR) * kc * MR;
                int cBase = cStart + ir * ldc + jr;
                int rest = mc - ir - MR;
                if (nr == NR && rest > 0 && rest <= 2) {
                    // A full panel followed by a last one of 1 or 2 rows becomes two 4-row tiles,
                    // 16 FMAs a step where the 6-row and 4-row kernels take 20. The second tile is
                    // rows 4 and 5 of this panel and the first two rows of the next one.
                    int nextBase = aBase + kc * MR;
                    kernel4(kc, packedA, aBase, aBase + 2, packedB, bBase, c, cBase, ldc, 4, add);
                    kernel4(kc, packedA, aBase + 4, nextBase, packedB, bBase, c, cBase + 4 * ldc, ldc, 2 + rest, add);
                    ir += MR;
                } else if (nr == NR && mr > 4) {
                    kernel(kc, packedA, aBase, packedB, bBase, c, cBase, ldc, mr, add);
                } else if (nr == NR) {
                    // Row edge of 1 to 4 rows: 8 FMAs a step instead of 12 (the 6-row kernel computes
                    // the padding rows as well).
                    kernel4(kc, packedA, aBase, aBase + 2, packedB, bBase, c, cBase, ldc, mr, add);
                } else {
                    // Column edge: compute a full tile into scratch, then copy its valid part.
                    kernel(kc, packedA, aBase, packedB, bBase, tile, 0, NR, MR, false);
                    for (int r = 0; r < mr; r++) {
                        for (int j = 0; j < nr; j++) {
                            int at = cBase + r * ldc + j;
                            c[at] = add ? c[at] + tile[r * NR + j] : tile[r * NR + j];
                        }
                    }
                }
            }
        }
    }

    /** Adds {@code length} elements of {@code values} from {@code valuesOffset} to C from {@code at}. */
    private static void addRow(float[] c, int at, float[] values, int valuesOffset, int length) {
        int j = 0;
        for (int bound = SPECIES.loopBound(length); j < bound; j += LANES) {
            FloatVector.fromArray(SPECIES, c, at + j).add(FloatVector.fromArray(SPECIES, values, valuesOffset + j))
                    .intoArray(c, at + j);
        }
        for (; j < length; j++) {
            c[at + j] += values[valuesOffset + j];
        }
    }

    /** Packs B[pc:pc+kc, jc:jc+nc] into panels of NR columns, zero-padding the last panel. */
    private static void packB(Sgemm.Operand b, int pc, int kc, int jc, int nc, float[] out) {
        float[] data = b.data();
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int base = (jr / NR) * kc * NR;
            for (int p = 0; p < kc; p++) {
                int at = base + p * NR;
                if (!b.transposed()) {
                    System.arraycopy(data, b.offset() + (pc + p) * b.stride() + jc + jr, out, at, nr);
                } else {
                    int src = b.offset() + (jc + jr) * b.stride() + pc + p;
                    for (int j = 0; j < nr; j++) {
                        out[at + j] = data[src + j * b.stride()];
                    }
                }
                for (int j = nr; j < NR; j++) {
                    out[at + j] = 0f;
                }
            }
        }
    }

    /**
     * Packs A[ic:ic+mc, pc:pc+kc] into panels of MR rows from {@code start} of {@code out}, each
     * stored column by column.
     */
    private static void packA(Sgemm.Operand a, int ic, int mc, int pc, int kc, float[] out, int start) {
        float[] data = a.data();
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            int base = start + (ir / MR) * kc * MR;
            for (int r = 0; r < MR; r++) {
                if (r >= mr) {
                    for (int p = 0; p < kc; p++) {
                        out[base + p * MR + r] = 0f;
                    }
                    continue;
                }
                int row = ic + ir + r;
                if (!a.transposed()) {
                    int src = a.offset() + row * a.stride() + pc;
                    for (int p = 0; p < kc; p++) {
                        out[base + p * MR + r] = data[src + p];
                    }
                } else {
                    int src = a.offset() + pc * a.stride() + row;
                    for (int p = 0; p < kc; p++) {
                        out[base + p * MR + r] = data[src + p * a.stride()];
                    }
                }
            }
        }
    }

    /**
     * The 6 x NR kernel: 12 vector accumulators, one broadcast of A per row and step, and the
     * first {@code rows} rows of the tile stored to C (the packed panel of A is zero-padded to
     * MR rows).
     */
    private static void kernel(int kc, float[] ap, int aBase, float[] bp, int bBase, float[] c, int cBase,
            int ldc, int rows, boolean add) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c40 = c00;
        FloatVector c41 = c00;
        FloatVector c50 = c00;
        FloatVector c51 = c00;
        int barrier = unreachableDepth;
        int ai = aBase;
        int bi = bBase;
        for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + LANES);
            FloatVector a = FloatVector.broadcast(SPECIES, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(SPECIES, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            if (ai == barrier) {
                break;
            }
            a = FloatVector.broadcast(SPECIES, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(SPECIES, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            if (p == barrier) {
                break;
            }
            a = FloatVector.broadcast(SPECIES, ap[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(SPECIES, ap[ai + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
        }
        store(c00, c01, c, cBase, add);
        if (rows > 1) {
            store(c10, c11, c, cBase + ldc, add);
        }
        if (rows > 2) {
            store(c20, c21, c, cBase + 2 * ldc, add);
        }
        if (rows > 3) {
            store(c30, c31, c, cBase + 3 * ldc, add);
        }
        if (rows > 4) {
            store(c40, c41, c, cBase + 4 * ldc, add);
        }
        if (rows > 5) {
            store(c50, c51, c, cBase + 5 * ldc, add);
        }
    }

    /**
     * The kernel for 4 rows of A: 8 vector accumulators, and the first {@code rows} rows of the
     * tile stored to C. Rows 0 and 1 are the two rows of a packed panel (MR rows) that start at
     * {@code lowBase}, rows 2 and 3 the two that start at {@code highBase}, so that the 4 rows
     * may span two panels.
     */
    private static void kernel4(int kc, float[] ap, int lowBase, int highBase, float[] bp, int bBase, float[] c,
            int cBase, int ldc, int rows, boolean add) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        int low = lowBase;
        int high = highBase;
        int bi = bBase;
        for (int p = 0; p < kc; p++, low += MR, high += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + LANES);
            FloatVector a = FloatVector.broadcast(SPECIES, ap[low]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(SPECIES, ap[low + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(SPECIES, ap[high]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(SPECIES, ap[high + 1]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
        }
        store(c00, c01, c, cBase, add);
        if (rows > 1) {
            store(c10, c11, c, cBase + ldc, add);
        }
        if (rows > 2) {
            store(c20, c21, c, cBase + 2 * ldc, add);
        }
        if (rows > 3) {
            store(c30, c31, c, cBase + 3 * ldc, add);
        }
    }

    private static void store(FloatVector v0, FloatVector v1, float[] c, int at, boolean add) {
        if (add) {
            v0 = v0.add(FloatVector.fromArray(SPECIES, c, at));
            v1 = v1.add(FloatVector.fromArray(SPECIES, c, at + LANES));
        }
        v0.intoArray(c, at);
        v1.intoArray(c, at + LANES);
    }
}
