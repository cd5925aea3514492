package dev.jonnx.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The file named by an option such as {@code bench --profile} or {@code test-suite --report},
 * opened before the command's long work so that a path that cannot be written fails at once
 * instead of after the last run. An existing file keeps its content until {@link #write}
 * replaces it, and a file created here is deleted again when nothing was written.
 */
final class OutputFile implements AutoCloseable {
    private final String option;
    private final Path path;
    private final FileChannel channel;
    private final boolean created;
    private boolean written;

    private OutputFile(String option, Path path, FileChannel channel, boolean created) {
        this.option = option;
        this.path = path;
        this.channel = channel;
        this.created = created;
    }

    /**
     * Opens {@code path}, the value of {@code option}, for writing, creating it if needed.
     *
     * @param example a file name for the message when {@code path} is a folder
     * @throws UsageException if the path is a folder
     * @throws IOException naming the path and the reason if the file cannot be opened
     */
    static OutputFile open(String option, Path path, String example) throws IOException {
        if (Files.isDirectory(path)) {
            throw new UsageException(option + " " + path + " is a folder; give a file name such as "
                    + path.resolve(example));
        }
        Path parent = path.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new IOException("cannot write " + option + " " + path + ": folder " + parent + " not found");
        }
        boolean existed = Files.exists(path);
        try {
            FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            return new OutputFile(option, path, channel, !existed);
        } catch (IOException e) {
            throw new IOException("cannot write " + option + " " + path + " (" + Main.reason(e) + ")", e);
        }
    }

    Path path() {
        return path;
    }

    /** Replaces the file's content with {@code text} in UTF-8. */
    void write(String text) throws IOException {
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(text);
        try {
            channel.truncate(0);
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        } catch (IOException e) {
            throw new IOException("cannot write " + option + " " + path + " (" + Main.reason(e) + ")", e);
        }
        written = true;
    }

    @Override
    public void close() throws IOException {
        channel.close();
        if (created && !written) {
            Files.deleteIfExists(path);
        }
    }
}
