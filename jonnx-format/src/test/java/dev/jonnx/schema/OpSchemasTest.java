package dev.jonnx.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpSchemasTest {

    static Path specDir() {
        String tests = System.getProperty("jonnx.onnxTests", "../../shared/onnx-tests");
        return Path.of(tests).resolveSibling("spec").resolve("onnx");
    }

    @Test
    void shippedTableMatchesSpecChangelogs() throws Exception {
        Path spec = specDir();
        assertThat(spec.resolve("Changelog.md")).as("ONNX spec folder").isRegularFile();
        List<OpSchema> parsed = new ArrayList<>();
        parsed.addAll(SpecParser.parse(Files.readAllLines(spec.resolve("Changelog.md"))));
        parsed.addAll(SpecParser.parse(Files.readAllLines(spec.resolve("Changelog-ml.md"))));
        String shipped;
        try (var in = OpSchemas.class.getResourceAsStream("operators.txt")) {
            shipped = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertThat(OpSchemas.format(parsed))
                .as("operators.txt is stale: regenerate it with dev.jonnx.schema.SpecParser")
                .isEqualTo(shipped);
    }

    @Test
    void lookupTakesVersionInForce() {
        OpSchemas table = OpSchemas.builtIn();
        assertThat(table.versions("", "Clip")).containsExactly(1, 6, 11, 12, 13);
        assertThat(table.lookup("", "Clip", 10).sinceVersion()).isEqualTo(6);
        assertThat(table.lookup("ai.onnx", "Clip", 13).sinceVersion()).isEqualTo(13);
        assertThat(table.lookup("", "Clip", 0)).isNull();
        assertThat(table.lookup("", "NoSuchOp", 13)).isNull();
    }

    @Test
    void parsesAttributesInputsAndConstraints() {
        OpSchema clip6 = OpSchemas.builtIn().lookup("", "Clip", 6);
        assertThat(clip6.attribute("min").type()).isEqualTo("float");
        assertThat(clip6.attribute("min").required()).isFalse();
        assertThat(clip6.attribute("min").defaultValue()).isEqualTo("-3.402823e+38");
        OpSchema clip13 = OpSchemas.builtIn().lookup("", "Clip", 13);
        assertThat(clip13.inputs()).extracting(OpSchema.Formal::name).containsExactly("input", "min", "max");
        assertThat(clip13.inputs().get(1).arity()).isEqualTo(OpSchema.Arity.OPTIONAL);
        assertThat(clip13.typeConstraints().get("T")).contains("tensor(float)", "tensor(bfloat16)");
        OpSchema conv = OpSchemas.builtIn().lookup("", "MaxPool", 12);
        assertThat(conv.attribute("kernel_shape").required()).isTrue();
        OpSchema label = OpSchemas.builtIn().lookup("ai.onnx.ml", "LabelEncoder", 4);
        assertThat(label).isNotNull();
        assertThat(OpSchemas.builtIn().lookup("ai.onnx.preview.training", "Adam", 1)).isNotNull();
        assertThat(OpSchemas.builtIn().lookup("", "Upsample", 10).deprecated()).isTrue();
    }
}
