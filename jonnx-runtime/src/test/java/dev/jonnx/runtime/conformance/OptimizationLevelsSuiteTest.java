package dev.jonnx.runtime.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.runtime.SessionOptions.OptimizationLevel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs a sample of backend cases with optimization NONE and ALL: every case must pass or fail
 * alike, so the graph rewrites neither break a passing case nor hide a failing one. The
 * sample is the node cases of the operators the rewrites touch, plus the simple and
 * pytorch-operator suites, whose models have several nodes.
 */
class OptimizationLevelsSuiteTest {
    private static final Pattern SAMPLE = Pattern.compile("^test_(gemm|matmul|conv|batchnorm|relu"
            + "|leakyrelu|clip|hardsigmoid|gelu|layer_normalization|dropout|identity|cast_|reshape"
            + "|unsqueeze|squeeze|shape|size|constant|flatten|if|loop|range|softmax_|erf)");

    @Test
    void noneAndAllGiveSameVerdicts() throws Exception {
        Path root = BackendSuiteTest.suiteRoot();
        assumeTrue(Files.isDirectory(root.resolve("node")), "no backend suite at " + root
                + " (system property jonnx.onnxTests)");
        List<Path> cases = new ArrayList<>(SuiteRunner.findCases(List.of(root.resolve("node")), SAMPLE));
        for (String suite : List.of("simple", "pytorch-operator")) {
            if (Files.isDirectory(root.resolve(suite))) {
                cases.addAll(SuiteRunner.findCases(List.of(root.resolve(suite)), null));
            }
        }
        assertThat(cases).hasSizeGreaterThan(100);
        List<SuiteRunner.CaseResult> none = run(cases, OptimizationLevel.NONE);
        List<SuiteRunner.CaseResult> all = run(cases, OptimizationLevel.ALL);
        System.out.println("optimization NONE: " + SuiteRunner.summary(none) + "; ALL: " + SuiteRunner.summary(all));
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            SuiteRunner.CaseResult a = none.get(i);
            SuiteRunner.CaseResult b = all.get(i);
            if (a.status() != b.status()) {
                differences.add(a.id() + ": NONE " + a.status() + ", ALL " + b.status() + " ("
                        + (b.reason() == null ? a.reason() : b.reason()) + ")");
            }
        }
        assertThat(differences).as("cases whose verdict depends on the optimization level").isEmpty();
    }

    private static List<SuiteRunner.CaseResult> run(List<Path> cases, OptimizationLevel level) {
        SessionOptions options = SessionOptions.builder().optimizationLevel(level).build();
        return new SuiteRunner(options, Duration.ofSeconds(60), 1).run(cases);
    }
}
