package dev.jonnx.cli.embed;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.jonnx.io.TensorProtos;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.TensorProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import dev.jonnx.text.tokenizer.EncodedBatch;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Sentence embeddings from Jonnx against ONNX Runtime 1.24.2 on the same model and the same
 * token ids. ONNX Runtime runs with graph optimizations off (NO_OPT), so that it runs each node
 * as the graph states it instead of fused replacements with their own rounding.
 *
 * <p>For the int8 models, ONNX Runtime gets an equivalent model whose int8 weights and weight
 * zero points are shifted by 128 to uint8. The reason: on x86-64 CPUs with AVX2 but without
 * VNNI, its uint8 x int8 MatMulInteger kernel (VPMADDUBSW) saturates each pair of products at
 * 32767. On such a machine [255, 255] x [127, 127] gives 32767 instead of 64770, which moved the
 * cosine similarity to the exact result down to 0.997. Its uint8 x uint8 kernel is exact, and
 * (a - za)(b - zb) is unchanged when b and zb both grow by 128.
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
            "Sentence embeddings map text to vectors so that similar meanings lie close together.");

    /** A text past the 512-token limit, run as its own batch so the short ones stay unpadded. */
    static final String LONG_TEXT = ("Long input past the limit of five hundred and twelve tokens is"
            + " truncated before the model sees it. ").repeat(30);

    /** Runs the model in ONNX Runtime on the batch and pools like the embedder does. */
    private static float[][] referenceEmbeddings(BundledModel model, SentenceEmbedder embedder,
            EncodedBatch batch) throws OrtException, InvalidProtocolBufferException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            options.setIntraOpNumThreads(1);
            byte[] onnx = model.readModel();
            if (model != BundledModel.ALL_MINILM_L6_V2) {
                onnx = shiftInt8WeightsToUint8(onnx);
            }
            try (OrtSession session = env.createSession(onnx, options)) {
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

    /**
     * Rewrites every int8 initializer used as MatMulInteger's B or b_zero_point to uint8 plus 128,
     * which leaves each product (a - za)(b - zb) unchanged.
     */
    static byte[] shiftInt8WeightsToUint8(byte[] onnx) throws InvalidProtocolBufferException {
        ModelProto model = ModelProto.parseFrom(onnx);
        GraphProto.Builder graph = model.getGraph().toBuilder();
        Set<String> weightInputs = new HashSet<>();
        Set<String> otherInputs = new HashSet<>();
        for (NodeProto node : graph.getNodeList()) {
            for (int i = 0; i < node.getInputCount(); i++) {
                boolean weight = node.getOpType().equals("MatMulInteger") && (i == 1 || i == 3);
                if (weight) {
                    weightInputs.add(node.getInput(i));
                } else {
                    otherInputs.add(node.getInput(i));
                }
            }
        }
        int shifted = 0;
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            TensorProto initializer = graph.getInitializer(i);
            if (!weightInputs.contains(initializer.getName())
                    || initializer.getDataType() != DataType.INT8.code()) {
                continue;
            }
            assertThat(otherInputs).as("int8 weight %s is also used outside MatMulInteger",
                    initializer.getName()).doesNotContain(initializer.getName());
            byte[] values = TensorProtos.toTensor(initializer).bytes().clone();
            for (int k = 0; k < values.length; k++) {
                values[k] = (byte) (values[k] + 128);
            }
            Tensor unsigned = Tensor.of(DataType.UINT8, TensorProtos.toTensor(initializer).shape(), values);
            graph.setInitializer(i, TensorProtos.toProto(unsigned, initializer.getName()));
            shifted++;
        }
        assertThat(shifted).as("int8 MatMulInteger weights found").isPositive();
        for (int i = 0; i < graph.getInputCount(); i++) {
            ValueInfoProto input = graph.getInput(i);
            if (weightInputs.contains(input.getName()) && input.getType().hasTensorType()) {
                graph.setInput(i, input.toBuilder().setType(input.getType().toBuilder().setTensorType(
                        input.getType().getTensorType().toBuilder().setElemType(DataType.UINT8.code()))));
            }
        }
        return model.toBuilder().setGraph(graph).build().toByteArray();
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

    private static void compare(BundledModel model, boolean quantized) throws Exception {
        try (SentenceEmbedder embedder = SentenceEmbedder.open(model, 2, MAX_LENGTH)) {
            compareBatch(embedder, model, quantized, TEXTS);
            EncodedBatch longBatch = embedder.tokenizer().encodeBatch(List.of(LONG_TEXT), MAX_LENGTH);
            assertThat(longBatch.length()).as("long text is truncated to the limit").isEqualTo(MAX_LENGTH);
            compareBatch(embedder, model, quantized, List.of(LONG_TEXT));
        }
    }

    private static void compareBatch(SentenceEmbedder embedder, BundledModel model, boolean quantized,
            List<String> texts) throws Exception {
        EncodedBatch batch = embedder.tokenizer().encodeBatch(texts, MAX_LENGTH);
        float[][] actual = embedder.embed(texts);
        float[][] expected = referenceEmbeddings(model, embedder, batch);
        assertThat(actual.length).as("embedding count").isEqualTo(expected.length);
        for (int i = 0; i < texts.size(); i++) {
            String label = texts.get(i).length() > 40 ? texts.get(i).substring(0, 40) + "..." : texts.get(i);
            assertThat(actual[i]).as("%s embedding width of \"%s\"", model.id(), label).hasSize(384);
            if (quantized) {
                assertThat(cosine(actual[i], expected[i]))
                        .as("%s cosine similarity to ONNX Runtime for \"%s\"", model.id(), label)
                        .isGreaterThanOrEqualTo(INT8_MIN_COSINE);
            } else {
                for (int k = 0; k < actual[i].length; k++) {
                    assertThat((double) actual[i][k])
                            .as("%s \"%s\" element %d", model.id(), label, k)
                            .isCloseTo(expected[i][k], Offset.offset(FLOAT_TOLERANCE));
                }
            }
        }
    }

    @Test
    void allMiniLmFloatMatchesOnnxRuntime() throws Exception {
        compare(BundledModel.ALL_MINILM_L6_V2, false);
    }

    @Test
    void allMiniLmInt8MatchesOnnxRuntime() throws Exception {
        compare(BundledModel.ALL_MINILM_L6_V2_Q, true);
    }

    @Test
    void e5SmallInt8MatchesOnnxRuntime() throws Exception {
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
