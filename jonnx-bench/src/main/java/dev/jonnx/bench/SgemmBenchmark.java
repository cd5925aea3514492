package dev.jonnx.bench;

import dev.jonnx.runtime.kernel.Sgemm;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmark of the SGEMM kernel against its scalar reference, on shapes from the benchmark
 * models: a square 1024 product, and the MiniLM projection (128 x 384 x 384) and feed-forward
 * (128 x 1536 x 384) products. Run with:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp "jonnx-bench/target/jonnx-bench.jar:jonnx-bench/target/lib/*" \
 *     org.openjdk.jmh.Main SgemmBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SgemmBenchmark {
    @Param({"1024x1024x1024", "128x384x384", "128x1536x384"})
    public String shape;

    private int m;
    private int n;
    private int k;
    private Sgemm.Operand a;
    private Sgemm.Operand b;
    private float[] c;

    @Setup
    public void setUp() {
        String[] parts = shape.split("x");
        m = Integer.parseInt(parts[0]);
        n = Integer.parseInt(parts[1]);
        k = Integer.parseInt(parts[2]);
        Random random = new Random(1);
        float[] av = new float[m * k];
        float[] bv = new float[k * n];
        for (int i = 0; i < av.length; i++) {
            av[i] = random.nextFloat();
        }
        for (int i = 0; i < bv.length; i++) {
            bv[i] = random.nextFloat();
        }
        a = new Sgemm.Operand(av, 0, k, false);
        b = new Sgemm.Operand(bv, 0, n, false);
        c = new float[m * n];
    }

    @Benchmark
    public float[] vector() {
        Sgemm.multiply(m, n, k, a, b, c, 0, n, false, null, 1);
        return c;
    }

    @Benchmark
    public float[] scalar() {
        Sgemm.multiplyScalar(m, n, k, a, b, c, 0, n, false);
        return c;
    }
}
