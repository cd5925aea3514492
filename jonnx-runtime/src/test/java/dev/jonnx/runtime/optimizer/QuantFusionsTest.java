package dev.jonnx.runtime.optimizer;

import static dev.jonnx.runtime.optimizer.Graphs.attr;
import static dev.jonnx.runtime.optimizer.Graphs.ops;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.runtime.Result;
import dev.jonnx.runtime.Session;
import dev.jonnx.runtime.SessionOptions;
import dev.jonnx.runtime.SessionOptions.OptimizationLevel;
import dev.jonnx.runtime.testing.TestTensors;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The dynamically quantized matmul fusion: which graphs it rewrites, and that the fused node's
 * outputs equal the unfused graph's bit for bit.
 */
class QuantFusionsTest {
    private static final String FUSED = GraphOptimizer.DOMAIN + "." + QuantFusions.FUSED_OP;

    /** Options for {@link #chain}: operand order, bias, weight type and zero points. */
    private record Chain(String name, int n, DataType weightType, boolean perColumn, boolean bias,
            boolean swapped) {}

    private static Tensor weights(Random random, DataType type, int k, int n) {
        byte[] values = new byte[k * n];
        random.nextBytes(values);
        return Tensor.of(type, new int[] {k, n}, values);
    }

    private static Tensor columnFloats(Random random, int count, boolean perColumn) {
        float[] values = new float[perColumn ? count : 1];
        for (int i = 0; i < values.length; i++) {
            values[i] = 0.001f + random.nextFloat() * 0.02f;
        }
        return perColumn ? Tensor.of(DataType.FLOAT, new int[] {count}, values)
                : Tensor.of(DataType.FLOAT, new int[0], values);
    }

    private static Tensor zeroPoints(Random random, DataType type, int n, boolean perColumn) {
        byte[] values = new byte[perColumn ? n : 1];
        random.nextBytes(values);
        return perColumn ? Tensor.of(type, new int[] {n}, values) : Tensor.of(type, new int[0], values);
    }

    /** Adds one chain reading the quantized x, writing graph output {@code c.name()}. */
    private static void chain(Graphs g, Random random, int k, Chain c) {
        chainNodes(g, random, k, c);
        g.output(c.name());
    }

    /** Adds the nodes of one chain reading the quantized x, writing value {@code c.name()}. */
    private static void chainNodes(Graphs g, Random random, int k, Chain c) {
        String p = c.name() + "_";
        g.constant(p + "w", weights(random, c.weightType(), k, c.n()))
                .constant(p + "wscale", columnFloats(random, c.n(), c.perColumn()))
                .constant(p + "wzero", zeroPoints(random, c.weightType(), c.n(), c.perColumn()));
        List<String> scaleInputs = c.swapped() ? List.of(p + "wscale", "xs") : List.of("xs", p + "wscale");
        g.node("Mul", scaleInputs, List.of(p + "s"))
                .node("MatMulInteger", List.of("xq", p + "w", "xz", p + "wzero"), List.of(p + "mm"))
                .node("Cast", List.of(p + "mm"), List.of(p + "c"), attr("to", (long) DataType.FLOAT.code()));
        String scaled = c.bias() ? p + "scaled" : c.name();
        g.node("Mul", c.swapped() ? List.of(p + "s", p + "c") : List.of(p + "c", p + "s"), List.of(scaled));
        if (c.bias()) {
            g.constant(p + "bias", columnFloats(random, c.n(), true));
            g.node("Add", c.swapped() ? List.of(p + "bias", scaled) : List.of(scaled, p + "bias"),
                    List.of(c.name()));
        }
    }

    private static ModelProto model(long[] xDims, long seed, Chain... chains) {
        Random random = new Random(seed);
        int k = (int) xDims[xDims.length - 1];
        Graphs g = Graphs.opset(13).input("x", DataType.FLOAT, xDims)
                .node("DynamicQuantizeLinear", List.of("x"), List.of("xq", "xs", "xz"));
        for (Chain c : chains) {
            chain(g, random, k, c);
        }
        return g.build();
    }

    private static ModelProto optimize(ModelProto model) {
        return GraphOptimizer.optimize(model, OptimizationLevel.ALL);
    }

    private static Tensor randomInput(long[] dims, long seed, float low, float high) {
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            shape[i] = (int) dims[i];
        }
        return TestTensors.uniformTensor(new Random(seed), low, high, shape);
    }

    /** Runs the model unoptimized and fused, and checks that every output has the same float bits. */
    private static void assertExactlyEqual(ModelProto model, Tensor x) {
        assertExactlyEqual(model, Map.of("x", x));
    }

    private static void assertExactlyEqual(ModelProto model, Map<String, Tensor> feeds) {
        Result expected = Graphs.run(model, OptimizationLevel.NONE, feeds);
        Result actual = Graphs.run(model, OptimizationLevel.ALL, feeds);
        for (String name : expected.names()) {
            Tensor e = expected.tensor(name);
            Tensor a = actual.tensor(name);
            assertThat(a.shape()).as(name + " shape").isEqualTo(e.shape());
            float[] ev = e.floats();
            float[] av = a.floats();
            for (int i = 0; i < ev.length; i++) {
                assertThat(Float.floatToIntBits(av[i])).as("%s[%d]: fused %s, unfused %s", name, i, av[i], ev[i])
                        .isEqualTo(Float.floatToIntBits(ev[i]));
            }
        }
    }

    @Test
    void chainWithBiasBecomesOneNode() {
        ModelProto model = model(new long[] {4, 32}, 1, new Chain("y", 24, DataType.INT8, false, true, false));
        assertThat(ops(optimize(model))).containsExactly(FUSED);
        assertExactlyEqual(model, randomInput(new long[] {4, 32}, 2, -3f, 2f));
    }

    @Test
    void sharedQuantizationFusesEveryChain() {
        Chain[] chains = {
            new Chain("q", 16, DataType.INT8, false, true, false),
            new Chain("k", 16, DataType.UINT8, true, true, true),
            new Chain("v", 8, DataType.INT8, true, false, false),
        };
        long[] dims = {2, 5, 40};
        ModelProto model = model(dims, 3, chains);
        assertThat(ops(optimize(model))).containsExactly(FUSED);
        assertExactlyEqual(model, randomInput(dims, 4, -1f, 5f));
    }

    @Test
    void fusedMatchesUnfusedOnSeveralShapes() {
        long[][] shapes = {{64}, {1, 7}, {3, 33}, {2, 3, 65}, {1, 128, 96}};
        long seed = 10;
        for (long[] dims : shapes) {
            ModelProto model = model(dims, seed++, new Chain("y", 37, DataType.INT8, true, true, false),
                    new Chain("z", 19, DataType.UINT8, false, false, true));
            assertExactlyEqual(model, randomInput(dims, seed++, -4f, 4f));
            assertExactlyEqual(model, randomInput(dims, seed++, 0.5f, 9f));
            assertExactlyEqual(model, randomInput(dims, seed++, -7f, -0.25f));
        }
    }

    @Test
    void longInnerDimensionRunsInInt() {
        // Inputs far from zero quantize near 255 with zero point 0, and 1100 products of up to
        // 255 * 128 may exceed 2^24, so the product runs in int rather than in the float SGEMM.
        long[] dims = {6, 1100};
        ModelProto model = model(dims, 20, new Chain("y", 30, DataType.INT8, false, true, false));
        assertExactlyEqual(model, randomInput(dims, 21, 100f, 101f));
        assertExactlyEqual(model, randomInput(dims, 22, -1f, 1f));
    }

    @Test
    void zeroRangeInputGivesBias() {
        long[] dims = {3, 20};
        ModelProto model = model(dims, 30, new Chain("y", 12, DataType.INT8, true, true, false),
                new Chain("z", 12, DataType.UINT8, true, false, false));
        Tensor zeros = Tensor.of(DataType.FLOAT, new int[] {3, 20}, new float[60]);
        assertExactlyEqual(model, zeros);
        float[] negativeZeros = new float[60];
        java.util.Arrays.fill(negativeZeros, -0f);
        assertExactlyEqual(model, Tensor.of(DataType.FLOAT, new int[] {3, 20}, negativeZeros));
    }

    @Test
    void nanAndInfinityQuantizeAsUnfused() {
        long[] dims = {2, 16};
        ModelProto model = model(dims, 40, new Chain("y", 8, DataType.INT8, false, true, false));
        Tensor x = randomInput(dims, 41, -2f, 2f);
        float[] withNan = x.floats().clone();
        withNan[3] = Float.NaN;
        assertExactlyEqual(model, Tensor.of(DataType.FLOAT, x.shape(), withNan));
        float[] withInfinity = x.floats().clone();
        withInfinity[5] = Float.POSITIVE_INFINITY;
        assertExactlyEqual(model, Tensor.of(DataType.FLOAT, x.shape(), withInfinity));
    }

    @Test
    void otherReaderOfQuantizedValueBlocksFusion() {
        ModelProto base = model(new long[] {2, 8}, 50, new Chain("y", 4, DataType.INT8, false, true, false));
        ModelProto model = base.toBuilder().setGraph(base.getGraph().toBuilder()
                .addNode(dev.jonnx.onnx.NodeProto.newBuilder().setOpType("Cast").addInput("xq").addOutput("qf")
                        .addAttribute(attr("to", (long) DataType.FLOAT.code())))
                .addOutput(Graphs.info("qf", DataType.FLOAT))).build();
        assertThat(ops(optimize(model))).doesNotContain(FUSED).contains("MatMulInteger");
    }

    @Test
    void scaleProductWithOtherReaderBlocksFusion() {
        ModelProto base = model(new long[] {2, 8}, 51, new Chain("y", 4, DataType.INT8, false, true, false));
        ModelProto model = base.toBuilder().setGraph(base.getGraph().toBuilder()
                .addOutput(Graphs.info("y_s", DataType.FLOAT))).build();
        assertThat(ops(optimize(model))).doesNotContain(FUSED);
    }

    @Test
    void weightsFromGraphInputBlockFusion() {
        ModelProto base = model(new long[] {2, 8}, 52, new Chain("y", 4, DataType.INT8, false, true, false));
        var graph = base.getGraph().toBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            if (graph.getInitializer(i).getName().equals("y_w")) {
                graph.removeInitializer(i);
                break;
            }
        }
        graph.addInput(Graphs.info("y_w", DataType.INT8, 8, 4));
        ModelProto model = base.toBuilder().setGraph(graph).build();
        assertThat(ops(optimize(model))).doesNotContain(FUSED).contains("MatMulInteger");
    }

    @Test
    void twoDimensionalBiasBecomesResidual() {
        Random random = new Random(60);
        Graphs g = Graphs.opset(13).input("x", DataType.FLOAT, 3, 8)
                .node("DynamicQuantizeLinear", List.of("x"), List.of("xq", "xs", "xz"));
        chain(g, random, 8, new Chain("m", 5, DataType.INT8, false, false, false));
        g.constant("bias2d", randomInput(new long[] {3, 5}, 61, -1f, 1f))
                .node("Add", List.of("m", "bias2d"), List.of("y")).output("y");
        ModelProto model = g.build();
        // "m" is also a graph output, so the chain ends at the Mul; build a variant without it.
        ModelProto withoutM = model.toBuilder().setGraph(model.getGraph().toBuilder().removeOutput(0)).build();
        // The 2-D constant is not a bias of one value per column, so it is added as a residual.
        assertThat(ops(optimize(withoutM))).containsExactly(FUSED);
        assertExactlyEqual(withoutM, randomInput(new long[] {3, 8}, 62, -2f, 3f));
    }

    @Test
    void matMulIntegerConstantWeightsMatchFedWeights() {
        // A constant B is shifted and converted when the session is built; the same B fed as
        // a graph input is converted on each run. Both must give the int32 product.
        Random random = new Random(70);
        int m = 48;
        int k = 96;
        int n = 40;
        Tensor w = weights(random, DataType.INT8, k, n);
        Tensor wZero = zeroPoints(random, DataType.INT8, n, true);
        byte[] a = new byte[m * k];
        random.nextBytes(a);
        Tensor x = Tensor.of(DataType.UINT8, new int[] {m, k}, a);
        Tensor xZero = Tensor.of(DataType.UINT8, new int[0], new byte[] {(byte) 131});
        ModelProto constant = Graphs.opset(13).input("x", DataType.UINT8, m, k).constant("w", w)
                .constant("wz", wZero).constant("xz", xZero)
                .node("MatMulInteger", List.of("x", "w", "xz", "wz"), List.of("y")).output("y").build();
        ModelProto fed = Graphs.opset(13).input("x", DataType.UINT8, m, k).input("w", DataType.INT8, k, n)
                .constant("wz", wZero).constant("xz", xZero)
                .node("MatMulInteger", List.of("x", "w", "xz", "wz"), List.of("y")).output("y").build();
        int[] expected = Graphs.run(fed, OptimizationLevel.NONE, Map.of("x", x, "w", w)).tensor("y").ints();
        int[] actual = Graphs.run(constant, OptimizationLevel.NONE, Map.of("x", x)).tensor("y").ints();
        assertThat(actual).containsExactly(expected);
    }

    /** Builds x -> chain "m" (with bias) -> Gelu with {@code geluAttributes} -> output "y", at opset 20. */
    private static ModelProto geluModel(long[] dims, long seed, AttributeProto... geluAttributes) {
        Random random = new Random(seed);
        Graphs g = Graphs.opset(20).input("x", DataType.FLOAT, dims)
                .node("DynamicQuantizeLinear", List.of("x"), List.of("xq", "xs", "xz"));
        chainNodes(g, random, (int) dims[dims.length - 1], new Chain("m", 24, DataType.INT8, true, true, false));
        return g.node("Gelu", List.of("m"), List.of("y"), geluAttributes).output("y").build();
    }

    @Test
    void exactGeluMovesIntoFusedNode() {
        long[] dims = {2, 9, 40};
        ModelProto model = geluModel(dims, 80);
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly(FUSED);
        assertThat(optimized.getGraph().getNode(0).getAttributeList())
                .anySatisfy(a -> assertThat(a.getS().toStringUtf8()).isEqualTo("Gelu"));
        assertExactlyEqual(model, randomInput(dims, 81, -3f, 3f));
        assertExactlyEqual(model, randomInput(dims, 82, -0.5f, 7f));
    }

    @Test
    void tanhGeluStaysSeparate() {
        long[] dims = {3, 16};
        ModelProto model = geluModel(dims, 83, attr("approximate", "tanh"));
        assertThat(ops(optimize(model))).containsExactly(FUSED, "Gelu");
        assertExactlyEqual(model, randomInput(dims, 84, -2f, 2f));
    }

    /**
     * Builds x -> chain "m" -> [Gelu] -> Add with the graph input r of {@code residualDims}
     * (as the first operand when {@code swapped}) -> output "y".
     */
    private static ModelProto residualModel(long[] dims, long[] residualDims, boolean gelu, boolean swapped,
            long seed) {
        Random random = new Random(seed);
        Graphs g = Graphs.opset(20).input("x", DataType.FLOAT, dims).input("r", DataType.FLOAT, residualDims)
                .node("DynamicQuantizeLinear", List.of("x"), List.of("xq", "xs", "xz"));
        chainNodes(g, random, (int) dims[dims.length - 1], new Chain("m", 20, DataType.UINT8, true, true, true));
        String sum = "m";
        if (gelu) {
            g.node("Gelu", List.of("m"), List.of("g"));
            sum = "g";
        }
        return g.node("Add", swapped ? List.of("r", sum) : List.of(sum, "r"), List.of("y")).output("y").build();
    }

    @Test
    void residualAddMovesIntoFusedNode() {
        long[] dims = {2, 6, 30};
        long[] outDims = {2, 6, 20};
        for (boolean gelu : new boolean[] {false, true}) {
            for (boolean swapped : new boolean[] {false, true}) {
                ModelProto model = residualModel(dims, outDims, gelu, swapped, 90);
                assertThat(ops(optimize(model))).as("gelu %s, swapped %s", gelu, swapped).containsExactly(FUSED);
                assertExactlyEqual(model, Map.of("x", randomInput(dims, 91, -2f, 4f),
                        "r", randomInput(outDims, 92, -1f, 1f)));
            }
        }
    }

    @Test
    void epilogueSameBitsAtTwoThreads() {
        // 128 rows of 200 are enough work for the quantization to split across two threads, and
        // 128 rows of 20 with GELU for the epilogue.
        long[] dims = {1, 128, 200};
        long[] outDims = {1, 128, 20};
        for (boolean gelu : new boolean[] {false, true}) {
            ModelProto model = residualModel(dims, outDims, gelu, false, 93);
            Map<String, Tensor> feeds = Map.of("x", randomInput(dims, 94, -3f, 5f),
                    "r", randomInput(outDims, 95, -1f, 1f));
            assertExactlyEqual(model, feeds);
            float[] one = runFused(model, feeds, 1);
            float[] two = runFused(model, feeds, 2);
            for (int i = 0; i < one.length; i++) {
                assertThat(Float.floatToIntBits(two[i])).as("gelu %s, y[%d]: 2 threads %s, 1 thread %s", gelu, i,
                        two[i], one[i]).isEqualTo(Float.floatToIntBits(one[i]));
            }
        }
    }

    private static float[] runFused(ModelProto model, Map<String, Tensor> feeds, int threads) {
        SessionOptions options = SessionOptions.builder().optimizationLevel(OptimizationLevel.ALL).threads(threads)
                .build();
        try (Session session = Session.open(model.toByteArray(), options)) {
            return session.run(feeds).tensor("y").floats().clone();
        }
    }

    @Test
    void broadcastingResidualGivesAddResult() {
        long[] dims = {4, 30};
        long[][] residuals = {{20}, {1, 20}, {4, 1}, {3, 4, 20}};
        long seed = 100;
        for (long[] residualDims : residuals) {
            ModelProto model = residualModel(dims, residualDims, true, false, seed++);
            assertThat(ops(optimize(model))).containsExactly(FUSED);
            assertExactlyEqual(model, Map.of("x", randomInput(dims, seed++, -2f, 2f),
                    "r", randomInput(residualDims, seed++, -1f, 1f)));
        }
    }

    @Test
    void sharedInputKeepsGeluChainSeparate() {
        Random random = new Random(110);
        long[] dims = {5, 24};
        Graphs g = Graphs.opset(20).input("x", DataType.FLOAT, dims)
                .node("DynamicQuantizeLinear", List.of("x"), List.of("xq", "xs", "xz"));
        chain(g, random, 24, new Chain("q", 16, DataType.INT8, true, true, false));
        chain(g, random, 24, new Chain("k", 8, DataType.UINT8, false, false, true));
        chainNodes(g, random, 24, new Chain("m", 12, DataType.INT8, false, true, false));
        ModelProto model = g.node("Gelu", List.of("m"), List.of("y")).output("y").build();
        ModelProto optimized = optimize(model);
        assertThat(ops(optimized)).containsExactly(FUSED, FUSED);
        assertThat(optimized.getGraph().getNode(0).getOutputList()).containsExactly("q", "k");
        assertThat(optimized.getGraph().getNode(1).getOutputList()).containsExactly("y");
        assertExactlyEqual(model, randomInput(dims, 111, -3f, 1f));
    }

    @Test
    void sharedInputWithLongInnerDimensionIsExact() {
        // As in longInnerDimensionRunsInInt, but for a node with several outputs of
        // different weight types, so the int product fills each output's columns.
        long[] dims = {3, 1100};
        ModelProto model = model(dims, 120, new Chain("q", 17, DataType.INT8, true, true, false),
                new Chain("k", 9, DataType.UINT8, true, false, true), new Chain("v", 16, DataType.INT8, false, true,
                        false));
        assertThat(ops(optimize(model))).containsExactly(FUSED);
        assertExactlyEqual(model, randomInput(dims, 121, 100f, 101f));
        assertExactlyEqual(model, randomInput(dims, 122, -1f, 1f));
    }

    @Test
    void emptyBatchGivesEmptyOutputs() {
        long[] dims = {0, 12};
        ModelProto model = model(dims, 130, new Chain("q", 5, DataType.INT8, true, true, false),
                new Chain("k", 3, DataType.UINT8, false, false, false));
        Result result = Graphs.run(model, OptimizationLevel.ALL, Map.of("x", randomInput(dims, 131, 0f, 1f)));
        assertThat(result.tensor("q").shape()).containsExactly(0, 5);
        assertThat(result.tensor("k").shape()).containsExactly(0, 3);
    }
}
