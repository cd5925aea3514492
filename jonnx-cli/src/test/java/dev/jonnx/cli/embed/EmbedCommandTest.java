package dev.jonnx.cli.embed;

import static dev.jonnx.cli.CommandRunner.executeWithInput;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.cli.CommandRunner.Outcome;
import dev.jonnx.text.tokenizer.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code jonnx embed} command: output format, input sources and option errors. */
class EmbedCommandTest {

    @TempDir
    Path dir;

    @Test
    void jsonLineEscapesText() {
        String line = EmbedCommand.toJsonLine("say \"hi\"\\\n\ttab \u0001 東京", new float[] {0.5f, -1.25e-7f});
        assertThat(line).isEqualTo("{\"text\": \"say \\\"hi\\\"\\\\\\n\\ttab \\u0001 東京\","
                + " \"embedding\": [0.5, -1.25E-7]}\n");
        Map<?, ?> parsed = (Map<?, ?>) Json.parse(line);
        assertThat(parsed.get("text")).isEqualTo("say \"hi\"\\\n\ttab \u0001 東京");
        assertThat(parsed.get("embedding")).isEqualTo(List.of(0.5, -1.25e-7));
    }

    @Test
    void helpDescribesOptions() {
        Outcome outcome = executeWithInput("", "embed", "--help");
        assertThat(outcome.exitCode()).isZero();
        assertThat(outcome.out()).contains("--model=MODEL").contains("--batch-size=N")
                .contains("--max-length=TOKENS").contains("--threads=N").contains("--tokenizer=FILE");
    }

    @Test
    void unknownModelRejected() {
        Outcome outcome = executeWithInput("", "embed", "--model", "no-such-model", "hello");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("neither a bundled model")
                .contains("all-minilm-l6-v2, all-minilm-l6-v2-q, e5-small-v2-q");
    }

    @Test
    void modelPathWithoutTokenizerRejected() throws Exception {
        Path model = dir.resolve("model.onnx");
        Files.write(model, BundledModel.ALL_MINILM_L6_V2_Q.readModel());
        Outcome outcome = executeWithInput("", "embed", "--model", model.toString(), "hello");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("no tokenizer.json beside").contains("--tokenizer");
    }

    @Test
    void tokenizerWithBundledModelRejected() {
        Outcome outcome = executeWithInput("", "embed", "--tokenizer", "x.json", "hello");
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("--tokenizer applies only to a model given as a path");
    }

    @Test
    void zeroBatchSizeRejected() {
        Outcome outcome = executeWithInput("", "embed", "--batch-size", "0", "hello");
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("--batch-size must be at least 1, got 0");
    }

    private static List<Map<?, ?>> parseLines(String out) {
        return out.lines().<Map<?, ?>>map(line -> (Map<?, ?>) Json.parse(line)).toList();
    }

    @Test
    void argumentsGiveOneLineEach() {
        Outcome outcome = executeWithInput("", "embed", "--batch-size", "2", "first text", "second", "third 東京");
        assertThat(outcome.exitCode()).as("stderr: %s", outcome.err()).isZero();
        List<Map<?, ?>> lines = parseLines(outcome.out());
        assertThat(lines.stream().map(line -> (Object) line.get("text")).toList()).containsExactly("first text", "second", "third 東京");
        for (Map<?, ?> line : lines) {
            assertThat((List<?>) line.get("embedding")).hasSize(384);
        }
    }

    @Test
    void standardInputGivesOneLinePerLine() {
        Outcome outcome = executeWithInput("alpha\n\nbeta gamma\n", "embed", "--model", "all-minilm-l6-v2-q");
        assertThat(outcome.exitCode()).as("stderr: %s", outcome.err()).isZero();
        List<Map<?, ?>> lines = parseLines(outcome.out());
        assertThat(lines.stream().map(line -> (Object) line.get("text")).toList()).containsExactly("alpha", "", "beta gamma");
    }

    @Test
    void modelPathWithTokenizerMatchesBundled() throws Exception {
        Path model = dir.resolve("minilm-q.onnx");
        Path tokenizer = dir.resolve("tokenizer.json");
        Files.write(model, BundledModel.ALL_MINILM_L6_V2_Q.readModel());
        Files.write(tokenizer, BundledModel.ALL_MINILM_L6_V2_Q.readTokenizer());
        Outcome byPath = executeWithInput("", "embed", "--model", model.toString(), "--tokenizer", tokenizer.toString(), "--threads", "1", "same text");
        Outcome bundled = executeWithInput("", "embed", "--model", "all-minilm-l6-v2-q", "--threads", "1", "same text");
        assertThat(byPath.exitCode()).as("stderr: %s", byPath.err()).isZero();
        assertThat(bundled.exitCode()).as("stderr: %s", bundled.err()).isZero();
        assertThat(byPath.out()).isEqualTo(bundled.out());
    }

    @Test
    void maxLengthWithoutRoomForTextRejected() {
        for (String tooShort : new String[] {"1", "2"}) {
            Outcome outcome = executeWithInput("", "embed", "--model", "all-minilm-l6-v2-q", "--max-length", tooShort, "hello");
            assertThat(outcome.exitCode()).as("--max-length %s", tooShort).isEqualTo(2);
            assertThat(outcome.err()).contains("--max-length must be at least 3").contains("got " + tooShort);
        }
        Outcome shortest = executeWithInput("", "embed", "--model", "all-minilm-l6-v2-q", "--max-length", "3", "hello world");
        assertThat(shortest.exitCode()).as("stderr: %s", shortest.err()).isZero();
        assertThat(parseLines(shortest.out())).hasSize(1);
    }
}
