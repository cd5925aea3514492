package dev.jonnx.runtime.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.runtime.SessionOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the whole ONNX backend suite (node, simple, pytorch-operator) and judges it against the
 * known-failures list: a failure that is not listed, or a listed case that passes, fails the test.
 */
class BackendSuiteTest {
    static final Path KNOWN_FAILURES = Path.of("src/test/resources/conformance/known-failures.txt");

    static Path suiteRoot() {
        String dir = System.getProperty("jonnx.onnxTests", "../../shared/onnx-tests");
        return Path.of(dir).toAbsolutePath().normalize();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"node", "simple", "pytorch-operator"})
    void suiteMatchesKnownFailures(String suite) throws Exception {
        Path root = suiteRoot().resolve(suite);
        assertThat(root).as("ONNX backend suite folder (system property jonnx.onnxTests)").isDirectory();
        List<Path> cases = SuiteRunner.findCases(List.of(root), null);
        assertThat(cases).as("cases in " + root).isNotEmpty();

        SuiteRunner runner = new SuiteRunner(SessionOptions.defaults(), Duration.ofSeconds(120),
                Runtime.getRuntime().availableProcessors());
        List<SuiteRunner.CaseResult> results = runner.run(cases);
        System.out.println("backend suite " + suite + ": " + SuiteRunner.summary(results));

        KnownFailures known = Files.exists(KNOWN_FAILURES) ? KnownFailures.read(KNOWN_FAILURES)
                : KnownFailures.read(Path.of("/dev/null"));
        KnownFailures.Verdict verdict = known.judge(results);
        assertThat(verdict.newFailures()).as("cases of " + suite + " that fail but are not in "
                + KNOWN_FAILURES).isEmpty();
        assertThat(verdict.nowPassing()).as("cases of " + suite + " that pass; remove them from "
                + KNOWN_FAILURES).isEmpty();
    }
}
