package dev.jonnx.bench;

import dev.jonnx.runtime.kernel.FloatArithmetic;
import dev.jonnx.runtime.kernel.Igemm;
import dev.jonnx.runtime.kernel.Normalization;
import dev.jonnx.runtime.kernel.Reductions;
import dev.jonnx.runtime.kernel.Simd;
import dev.jonnx.runtime.kernel.Softmax;
import dev.jonnx.runtime.kernel.VectorMath;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Times each SIMD kernel of {@code dev.jonnx.runtime.kernel} against its scalar twin on one
 * thread and prints nanoseconds per element and the speedup. Each kernel alternates vector and
 * scalar rounds of about {@code ROUND_MILLIS} ms and reports the median round of each, which
 * damps noise from other processes but does not remove it.
 *
 * <pre>java --add-modules jdk.incubator.vector -Xbatch ... dev.jonnx.bench.VectorMathBench [N] [ROUNDS] [REGEX]</pre>
 *
 * N is the float count per call (rows of 256 for the row kernels), REGEX selects kernels by
 * name. With {@code -Djonnx.simd=off} both columns run the scalar code. Use {@code -Xbatch}:
 * on a busy machine background compilation can leave a Vector API loop in the interpreter for
 * seconds, where it runs hundreds of times slower than the scalar loop.
 */
public final class VectorMathBench {
    private static final long ROUND_MILLIS = 40;
    private static volatile float sink;

    private VectorMathBench() {}

    record Case(String name, long elements, Runnable vector, Runnable scalar) {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        java.util.regex.Pattern filter = java.util.regex.Pattern.compile(args.length > 2 ? args[2] : ".*");
        Random random = new Random(1);
        float[] x = new float[n];
        float[] b = new float[n];
        float[] c = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextFloat() * 16 - 8;
            b[i] = random.nextFloat() + 0.5f;
            c[i] = random.nextFloat() - 0.5f;
        }
        float[] positive = new float[n];
        for (int i = 0; i < n; i++) {
            positive[i] = random.nextFloat() * 1000 + 1e-3f;
        }
        int width = 256;
        int rows = Math.max(1, n / width);
        float[] scale = Arrays.copyOf(b, width);
        float[] bias = Arrays.copyOf(c, width);
        int side = 96;
        byte[] qa = new byte[side * side];
        byte[] qb = new byte[side * side];
        random.nextBytes(qa);
        random.nextBytes(qb);
        int[] qc = new int[side * side];
        int[] aZero = {128};
        int[] bZero = {3};

        List<Case> cases = new ArrayList<>();
        cases.add(new Case("exp", n, () -> VectorMath.exp(x, 0, y, 0, n), () -> VectorMath.expScalar(x, 0, y, 0, n)));
        cases.add(new Case("log", n, () -> VectorMath.log(positive, 0, y, 0, n),
                () -> VectorMath.logScalar(positive, 0, y, 0, n)));
        cases.add(new Case("tanh", n, () -> VectorMath.tanh(x, 0, y, 0, n), () -> VectorMath.tanhScalar(x, 0, y, 0, n)));
        cases.add(new Case("sigmoid", n, () -> VectorMath.sigmoid(x, 0, y, 0, n),
                () -> VectorMath.sigmoidScalar(x, 0, y, 0, n)));
        cases.add(new Case("erf", n, () -> VectorMath.erf(x, 0, y, 0, n), () -> VectorMath.erfScalar(x, 0, y, 0, n)));
        cases.add(new Case("gelu", n, () -> VectorMath.gelu(x, 0, y, 0, n), () -> VectorMath.geluScalar(x, 0, y, 0, n)));
        cases.add(new Case("geluTanh", n, () -> VectorMath.geluTanh(x, 0, y, 0, n),
                () -> VectorMath.geluTanhScalar(x, 0, y, 0, n)));
        cases.add(new Case("silu", n, () -> VectorMath.silu(x, 0, y, 0, n), () -> VectorMath.siluScalar(x, 0, y, 0, n)));
        cases.add(new Case("add", n, () -> FloatArithmetic.add(x, 0, b, 0, y, 0, n),
                () -> FloatArithmetic.addScalar(x, 0, b, 0, y, 0, n)));
        cases.add(new Case("div scalar", n, () -> FloatArithmetic.div(x, 0, 3f, y, 0, n),
                () -> FloatArithmetic.divScalar(x, 0, 3f, y, 0, n)));
        cases.add(new Case("fma", n, () -> FloatArithmetic.fma(x, 0, b, 0, c, 0, y, 0, n),
                () -> FloatArithmetic.fmaScalar(x, 0, b, 0, c, 0, y, 0, n)));
        cases.add(new Case("sum", n, () -> sink += Reductions.sum(x, 0, n), () -> sink += Reductions.sumScalar(x, 0, n)));
        cases.add(new Case("max", n, () -> sink += Reductions.max(x, 0, n), () -> sink += Reductions.maxScalar(x, 0, n)));
        cases.add(new Case("sumOfSquares", n, () -> sink += Reductions.sumOfSquares(x, 0, n),
                () -> sink += Reductions.sumOfSquaresScalar(x, 0, n)));
        cases.add(new Case("dot", n, () -> sink += Reductions.dot(x, 0, b, 0, n),
                () -> sink += Reductions.dotScalar(x, 0, b, 0, n)));
        cases.add(new Case("softmax", (long) rows * width, () -> Softmax.softmax(x, 0, y, 0, rows, width),
                () -> Softmax.softmaxScalar(x, 0, y, 0, rows, width)));
        cases.add(new Case("logSoftmax", (long) rows * width, () -> Softmax.logSoftmax(x, 0, y, 0, rows, width),
                () -> Softmax.logSoftmaxScalar(x, 0, y, 0, rows, width)));
        cases.add(new Case("layerNorm", (long) rows * width,
                () -> Normalization.layerNorm(x, 0, y, 0, rows, width, scale, 0, bias, 0, 1e-5f, null, null),
                () -> Normalization.layerNormScalar(x, 0, y, 0, rows, width, scale, 0, bias, 0, 1e-5f, null, null)));
        cases.add(new Case("rmsNorm", (long) rows * width,
                () -> Normalization.rmsNorm(x, 0, y, 0, rows, width, scale, 0, 1e-5f, null),
                () -> Normalization.rmsNormScalar(x, 0, y, 0, rows, width, scale, 0, 1e-5f, null)));
        cases.add(new Case("igemm u8*s8 96^3", (long) side * side * side,
                () -> Igemm.multiply(side, side, side, qa, 0, side, false, aZero, qb, 0, side, true, bZero, qc, 0, side),
                () -> Igemm.multiplyScalar(side, side, side, qa, 0, side, false, aZero, qb, 0, side, true, bZero, qc, 0,
                        side)));

        System.out.printf("float lanes %d (0 = scalar), n = %d, %d rounds of ~%d ms each, medians, 1 thread%n",
                Simd.FLOAT_LANES, n, rounds, ROUND_MILLIS);
        System.out.printf("%-18s %12s %12s %8s%n", "kernel", "vector ns/el", "scalar ns/el", "speedup");
        cases.removeIf(benchCase -> !filter.matcher(benchCase.name()).matches());
        // A first round over every kernel, so the Vector API's shared code is compiled before
        // the first measured kernel; that kernel otherwise looked stable while still interpreted.
        for (Case benchCase : cases) {
            time(benchCase.vector(), benchCase.elements(), 300);
        }
        for (Case benchCase : cases) {
            double[] vector = new double[rounds];
            double[] scalar = new double[rounds];
            warmUp(benchCase.vector(), benchCase.elements());
            warmUp(benchCase.scalar(), benchCase.elements());
            for (int r = 0; r < rounds; r++) {
                vector[r] = time(benchCase.vector(), benchCase.elements(), ROUND_MILLIS);
                scalar[r] = time(benchCase.scalar(), benchCase.elements(), ROUND_MILLIS);
            }
            double v = median(vector);
            double s = median(scalar);
            System.out.printf("%-18s %12.3f %12.3f %7.2fx%n", benchCase.name(), v, s, s / v);
        }
        if (sink == 42f) {
            System.out.println(sink + Arrays.hashCode(y) + Arrays.hashCode(qc));
        }
    }

    /**
     * Calls of a kernel before its warm-up may end: twice HotSpot's Tier4InvocationThreshold
     * (5000 in JDK 25), the call count at which a method running C1 code (tier 3) is queued for
     * C2 whatever its loop counts.
     */
    private static final long MIN_WARMUP_CALLS = 10_000;

    /**
     * Runs the kernel until it is compiled: at least {@link #MIN_WARMUP_CALLS} calls, then until
     * three rounds in a row do not beat the best time by more than 5%, at least 2 s and at most
     * 30 s. The Vector API is intrinsified only by C2. In C1 code a vector loop is hundreds of
     * times slower than the scalar one but just as stable from round to round, so stable rounds
     * alone do not show that C2 has compiled it.
     */
    private static void warmUp(Runnable kernel, long elements) {
        long start = System.nanoTime();
        for (long call = 0; call < MIN_WARMUP_CALLS && System.nanoTime() - start < 30_000_000_000L; call++) {
            kernel.run();
        }
        double best = Double.POSITIVE_INFINITY;
        int stale = 0;
        while (System.nanoTime() - start < 30_000_000_000L) {
            double t = time(kernel, elements, 100);
            if (t < 0.95 * best) {
                best = t;
                stale = 0;
            } else {
                stale++;
            }
            if (stale >= 3 && System.nanoTime() - start > 2_000_000_000L) {
                return;
            }
        }
        System.out.println("warning: timings still improving after 30 s of warm-up");
    }

    /** Runs the kernel repeatedly for about {@code millis} and returns nanoseconds per element. */
    private static double time(Runnable kernel, long elements, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        long calls = 0;
        long start = System.nanoTime();
        long now;
        do {
            kernel.run();
            calls++;
            now = System.nanoTime();
        } while (now < deadline);
        return (double) (now - start) / (calls * elements);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
