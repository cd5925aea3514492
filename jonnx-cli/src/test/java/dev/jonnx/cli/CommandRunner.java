package dev.jonnx.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs the {@code jonnx} command in this JVM with standard output and error captured, so
 * passing cases stay quiet. The streams are process-wide, so runs are serialized.
 */
public final class CommandRunner {
    private CommandRunner() {}

    /** The exit code and the text printed by one command. */
    public record Outcome(int exitCode, String out, String err) {}

    /** Runs the command with the current standard input. */
    public static Outcome execute(String... args) {
        return run(null, args);
    }

    /** Runs the command with {@code stdin} as its standard input. */
    public static Outcome executeWithInput(String stdin, String... args) {
        return run(stdin, args);
    }

    private static synchronized Outcome run(String stdin, String[] args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        InputStream savedIn = System.in;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            if (stdin != null) {
                System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            }
            int code = Main.execute(args);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
            System.setIn(savedIn);
        }
    }
}
