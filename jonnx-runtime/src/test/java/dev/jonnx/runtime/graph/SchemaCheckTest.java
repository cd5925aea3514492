package dev.jonnx.runtime.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.ModelCheckException;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.FunctionProto;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.OperatorSetIdProto;
import dev.jonnx.onnx.TensorShapeProto;
import dev.jonnx.onnx.TypeProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.Result;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Nodes that do not fit their operator's schema are rejected when the session opens. */
class SchemaCheckTest {

    private static ValueInfoProto floats(String name) {
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(DataType.FLOAT.code()).setShape(TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(3)))))
                .build();
    }

    private static NodeProto.Builder node(String op, String name, List<String> in, List<String> out) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addAllOutput(out);
    }

    private static AttributeProto floatAttr(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    private static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    /** Builds a model with float[3] inputs named {@code inputs} and the output y. */
    private static byte[] model(List<String> inputs, NodeProto.Builder... nodes) {
        return modelProto(inputs, nodes).build().toByteArray();
    }

    private static ModelProto.Builder modelProto(List<String> inputs, NodeProto.Builder... nodes) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("g").addOutput(floats("y"));
        inputs.forEach(i -> g.addInput(floats(i)));
        for (NodeProto.Builder n : nodes) {
            g.addNode(n);
        }
        return ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(g);
    }

    private static ModelCheckException rejected(byte[] model) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(
                () -> Session.open(model, SessionOptions.defaults()).close());
        assertThat(t).isInstanceOf(ModelCheckException.class);
        return (ModelCheckException) t;
    }

    private static float[] run(byte[] model, Map<String, float[]> feeds) {
        Map<String, Tensor> in = new java.util.HashMap<>();
        feeds.forEach((k, v) -> in.put(k, Tensor.of(v, v.length)));
        try (Session s = Session.open(model, SessionOptions.defaults()); Result r = s.run(in)) {
            return r.tensor("y").floats();
        }
    }

    @Test
    void reluWithThreeInputsIsRejected() {
        var e = rejected(model(List.of("x", "a", "b"), node("Relu", "r", List.of("x", "a", "b"), List.of("y"))));
        assertThat(e).hasMessageContaining("node 'r' (Relu, ai.onnx opset 17, schema ai.onnx:Relu-14)")
                .hasMessageContaining("has 3 inputs, but the schema allows 1 (X)");
    }

    @Test
    void reluWithAlphaIsRejected() {
        var e = rejected(model(List.of("x"), node("Relu", "r", List.of("x"), List.of("y"))
                .addAttribute(floatAttr("alpha", 0.5f))));
        assertThat(e).hasMessageContaining("node 'r' (Relu")
                .hasMessageContaining("unknown attribute 'alpha'; ai.onnx:Relu-14 declares no attributes");
    }

    @Test
    void unknownAttributeNamesOtherVersions() {
        // No version declares 'bogus', so the message names no opset.
        var e = rejected(model(List.of("x"), node("LayerNormalization", "ln", List.of("x", "x"), List.of("y"))
                .addAttribute(intAttr("bogus", 1))));
        assertThat(e).hasMessageContaining("unknown attribute 'bogus'; ai.onnx:LayerNormalization-17 declares only [axis, epsilon, stash_type]");
        // Split declares 'num_outputs' since Split-18, and the model imports opset 17.
        var split = rejected(model(List.of("x"), node("Split", "s", List.of("x"), List.of("y"))
                .addAttribute(intAttr("num_outputs", 1))));
        assertThat(split).hasMessageContaining("unknown attribute 'num_outputs': 'num_outputs' needs ai.onnx opset 18");
        // Split-13 turned the 'split' attribute into an input.
        var removed = rejected(model(List.of("x"), node("Split", "s", List.of("x"), List.of("y"))
                .addAttribute(AttributeProto.newBuilder().setName("split")
                        .setType(AttributeProto.AttributeType.INTS).addInts(3))));
        assertThat(removed).hasMessageContaining("unknown attribute 'split': 'split' is declared only by Split versions [1, 2, 11]");
    }

    @Test
    void missingRequiredInputIsRejected() {
        var e = rejected(model(List.of("x"), node("Add", "add", List.of("x"), List.of("y"))));
        assertThat(e).hasMessageContaining("node 'add' (Add").hasMessageContaining("has 1 input, but the schema allows 2 (A, B)");
    }

    @Test
    void requiredInputWithEmptyNameIsRejected() {
        var e = rejected(model(List.of("x"), node("Add", "add", List.of("", "x"), List.of("y"))));
        assertThat(e).hasMessageContaining("required input 0 ('A') is given an empty name");
    }

    @Test
    void tooManyOutputsAreRejected() {
        var e = rejected(model(List.of("x"), node("Relu", "r", List.of("x"), List.of("y", "z"))));
        assertThat(e).hasMessageContaining("has 2 outputs, but the schema allows 1 (Y)");
    }

    @Test
    void unknownAttributeIsRejected() {
        var e = rejected(model(List.of("x"), node("LeakyRelu", "lr", List.of("x"), List.of("y"))
                .addAttribute(floatAttr("beta", 0.5f))));
        assertThat(e).hasMessageContaining("unknown attribute 'beta'; ai.onnx:LeakyRelu-16 declares only [alpha]");
    }

    @Test
    void attributeOfTheWrongTypeIsRejected() {
        var e = rejected(model(List.of("x"), node("LeakyRelu", "lr", List.of("x"), List.of("y"))
                .addAttribute(intAttr("alpha", 1))));
        assertThat(e).hasMessageContaining("attribute 'alpha' must be of type FLOAT, got INT (ai.onnx:LeakyRelu-16 declares it as float)");
    }

    @Test
    void repeatedAttributeIsRejected() {
        var e = rejected(model(List.of("x"), node("LeakyRelu", "lr", List.of("x"), List.of("y"))
                .addAttribute(floatAttr("alpha", 0.1f)).addAttribute(floatAttr("alpha", 0.2f))));
        assertThat(e).hasMessageContaining("graph 'g', node 'lr' (LeakyRelu")
                .hasMessageContaining("attribute 'alpha' is given twice");
    }

    @Test
    void repeatedInitializerIsRejectedAtEveryLevel() {
        // The optimizer at BASIC and ALL kept the second value; NONE rejected the model.
        ModelProto.Builder m = modelProto(List.of("x"), node("Add", "add", List.of("x", "w"), List.of("y")));
        for (float v : new float[] {1, 2}) {
            m.getGraphBuilder().addInitializer(dev.jonnx.onnx.TensorProto.newBuilder().setName("w")
                    .setDataType(DataType.FLOAT.code()).addDims(3).addFloatData(v).addFloatData(v).addFloatData(v));
        }
        byte[] model = m.build().toByteArray();
        for (SessionOptions.OptimizationLevel level : SessionOptions.OptimizationLevel.values()) {
            SessionOptions options = SessionOptions.builder().optimizationLevel(level).build();
            assertThatThrownBy(() -> Session.open(model, options).close()).as("level %s", level)
                    .isInstanceOf(ModelCheckException.class)
                    .hasMessageContaining("graph 'g': initializer 'w' is defined twice");
        }
    }

    @Test
    void repeatedAttributeOfCustomNodeIsRejected() {
        // Attribute names are unique per node in every domain, not only in those with a schema.
        ModelProto.Builder m = modelProto(List.of("x"), node("Scale", "custom", List.of("x"), List.of("y"))
                .setDomain("vendor").addAttribute(intAttr("k", 1)).addAttribute(intAttr("k", 2)))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("vendor").setVersion(1));
        var e = rejected(m.build().toByteArray());
        assertThat(e).hasMessageContaining("graph 'g', node 'custom' (Scale, vendor)")
                .hasMessageContaining("attribute 'k' is given twice");
    }

    @Test
    void repeatedAttributeInFunctionBodyIsRejected() {
        FunctionProto f = FunctionProto.newBuilder().setDomain("local").setName("MyLeaky")
                .addInput("a").addOutput("b")
                .addNode(node("LeakyRelu", "body", List.of("a"), List.of("b"))
                        .addAttribute(floatAttr("alpha", 0.1f)).addAttribute(floatAttr("alpha", 0.1f)))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).build();
        ModelProto.Builder m = modelProto(List.of("x"),
                node("MyLeaky", "call", List.of("x"), List.of("y")).setDomain("local"))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("local").setVersion(1))
                .addFunctions(f);
        var e = rejected(m.build().toByteArray());
        assertThat(e).hasMessageContaining("function local.MyLeaky, node 'body' (LeakyRelu")
                .hasMessageContaining("attribute 'alpha' is given twice");
    }

    private static AttributeProto reference(String name, String functionAttribute) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT)
                .setRefAttrName(functionAttribute).build();
    }

    @Test
    void referenceOutsideFunctionIsRejected() {
        // Read as a plain attribute, it gave LeakyRelu an alpha of 0.
        var e = rejected(model(List.of("x"), node("LeakyRelu", "lr", List.of("x"), List.of("y"))
                .addAttribute(reference("alpha", "slope"))));
        assertThat(e).hasMessageContaining("graph 'g', node 'lr' (LeakyRelu")
                .hasMessageContaining("attribute 'alpha' refers to function attribute 'slope'")
                .hasMessageContaining("not in a function body");
    }

    @Test
    void referenceInFunctionBodyTakesCallerValue() {
        FunctionProto f = FunctionProto.newBuilder().setDomain("local").setName("MyLeaky")
                .addInput("a").addOutput("b").addAttribute("slope")
                .addNode(node("LeakyRelu", "body", List.of("a"), List.of("b")).addAttribute(reference("alpha", "slope")))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).build();
        byte[] model = modelProto(List.of("x"),
                node("MyLeaky", "call", List.of("x"), List.of("y")).setDomain("local")
                        .addAttribute(floatAttr("slope", 0.5f)))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("local").setVersion(1))
                .addFunctions(f).build().toByteArray();
        Tensor x = Tensor.fromDoubles(DataType.FLOAT, new int[] {3}, new double[] {-2, 0, 4});
        try (Session s = Session.open(model, SessionOptions.defaults()); Result r = s.run(Map.of("x", x))) {
            assertThat(((Tensor) r.get(0)).toFloatArray()).containsExactly(-1f, 0f, 4f);
        }
    }

    @Test
    void unnamedNodeIsNamedByItsIndex() {
        var e = rejected(model(List.of("x"), node("Relu", "", List.of("x"), List.of("t")),
                node("Relu", "", List.of("t", "x"), List.of("y"))));
        assertThat(e).hasMessageContaining("model (in-memory model), graph 'g', node #1 (unnamed) (Relu");
    }

    @Test
    void variadicOperatorsTakeAtLeastOneInput() {
        var e = rejected(model(List.of("x"), node("Sum", "s", List.of(), List.of("y"))));
        assertThat(e).hasMessageContaining("has 0 inputs, but the schema allows at least 1 (data_0 variadic)");
        var c = rejected(model(List.of("x"), node("Concat", "c", List.of(), List.of("y"))
                .addAttribute(intAttr("axis", 0))));
        assertThat(c).hasMessageContaining("node 'c' (Concat").hasMessageContaining("allows at least 1");

        float[] x = {1, 2, 3};
        assertThat(run(model(List.of("x"), node("Sum", "s", List.of("x"), List.of("y"))), Map.of("x", x)))
                .containsExactly(1, 2, 3);
        assertThat(run(model(List.of("x"), node("Sum", "s", List.of("x", "x", "x"), List.of("y"))), Map.of("x", x)))
                .containsExactly(3, 6, 9);
        // Concat of one input along axis 0 of a [3] tensor keeps it, so y stays float[3].
        assertThat(run(model(List.of("x"), node("Concat", "c", List.of("x"), List.of("y"))
                .addAttribute(intAttr("axis", 0))), Map.of("x", x))).containsExactly(1, 2, 3);
    }

    @Test
    void optionalInputsMayBeGivenAsEmptyNames() {
        float[] x = {-2, 0.5f, 4};
        // Clip(x, min omitted, max): only the upper bound applies.
        NodeProto.Builder hi = node("Constant", "hi", List.of(), List.of("hi"))
                .addAttribute(floatAttr("value_float", 1));
        float[] y = run(model(List.of("x"), hi, node("Clip", "c", List.of("x", "", "hi"), List.of("y"))),
                Map.of("x", x));
        assertThat(y).containsExactly(-2, 0.5f, 1);
    }

    @Test
    void validModelWithEveryOptionalInputOmittedOpens() {
        float[] x = {-2, 0.5f, 4};
        assertThat(run(model(List.of("x"), node("Clip", "c", List.of("x"), List.of("y"))), Map.of("x", x)))
                .containsExactly(-2, 0.5f, 4);
        // Dropout with ratio and training_mode omitted, and its mask output omitted too.
        assertThat(run(model(List.of("x"), node("Dropout", "d", List.of("x"), List.of("y"))), Map.of("x", x)))
                .containsExactly(-2, 0.5f, 4);
        // Trailing optional inputs listed as empty names.
        assertThat(run(model(List.of("x"), node("Dropout", "d", List.of("x", "", ""), List.of("y", ""))),
                Map.of("x", x))).containsExactly(-2, 0.5f, 4);
    }

    @Test
    void subgraphNodesAreChecked() {
        GraphProto branch = GraphProto.newBuilder().setName("then")
                .addNode(node("Relu", "inner", List.of("x", "x"), List.of("t"))).addOutput(floats("t")).build();
        GraphProto other = GraphProto.newBuilder().setName("else")
                .addNode(node("Relu", "other", List.of("x"), List.of("u"))).addOutput(floats("u")).build();
        NodeProto.Builder cond = node("Constant", "cond", List.of(), List.of("b")).addAttribute(
                AttributeProto.newBuilder().setName("value_int").setType(AttributeProto.AttributeType.INT).setI(1));
        NodeProto.Builder cast = node("Cast", "cast", List.of("b"), List.of("bb")).addAttribute(intAttr("to", 9));
        NodeProto.Builder ifNode = node("If", "if", List.of("bb"), List.of("y"))
                .addAttribute(AttributeProto.newBuilder().setName("then_branch")
                        .setType(AttributeProto.AttributeType.GRAPH).setG(branch))
                .addAttribute(AttributeProto.newBuilder().setName("else_branch")
                        .setType(AttributeProto.AttributeType.GRAPH).setG(other));
        var e = rejected(model(List.of("x"), cond, cast, ifNode));
        assertThat(e).hasMessageContaining("graph 'then', node 'inner' (Relu").hasMessageContaining("has 2 inputs");
    }

    @Test
    void modelLocalFunctionBodiesAreChecked() {
        FunctionProto f = FunctionProto.newBuilder().setDomain("local").setName("MyRelu")
                .addInput("a").addOutput("b")
                .addNode(node("Relu", "body", List.of("a"), List.of("b")).addAttribute(floatAttr("alpha", 0.5f)))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).build();
        ModelProto.Builder m = modelProto(List.of("x"),
                node("MyRelu", "call", List.of("x"), List.of("y")).setDomain("local"))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("local").setVersion(1))
                .addFunctions(f);
        var e = rejected(m.build().toByteArray());
        assertThat(e).hasMessageContaining("function local.MyRelu, node 'body' (Relu")
                .hasMessageContaining("unknown attribute 'alpha'");
    }
}
