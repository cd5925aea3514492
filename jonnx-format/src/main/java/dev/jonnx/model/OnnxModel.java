package dev.jonnx.model;

import dev.jonnx.ModelCheckException;
import dev.jonnx.io.ExternalDataStore;
import dev.jonnx.io.TensorProtos;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.OperatorSetIdProto;
import dev.jonnx.onnx.TensorProto;
import dev.jonnx.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A loaded ONNX model: its {@link ModelProto}, a display name for messages, and access to the
 * external data files beside it. Close it to unmap those files.
 */
public final class OnnxModel implements AutoCloseable {
    private final ModelProto proto;
    private final String name;
    private final ExternalDataStore externalData;

    public OnnxModel(ModelProto proto, String name, ExternalDataStore externalData) {
        this.proto = proto;
        this.name = name;
        this.externalData = externalData;
    }

    public ModelProto proto() {
        return proto;
    }

    /** The name used in messages: the file name, or the name given when loaded from bytes. */
    public String name() {
        return name;
    }

    /** The folder that external data locations are resolved against, if the model has one. */
    public Optional<Path> baseDir() {
        return externalData == null ? Optional.empty() : Optional.of(externalData.baseDir());
    }

    /** The store that maps external data files, if the model was loaded from a folder. */
    public Optional<ExternalDataStore> externalData() {
        return Optional.ofNullable(externalData);
    }

    /** Decodes a tensor of this model, reading external data from the model's folder. */
    public Tensor tensor(TensorProto tensor) {
        return TensorProtos.toTensor(tensor,
                externalData == null ? TensorProtos.NO_EXTERNAL_DATA : externalData);
    }

    /**
     * The opset version imported for each domain; the default domain is keyed as "".
     *
     * @throws ModelCheckException if a version is outside 0 to {@link Integer#MAX_VALUE}
     */
    public Map<String, Integer> opsets() {
        Map<String, Integer> opsets = new LinkedHashMap<>();
        for (OperatorSetIdProto id : proto.getOpsetImportList()) {
            opsets.put(normalizeDomain(id.getDomain()), opsetVersion(id, "model " + name));
        }
        return opsets;
    }

    /**
     * Returns the version of an opset import as an int. The format stores versions as int64, and
     * a plain cast would turn 2^32 + 14 into opset 14.
     *
     * @param importer what lists the import, for the message, such as "model m.onnx, function
     *     local.F"
     * @throws ModelCheckException if the version is negative or above {@link Integer#MAX_VALUE}
     */
    public static int opsetVersion(OperatorSetIdProto id, String importer) {
        long version = id.getVersion();
        // 0 passes: it is what an import without a version reads as, and a custom domain whose
        // operators take no version still works with it.
        if (version < 0 || version > Integer.MAX_VALUE) {
            String domain = normalizeDomain(id.getDomain());
            throw new ModelCheckException(importer + " imports " + (domain.isEmpty() ? "ai.onnx" : domain)
                    + " opset " + version + "; opset versions must be from 0 to " + Integer.MAX_VALUE);
        }
        return (int) version;
    }

    /** Maps "ai.onnx" to "", the name the default domain has in the registry. */
    public static String normalizeDomain(String domain) {
        return domain == null || domain.equals("ai.onnx") ? "" : domain;
    }

    @Override
    public void close() {
        if (externalData != null) {
            externalData.close();
        }
    }
}
