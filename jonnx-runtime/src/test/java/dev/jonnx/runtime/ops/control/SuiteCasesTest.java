package dev.jonnx.runtime.ops.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.runtime.conformance.SuiteRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs backend-suite cases of If, Loop, Scan, SequenceMap and the optional operators whose
 * graphs also call elementwise and shape operators, with the stand-in kernels of
 * {@link TestKernels} for those. Skipped when the suite folder is absent.
 */
class SuiteCasesTest {

    static Path nodeSuite() {
        String dir = System.getProperty("jonnx.onnxTests", "../../shared/onnx-tests");
        return Path.of(dir).toAbsolutePath().normalize().resolve("node");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "test_if", "test_if_seq", "test_if_opt",
        "test_loop11", "test_loop13_seq", "test_loop16_seq_none",
        "test_scan_sum", "test_scan9_sum", "test_scan9_scalar", "test_scan9_multi_state",
        "test_sequence_map_add_1_sequence_1_tensor",
        "test_sequence_map_add_1_sequence_1_tensor_expanded",
        "test_sequence_map_add_2_sequences", "test_sequence_map_add_2_sequences_expanded",
        "test_sequence_map_extract_shapes", "test_sequence_map_extract_shapes_expanded",
        "test_sequence_map_identity_1_sequence", "test_sequence_map_identity_1_sequence_expanded",
        "test_sequence_map_identity_1_sequence_1_tensor",
        "test_sequence_map_identity_1_sequence_1_tensor_expanded",
        "test_sequence_map_identity_2_sequences", "test_sequence_map_identity_2_sequences_expanded",
        "test_identity_opt", "test_identity_sequence",
    })
    void passesWithTestKernels(String name) {
        Path dir = nodeSuite().resolve(name);
        assumeTrue(Files.isDirectory(dir), "backend suite case " + dir + " is not present");
        SessionOptions options = SessionOptions.builder().registry(TestKernels.REGISTRY).build();
        SuiteRunner runner = new SuiteRunner(options, Duration.ofSeconds(60), 1);
        SuiteRunner.CaseResult result = runner.runCase(dir);
        assertThat(result.status()).as(SuiteRunner.describe(result)).isEqualTo(SuiteRunner.Status.PASSED);
    }
}
