package dev.jonnx.bench;

import dev.jonnx.runtime.kernel.Sgemm;
import dev.jonnx.runtime.kernel.Simd;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures the machine's Vector API FMA peak on one thread (independent fused multiply-adds on
 * registers) and the GFLOP/s of Jonnx's SGEMM on square matrices, and prints both with their
 * ratio. With one thread it also prints the SGEMM rate by the thread's CPU time, which time
 * slices lost to other processes on a shared machine do not inflate.
 *
 * <p>With {@code shapes} as the first argument it times instead, on one thread by its CPU time,
 * the products of a MiniLM-sized transformer (hidden size 384, feed-forward size 1536, the Q, K
 * and V weights side by side as 1152 columns) at 128 and 1024 rows, with B packed once as the
 * models pack their weights. It prints each rate as a share of the FMA peak measured in the
 * same process, the best of {@code ROUNDS} rounds.
 *
 * <pre>java ... dev.jonnx.bench.KernelBench [SIZE] [THREADS] [REPEATS]
 * java ... dev.jonnx.bench.KernelBench shapes [ROUNDS]</pre>
 */
public final class KernelBench {
    private KernelBench() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("shapes")) {
            benchShapes(args.length > 1 ? Integer.parseInt(args[1]) : 5);
            return;
        }
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        double peak = fmaPeak();
        System.out.printf("vector lanes %d, FMA peak on one thread: %.1f GFLOP/s%n", Simd.FLOAT_LANES, peak);

        Random random = new Random(1);
        float[] a = new float[size * size];
        float[] b = new float[size * size];
        float[] c = new float[size * size];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextFloat();
            b[i] = random.nextFloat();
        }
        ExecutorService pool = threads > 1 ? Executors.newFixedThreadPool(threads) : null;
        Sgemm.Operand oa = new Sgemm.Operand(a, 0, size, false);
        Sgemm.Operand ob = new Sgemm.Operand(b, 0, size, false);
        double flops = 2.0 * size * size * size;
        for (int i = 0; i < 3; i++) {
            Sgemm.multiply(size, size, size, oa, ob, c, 0, size, false, pool, threads);
        }
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        double[] gflops = new double[repeats];
        double[] cpuGflops = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long cpuStart = bean.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            Sgemm.multiply(size, size, size, oa, ob, c, 0, size, false, pool, threads);
            gflops[i] = flops / (System.nanoTime() - start);
            cpuGflops[i] = flops / (bean.getCurrentThreadCpuTime() - cpuStart);
        }
        Arrays.sort(gflops);
        double best = gflops[repeats - 1];
        double median = gflops[repeats / 2];
        System.out.printf("SGEMM %dx%dx%d, %d thread(s): best %.1f GFLOP/s, median %.1f GFLOP/s;"
                + " best is %.0f%% of %d x the one-thread FMA peak%n", size, size, size, threads, best,
                median, 100 * best / (peak * threads), threads);
        if (threads == 1) {
            Arrays.sort(cpuGflops);
            System.out.printf("SGEMM by thread CPU time: best %.1f GFLOP/s, median %.1f GFLOP/s (%.0f%% of the peak)%n",
                    cpuGflops[repeats - 1], cpuGflops[repeats / 2], 100 * cpuGflops[repeats - 1] / peak);
        }
        if (pool != null) {
            pool.shutdown();
        }
    }

    /** Depth k and columns n of the products of one transformer layer, in the order it runs them. */
    private static final int[][] LAYER_SHAPES = {{384, 1152}, {384, 384}, {384, 1536}, {1536, 384}};

    /** Rows m (batch times tokens) that the shapes mode times. */
    private static final int[] SHAPE_ROWS = {128, 1024};

    /** Layers with weights of their own, so that packed B comes from memory as in a model run. */
    private static final int LAYERS = 6;

    /**
     * Times the products of {@link #LAYERS} layers in the order a model runs them, each call by
     * the thread's CPU time, for one warm-up round and {@code rounds} more. Every layer has its
     * own packed weights (about 7 MiB each), so that B is no longer in cache when its product
     * comes round, as in a model. The FMA peak is measured before each round.
     */
    private static void benchShapes(int rounds) {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Random random = new Random(1);
        int count = LAYER_SHAPES.length;
        Sgemm.PackedB[][] weights = new Sgemm.PackedB[LAYERS][count];
        float[][] biases = new float[count][];
        for (int s = 0; s < count; s++) {
            int k = LAYER_SHAPES[s][0];
            int n = LAYER_SHAPES[s][1];
            for (int layer = 0; layer < LAYERS; layer++) {
                weights[layer][s] = Sgemm.pack(k, n, new Sgemm.Operand(randomFloats(random, k * n), 0, n, false));
            }
            biases[s] = randomFloats(random, n);
        }
        double peak = 0;
        double[][] best = new double[SHAPE_ROWS.length][count];
        for (int round = -1; round < rounds; round++) {
            peak = Math.max(peak, fmaPeak(bean::getCurrentThreadCpuTime));
            for (int r = 0; r < SHAPE_ROWS.length; r++) {
                int m = SHAPE_ROWS[r];
                float[][] inputs = new float[count][];
                float[][] outputs = new float[count][];
                for (int s = 0; s < count; s++) {
                    inputs[s] = randomFloats(random, m * LAYER_SHAPES[s][0]);
                    outputs[s] = new float[m * LAYER_SHAPES[s][1]];
                }
                long[] nanos = new long[count];
                for (int layer = 0; layer < LAYERS; layer++) {
                    for (int s = 0; s < count; s++) {
                        int k = LAYER_SHAPES[s][0];
                        int n = LAYER_SHAPES[s][1];
                        long start = bean.getCurrentThreadCpuTime();
                        Sgemm.multiply(m, new Sgemm.Operand(inputs[s], 0, k, false), weights[layer][s], outputs[s], 0,
                                n, biases[s], Sgemm.Activation.NONE, null, 1);
                        nanos[s] += bean.getCurrentThreadCpuTime() - start;
                    }
                }
                for (int s = 0; s < count; s++) {
                    double flops = 2.0 * m * LAYER_SHAPES[s][0] * LAYER_SHAPES[s][1] * LAYERS;
                    if (round >= 0) {
                        best[r][s] = Math.max(best[r][s], flops / nanos[s]);
                    }
                }
            }
        }
        System.out.printf("vector lanes %d, FMA peak on one thread by its CPU time: %.1f GFLOP/s%n",
                Simd.FLOAT_LANES, peak);
        for (int r = 0; r < SHAPE_ROWS.length; r++) {
            double totalFlops = 0;
            double totalNanos = 0;
            for (int s = 0; s < count; s++) {
                int k = LAYER_SHAPES[s][0];
                int n = LAYER_SHAPES[s][1];
                double flops = 2.0 * SHAPE_ROWS[r] * k * n;
                totalFlops += flops;
                totalNanos += flops / best[r][s];
                System.out.printf("m %5d  k %5d  n %5d: %6.1f GFLOP/s, %3.0f%% of the peak%n", SHAPE_ROWS[r], k, n,
                        best[r][s], 100 * best[r][s] / peak);
            }
            double overall = totalFlops / totalNanos;
            System.out.printf("m %5d, one layer: %.1f GFLOP/s, %.0f%% of the peak%n", SHAPE_ROWS[r], overall,
                    100 * overall / peak);
        }
    }

    private static float[] randomFloats(Random random, int length) {
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            values[i] = random.nextFloat() - 0.5f;
        }
        return values;
    }

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    /** Independent FMA chains: more than FMA latency (4 cycles) times FMA units (2) on Zen 3. */
    private static final int CHAINS = 10;

    /**
     * Returns the best rate of {@link #fmaLoop} over 30 rounds, in GFLOP/s. Each accumulator is
     * the addend of its FMA ({@code x.fma(y, acc)}), which C2 compiles to one vfmadd231ps. With
     * the accumulator as a multiplicand ({@code acc.fma(x, y)}), C2 adds a register move per FMA,
     * and the loop measured 55 to 72 instead of 91 to 93 GFLOP/s on a 2-vCPU Zen 3 EPYC.
     */
    static double fmaPeak() {
        return fmaPeak(System::nanoTime);
    }

    /** Returns the best rate of {@link #fmaLoop} as {@link #fmaPeak()} does, timed by {@code clock} in nanoseconds. */
    static double fmaPeak(java.util.function.LongSupplier clock) {
        double best = 0;
        int iterations = 2_000_000;
        for (int round = 0; round < 30; round++) {
            long start = clock.getAsLong();
            float sink = fmaLoop(iterations);
            long nanos = clock.getAsLong() - start;
            if (sink == 42f) {
                System.out.print("");
            }
            best = Math.max(best, 2.0 * CHAINS * SPECIES.length() * iterations / nanos);
        }
        return best;
    }

    private static float fmaLoop(int iterations) {
        FloatVector x = FloatVector.broadcast(SPECIES, 1.0000001f);
        FloatVector y = FloatVector.broadcast(SPECIES, 0.9999999f);
        FloatVector a0 = FloatVector.broadcast(SPECIES, 1f);
        FloatVector a1 = FloatVector.broadcast(SPECIES, 2f);
        FloatVector a2 = FloatVector.broadcast(SPECIES, 3f);
        FloatVector a3 = FloatVector.broadcast(SPECIES, 4f);
        FloatVector a4 = FloatVector.broadcast(SPECIES, 5f);
        FloatVector a5 = FloatVector.broadcast(SPECIES, 6f);
        FloatVector a6 = FloatVector.broadcast(SPECIES, 7f);
        FloatVector a7 = FloatVector.broadcast(SPECIES, 8f);
        FloatVector a8 = FloatVector.broadcast(SPECIES, 9f);
        FloatVector a9 = FloatVector.broadcast(SPECIES, 10f);
        for (int i = 0; i < iterations; i++) {
            a0 = x.fma(y, a0);
            a1 = x.fma(y, a1);
            a2 = x.fma(y, a2);
            a3 = x.fma(y, a3);
            a4 = x.fma(y, a4);
            a5 = x.fma(y, a5);
            a6 = x.fma(y, a6);
            a7 = x.fma(y, a7);
            a8 = x.fma(y, a8);
            a9 = x.fma(y, a9);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
