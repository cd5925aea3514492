package dev.jonnx.bench;

import dev.jonnx.runtime.kernel.Igemm;
import dev.jonnx.runtime.kernel.Sgemm;
import java.util.Arrays;
import java.util.Random;

/**
 * Times the ways Jonnx can compute an 8-bit integer matrix product on one thread, on the
 * shapes of a 384-wide transformer layer with 128 tokens: the float SGEMM over values already
 * shifted by their zero points (exact while partial sums stay below 2^24), the int32 Vector API
 * kernel {@link Igemm}, and its scalar reference. Prints the median and best time and the
 * rate in billions of multiply-adds per second.
 *
 * <pre>java ... dev.jonnx.bench.IgemmBench [REPEATS]</pre>
 */
public final class IgemmBench {
    private IgemmBench() {}

    public static void main(String[] args) {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int[][] shapes = {{128, 384, 384}, {128, 1536, 384}, {128, 384, 1536}};
        for (int[] shape : shapes) {
            run(shape[0], shape[1], shape[2], repeats);
        }
    }

    private static void run(int m, int n, int k, int repeats) {
        Random random = new Random(1);
        byte[] a = new byte[m * k];
        byte[] b = new byte[k * n];
        random.nextBytes(a);
        random.nextBytes(b);
        float[] af = new float[m * k];
        float[] bf = new float[k * n];
        for (int i = 0; i < af.length; i++) {
            af[i] = (a[i] & 0xFF) - 128;
        }
        for (int i = 0; i < bf.length; i++) {
            bf[i] = b[i];
        }
        float[] cf = new float[m * n];
        int[] ci = new int[m * n];
        int[] aZero = {128};
        Sgemm.Operand oa = new Sgemm.Operand(af, 0, k, false);
        Sgemm.Operand ob = new Sgemm.Operand(bf, 0, n, false);
        String label = m + "x" + n + "x" + k;
        time(label + " float SGEMM", m, n, k, repeats,
                () -> Sgemm.multiply(m, n, k, oa, ob, cf, 0, n, false, null, 1));
        time(label + " int32 vector", m, n, k, repeats,
                () -> Igemm.multiply(m, n, k, a, 0, k, false, aZero, b, 0, n, true, null, ci, 0, n));
        time(label + " int32 scalar", m, n, k, Math.max(3, repeats / 4),
                () -> Igemm.multiplyScalar(m, n, k, a, 0, k, false, aZero, b, 0, n, true, null, ci, 0, n));
    }

    private static void time(String label, int m, int n, int k, int repeats, Runnable kernel) {
        for (int i = 0; i < 5; i++) {
            kernel.run();
        }
        double[] millis = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime();
            kernel.run();
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        double median = millis[repeats / 2];
        double macs = (double) m * n * k;
        System.out.printf("%-32s median %8.3f ms  best %8.3f ms  %6.2f GMAC/s (best)%n", label, median, millis[0],
                macs / millis[0] / 1e6);
    }
}
