package dev.jonnx.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.InvalidInputException;
import dev.jonnx.ModelCheckException;
import dev.jonnx.UnsupportedOperatorException;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.OperatorSetIdProto;
import dev.jonnx.onnx.TensorShapeProto;
import dev.jonnx.onnx.TypeProto;
import dev.jonnx.onnx.ValueInfoProto;
import dev.jonnx.runtime.registry.OpRegistry;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The session on small graphs built in code, with a registry of test-only kernels. */
class SessionTest {

    /** A registry with "Twice" (x + x) and "Pass" (identity), both in a test domain. */
    static final OpRegistry REGISTRY = OpRegistry.builder()
            .add("test", "Twice", 1, node -> (inputs, ctx) -> {
                float[] x = ((Tensor) inputs[0]).floats();
                float[] y = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    y[i] = x[i] * 2;
                }
                return new Value[] {Tensor.of(y, ((Tensor) inputs[0]).shape())};
            })
            .add("test", "Pass", 1, node -> (inputs, ctx) -> new Value[] {inputs[0]})
            .build();

    static ValueInfoProto floatInput(String name, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            if (d instanceof Integer i) {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(i));
            } else {
                shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam((String) d));
            }
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(DataType.FLOAT.code()).setShape(shape)))
                .build();
    }

    static NodeProto node(String op, String name, String[] in, String[] out) {
        return NodeProto.newBuilder().setOpType(op).setDomain("test").setName(name)
                .addAllInput(java.util.List.of(in)).addAllOutput(java.util.List.of(out)).build();
    }

    static byte[] model(GraphProto graph) {
        return ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("test").setVersion(1))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(graph).build().toByteArray();
    }

    static GraphProto chain() {
        // Nodes listed out of order on purpose: the compiler sorts them.
        return GraphProto.newBuilder().setName("chain")
                .addNode(node("Twice", "second", new String[] {"t"}, new String[] {"y"}))
                .addNode(node("Twice", "first", new String[] {"x"}, new String[] {"t"}))
                .addInput(floatInput("x", "batch", 2))
                .addOutput(floatInput("y", "batch", 2))
                .build();
    }

    static SessionOptions options() {
        return SessionOptions.builder().registry(REGISTRY).build();
    }

    @Test
    void runsNodesInDependencyOrder() {
        try (Session s = Session.open(model(chain()), options());
                Result r = s.run(Map.of("x", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2)))) {
            assertThat(r.tensor("y").floats()).containsExactly(4, 8, 12, 16);
            assertThat(r.names()).containsExactly("y");
        }
    }

    @Test
    void rejectsUnknownAndMissingInputs() {
        try (Session s = Session.open(model(chain()), options())) {
            assertThatThrownBy(() -> s.run(Map.of("z", Tensor.scalar(1f))))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("unknown input name 'z'")
                    .hasMessageContaining("[x]");
            assertThatThrownBy(() -> s.run(Map.of()))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("missing input 'x'");
        }
    }

    @Test
    void rejectsWrongTypeRankAndDimension() {
        try (Session s = Session.open(model(chain()), options())) {
            assertThatThrownBy(() -> s.run(Map.of("x", Tensor.of(new double[] {1, 2}, 1, 2))))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("expected element type float32, got float64");
            assertThatThrownBy(() -> s.run(Map.of("x", Tensor.of(new float[] {1, 2}, 2))))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("expected rank 2");
            assertThatThrownBy(() -> s.run(Map.of("x", Tensor.of(new float[] {1, 2, 3}, 1, 3))))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("dimension 1 must be 2, got 3");
        }
    }

    @Test
    void rejectsNullFeedsAndOptions() {
        Map<String, Value> feeds = Map.of("x", Tensor.of(new float[] {1, 2}, 1, 2));
        try (Session s = Session.open(model(chain()), options())) {
            // The JVM's own message would name the variable too, so the check is on the wording.
            assertThatThrownBy(() -> s.run(null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessageStartingWith("feeds must not be null");
            assertThatThrownBy(() -> s.run(feeds, null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessageStartingWith("runOptions must not be null");
        }
    }

    @Test
    void rejectsNullNameAndValue() {
        try (Session s = Session.open(model(chain()), options())) {
            Map<String, Value> nullValue = new java.util.HashMap<>();
            nullValue.put("x", null);
            assertThatThrownBy(() -> s.run(nullValue))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("input 'x'")
                    .hasMessageContaining("null value");
            Map<String, Value> nullName = new java.util.HashMap<>();
            nullName.put(null, Tensor.of(new float[] {1, 2}, 1, 2));
            assertThatThrownBy(() -> s.run(nullName))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("null input name")
                    .hasMessageContaining("[x]");
        }
    }

    @Test
    void rejectsNullStringElement() {
        GraphProto g = GraphProto.newBuilder().setName("strings")
                .addNode(node("Pass", "a", new String[] {"s"}, new String[] {"t"}))
                .addInput(ValueInfoProto.newBuilder().setName("s").setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(DataType.STRING.code()))))
                .addOutput(ValueInfoProto.newBuilder().setName("t"))
                .build();
        try (Session s = Session.open(model(g), options())) {
            Tensor strings = Tensor.of(new String[] {"a", null, "c"}, 3);
            assertThatThrownBy(() -> s.run(Map.of("s", strings)))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("input 's'")
                    .hasMessageContaining("element 1 is null");
        }
    }

    @Test
    void openRejectsNullArguments() {
        assertThatThrownBy(() -> Session.open((java.nio.file.Path) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("path");
        assertThatThrownBy(() -> Session.open((byte[]) null, options()))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("model");
        assertThatThrownBy(() -> Session.open(model(chain()), null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("options");
    }

    @Test
    void optionsRejectNullLevelAndRegistry() {
        assertThatThrownBy(() -> SessionOptions.builder().optimizationLevel(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("level");
        assertThatThrownBy(() -> SessionOptions.builder().registry(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("registry");
    }

    @Test
    void optionsRejectThreadsAboveCap() {
        int max = SessionOptions.MAX_THREADS;
        assertThat(SessionOptions.builder().threads(max).interOpThreads(max).build().threads())
                .isEqualTo(max);
        assertThatThrownBy(() -> SessionOptions.builder().threads(100_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threads must be from 1 to " + max + ", got 100000");
        assertThatThrownBy(() -> SessionOptions.builder().interOpThreads(max + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("interOpThreads must be from 1 to " + max + ", got " + (max + 1));
        assertThatThrownBy(() -> SessionOptions.builder().threads(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threads must be from 1 to " + max + ", got 0");
    }

    @Test
    void runAcceptsTimeoutAboveNanosecondRange() {
        // Duration.toNanos() overflows above about 292 years; such a timeout means no deadline.
        java.time.Duration forever = java.time.temporal.ChronoUnit.FOREVER.getDuration();
        try (Session s = Session.open(model(chain()), options());
                Result r = s.run(Map.of("x", Tensor.of(new float[] {1, 2}, 1, 2)),
                        RunOptions.withTimeout(forever))) {
            assertThat(r.tensor("y").floats()).containsExactly(4, 8);
        }
    }

    @Test
    void runOptionsRejectNulls() {
        assertThatThrownBy(() -> RunOptions.withTimeout(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith("timeout must not be null");
        assertThatThrownBy(() -> RunOptions.profiled(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageStartingWith("profiler must not be null");
    }

    @Test
    void resultNamesMissingOutput() {
        try (Session s = Session.open(model(chain()), options());
                Result r = s.run(Map.of("x", Tensor.of(new float[] {1, 2}, 1, 2)))) {
            assertThatThrownBy(() -> r.get((String) null))
                    .isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("output name");
            assertThatThrownBy(() -> r.get(1))
                    .isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining("output index 1")
                    .hasMessageContaining("[y]");
        }
    }

    @Test
    void bindsSymbolicDimensionsConsistently() {
        GraphProto g = GraphProto.newBuilder().setName("two")
                .addNode(node("Pass", "a", new String[] {"x"}, new String[] {"y"}))
                .addNode(node("Pass", "b", new String[] {"w"}, new String[] {"z"}))
                .addInput(floatInput("x", "n", 1))
                .addInput(floatInput("w", "n", 1))
                .addOutput(floatInput("y", "n", 1))
                .addOutput(floatInput("z", "n", 1))
                .build();
        try (Session s = Session.open(model(g), options())) {
            assertThatThrownBy(() -> s.run(Map.of(
                    "x", Tensor.of(new float[] {1, 2}, 2, 1),
                    "w", Tensor.of(new float[] {1, 2, 3}, 3, 1))))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("'n'");
        }
    }

    static byte[] reluModel(String domain, long opset) {
        NodeProto relu = NodeProto.newBuilder().setOpType("Relu").setName("r").addInput("x")
                .addOutput("y").build();
        GraphProto g = GraphProto.newBuilder().setName("relu").addNode(relu)
                .addInput(floatInput("x", 2)).addOutput(floatInput("y", 2)).build();
        return ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(opset))
                .setGraph(g).build().toByteArray();
    }

    @Test
    void rejectsOpsetNewerThanSpecification() {
        int latest = dev.jonnx.schema.OpSchemas.builtIn().latestOpset("");
        assertThat(latest).isGreaterThanOrEqualTo(21);
        try (Session s = Session.open(reluModel("", latest), SessionOptions.defaults());
                Result r = s.run(Map.of("x", Tensor.of(new float[] {-1, 2}, 2)))) {
            assertThat(r.tensor("y").floats()).containsExactly(0, 2);
        }
        assertThatThrownBy(() -> Session.open(reluModel("ai.onnx", 99), SessionOptions.defaults()))
                .isInstanceOf(UnsupportedOperatorException.class)
                .hasMessageContaining("ai.onnx opset 99")
                .hasMessageContaining("up to " + latest)
                .hasMessageContaining("Relu");
        // Opset versions are int64 in the format, so a version past 2^32 must not wrap to a small one.
        assertThatThrownBy(() -> Session.open(reluModel("", (1L << 32) + 14), SessionOptions.defaults()))
                .isInstanceOf(UnsupportedOperatorException.class)
                .hasMessageContaining("ai.onnx opset " + ((1L << 32) + 14));
    }

    @Test
    void reportsEveryMissingOperatorAtOnce() {
        GraphProto g = GraphProto.newBuilder().setName("missing")
                .addNode(node("Nope", "a", new String[] {"x"}, new String[] {"t"}))
                .addNode(node("Never", "b", new String[] {"t"}, new String[] {"y"}))
                .addInput(floatInput("x", 1))
                .addOutput(floatInput("y", 1))
                .build();
        assertThatThrownBy(() -> Session.open(model(g), options()))
                .isInstanceOf(UnsupportedOperatorException.class)
                .hasMessageContaining("2 operators are not supported")
                .hasMessageContaining("test Nope (opset 1)")
                .hasMessageContaining("test Never (opset 1)");
    }

    @Test
    void rejectsCycleAndUndefinedInput() {
        GraphProto cycle = GraphProto.newBuilder().setName("cycle")
                .addNode(node("Pass", "a", new String[] {"b_out"}, new String[] {"a_out"}))
                .addNode(node("Pass", "b", new String[] {"a_out"}, new String[] {"b_out"}))
                .addInput(floatInput("x", 1))
                .addOutput(floatInput("a_out", 1))
                .build();
        assertThatThrownBy(() -> Session.open(model(cycle), options()))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("cycle");
        GraphProto undefined = GraphProto.newBuilder().setName("undefined")
                .addNode(node("Pass", "a", new String[] {"nowhere"}, new String[] {"y"}))
                .addInput(floatInput("x", 1))
                .addOutput(floatInput("y", 1))
                .build();
        assertThatThrownBy(() -> Session.open(model(undefined), options()))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("node 'a' (Pass) reads 'nowhere'");
    }

    @Test
    void rejectsUnknownDeclaredElementType() {
        ValueInfoProto odd = floatInput("x", 1).toBuilder()
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(27)))
                .build();
        GraphProto g = GraphProto.newBuilder().setName("odd")
                .addNode(node("Pass", "a", new String[] {"x"}, new String[] {"y"}))
                .addInput(odd)
                .addOutput(floatInput("y", 1))
                .build();
        assertThatThrownBy(() -> Session.open(model(g), options()))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("unknown element type code 27");
    }

    static dev.jonnx.onnx.FunctionProto function(String name, String body, String... calls) {
        dev.jonnx.onnx.FunctionProto.Builder f = dev.jonnx.onnx.FunctionProto.newBuilder()
                .setName(name).setDomain("local").addInput("a").addOutput("b")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("test").setVersion(1))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("local").setVersion(1));
        String in = "a";
        int i = 0;
        for (String call : calls) {
            String out = "t" + i++;
            f.addNode(NodeProto.newBuilder().setOpType(call).setDomain(call.equals("Twice") ? "test" : "local")
                    .addInput(in).addOutput(out));
            in = out;
        }
        f.addNode(NodeProto.newBuilder().setOpType(body).setDomain("test").addInput(in).addOutput("b"));
        return f.build();
    }

    static byte[] modelWithFunctions(dev.jonnx.onnx.FunctionProto... functions) {
        GraphProto g = GraphProto.newBuilder().setName("calls")
                .addNode(NodeProto.newBuilder().setOpType("Quad").setDomain("local").setName("call")
                        .addInput("x").addOutput("y"))
                .addInput(floatInput("x", 2))
                .addOutput(floatInput("y", 2))
                .build();
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("test").setVersion(1))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("local").setVersion(1))
                .setGraph(g);
        for (dev.jonnx.onnx.FunctionProto f : functions) {
            m.addFunctions(f);
        }
        return m.build().toByteArray();
    }

    @Test
    void inlinesModelLocalFunctions() {
        // Quad calls Double twice; Double is Twice in the test domain.
        byte[] model = modelWithFunctions(function("Quad", "Pass", "Double", "Double"),
                function("Double", "Twice"));
        try (Session s = Session.open(model, options());
                Result r = s.run(Map.of("x", Tensor.of(new float[] {1, 2}, 2)))) {
            assertThat(r.tensor("y").floats()).containsExactly(4, 8);
        }
    }

    @Test
    void rejectsRecursiveAndMissingFunctions() {
        byte[] recursive = modelWithFunctions(function("Quad", "Pass", "Quad"));
        assertThatThrownBy(() -> Session.open(recursive, options()))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("calls itself");
        byte[] missing = modelWithFunctions(function("Quad", "Pass", "Nowhere"));
        assertThatThrownBy(() -> Session.open(missing, options()))
                .isInstanceOf(UnsupportedOperatorException.class)
                .hasMessageContaining("local Nowhere");
    }

    /** Returns {@code f} with its import of {@code domain} set to {@code version}. */
    static dev.jonnx.onnx.FunctionProto importing(dev.jonnx.onnx.FunctionProto f, String domain,
            long version) {
        dev.jonnx.onnx.FunctionProto.Builder b = f.toBuilder().clearOpsetImport();
        for (OperatorSetIdProto id : f.getOpsetImportList()) {
            if (!id.getDomain().equals(domain)) {
                b.addOpsetImport(id);
            }
        }
        return b.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version))
                .build();
    }

    @Test
    void rejectsFunctionOpsetPastIntRange() {
        // 2^32 + 1 must not wrap to opset 1 of the test domain, where Twice exists.
        long wrapsToOne = (1L << 32) + 1;
        byte[] custom = modelWithFunctions(importing(function("Quad", "Twice"), "test", wrapsToOne));
        assertThatThrownBy(() -> Session.open(custom, options()))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("function local.Quad")
                .hasMessageContaining("imports test opset " + wrapsToOne)
                .hasMessageContaining("from 0 to " + Integer.MAX_VALUE);
        byte[] negative = modelWithFunctions(importing(function("Quad", "Twice"), "test", -1));
        assertThatThrownBy(() -> Session.open(negative, options()))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("imports test opset -1");
    }

    @Test
    void rejectsFunctionOpsetNewerThanSpecification() {
        // The function body runs Relu from ai.onnx, and 2^32 + 14 must not wrap to opset 14.
        long wrapsTo14 = (1L << 32) + 14;
        dev.jonnx.onnx.FunctionProto relu = dev.jonnx.onnx.FunctionProto.newBuilder()
                .setName("Quad").setDomain("local").addInput("a").addOutput("b")
                .addNode(NodeProto.newBuilder().setOpType("Relu").addInput("a").addOutput("b"))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(wrapsTo14))
                .build();
        byte[] model = modelWithFunctions(relu);
        assertThatThrownBy(() -> Session.open(model, SessionOptions.defaults()))
                .isInstanceOf(UnsupportedOperatorException.class)
                .hasMessageContaining("function local.Quad imports ai.onnx opset " + wrapsTo14)
                .hasMessageContaining("Relu");
    }

    @Test
    void rejectsCustomOpsetPastIntRange() {
        long wrapsToOne = (1L << 32) + 1;
        ModelProto wrapped = ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("test").setVersion(wrapsToOne))
                .setGraph(chain()).build();
        assertThatThrownBy(() -> Session.open(wrapped.toByteArray(), options()))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("imports test opset " + wrapsToOne);
    }

    @Test
    void rejectsAttributeOfWrongType() {
        NodeProto softmax = NodeProto.newBuilder().setOpType("Softmax").setName("sm")
                .addInput("x").addOutput("y")
                .addAttribute(dev.jonnx.onnx.AttributeProto.newBuilder().setName("axis")
                        .setType(dev.jonnx.onnx.AttributeProto.AttributeType.STRING)
                        .setS(com.google.protobuf.ByteString.copyFromUtf8("one")))
                .build();
        GraphProto g = GraphProto.newBuilder().setName("typed").addNode(softmax)
                .addInput(floatInput("x", 2, 3)).addOutput(floatInput("y", 2, 3)).build();
        assertThatThrownBy(() -> Session.open(model(g), SessionOptions.defaults()))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("node 'sm'")
                .hasMessageContaining("attribute 'axis' must be of type INT, got STRING");
    }
}
