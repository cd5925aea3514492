package dev.jonnx.cli;

import static dev.jonnx.cli.CommandRunner.execute;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.cli.CommandRunner.Outcome;
import dev.jonnx.io.Npy;
import dev.jonnx.io.TensorProtos;
import dev.jonnx.model.ModelIO;
import dev.jonnx.model.OnnxModel;
import dev.jonnx.onnx.TensorProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code jonnx} command line on the ONNX backend test cases, read in place from the folder
 * in the {@code jonnx.onnxTests} system property (set by the build).
 */
class MainTest {

    @TempDir
    Path outputDir;

    static Path nodeTests() {
        String root = System.getProperty("jonnx.onnxTests");
        assertThat(root).as("system property jonnx.onnxTests (set by surefire)").isNotNull();
        Path node = Path.of(root, "node");
        assertThat(node).as("ONNX backend node tests").isDirectory();
        return node;
    }

    @TestFactory
    Stream<DynamicTest> infoOnEveryNodeModel() throws IOException {
        List<Path> models;
        try (Stream<Path> cases = Files.list(nodeTests())) {
            models = cases.map(dir -> dir.resolve("model.onnx")).filter(Files::isRegularFile).sorted().toList();
        }
        assertThat(models).as("node test models").hasSizeGreaterThan(1000);
        return models.stream().map(model -> DynamicTest.dynamicTest(model.getParent().getFileName().toString(), () -> {
            Outcome outcome = execute("info", model.toString());
            assertThat(outcome.exitCode()).as("exit code of info %s; stderr: %s", model, outcome.err()).isZero();
            assertThat(outcome.out()).contains("ir_version:").contains("operators:");
        }));
    }

    @ParameterizedTest
    @ValueSource(strings = {"test_abs", "test_add", "test_add_bcast", "test_matmul_2d", "test_relu",
            "test_reshape_negative_dim", "test_reshape_reordered_all_dims", "test_reshape_zero_dim"})
    void runMatchesExpectedOutputs(String name) throws Exception {
        Path caseDir = nodeTests().resolve(name);
        Path dataSet = caseDir.resolve("test_data_set_0");
        List<String> args = new ArrayList<>(List.of("run", caseDir.resolve("model.onnx").toString(),
                "--output-dir", outputDir.toString()));
        List<ValueInfoProto> inputs;
        List<ValueInfoProto> outputs;
        try (OnnxModel model = ModelIO.load(caseDir.resolve("model.onnx"))) {
            Set<String> initializers = new HashSet<>();
            model.proto().getGraph().getInitializerList().forEach(t -> initializers.add(t.getName()));
            inputs = model.proto().getGraph().getInputList().stream()
                    .filter(i -> !initializers.contains(i.getName())).toList();
            outputs = model.proto().getGraph().getOutputList();
        }
        for (int k = 0; k < inputs.size(); k++) {
            args.add("--input");
            args.add(inputs.get(k).getName() + "=" + dataSet.resolve("input_" + k + ".pb"));
        }

        Outcome outcome = execute(args.toArray(String[]::new));

        assertThat(outcome.exitCode()).as("exit code of %s; stderr: %s", args, outcome.err()).isZero();
        assertThat(outcome.out()).contains("ran in");
        for (int k = 0; k < outputs.size(); k++) {
            String outputName = outputs.get(k).getName();
            Tensor expected = TensorProtos.toTensor(TensorProto.parseFrom(
                    Files.readAllBytes(dataSet.resolve("output_" + k + ".pb"))));
            Tensor actual = Npy.read(outputDir.resolve(outputName + ".npy"));
            assertThat(actual.type()).as("type of output %s", outputName).isEqualTo(expected.type());
            assertThat(actual.shape()).as("shape of output %s", outputName).isEqualTo(expected.shape());
            double[] actualValues = actual.toDoubleArray();
            double[] expectedValues = expected.toDoubleArray();
            for (int i = 0; i < expectedValues.length; i++) {
                assertThat(actualValues[i]).as("output %s element %d", outputName, i)
                        .isCloseTo(expectedValues[i], org.assertj.core.data.Offset.offset(
                                1e-5 + 1e-4 * Math.abs(expectedValues[i])));
            }
        }
    }

    @Test
    void infoOnMissingFileFails() {
        Outcome outcome = execute("info", outputDir.resolve("absent.onnx").toString());
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("error: model file not found");
    }

    @Test
    void runRejectsNodeOutsideSchema() throws IOException {
        // A Relu node with a LeakyRelu attribute must be rejected in one line, not run as plain Relu.
        var type = dev.jonnx.onnx.TypeProto.newBuilder().setTensorType(dev.jonnx.onnx.TypeProto.Tensor.newBuilder()
                .setElemType(dev.jonnx.tensor.DataType.FLOAT.code()).setShape(dev.jonnx.onnx.TensorShapeProto.newBuilder()
                        .addDim(dev.jonnx.onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(2))));
        var graph = dev.jonnx.onnx.GraphProto.newBuilder().setName("g")
                .addInput(ValueInfoProto.newBuilder().setName("x").setType(type))
                .addOutput(ValueInfoProto.newBuilder().setName("y").setType(type))
                .addNode(dev.jonnx.onnx.NodeProto.newBuilder().setOpType("Relu").setName("relu")
                        .addInput("x").addOutput("y").addAttribute(dev.jonnx.onnx.AttributeProto.newBuilder()
                                .setName("alpha").setType(dev.jonnx.onnx.AttributeProto.AttributeType.FLOAT).setF(0.5f)));
        Path model = outputDir.resolve("bad-relu.onnx");
        Files.write(model, dev.jonnx.onnx.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(dev.jonnx.onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(graph).build().toByteArray());
        Outcome outcome = execute("run", model.toString());
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err().strip().lines()).hasSize(1);
        assertThat(outcome.err()).contains("error: model bad-relu").contains("node 'relu' (Relu")
                .contains("unknown attribute 'alpha'; ai.onnx:Relu-14 declares no attributes");
    }

    @Test
    void runKeepsOutputsWhoseFileNamesCollide() throws IOException {
        // "y/1" and "y_1" both map to y_1.npy, and "Y_1" does on a case-insensitive file system.
        var type = dev.jonnx.onnx.TypeProto.newBuilder().setTensorType(dev.jonnx.onnx.TypeProto.Tensor.newBuilder()
                .setElemType(dev.jonnx.tensor.DataType.FLOAT.code()).setShape(dev.jonnx.onnx.TensorShapeProto.newBuilder()
                        .addDim(dev.jonnx.onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(2))));
        var graph = dev.jonnx.onnx.GraphProto.newBuilder().setName("g")
                .addInput(ValueInfoProto.newBuilder().setName("x").setType(type));
        String[] outputs = {"y/1", "y_1", "Y_1"};
        for (String name : outputs) {
            graph.addOutput(ValueInfoProto.newBuilder().setName(name).setType(type));
        }
        graph.addNode(dev.jonnx.onnx.NodeProto.newBuilder().setOpType("Neg").addInput("x").addOutput("y/1"));
        graph.addNode(dev.jonnx.onnx.NodeProto.newBuilder().setOpType("Abs").addInput("x").addOutput("y_1"));
        graph.addNode(dev.jonnx.onnx.NodeProto.newBuilder().setOpType("Relu").addInput("x").addOutput("Y_1"));
        Path model = outputDir.resolve("three.onnx");
        Files.write(model, dev.jonnx.onnx.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(dev.jonnx.onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(graph).build().toByteArray());
        Path input = outputDir.resolve("x.npy");
        Npy.write(Tensor.of(new float[] {-1, 2}, 2), input);
        Path out = outputDir.resolve("out");

        Outcome outcome = execute("run", model.toString(), "-i", "x=" + input, "-o", out.toString());

        assertThat(outcome.exitCode()).as(outcome.err()).isZero();
        assertThat(outcome.out()).contains("  written to " + out.resolve("y_1_2.npy"));
        assertThat(Npy.read(out.resolve("y_1.npy")).floats()).containsExactly(1, -2);
        assertThat(Npy.read(out.resolve("y_1_2.npy")).floats()).containsExactly(1, 2);
        assertThat(Npy.read(out.resolve("Y_1_3.npy")).floats()).containsExactly(0, 2);
    }

    @Test
    void benchOutOfHeapExitsWithOneLine() throws IOException {
        // 2e9 elements pass the default element limit, but their random values need 16 GB of
        // heap, more than the test JVM's -Xmx6g.
        var type = dev.jonnx.onnx.TypeProto.newBuilder().setTensorType(dev.jonnx.onnx.TypeProto.Tensor.newBuilder()
                .setElemType(dev.jonnx.tensor.DataType.FLOAT.code()).setShape(dev.jonnx.onnx.TensorShapeProto.newBuilder()
                        .addDim(dev.jonnx.onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("n"))));
        var graph = dev.jonnx.onnx.GraphProto.newBuilder().setName("g")
                .addInput(ValueInfoProto.newBuilder().setName("x").setType(type))
                .addOutput(ValueInfoProto.newBuilder().setName("y").setType(type))
                .addNode(dev.jonnx.onnx.NodeProto.newBuilder().setOpType("Relu").addInput("x").addOutput("y"));
        Path model = outputDir.resolve("relu.onnx");
        Files.write(model, dev.jonnx.onnx.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(dev.jonnx.onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(graph).build().toByteArray());
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.getRuntime().maxMemory() < 16_000_000_000L,
                "needs a heap limit below 16 GB");

        Outcome outcome = execute("bench", model.toString(), "--shape", "x=2000000000");

        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err().strip().lines()).as(outcome.err()).hasSize(1);
        assertThat(outcome.err()).startsWith("error: out of Java heap memory (")
                .contains("JONNX_JAVA_OPTS=-Xmx8g");
    }

    @Test
    void helpListsEmbed() {
        Outcome outcome = execute("--help");
        assertThat(outcome.exitCode()).isZero();
        assertThat(outcome.out()).contains("embed");
    }

    @Test
    void noCommandPrintsUsage() {
        Outcome outcome = execute();
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("error: missing command");
        assertThat(outcome.err()).contains("Usage: jonnx");
    }

    @Test
    void runRejectsRepeatedInput() {
        Path model = nodeTests().resolve("test_abs/model.onnx");
        Outcome outcome = execute("run", model.toString(), "-i", "x=a.npy", "-i", "x=b.npy");
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("--input x is given twice");
    }

    @Test
    void benchRejectsRepeatedShape() {
        Path model = nodeTests().resolve("test_abs/model.onnx");
        Outcome outcome = execute("bench", model.toString(), "--shape", "x=1,2", "--shape", "x=3");
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("--shape x is given twice");
    }

    @Test
    void benchRejectsInvalidValue() {
        Path model = nodeTests().resolve("test_abs/model.onnx");
        Outcome outcome = execute("bench", model.toString(), "--value", "x=abc");
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("--value x: invalid value 'abc' (expected a number such as"
                + " 16000 or 0.5)");
    }

    @Test
    void benchRejectsZeroInterOpThreads() {
        Path model = nodeTests().resolve("test_abs/model.onnx");
        Outcome outcome = execute("bench", model.toString(), "--inter-op-threads", "0");
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("--inter-op-threads must be from 1 to 1024, got 0");
    }

    @Test
    void benchAndRunRejectZeroThreads() {
        Path model = nodeTests().resolve("test_abs/model.onnx");
        for (String command : List.of("bench", "run")) {
            Outcome outcome = execute(command, model.toString(), "--threads", "0");
            assertThat(outcome.exitCode()).as(command).isEqualTo(2);
            assertThat(outcome.err()).as(command).contains("--threads must be from 1 to 1024, got 0");
        }
    }

    @Test
    void benchAcceptsLowerCaseOptimization() {
        Path model = nodeTests().resolve("test_abs/model.onnx");
        Outcome outcome = execute("bench", model.toString(), "--warmup", "0", "--iterations", "1",
                "--optimization", "none");
        assertThat(outcome.exitCode()).as(outcome.err()).isEqualTo(0);
    }

    @Test
    void optimizeIntoMissingFolderNamesFolder() {
        Path model = nodeTests().resolve("test_abs/model.onnx");
        Path target = outputDir.resolve("absent-folder").resolve("out.onnx");
        Outcome outcome = execute("optimize", model.toString(), target.toString());
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("folder " + target.getParent() + " not found");
    }

    @Test
    void benchPrintsFirstRunAndAllocation() {
        Path model = nodeTests().resolve("test_abs/model.onnx");
        Outcome outcome = execute("bench", model.toString(), "--warmup", "2", "--iterations", "3",
                "--inter-op-threads", "2");
        assertThat(outcome.exitCode()).isEqualTo(0);
        assertThat(outcome.out()).contains("1 intra-op, 2 inter-op");
        assertThat(outcome.out()).contains("first run:");
        assertThat(outcome.out()).contains("allocated:");
        assertThat(outcome.out()).contains("cpu ms:");
    }

    @Test
    void embedRejectsLengthAboveModelLimit() {
        Outcome outcome = execute("embed", "--max-length", "600", "hello");
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("--max-length 600 exceeds the model's 512 position embeddings");
    }

    @Test
    void embedRejectsLengthBelowThree() {
        Outcome outcome = execute("embed", "--max-length", "1", "hello");
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("--max-length must be at least 3");
    }

    @Test
    void infoCountsConstantNodeValues() {
        Path model = nodeTests().resolve("test_constant/model.onnx");
        Outcome outcome = execute("info", model.toString());
        assertThat(outcome.exitCode()).isZero();
        assertThat(outcome.out()).contains("constant nodes: 1 with tensor values (25 values)");
    }

    private static Path absModel() {
        return nodeTests().resolve("test_abs/model.onnx");
    }

    private static String absInput() {
        return "x=" + nodeTests().resolve("test_abs/test_data_set_0/input_0.pb");
    }

    /** Skips a test that needs Linux's /proc, where no file or folder can be created. */
    private static void assumeProc() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")),
                "needs /proc");
    }

    @Test
    void runOutputDirInProcNamesReason() {
        assumeProc();
        Outcome outcome = execute("run", absModel().toString(), "-i", absInput(), "-o", "/proc/nope/out.npz");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("error: cannot create output folder /proc/nope/out.npz"
                + " (/proc/nope: No such file or directory)");
        assertThat(outcome.out()).as("the model must not run").doesNotContain("ran in");
    }

    @Test
    void runOutputDirUnderFileNamesReason() throws IOException {
        Path file = Files.writeString(outputDir.resolve("plain.txt"), "not a folder");
        Path target = file.resolve("out");
        Outcome outcome = execute("run", absModel().toString(), "-i", absInput(), "-o", target.toString());
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("error: cannot create output folder " + target + " (")
                .contains("Not a directory");
        assertThat(outcome.out()).as("the model must not run").doesNotContain("ran in");
    }

    @Test
    void runWritesIntoExistingFolder() throws IOException {
        Outcome outcome = execute("run", absModel().toString(), "-i", absInput(), "-o", outputDir.toString());
        assertThat(outcome.exitCode()).as(outcome.err()).isZero();
        assertThat(outputDir.resolve("y.npy")).isRegularFile();
        try (var files = Files.list(outputDir)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList())
                    .as("no write-check file is left behind").containsExactly("y.npy");
        }
    }

    @Test
    void benchMissingInputFileNamesInput() {
        Path missing = outputDir.resolve("missing.npy");
        Outcome outcome = execute("bench", absModel().toString(), "-i", "x=" + missing);
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err().strip()).isEqualTo("error: input 'x' from " + missing + ": file not found");
    }

    @Test
    void testSuiteReportInProcFailsBeforeRunning() {
        assumeProc();
        Outcome outcome = execute("test-suite", nodeTests().resolve("test_abs").toString(),
                "--report", "/proc/report.md");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("error: cannot write --report /proc/report.md (")
                .contains("No such file or directory");
        assertThat(outcome.out()).as("the cases must not run").doesNotContain("passed");
    }

    @Test
    void testSuiteReportFolderIsRejected() {
        Outcome outcome = execute("test-suite", nodeTests().resolve("test_abs").toString(),
                "--report", outputDir.toString());
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("--report " + outputDir + " is a folder");
        assertThat(outcome.out()).as("the cases must not run").doesNotContain("passed");
    }

    @Test
    void testSuiteWritesReport() throws IOException {
        Path report = outputDir.resolve("report.md");
        Outcome outcome = execute("test-suite", nodeTests().resolve("test_abs").toString(),
                "--report", report.toString());
        assertThat(outcome.exitCode()).as(outcome.err()).isZero();
        assertThat(outcome.out()).contains("1 passed, 0 failed, 0 skipped");
        assertThat(Files.readString(report)).contains("| Abs |");
    }

    @Test
    void benchProfileInProcFailsBeforeRunning() {
        assumeProc();
        Outcome outcome = execute("bench", absModel().toString(), "--warmup", "0", "--iterations", "1",
                "--profile", "/proc/trace.json");
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err()).contains("error: cannot write --profile /proc/trace.json (")
                .contains("No such file or directory");
        assertThat(outcome.out()).as("the benchmark must not run").doesNotContain("latency");
    }

    @Test
    void benchProfileFolderIsRejected() {
        Outcome outcome = execute("bench", absModel().toString(), "--warmup", "0", "--iterations", "1",
                "--profile", outputDir.toString());
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err()).contains("--profile " + outputDir + " is a folder");
        assertThat(outcome.out()).as("the benchmark must not run").doesNotContain("latency");
    }

    @Test
    void benchProfileWritesTrace() throws IOException {
        Path trace = outputDir.resolve("trace.json");
        Outcome outcome = execute("bench", absModel().toString(), "--warmup", "0", "--iterations", "2",
                "--profile", trace.toString());
        assertThat(outcome.exitCode()).as(outcome.err()).isZero();
        assertThat(Files.readString(trace)).startsWith("{\"traceEvents\":[").contains("\"cat\":\"Abs\"");
    }

    @Test
    void benchProfileKeepsNoFileAfterFailure() {
        Path trace = outputDir.resolve("trace.json");
        Outcome outcome = execute("bench", absModel().toString(), "--shape", "x=2,2",
                "--profile", trace.toString());
        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(trace).as("a trace file created for a failed run").doesNotExist();
    }

    /** Invalid option values exit with 2 in every command, naming the option and the value. */
    @ParameterizedTest
    @ValueSource(strings = {
        "bench MODEL --shape x=abc|--shape x: invalid value 'abc' (expected comma-separated whole numbers",
        "bench MODEL --shape x=3,-1|--shape x: invalid value '3,-1' (dimensions must not be negative)",
        "bench MODEL --iterations 0|--iterations must be at least 1, got 0",
        "bench MODEL --warmup -1|--warmup must be at least 0, got -1",
        "bench MODEL --value y=1|'y' is not an input of the model; its inputs are [x]",
        "bench MODEL --threads 100000|--threads must be from 1 to 1024, got 100000",
        "bench MODEL --inter-op-threads 100000|--inter-op-threads must be from 1 to 1024, got 100000",
        "run MODEL --threads 100000|--threads must be from 1 to 1024, got 100000",
        "run MODEL --inter-op-threads 1025|--inter-op-threads must be from 1 to 1024, got 1025",
        "run MODEL -i y=a.npy|--input y: not an input of the model; its inputs are [x]",
        "run MODEL -i x=a.txt|--input x: invalid value 'a.txt' (expected a file ending in .npy or .pb)",
        "bench MODEL -i x=a.txt|--input x: invalid value 'a.txt' (expected a file ending in .npy or .pb)",
        "embed --threads 5000 hello|--threads must be from 1 to 1024, got 5000",
        "embed --batch-size 0 hello|--batch-size must be at least 1, got 0",
        "optimize MODEL OUT --level fast|invalid --level 'fast'; expected basic or all",
        "test-suite --jobs 0 DIR|--jobs must be from 1 to 1024, got 0",
        "test-suite --timeout 0 DIR|--timeout must be at least 1 second, got 0",
        "test-suite --filter ( DIR|--filter: invalid regular expression: Unclosed group",
    })
    void invalidOptionValueExitsWithTwo(String row) {
        String[] parts = row.split("\\|");
        String[] args = parts[0].replace("MODEL", absModel().toString())
                .replace("OUT", outputDir.resolve("out.onnx").toString())
                .replace("DIR", nodeTests().resolve("test_abs").toString()).split(" ");
        Outcome outcome = execute(args);
        assertThat(outcome.exitCode()).as("exit code of %s; stderr: %s", parts[0], outcome.err()).isEqualTo(2);
        assertThat(outcome.err()).as(parts[0]).contains("error: " + parts[1]);
        assertThat(outcome.err().strip().lines()).as("one line for %s", parts[0]).hasSize(1);
    }
}
