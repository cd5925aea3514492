package dev.jonnx.cli;

import dev.jonnx.OnnxException;
import dev.jonnx.cli.embed.EmbedCommand;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jonnx} command. */
@Command(name = "jonnx", mixinStandardHelpOptions = true, version = "jonnx 0.1.0",
        scope = CommandLine.ScopeType.INHERIT,
        description = "Load, inspect, optimize and run ONNX models on the JVM, and compute sentence"
                + " embeddings.",
        subcommands = {InfoCommand.class, RunCommand.class, EmbedCommand.class, BenchCommand.class,
                OptimizeCommand.class, TestSuiteCommand.class, CommandLine.HelpCommand.class})
public final class Main implements java.util.concurrent.Callable<Integer> {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code, without exiting (for tests). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        // Enum options such as bench --optimization take none, basic or all in any case, as
        // optimize --level does.
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            String message = describe(e);
            if (message != null) {
                err.println("error: " + message);
            } else {
                // Anything else is a Jonnx bug: keep the trace for the report.
                err.println("error: " + e);
                e.printStackTrace(err);
            }
            err.flush();
            return e instanceof UsageException ? 2 : 1;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli passes errors through, and a JVM stack trace would hide the remedy.
            PrintWriter err = cli.getErr();
            err.println("error: out of Java heap memory (" + e.getMessage() + "); raise the limit"
                    + " with -Xmx, such as JONNX_JAVA_OPTS=-Xmx8g ./jonnx ...");
            err.flush();
            return 1;
        }
    }

    /** A one-line message for errors caused by the model, the inputs or the files named. */
    static String describe(Throwable e) {
        if (e instanceof java.io.UncheckedIOException u) {
            e = u.getCause();
        }
        return switch (e) {
            case OnnxException o -> o.getMessage();
            case java.nio.file.NoSuchFileException f -> "not found: " + f.getFile()
                    + (f.getOtherFile() == null ? "" : " (" + f.getOtherFile() + ")");
            case java.nio.file.FileAlreadyExistsException f -> "cannot create " + f.getFile()
                    + ": a file with that name already exists";
            case java.nio.file.AccessDeniedException f -> "permission denied: " + f.getFile();
            case java.nio.file.NotDirectoryException f -> "not a folder: " + f.getFile();
            case java.nio.file.FileSystemException f -> "cannot access " + f.getFile() + ": "
                    + (f.getReason() == null ? f.getClass().getSimpleName() : f.getReason());
            case java.io.IOException io -> io.getMessage();
            case java.util.regex.PatternSyntaxException p -> "invalid regular expression: "
                    + p.getDescription() + " in '" + p.getPattern() + "'";
            case IllegalArgumentException a -> a.getMessage();
            default -> null;
        };
    }

    /**
     * Describes why a file operation failed, such as "/proc/nope: No such file or directory".
     * The JDK leaves the reason empty for the common errors, so they get the standard C library
     * wording.
     */
    static String reason(java.io.IOException e) {
        if (!(e instanceof java.nio.file.FileSystemException f)) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        String description = f.getReason();
        if (description == null) {
            description = switch (f) {
                case java.nio.file.NoSuchFileException n -> "No such file or directory";
                case java.nio.file.AccessDeniedException a -> "Permission denied";
                case java.nio.file.FileAlreadyExistsException x -> "File exists";
                case java.nio.file.NotDirectoryException d -> "Not a directory";
                default -> f.getClass().getSimpleName();
            };
        }
        return f.getFile() == null ? description : f.getFile() + ": " + description;
    }

    /** Prints the usage to standard error and returns 2, because a command is required. */
    @Override
    public Integer call() {
        CommandLine cli = new CommandLine(this);
        cli.getErr().println("error: missing command");
        cli.usage(cli.getErr());
        cli.getErr().flush();
        return 2;
    }
}
