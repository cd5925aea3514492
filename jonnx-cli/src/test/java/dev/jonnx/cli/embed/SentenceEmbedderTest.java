package dev.jonnx.cli.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.OperatorSetIdProto;
import dev.jonnx.onnx.TensorShapeProto;
import dev.jonnx.onnx.TypeProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import dev.jonnx.text.tokenizer.BertTokenizer;
import dev.jonnx.text.tokenizer.EncodedBatch;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Input feeding, output pooling and normalization of the embedder, on graphs without nodes. */
class SentenceEmbedderTest {
    static final BertTokenizer TOKENIZER = BertTokenizer.fromJson(
            new String(BundledModel.ALL_MINILM_L6_V2.readTokenizer(), StandardCharsets.UTF_8), "minilm");

    private static ValueInfoProto info(String name, DataType type) {
        TensorShapeProto shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("sequence"))
                .build();
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(type.code()).setShape(shape)))
                .build();
    }

    /** Opens a graph with no nodes whose outputs are its inputs, so no kernel is needed. */
    private static Session passThrough(List<ValueInfoProto> inputs) {
        GraphProto graph = GraphProto.newBuilder().setName("pass")
                .addAllInput(inputs).addAllOutput(inputs).build();
        byte[] model = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13))
                .setGraph(graph).build().toByteArray();
        return Session.open(model, SessionOptions.defaults());
    }

    @Test
    void feedsOnlyDeclaredInputs() {
        Session session = passThrough(List.of(info("input_ids", DataType.INT64),
                info("attention_mask", DataType.INT64)));
        try (SentenceEmbedder embedder = new SentenceEmbedder(session, TOKENIZER, 512)) {
            EncodedBatch batch = TOKENIZER.encodeBatch(List.of("hello", "hello world"), 512);
            Map<String, Value> feeds = embedder.feeds(batch);
            assertThat(feeds.keySet()).containsExactly("input_ids", "attention_mask");
            Tensor ids = (Tensor) feeds.get("input_ids");
            assertThat(ids.shape()).containsExactly(2, 4);
            assertThat(ids.longs()).containsExactly(101, 7592, 102, 0, 101, 7592, 2088, 102);
            assertThat(((Tensor) feeds.get("attention_mask")).longs()).containsExactly(1, 1, 1, 0, 1, 1, 1, 1);
        }
    }

    @Test
    void int32InputsConverted() {
        Session session = passThrough(List.of(info("input_ids", DataType.INT32),
                info("token_type_ids", DataType.INT32)));
        try (SentenceEmbedder embedder = new SentenceEmbedder(session, TOKENIZER, 512)) {
            Map<String, Value> feeds = embedder.feeds(TOKENIZER.encodeBatch(List.of("hello"), 512));
            Tensor ids = (Tensor) feeds.get("input_ids");
            assertThat(ids.type()).isEqualTo(DataType.INT32);
            assertThat(ids.ints()).containsExactly(101, 7592, 102);
            assertThat(((Tensor) feeds.get("token_type_ids")).ints()).containsExactly(0, 0, 0);
        }
    }

    @Test
    void unknownInputRejected() {
        Session session = passThrough(List.of(info("input_ids", DataType.INT64),
                info("position_ids", DataType.INT64)));
        assertThatThrownBy(() -> new SentenceEmbedder(session, TOKENIZER, 512))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("declares input 'position_ids'")
                .hasMessageContaining("[input_ids, attention_mask, token_type_ids]");
    }

    @Test
    void meanPoolSkipsPadding() {
        // Two rows of three tokens, width 2; the second row's last token is padding.
        float[] hidden = {
            1, 2, 3, 4, 5, 6,
            10, 20, 30, 40, 1000, 1000};
        long[] mask = {1, 1, 1, 1, 1, 0};
        float[][] pooled = Pooling.meanPool(hidden, mask, 2, 3, 2);
        assertThat(pooled[0]).containsExactly(3, 4);
        assertThat(pooled[1]).containsExactly(20, 30);
    }

    @Test
    void meanPoolOfAllPaddingIsZero() {
        float[][] pooled = Pooling.meanPool(new float[] {5, 7}, new long[] {0}, 1, 1, 2);
        assertThat(pooled[0]).containsExactly(0, 0);
    }

    @Test
    void meanPoolShapeMismatchRejected() {
        assertThatThrownBy(() -> Pooling.meanPool(new float[5], new long[2], 1, 2, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("do not match");
    }

    @Test
    void normalizeGivesUnitLength() {
        float[] vector = {3, -4};
        Pooling.normalize(vector);
        assertThat(vector[0]).isCloseTo(0.6f, Offset.offset(1e-7f));
        assertThat(vector[1]).isCloseTo(-0.8f, Offset.offset(1e-7f));

        float[] zero = {0, 0, 0};
        Pooling.normalize(zero);
        assertThat(zero).containsExactly(0, 0, 0);
    }

    @Test
    void sentenceVectorsTakenAsPooled() {
        EncodedBatch batch = TOKENIZER.encodeBatch(List.of("a", "b"), 512);
        float[][] vectors = SentenceEmbedder.pool(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3), batch);
        assertThat(vectors[0]).containsExactly(1, 2, 3);
        assertThat(vectors[1]).containsExactly(4, 5, 6);
    }

    @Test
    void unexpectedOutputShapeRejected() {
        EncodedBatch batch = TOKENIZER.encodeBatch(List.of("a", "b"), 512);
        assertThatThrownBy(() -> SentenceEmbedder.pool(Tensor.of(new float[] {1, 2, 3}, 3), batch))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is neither");
    }
}
