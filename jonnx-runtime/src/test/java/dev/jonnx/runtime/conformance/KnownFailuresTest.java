package dev.jonnx.runtime.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run judged against the known-failures list, both ways. */
class KnownFailuresTest {
    @TempDir
    Path folder;

    private KnownFailures list() throws IOException {
        Path file = folder.resolve("known-failures.txt");
        Files.writeString(file, """
                # comment
                node/test_fixed  wrong in the suite
                node/test_draw  random: no seed, each run draws new values
                """);
        return KnownFailures.read(file);
    }

    private static SuiteRunner.CaseResult result(String name, SuiteRunner.Status status) {
        return new SuiteRunner.CaseResult("node", name, status, Set.of(), "", 1);
    }

    @Test
    void listedPassIsReported() throws IOException {
        KnownFailures.Verdict verdict = list().judge(List.of(result("test_fixed", SuiteRunner.Status.PASSED),
                result("test_draw", SuiteRunner.Status.FAILED)));
        assertThat(verdict.nowPassing()).containsExactly("node/test_fixed");
        assertThat(verdict.newFailures()).isEmpty();
        assertThat(verdict.matches()).isFalse();
    }

    @Test
    void randomPassIsNotReported() throws IOException {
        KnownFailures.Verdict verdict = list().judge(List.of(result("test_fixed", SuiteRunner.Status.FAILED),
                result("test_draw", SuiteRunner.Status.PASSED)));
        assertThat(verdict.nowPassing()).isEmpty();
        assertThat(verdict.matches()).isTrue();
    }

    @Test
    void unlistedFailureIsReported() throws IOException {
        KnownFailures.Verdict verdict = list().judge(List.of(result("test_new", SuiteRunner.Status.FAILED)));
        assertThat(verdict.newFailures()).hasSize(1);
        assertThat(verdict.newFailures().getFirst()).contains("node/test_new");
        assertThat(verdict.matches()).isFalse();
    }

    @Test
    void rewriteKeepsRandomCaseThatPassed() throws IOException {
        Path file = folder.resolve("rewritten.txt");
        KnownFailures.write(file, List.of(result("test_fixed", SuiteRunner.Status.PASSED),
                result("test_draw", SuiteRunner.Status.PASSED)), list());
        KnownFailures rewritten = KnownFailures.read(file);
        assertThat(rewritten.contains("node/test_draw")).isTrue();
        assertThat(rewritten.contains("node/test_fixed")).isFalse();
        assertThat(rewritten.size()).isEqualTo(1);
    }
}
