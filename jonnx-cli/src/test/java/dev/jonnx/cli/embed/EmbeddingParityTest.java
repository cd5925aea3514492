package dev.jonnx.cli.embed;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import dev.jonnx.text.tokenizer.EncodedBatch;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Sentence embeddings from Jonnx against ONNX Runtime 1.24.2 on the same model and the same
 * token ids. ONNX Runtime runs with graph optimizations off (NO_OPT), because at its default
 * level it fuses the int8 matrix multiplications into kernels that round differently.
 *
 * <p>These tests need every operator of the three models (MatMul, Erf, Softmax, ReduceMean,
 * MatMulInteger, DynamicQuantizeLinear, ...); a missing kernel fails them with
 * UnsupportedOperatorException.
 */
class EmbeddingParityTest {
    private static final int MAX_LENGTH = 512;
    private static final double FLOAT_TOLERANCE = 1e-4;
    private static final double INT8_MIN_COSINE = 0.999;

    static final List<String> TEXTS = List.of(
            "The quick brown fox jumps over the lazy dog.",
            "",
            "A man is eating food.",
            "Café naïve résumé: accents, CJK 東京, emoji 😀 and digits 12345!",
            "Sentence embeddings map text to vectors so that similar meanings lie close together.",
            ("Long input past the limit of five hundred and twelve tokens is truncated before the"
                    + " model sees it. ").repeat(30));

    /** Runs the model in ONNX Runtime on the batch and pools like the embedder does. */
    private static float[][] referenceEmbeddings(BundledModel model, SentenceEmbedder embedder,
            EncodedBatch batch) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model.readModel(), options)) {
                Map<String, OnnxTensor> feeds = new HashMap<>();
                long[] shape = {batch.size(), batch.length()};
                try {
                    for (Map.Entry<String, Value> feed : embedder.feeds(batch).entrySet()) {
                        long[] values = ((Tensor) feed.getValue()).toLongArray();
                        feeds.put(feed.getKey(), OnnxTensor.createTensor(env, LongBuffer.wrap(values), shape));
                    }
                    assertThat(feeds.keySet()).isEqualTo(session.getInputNames());
                    try (OrtSession.Result result = session.run(feeds)) {
                        OnnxTensor output = (OnnxTensor) result.get(embedder.outputName()).orElseThrow();
                        long[] outShape = output.getInfo().getShape();
                        FloatBuffer buffer = output.getFloatBuffer();
                        float[] hidden = new float[buffer.remaining()];
                        buffer.get(hidden);
                        Tensor tensor = Tensor.of(hidden, toInts(outShape));
                        float[][] vectors = SentenceEmbedder.pool(tensor, batch);
                        for (float[] vector : vectors) {
                            Pooling.normalize(vector);
                        }
                        return vectors;
                    }
                } finally {
                    feeds.values().forEach(OnnxTensor::close);
                }
            }
        }
    }

    private static int[] toInts(long[] shape) {
        int[] ints = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            ints[i] = Math.toIntExact(shape[i]);
        }
        return ints;
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    private static void compare(BundledModel model, boolean quantized) throws OrtException {
        try (SentenceEmbedder embedder = SentenceEmbedder.open(model, 2, MAX_LENGTH)) {
            EncodedBatch batch = embedder.tokenizer().encodeBatch(TEXTS, MAX_LENGTH);
            assertThat(batch.length()).as("longest row is truncated to the limit").isEqualTo(MAX_LENGTH);
            float[][] actual = embedder.embed(TEXTS);
            float[][] expected = referenceEmbeddings(model, embedder, batch);
            assertThat(actual.length).as("embedding count").isEqualTo(expected.length);
            for (int i = 0; i < TEXTS.size(); i++) {
                assertThat(actual[i]).as("%s embedding width of text %d", model.id(), i)
                        .hasSize(384);
                if (quantized) {
                    assertThat(cosine(actual[i], expected[i]))
                            .as("%s cosine similarity to ONNX Runtime for text %d", model.id(), i)
                            .isGreaterThanOrEqualTo(INT8_MIN_COSINE);
                } else {
                    for (int k = 0; k < actual[i].length; k++) {
                        assertThat((double) actual[i][k])
                                .as("%s text %d element %d", model.id(), i, k)
                                .isCloseTo(expected[i][k], Offset.offset(FLOAT_TOLERANCE));
                    }
                }
            }
        }
    }

    @Test
    void allMiniLmFloatMatchesOnnxRuntime() throws OrtException {
        compare(BundledModel.ALL_MINILM_L6_V2, false);
    }

    @Test
    void allMiniLmInt8MatchesOnnxRuntime() throws OrtException {
        compare(BundledModel.ALL_MINILM_L6_V2_Q, true);
    }

    @Test
    void e5SmallInt8MatchesOnnxRuntime() throws OrtException {
        compare(BundledModel.E5_SMALL_V2_Q, true);
    }

    @Test
    void batchingDoesNotChangeEmbeddings() {
        try (SentenceEmbedder embedder = SentenceEmbedder.open(BundledModel.ALL_MINILM_L6_V2, 2, MAX_LENGTH)) {
            float[][] together = embedder.embed(TEXTS.subList(0, 3));
            for (int i = 0; i < 3; i++) {
                float[] alone = embedder.embed(List.of(TEXTS.get(i)))[0];
                for (int k = 0; k < alone.length; k++) {
                    assertThat((double) together[i][k]).as("text %d element %d", i, k)
                            .isCloseTo(alone[k], Offset.offset(1e-5));
                }
            }
        }
    }

    @Test
    void similarSentencesScoreHigher() {
        try (SentenceEmbedder embedder = SentenceEmbedder.open(BundledModel.ALL_MINILM_L6_V2, 2, MAX_LENGTH)) {
            float[][] v = embedder.embed(List.of("A man is eating food.", "A man is eating a piece of bread.",
                    "The stock market fell sharply today."));
            assertThat(cosine(v[0], v[1])).isGreaterThan(cosine(v[0], v[2]) + 0.3);
            for (float[] vector : v) {
                double squares = 0;
                for (float x : vector) {
                    squares += (double) x * x;
                }
                assertThat(Math.sqrt(squares)).as("L2 norm").isCloseTo(1.0, Offset.offset(1e-5));
            }
        }
    }
}
