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
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code, without exiting (for tests). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (e instanceof OnnxException || e instanceof IllegalArgumentException) {
                err.println("error: " + e.getMessage());
            } else {
                err.println("error: " + e);
                e.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
