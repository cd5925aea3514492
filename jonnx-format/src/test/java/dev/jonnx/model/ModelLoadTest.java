package dev.jonnx.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.ByteString;
import dev.jonnx.ModelCheckException;
import dev.jonnx.ModelFormatException;
import dev.jonnx.OnnxException;
import dev.jonnx.io.TensorProtos;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.OperatorSetIdProto;
import dev.jonnx.onnx.StringStringEntryProto;
import dev.jonnx.onnx.TensorProto;
import dev.jonnx.onnx.TensorShapeProto;
import dev.jonnx.onnx.TypeProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading damaged or hostile model files: every case must end in a {@link ModelFormatException}
 * or {@link ModelCheckException} with a message that names the problem, never a crash or a hang.
 */
@Timeout(60)
class ModelLoadTest {

    @TempDir
    Path dir;

    /** A model y = MatMul(x, w) with a 64 x 32 float weight, large enough for external data. */
    static ModelProto sampleModel() {
        float[] weights = new float[64 * 32];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) Math.sin(i) * 3;
        }
        TensorProto w = TensorProtos.toProto(Tensor.of(weights, 64, 32), "w");
        TensorProto bias = TensorProtos.toProto(Tensor.of(new float[] {1, 2, 3}, 3), "small_bias");
        GraphProto graph = GraphProto.newBuilder()
                .setName("sample")
                .addNode(NodeProto.newBuilder().setOpType("MatMul").setName("matmul")
                        .addInput("x").addInput("w").addOutput("y"))
                .addInitializer(w)
                .addInitializer(bias)
                .addInput(floatInfo("x", 1, 64))
                .addOutput(floatInfo("y", 1, 32))
                .build();
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("jonnx-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setGraph(graph)
                .build();
    }

    private static ValueInfoProto floatInfo(String name, int... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(DataType.FLOAT.code()).setShape(shape)))
                .build();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    @Test
    void emptyFileRejected() throws IOException {
        Path file = write("empty.onnx", new byte[0]);
        assertThatThrownBy(() -> ModelIO.load(file))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("is empty");
    }

    @Test
    void missingFileRejected() {
        assertThatThrownBy(() -> ModelIO.load(dir.resolve("absent.onnx")))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("not found");
    }

    @Test
    void folderRejected() {
        assertThatThrownBy(() -> ModelIO.load(dir))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("is a folder");
    }

    @Test
    void truncatedFileRejected() throws IOException {
        byte[] bytes = sampleModel().toByteArray();
        Path file = write("truncated.onnx", Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> ModelIO.load(file))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("not a valid ONNX protobuf file");
    }

    @Test
    void everyTruncationRejectedCleanly() {
        byte[] bytes = sampleModel().toByteArray();
        for (int cut = 1; cut < bytes.length; cut += 7) {
            byte[] prefix = Arrays.copyOf(bytes, cut);
            Throwable thrown = catchThrowable(() -> ModelIO.load(prefix, "cut-" + prefix.length));
            assertThat(thrown).as("model cut to %d of %d bytes", cut, bytes.length)
                    .isInstanceOfAny(ModelFormatException.class, ModelCheckException.class);
            assertThat(thrown.getMessage()).as("message for cut %d", cut).contains("cut-" + cut);
        }
    }

    @Test
    void randomBytesRejected() throws IOException {
        Random random = new Random(20261204);
        for (int trial = 0; trial < 50; trial++) {
            byte[] bytes = new byte[1 + random.nextInt(4096)];
            random.nextBytes(bytes);
            Path file = write("random.onnx", bytes);
            Throwable thrown = catchThrowable(() -> ModelIO.load(file));
            assertThat(thrown).as("random file %d of %d bytes", trial, bytes.length)
                    .isInstanceOfAny(ModelFormatException.class, ModelCheckException.class);
        }
    }

    @Test
    void textFileRejected() throws IOException {
        Path file = write("notes.onnx", "This is a text file, not an ONNX model.\nSecond line.\n"
                .getBytes(StandardCharsets.UTF_8));
        Throwable thrown = catchThrowable(() -> ModelIO.load(file));
        assertThat(thrown).isInstanceOfAny(ModelFormatException.class, ModelCheckException.class);
        assertThat(thrown.getMessage()).contains("notes.onnx");
    }

    @Test
    void missingIrVersionRejected() throws IOException {
        Path file = write("no-ir.onnx", sampleModel().toBuilder().clearIrVersion().build().toByteArray());
        assertThatThrownBy(() -> ModelIO.load(file))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("has no ir_version");
    }

    @Test
    void newerIrVersionRejected() throws IOException {
        Path file = write("future.onnx", sampleModel().toBuilder().setIrVersion(99).build().toByteArray());
        assertThatThrownBy(() -> ModelIO.load(file))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("IR version 99");
    }

    @Test
    void negativeIrVersionRejected() throws IOException {
        Path file = write("negative.onnx", sampleModel().toBuilder().setIrVersion(-3).build().toByteArray());
        assertThatThrownBy(() -> ModelIO.load(file))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("has no ir_version");
    }

    @Test
    void missingGraphRejected() throws IOException {
        Path file = write("no-graph.onnx", sampleModel().toBuilder().clearGraph().build().toByteArray());
        assertThatThrownBy(() -> ModelIO.load(file))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("has no graph");
    }

    @Test
    void missingOpsetImportRejected() throws IOException {
        Path file = write("no-opset.onnx", sampleModel().toBuilder().clearOpsetImport().build().toByteArray());
        assertThatThrownBy(() -> ModelIO.load(file))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("imports no opset");
    }

    @Test
    void saveLoadRoundTripKeepsProto() {
        ModelProto original = sampleModel();
        Path file = dir.resolve("round-trip.onnx");
        ModelIO.save(original, file);
        try (OnnxModel first = ModelIO.load(file)) {
            assertThat(first.proto()).isEqualTo(original);
            Path again = dir.resolve("round-trip-2.onnx");
            ModelIO.save(first.proto(), again);
            try (OnnxModel second = ModelIO.load(again)) {
                assertThat(second.proto()).isEqualTo(first.proto());
            }
        }
    }

    @Test
    void externalDataRoundTrip() {
        ModelProto original = sampleModel();
        Path file = dir.resolve("external.onnx");
        ModelIO.saveWithExternalData(original, file, "external.onnx.data", 1024);
        assertThat(dir.resolve("external.onnx.data")).exists();
        try (OnnxModel model = ModelIO.load(file)) {
            TensorProto storedW = model.proto().getGraph().getInitializer(0);
            TensorProto storedBias = model.proto().getGraph().getInitializer(1);
            assertThat(storedW.getDataLocation()).isEqualTo(TensorProto.DataLocation.EXTERNAL);
            assertThat(storedW.hasRawData()).isFalse();
            assertThat(storedBias.getDataLocation()).as("small tensor stays inline")
                    .isEqualTo(TensorProto.DataLocation.DEFAULT);
            for (int i = 0; i < 2; i++) {
                Tensor expected = TensorProtos.toTensor(original.getGraph().getInitializer(i));
                Tensor actual = model.tensor(model.proto().getGraph().getInitializer(i));
                assertThat(actual.type()).isEqualTo(expected.type());
                assertThat(actual.shape()).isEqualTo(expected.shape());
                assertThat(actual.floats()).isEqualTo(expected.floats());
            }
        }
    }

    /** Saves the sample model with w's external data entries replaced, then decodes w. */
    private Throwable loadWithExternalEntries(String... keyValues) {
        ModelIO.saveWithExternalData(sampleModel(), dir.resolve("base.onnx"), "weights.bin", 1024);
        ModelProto saved;
        try (OnnxModel base = ModelIO.load(dir.resolve("base.onnx"))) {
            saved = base.proto();
        }
        TensorProto.Builder w = saved.getGraph().getInitializer(0).toBuilder().clearExternalData();
        for (int i = 0; i < keyValues.length; i += 2) {
            w.addExternalData(StringStringEntryProto.newBuilder().setKey(keyValues[i]).setValue(keyValues[i + 1]));
        }
        ModelProto edited = saved.toBuilder()
                .setGraph(saved.getGraph().toBuilder().setInitializer(0, w)).build();
        Path file = dir.resolve("edited.onnx");
        ModelIO.save(edited, file);
        try (OnnxModel model = ModelIO.load(file)) {
            return catchThrowable(() -> model.tensor(model.proto().getGraph().getInitializer(0)));
        }
    }

    @Test
    void missingExternalFileRejected() {
        Throwable thrown = loadWithExternalEntries("location", "absent.bin", "offset", "0", "length", "8192");
        assertThat(thrown).isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("'absent.bin' not found");
    }

    @Test
    void absoluteLocationRejected() {
        Throwable thrown = loadWithExternalEntries("location", dir.resolve("weights.bin").toString());
        assertThat(thrown).isInstanceOf(ModelCheckException.class).hasMessageContaining("is absolute");
    }

    @Test
    void parentFolderLocationRejected() throws IOException {
        Files.writeString(dir.getParent().resolve("jonnx-outside.bin"), "x");
        try {
            Throwable thrown = loadWithExternalEntries("location", "../jonnx-outside.bin");
            assertThat(thrown).isInstanceOf(ModelCheckException.class).hasMessageContaining("contains '..'");
            Throwable nested = loadWithExternalEntries("location", "sub/../../jonnx-outside.bin");
            assertThat(nested).isInstanceOf(ModelCheckException.class).hasMessageContaining("contains '..'");
        } finally {
            Files.deleteIfExists(dir.getParent().resolve("jonnx-outside.bin"));
        }
    }

    @Test
    void symlinkLeavingFolderRejected(@TempDir Path outside) throws IOException {
        Path secret = outside.resolve("secret.bin");
        Files.write(secret, new byte[8192]);
        Files.createSymbolicLink(dir.resolve("link.bin"), secret);
        Throwable thrown = loadWithExternalEntries("location", "link.bin", "offset", "0", "length", "8192");
        assertThat(thrown).isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("outside the model's folder");

        Files.createSymbolicLink(dir.resolve("linked-folder"), outside);
        Throwable viaFolder = loadWithExternalEntries("location", "linked-folder/secret.bin");
        assertThat(viaFolder).isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("outside the model's folder");
    }

    @Test
    void symlinkInsideFolderAccepted() throws IOException {
        ModelIO.saveWithExternalData(sampleModel(), dir.resolve("base.onnx"), "weights.bin", 1024);
        Files.createSymbolicLink(dir.resolve("alias.bin"), dir.resolve("weights.bin"));
        Throwable thrown = loadWithExternalEntries("location", "alias.bin", "offset", "0", "length", "8192");
        assertThat(thrown).isNull();
    }

    @Test
    void rangeOutsideFileRejected() {
        Throwable pastEnd = loadWithExternalEntries("location", "weights.bin", "offset", "4096", "length", "8192");
        assertThat(pastEnd).isInstanceOf(ModelCheckException.class).hasMessageContaining("lie outside");

        Throwable negative = loadWithExternalEntries("location", "weights.bin", "offset", "-1", "length", "8");
        assertThat(negative).isInstanceOf(ModelCheckException.class).hasMessageContaining("lie outside");

        Throwable huge = loadWithExternalEntries("location", "weights.bin", "offset", "0",
                "length", Long.toString(Long.MAX_VALUE));
        assertThat(huge).isInstanceOf(ModelCheckException.class).hasMessageContaining("lie outside");
    }

    @Test
    void lengthNotMatchingShapeRejected() {
        Throwable thrown = loadWithExternalEntries("location", "weights.bin", "offset", "0", "length", "100");
        assertThat(thrown).isInstanceOf(ModelFormatException.class).hasMessageContaining("needs 8192 bytes");
    }

    @Test
    void nonNumericOffsetRejected() {
        Throwable thrown = loadWithExternalEntries("location", "weights.bin", "offset", "ten");
        assertThat(thrown).isInstanceOf(ModelFormatException.class).hasMessageContaining("not an integer");
    }

    @Test
    void missingLocationRejected() {
        Throwable thrown = loadWithExternalEntries("offset", "0");
        assertThat(thrown).isInstanceOf(ModelFormatException.class).hasMessageContaining("no 'location'");
    }

    @Test
    void externalDataWithoutFolderRejected() {
        ModelIO.saveWithExternalData(sampleModel(), dir.resolve("base.onnx"), "weights.bin", 1024);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(dir.resolve("base.onnx"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        try (OnnxModel model = ModelIO.load(bytes, "in-memory")) {
            Throwable thrown = catchThrowable(() -> model.tensor(model.proto().getGraph().getInitializer(0)));
            assertThat(thrown).isInstanceOf(OnnxException.class)
                    .hasMessageContaining("without a model folder");
        }
    }

    @Test
    void rawDataOfWrongSizeRejected() {
        TensorProto bad = TensorProto.newBuilder().setName("bad").setDataType(DataType.FLOAT.code())
                .addDims(4).setRawData(ByteString.copyFrom(new byte[15])).build();
        assertThatThrownBy(() -> TensorProtos.toTensor(bad))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("needs 16 bytes");
    }

    @Test
    void negativeDimensionRejected() {
        TensorProto bad = TensorProto.newBuilder().setName("bad").setDataType(DataType.FLOAT.code())
                .addDims(-2).build();
        assertThatThrownBy(() -> TensorProtos.toTensor(bad))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("invalid dimension -2");
    }

    @Test
    void unknownDataTypeRejected() {
        TensorProto bad = TensorProto.newBuilder().setName("bad").setDataType(77).addDims(1).build();
        assertThatThrownBy(() -> TensorProtos.toTensor(bad))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("unknown ONNX element type code 77");
    }
}
