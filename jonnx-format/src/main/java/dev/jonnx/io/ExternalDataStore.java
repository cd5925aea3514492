package dev.jonnx.io;

import dev.jonnx.ModelCheckException;
import dev.jonnx.ModelFormatException;
import dev.jonnx.onnx.StringStringEntryProto;
import dev.jonnx.onnx.TensorProto;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads tensor data stored in files beside a model. Each file is memory-mapped once, read-only,
 * so weights stay off the Java heap until a tensor is decoded. Closing unmaps every file.
 *
 * <p>A {@code location} must be a relative path that resolves, after following symbolic links,
 * to a regular file inside the model's folder; {@code offset} and {@code length} must lie
 * inside that file.
 */
public final class ExternalDataStore implements TensorProtos.ExternalDataSource, AutoCloseable {
    private final Path baseDir;
    private final Path realBaseDir;
    private final String modelName;
    private final Arena arena = Arena.ofShared();
    private final Map<Path, MemorySegment> mapped = new LinkedHashMap<>();
    private boolean closed;

    public ExternalDataStore(Path baseDir, String modelName) {
        this.baseDir = baseDir.toAbsolutePath().normalize();
        this.modelName = modelName;
        Path real;
        try {
            real = this.baseDir.toRealPath();
        } catch (IOException e) {
            real = this.baseDir;
        }
        this.realBaseDir = real;
    }

    public Path baseDir() {
        return baseDir;
    }

    /** The files mapped so far, in the order they were first used. */
    public synchronized Iterable<Path> files() {
        return Map.copyOf(mapped).keySet();
    }

    @Override
    public synchronized ByteBuffer read(TensorProto tensor) {
        return segment(tensor).asByteBuffer();
    }

    /** Returns the mapped bytes of a tensor's external data, after checking its location. */
    public synchronized MemorySegment segment(TensorProto tensor) {
        if (closed) {
            throw new IllegalStateException("external data of model " + modelName + " is closed");
        }
        String where = "model " + modelName + ", tensor '" + tensor.getName() + "'";
        String location = null;
        long offset = 0;
        long length = -1;
        for (StringStringEntryProto e : tensor.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = parseLong(e.getValue(), "offset", where);
                case "length" -> length = parseLong(e.getValue(), "length", where);
                default -> { }
            }
        }
        if (location == null || location.isEmpty()) {
            throw new ModelFormatException(where + ": external data has no 'location'");
        }
        Path file = resolve(location, where);
        MemorySegment whole = mapped.get(file);
        if (whole == null) {
            whole = map(file, where);
            mapped.put(file, whole);
        }
        long fileSize = whole.byteSize();
        if (length < 0) {
            length = fileSize - offset;
        }
        if (offset < 0 || offset > fileSize || length < 0 || length > fileSize - offset) {
            throw new ModelCheckException(where + ": external data offset " + offset + " and length "
                    + length + " lie outside '" + location + "' of " + fileSize + " bytes");
        }
        return whole.asSlice(offset, length);
    }

    /** Resolves {@code location} inside the model folder, rejecting every path that leaves it. */
    public Path resolve(String location, String where) {
        if (location.indexOf('\0') >= 0) {
            throw new ModelCheckException(where + ": external data location contains a NUL character");
        }
        Path relative;
        try {
            relative = Path.of(location);
        } catch (RuntimeException e) {
            throw new ModelCheckException(where + ": invalid external data location '" + location + "'");
        }
        if (relative.isAbsolute() || location.startsWith("/") || location.startsWith("\\")) {
            throw new ModelCheckException(where + ": external data location '" + location
                    + "' is absolute; it must be relative to the model's folder");
        }
        for (Path part : relative) {
            if (part.toString().equals("..")) {
                throw new ModelCheckException(where + ": external data location '" + location
                        + "' contains '..'; it must stay inside the model's folder");
            }
        }
        Path file = baseDir.resolve(relative).normalize();
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.exists(file)) {
            throw new ModelCheckException(where + ": external data file '" + location
                    + "' not found in " + baseDir);
        }
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            throw new ModelCheckException(where + ": external data file '" + location
                    + "' cannot be resolved: " + e.getMessage());
        }
        if (!real.startsWith(realBaseDir)) {
            throw new ModelCheckException(where + ": external data location '" + location
                    + "' resolves to " + real + ", outside the model's folder " + realBaseDir);
        }
        if (!Files.isRegularFile(real)) {
            throw new ModelCheckException(where + ": external data location '" + location
                    + "' is not a regular file");
        }
        return real;
    }

    private MemorySegment map(Path file, String where) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
        } catch (IOException e) {
            throw new ModelFormatException(where + ": cannot map external data file " + file + ": "
                    + e.getMessage(), e);
        }
    }

    private static long parseLong(String value, String key, String where) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new ModelFormatException(where + ": external data '" + key + "' is not an integer: '"
                    + value + "'");
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            mapped.clear();
            arena.close();
        }
    }
}
