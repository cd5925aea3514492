package dev.jonnx.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Like {@link SideBySide} at one thread, but measures the CPU time of the calling thread per
 * run instead of wall time. With one intra-op thread both engines compute on the calling
 * thread: for ONNX Runtime 1.24 its measured CPU time is close to its wall time. So CPU time
 * leaves out the waits for a core that make wall times noisy on a busy machine. Cache sharing
 * with other processes still affects it.
 *
 * <pre>java ... dev.jonnx.bench.CpuTimeSideBySide MODEL [ITERATIONS] [NAME=D0,D1 ...]</pre>
 *
 * <p>Both engines first run {@code -Djonnx.bench.warmup=N} untimed runs each (default 10). Few
 * runs can leave some Jonnx kernels in C1 code, so steady-state comparisons should set more.
 */
public final class CpuTimeSideBySide {
    private CpuTimeSideBySide() {}

    public static void main(String[] args) throws OrtException {
        Path model = Path.of(args[0]);
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Map<String, String> shapes = new LinkedHashMap<>();
        for (int i = 2; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            shapes.put(kv[0], kv[1]);
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (Session jonnx = Session.open(model, SessionOptions.builder().threads(1).build());
                OrtSession.SessionOptions ortOptions = new OrtSession.SessionOptions()) {
            ortOptions.setIntraOpNumThreads(1);
            ortOptions.setInterOpNumThreads(1);
            ortOptions.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession ort = env.createSession(model.toString(), ortOptions)) {
                Map<String, Value> feeds = SideBySide.inputs(jonnx, shapes, Map.of());
                Map<String, OnnxTensor> ortFeeds = new LinkedHashMap<>();
                for (Map.Entry<String, Value> e : feeds.entrySet()) {
                    ortFeeds.put(e.getKey(), SideBySide.toOrt(env, (Tensor) e.getValue()));
                }
                int warmup = Integer.getInteger("jonnx.bench.warmup", 10);
                for (int i = 0; i < warmup; i++) {
                    jonnx.run(feeds).close();
                    ort.run(ortFeeds).close();
                }
                long[] a = new long[iterations];
                long[] b = new long[iterations];
                for (int i = 0; i < iterations; i++) {
                    long start = mx.getCurrentThreadCpuTime();
                    jonnx.run(feeds).close();
                    a[i] = mx.getCurrentThreadCpuTime() - start;
                    start = mx.getCurrentThreadCpuTime();
                    ort.run(ortFeeds).close();
                    b[i] = mx.getCurrentThreadCpuTime() - start;
                }
                Arrays.sort(a);
                Arrays.sort(b);
                System.out.printf("%-28s 1 thread, CPU ms | jonnx min %8.3f med %8.3f | ort min %8.3f med %8.3f"
                        + " | ratio min %5.2f med %5.2f%n", model.getFileName(), a[0] / 1e6,
                        a[iterations / 2] / 1e6, b[0] / 1e6, b[iterations / 2] / 1e6, (double) a[0] / b[0],
                        (double) a[iterations / 2] / b[iterations / 2]);
            }
        }
    }
}
