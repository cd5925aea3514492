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
 * <pre>java ... dev.jonnx.bench.KernelBench [SIZE] [THREADS] [REPEATS]</pre>
 */
public final class KernelBench {
    private KernelBench() {}

    public static void main(String[] args) {
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
        double best = 0;
        int iterations = 2_000_000;
        for (int round = 0; round < 30; round++) {
            long start = System.nanoTime();
            float sink = fmaLoop(iterations);
            long nanos = System.nanoTime() - start;
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
