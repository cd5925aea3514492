package dev.jonnx.runtime.graph;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.runtime.Result;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.runtime.testing.RealModels;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the benchmark models (in models/, skipped when absent) with one and with two inter-op
 * threads, at one and at two intra-op threads, and checks that every output has the same bits
 * as the sequential run.
 */
class InterOpRealModelsTest {

    @ParameterizedTest
    @ValueSource(strings = {"all-minilm-l6-v2.onnx", "all-minilm-l6-v2-q.onnx", "ocr-det.onnx",
            "ocr-rec.onnx", "ocr-cls.onnx", "silero_vad_v5.onnx"})
    void interOpMatchesSequential(String name) {
        Path model = RealModels.require(name);
        Map<String, Value> feeds = RealModels.feeds(name);
        // Intra-op splits may change the order of float sums, so each inter-op setting is
        // compared with a sequential run at the same intra-op thread count.
        for (int intraOp = 1; intraOp <= 2; intraOp++) {
            Result expected;
            SessionOptions sequential = SessionOptions.builder().threads(intraOp).build();
            try (Session session = Session.open(model, sequential)) {
                expected = session.run(feeds);
            }
            SessionOptions options = SessionOptions.builder().threads(intraOp).interOpThreads(2)
                    .build();
            try (Session session = Session.open(model, options)) {
                for (int run = 0; run < 2; run++) {
                    Result actual = session.run(feeds);
                    for (String out : expected.names()) {
                        String label = name + " " + out + " intra-op " + intraOp + " run " + run;
                        Tensor e = expected.tensor(out);
                        Tensor a = actual.tensor(out);
                        assertThat(a.shape()).as(label).isEqualTo(e.shape());
                        assertThat(a.type()).as(label).isEqualTo(e.type());
                        assertThat(a.toDoubleArray()).as(label).containsExactly(e.toDoubleArray());
                    }
                }
            }
        }
    }

    /** Returns MiniLM inputs of {@code length} tokens, or an OCR image {@code length} pixels wide. */
    private static Map<String, Value> sizedFeeds(String model, int length) {
        Map<String, Value> feeds = new HashMap<>();
        if (model.startsWith("all-minilm")) {
            long[] ids = new long[length];
            long[] mask = new long[length];
            for (int i = 0; i < length; i++) {
                ids[i] = 1000 + (i * 37) % 20000;
                mask[i] = i < length - 2 ? 1 : 0;
            }
            // [CLS] first and [SEP] last, as the tokenizer writes them.
            ids[0] = 101;
            ids[length - 1] = 102;
            feeds.put("input_ids", Tensor.of(ids, 1, length));
            feeds.put("attention_mask", Tensor.of(mask, 1, length));
            feeds.put("token_type_ids", Tensor.of(new long[length], 1, length));
        } else {
            feeds.put("x", RealModels.ramp(1, 3, 48, length));
        }
        return feeds;
    }

    @ParameterizedTest
    @ValueSource(strings = {"all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2.onnx", "ocr-rec.onnx"})
    void sharedSessionWithMixedShapesMatchesSequential(String name) throws Exception {
        Path model = RealModels.require(name);
        int[] lengths = name.startsWith("ocr") ? new int[] {40, 64, 88, 120} : new int[] {5, 17, 30, 67};
        Map<Integer, Result> expected = new HashMap<>();
        try (Session session = Session.open(model, SessionOptions.builder().threads(2).build())) {
            for (int length : lengths) {
                expected.put(length, session.run(sizedFeeds(name, length)));
            }
        }
        SessionOptions options = SessionOptions.builder().threads(2).interOpThreads(2).build();
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(lengths.length);
        try (Session session = Session.open(model, options)) {
            List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
            for (int length : lengths) {
                futures.add(callers.submit(() -> {
                    for (int run = 0; run < 3; run++) {
                        Result actual = session.run(sizedFeeds(name, length));
                        for (String out : expected.get(length).names()) {
                            String label = name + " " + out + " length " + length + " run " + run;
                            Tensor e = expected.get(length).tensor(out);
                            Tensor a = actual.tensor(out);
                            assertThat(a.shape()).as(label).isEqualTo(e.shape());
                            assertThat(a.toDoubleArray()).as(label).containsExactly(e.toDoubleArray());
                        }
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : futures) {
                f.get(300, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
        }
    }
}
