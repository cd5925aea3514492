package dev.jonnx.bench;

import dev.jonnx.runtime.kernel.Sgemm;
import dev.jonnx.runtime.kernel.Simd;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures the machine's Vector API FMA peak on one thread (independent fused multiply-adds on
 * registers) and the GFLOP/s of Jonnx's SGEMM on square matrices, and prints both with their
 * ratio.
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
        double[] gflops = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime();
            Sgemm.multiply(size, size, size, oa, ob, c, 0, size, false, pool, threads);
            gflops[i] = flops / (System.nanoTime() - start);
        }
        Arrays.sort(gflops);
        double best = gflops[repeats - 1];
        double median = gflops[repeats / 2];
        System.out.printf("SGEMM %dx%dx%d, %d thread(s): best %.1f GFLOP/s, median %.1f GFLOP/s;"
                + " best is %.0f%% of %d x the one-thread FMA peak%n", size, size, size, threads, best,
                median, 100 * best / (peak * threads), threads);
        if (pool != null) {
            pool.shutdown();
        }
    }

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    /** Runs eight independent FMA chains per iteration so the FMA units, not latency, bound it. */
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
            best = Math.max(best, 2.0 * 8 * SPECIES.length() * iterations / nanos);
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
        for (int i = 0; i < iterations; i++) {
            a0 = a0.fma(x, y);
            a1 = a1.fma(x, y);
            a2 = a2.fma(x, y);
            a3 = a3.fma(x, y);
            a4 = a4.fma(x, y);
            a5 = a5.fma(x, y);
            a6 = a6.fma(x, y);
            a7 = a7.fma(x, y);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
