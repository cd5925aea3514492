package dev.jonnx.bench;

import dev.jonnx.runtime.kernel.Igemm;
import dev.jonnx.runtime.kernel.Sgemm;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Times the ways Jonnx can compute an 8-bit integer matrix product on one thread, on the
 * shapes of a 384-wide transformer layer with 128 tokens: the float SGEMM over values already
 * shifted by their zero points (exact while partial sums stay below 2^24), the int32 Vector API
 * kernel {@link Igemm}, its scalar reference, and a candidate that multiplies in 16-bit lanes
 * and widens the products to int32 before adding (valid while every product fits in 16 bits,
 * as |A - zero| <= 255 times int8 B does). Prints the median and best thread CPU time, which
 * waits for a busy core do not inflate, and the rate in billions of multiply-adds per second.
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
        short[] as = new short[m * k];
        short[] bs = new short[k * n];
        for (int i = 0; i < as.length; i++) {
            as[i] = (short) af[i];
        }
        for (int i = 0; i < bs.length; i++) {
            bs[i] = b[i];
        }
        if (n % (2 * SHORTS.length()) == 0 && m % 2 == 0) {
            int[] expected = new int[m * n];
            Igemm.multiply(m, n, k, a, 0, k, false, aZero, b, 0, n, true, null, expected, 0, n);
            multiplyShorts(m, n, k, as, bs, ci);
            if (!Arrays.equals(expected, ci)) {
                throw new IllegalStateException("the int16 candidate differs from Igemm at " + label);
            }
            time(label + " int16 products", m, n, k, repeats, () -> multiplyShorts(m, n, k, as, bs, ci));
        }
        time(label + " int32 scalar", m, n, k, Math.max(3, repeats / 4),
                () -> Igemm.multiplyScalar(m, n, k, a, 0, k, false, aZero, b, 0, n, true, null, ci, 0, n));
    }

    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_256;

    /**
     * Multiplies by the 16-bit candidate: 2 rows by 16 columns per block, each product widened
     * to two int vectors and added to 4 accumulators per row.
     */
    private static void multiplyShorts(int m, int n, int k, short[] a, short[] b, int[] c) {
        int step = SHORTS.length();
        for (int j = 0; j < n; j += step) {
            for (int i = 0; i < m; i += 2) {
                IntVector c0 = IntVector.zero(INTS);
                IntVector c1 = c0;
                IntVector c2 = c0;
                IntVector c3 = c0;
                for (int p = 0; p < k; p++) {
                    ShortVector bv = ShortVector.fromArray(SHORTS, b, p * n + j);
                    ShortVector p0 = bv.mul(a[i * k + p]);
                    ShortVector p1 = bv.mul(a[(i + 1) * k + p]);
                    c0 = c0.add((IntVector) p0.convertShape(VectorOperators.S2I, INTS, 0));
                    c1 = c1.add((IntVector) p0.convertShape(VectorOperators.S2I, INTS, 1));
                    c2 = c2.add((IntVector) p1.convertShape(VectorOperators.S2I, INTS, 0));
                    c3 = c3.add((IntVector) p1.convertShape(VectorOperators.S2I, INTS, 1));
                }
                c0.intoArray(c, i * n + j);
                c1.intoArray(c, i * n + j + INTS.length());
                c2.intoArray(c, (i + 1) * n + j);
                c3.intoArray(c, (i + 1) * n + j + INTS.length());
            }
        }
    }

    private static void time(String label, int m, int n, int k, int repeats, Runnable kernel) {
        for (int i = 0; i < 5; i++) {
            kernel.run();
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        double[] millis = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long start = mx.getCurrentThreadCpuTime();
            kernel.run();
            millis[i] = (mx.getCurrentThreadCpuTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        double median = millis[repeats / 2];
        double macs = (double) m * n * k;
        System.out.printf("%-32s median %8.3f ms  best %8.3f ms  %6.2f GMAC/s (best)%n", label, median, millis[0],
                macs / millis[0] / 1e6);
    }
}
