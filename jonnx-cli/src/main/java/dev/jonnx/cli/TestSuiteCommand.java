package dev.jonnx.cli;

import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.runtime.conformance.KnownFailures;
import dev.jonnx.runtime.conformance.SuiteRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Runs ONNX backend test cases and prints one line per case that did not pass. */
@Command(name = "test-suite", description = "Run ONNX backend test cases (folders with model.onnx"
        + " and test_data_set_N) and print 'N passed, N failed, N skipped'.")
final class TestSuiteCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "DIR",
            description = "A test case folder, or a folder of them (such as onnx-tests/node).")
    List<Path> dirs;

    @Option(names = "--filter", paramLabel = "REGEX", description = "Run only cases whose folder name contains a match.")
    String filter;

    @Option(names = "--report", paramLabel = "FILE", description = "Also write a Markdown report with counts per operator.")
    Path report;

    @Option(names = "--jobs", description = "Cases run at once (default: the number of processors,"
            + " at most " + SessionOptions.MAX_THREADS + ").")
    int jobs = Math.min(Runtime.getRuntime().availableProcessors(), SessionOptions.MAX_THREADS);

    @Option(names = "--timeout", defaultValue = "60", description = "Seconds allowed per test data set (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--optimization", defaultValue = "ALL", description = "Graph optimization level: NONE, BASIC or ALL (default: ${DEFAULT-VALUE}).")
    SessionOptions.OptimizationLevel optimization;

    @Option(names = "--verbose", description = "Also print passing cases.")
    boolean verbose;

    @Option(names = "--known-failures", paramLabel = "FILE",
            description = "Judge the run against this list of expected failures: exit 1 if a case"
                    + " fails that is not listed or a listed case passes.")
    Path knownFailures;

    @Option(names = "--update-known-failures",
            description = "With --known-failures: rewrite the file to list exactly the cases that failed.")
    boolean updateKnownFailures;

    @Override
    public Integer call() throws IOException {
        // Each job is a thread, so --jobs has the same cap as the session's thread counts.
        OptionValues.checkThreads("--jobs", jobs);
        if (timeoutSeconds < 1) {
            throw new UsageException("--timeout must be at least 1 second, got " + timeoutSeconds);
        }
        Pattern pattern = null;
        if (filter != null) {
            try {
                pattern = Pattern.compile(filter);
            } catch (PatternSyntaxException e) {
                throw new UsageException("--filter: invalid regular expression: " + e.getDescription()
                        + " in '" + e.getPattern() + "'", e);
            }
        }
        List<Path> cases = SuiteRunner.findCases(dirs, pattern);
        if (cases.isEmpty()) {
            throw new IllegalArgumentException("no test cases found in " + dirs
                    + (filter == null ? "" : " matching --filter '" + filter + "'"));
        }
        List<SuiteRunner.CaseResult> results;
        try (OutputFile reportFile = report == null ? null : OutputFile.open("--report", report, "report.md")) {
            SuiteRunner runner = new SuiteRunner(
                    SessionOptions.builder().optimizationLevel(optimization).build(),
                    Duration.ofSeconds(timeoutSeconds), jobs);
            results = runner.run(cases);
            for (SuiteRunner.CaseResult r : results) {
                if (r.status() != SuiteRunner.Status.PASSED) {
                    System.out.println(SuiteRunner.describe(r));
                } else if (verbose) {
                    System.out.println("PASSED " + r.id() + " (" + r.millis() + " ms)");
                }
            }
            if (reportFile != null) {
                reportFile.write(SuiteRunner.markdown(results));
            }
        }
        System.out.println(SuiteRunner.summary(results));
        if (knownFailures != null) {
            return judge(results);
        }
        return results.stream().anyMatch(r -> r.status() == SuiteRunner.Status.FAILED) ? 1 : 0;
    }

    private int judge(List<SuiteRunner.CaseResult> results) throws IOException {
        KnownFailures known = Files.exists(knownFailures) ? KnownFailures.read(knownFailures) : null;
        if (updateKnownFailures) {
            KnownFailures.write(knownFailures, results, known);
            System.out.println("wrote " + knownFailures);
            return 0;
        }
        if (known == null) {
            throw new IllegalArgumentException("known-failures file not found: " + knownFailures);
        }
        KnownFailures.Verdict verdict = known.judge(results);
        verdict.newFailures().forEach(f -> System.out.println("NEW FAILURE " + f));
        verdict.nowPassing().forEach(p -> System.out.println("NOW PASSING " + p
                + " (remove it from " + knownFailures + ")"));
        System.out.println(verdict.newFailures().size() + " new failures, "
                + verdict.nowPassing().size() + " listed cases now passing");
        return verdict.matches() ? 0 : 1;
    }
}
