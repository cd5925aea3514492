package dev.jonnx.model;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.jonnx.ModelCheckException;
import dev.jonnx.ModelFormatException;
import dev.jonnx.io.ExternalDataStore;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.StringStringEntryProto;
import dev.jonnx.onnx.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Loads and saves ONNX models.
 *
 * <pre>{@code
 * try (OnnxModel model = ModelIO.load(Path.of("model.onnx"))) {
 *     System.out.println(model.proto().getGraph().getNodeCount());
 * }
 * }</pre>
 */
public final class ModelIO {
    /** The newest IR version this reader knows (IR version 13, ONNX 1.20). */
    public static final long MAX_IR_VERSION = 13;

    /** Protobuf nesting allowed while parsing; deep enough for subgraphs nested ~100 levels. */
    private static final int RECURSION_LIMIT = 400;

    private ModelIO() {}

    /**
     * Loads a model file; external data is resolved against the file's folder.
     *
     * @throws ModelFormatException if the file cannot be read or parsed
     * @throws ModelCheckException if the IR version is missing or newer than supported
     */
    public static OnnxModel load(Path path) {
        String name = displayName(path);
        byte[] bytes;
        try {
            if (Files.isDirectory(path)) {
                throw new ModelFormatException("model " + path + " is a folder, not an ONNX file");
            }
            long size = Files.size(path);
            if (size > Integer.MAX_VALUE - 8) {
                throw new ModelFormatException("model " + name + " is " + size
                        + " bytes; a protobuf message is limited to 2 GiB, so large weights must be"
                        + " stored as external data");
            }
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException("model file not found: " + path, e);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read model " + path + ": " + e.getMessage(), e);
        }
        Path dir = path.toAbsolutePath().getParent();
        ModelProto proto = parse(bytes, name);
        return new OnnxModel(proto, name, new ExternalDataStore(dir, name));
    }

    /** The name used in messages: the file name, with its folder when the file is model.onnx. */
    static String displayName(Path path) {
        Path file = path.getFileName();
        if (file == null) {
            return path.toString();
        }
        Path parent = path.toAbsolutePath().normalize().getParent();
        if (file.toString().equals("model.onnx") && parent != null && parent.getFileName() != null) {
            return parent.getFileName() + "/" + file;
        }
        return file.toString();
    }

    /** Loads a model from bytes; external data, if any, is resolved against {@code baseDir}. */
    public static OnnxModel load(byte[] bytes, String name, Path baseDir) {
        ModelProto proto = parse(bytes, name);
        return new OnnxModel(proto, name, baseDir == null ? null : new ExternalDataStore(baseDir, name));
    }

    /** Loads a model from bytes that has no external data. */
    public static OnnxModel load(byte[] bytes, String name) {
        return load(bytes, name, null);
    }

    /** Reads a whole stream and loads the model it holds; the stream is not closed. */
    public static OnnxModel load(InputStream in, String name) {
        try {
            return load(in.readAllBytes(), name);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read model " + name + ": " + e.getMessage(), e);
        }
    }

    /** Parses and checks the header fields of a model. */
    public static ModelProto parse(byte[] bytes, String name) {
        if (bytes.length == 0) {
            throw new ModelFormatException("model " + name + " is empty (0 bytes)");
        }
        ModelProto proto;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.setRecursionLimit(RECURSION_LIMIT);
            in.setSizeLimit(Integer.MAX_VALUE);
            proto = ModelProto.parseFrom(in);
            in.checkLastTagWas(0);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelFormatException("model " + name + " is not a valid ONNX protobuf file: "
                    + e.getMessage(), e);
        } catch (RuntimeException | StackOverflowError e) {
            throw new ModelFormatException("model " + name + " is not a valid ONNX protobuf file: "
                    + e, e);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read model " + name + ": " + e.getMessage(), e);
        }
        checkHeader(proto, name);
        return proto;
    }

    private static void checkHeader(ModelProto proto, String name) {
        if (!proto.hasIrVersion() || proto.getIrVersion() <= 0) {
            throw new ModelCheckException("model " + name + " has no ir_version; is it an ONNX model?"
                    + " (fields found: " + proto.getAllFields().size() + ")");
        }
        if (proto.getIrVersion() > MAX_IR_VERSION) {
            throw new ModelCheckException("model " + name + " has IR version " + proto.getIrVersion()
                    + "; Jonnx reads IR versions 1 to " + MAX_IR_VERSION);
        }
        if (!proto.hasGraph()) {
            throw new ModelCheckException("model " + name + " has no graph");
        }
        if (proto.getIrVersion() >= 3 && proto.getOpsetImportCount() == 0) {
            throw new ModelCheckException("model " + name + " (IR version " + proto.getIrVersion()
                    + ") imports no opset; IR version 3 and later must list opset_import");
        }
    }

    /** Writes a model to a file as it is. */
    public static void save(ModelProto model, Path path) {
        try (OutputStream out = Files.newOutputStream(path)) {
            model.writeTo(out);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException("cannot write model " + path + ": folder "
                    + path.toAbsolutePath().getParent() + " not found", e);
        } catch (IOException e) {
            throw new ModelFormatException("cannot write model " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes a model, moving every initializer of at least {@code thresholdBytes} bytes of raw
     * data to {@code dataFileName} beside it, each at an offset aligned to 4096 bytes so that the
     * file can be memory-mapped. Initializers of the main graph only.
     */
    public static void saveWithExternalData(ModelProto model, Path path, String dataFileName,
            long thresholdBytes) {
        Path dataFile = path.toAbsolutePath().getParent().resolve(dataFileName);
        GraphProto.Builder graph = model.getGraph().toBuilder();
        try (OutputStream data = Files.newOutputStream(dataFile)) {
            long offset = 0;
            for (int i = 0; i < graph.getInitializerCount(); i++) {
                TensorProto t = graph.getInitializer(i);
                if (!t.hasRawData() || t.getRawData().size() < thresholdBytes) {
                    continue;
                }
                long aligned = (offset + 4095) / 4096 * 4096;
                data.write(new byte[(int) (aligned - offset)]);
                ByteString raw = t.getRawData();
                raw.writeTo(data);
                TensorProto moved = t.toBuilder()
                        .clearRawData()
                        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                        .clearExternalData()
                        .addExternalData(entry("location", dataFileName))
                        .addExternalData(entry("offset", Long.toString(aligned)))
                        .addExternalData(entry("length", Long.toString(raw.size())))
                        .build();
                graph.setInitializer(i, moved);
                offset = aligned + raw.size();
            }
        } catch (IOException e) {
            throw new ModelFormatException("cannot write external data " + dataFile + ": "
                    + e.getMessage(), e);
        }
        save(model.toBuilder().setGraph(graph).build(), path);
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }
}
