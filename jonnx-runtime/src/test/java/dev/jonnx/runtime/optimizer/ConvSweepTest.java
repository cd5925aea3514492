package dev.jonnx.runtime.optimizer;

import static dev.jonnx.runtime.optimizer.Graphs.attr;
import static dev.jonnx.runtime.optimizer.Graphs.ints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.io.TensorProtos;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.runtime.SessionOptions.OptimizationLevel;
import dev.jonnx.runtime.testing.TestTensors;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Float Conv and ConvTranspose with constant weights over random geometries (1-D and 2-D,
 * strides, dilations, asymmetric pads, groups, few output positions), at levels NONE and ALL,
 * against the same model computed in double.
 */
class ConvSweepTest {

    private static Tensor values(DataType type, int[] shape, Random random) {
        return Tensor.fromDoubles(type, shape, TestTensors.gaussianDoubles(random, 1.0, Tensor.sizeOf(shape)));
    }

    private static ModelProto model(String op, DataType type, int[] xShape, int[] wShape, boolean bias,
            List<AttributeProto> attributes, long seed) {
        Random random = new Random(seed);
        long[] dims = Arrays.stream(xShape).asLongStream().toArray();
        int outChannels = op.equals("Conv") ? wShape[0] : wShape[1] * groupOf(attributes);
        Graphs g = Graphs.opset(17).input("x", type, dims).constant("w", values(type, wShape, random));
        List<String> inputs = new ArrayList<>(List.of("x", "w"));
        if (bias) {
            g.constant("b", values(type, new int[] {outChannels}, random));
            inputs.add("b");
        }
        return g.node(op, inputs, List.of("y"), attributes.toArray(AttributeProto[]::new)).output("y").build();
    }

    private static int groupOf(List<AttributeProto> attributes) {
        return attributes.stream().filter(a -> a.getName().equals("group")).mapToInt(a -> (int) a.getI())
                .findFirst().orElse(1);
    }

    private static void check(String op, int[] xShape, int[] wShape, boolean bias, List<AttributeProto> attributes,
            long seed, String label) {
        Tensor x = values(DataType.FLOAT, xShape, new Random(seed + 1));
        Tensor xDouble = Tensor.fromDoubles(DataType.DOUBLE, xShape, x.toDoubleArray());
        ModelProto reference = model(op, DataType.DOUBLE, xShape, wShape, bias, attributes, seed);
        ModelProto model = model(op, DataType.FLOAT, xShape, wShape, bias, attributes, seed);
        Tensor expected = Graphs.run(reference, OptimizationLevel.NONE, Map.of("x", xDouble)).tensor("y");
        ShapeInference.ValueType inferred = ShapeInference.infer(new GraphState(model.getGraph(), TensorProtos::toTensor),
                Map.of("", 17)).get("y");
        if (inferred != null && inferred.rankKnown()) {
            long[] dims = Arrays.stream(expected.shape()).asLongStream().toArray();
            for (int d = 0; d < dims.length; d++) {
                long inferredDim = inferred.dims()[d];
                assertThat(inferredDim).as("%s inferred dimension %d", label, d).isIn(-1L, dims[d]);
            }
        }
        for (OptimizationLevel level : List.of(OptimizationLevel.NONE, OptimizationLevel.ALL)) {
            Tensor actual = Graphs.run(model, level, Map.of("x", x)).tensor("y");
            assertThat(actual.shape()).as(label + " shape at " + level).isEqualTo(expected.shape());
            double[] e = expected.toDoubleArray();
            double[] a = actual.toDoubleArray();
            for (int i = 0; i < e.length; i++) {
                assertThat(a[i]).as("%s at %s, output %d", label, level, i)
                        .isCloseTo(e[i], within(1e-4 * (1 + Math.abs(e[i]))));
            }
        }
    }

    @Test
    void convGeometriesMatchDouble() {
        Random random = new Random(11);
        for (int t = 0; t < 120; t++) {
            int rank = 1 + random.nextInt(2);
            int group = new int[] {1, 1, 2, 3}[random.nextInt(4)];
            boolean depthwise = random.nextInt(5) == 0;
            int c = depthwise ? group * 1 : group * (1 + random.nextInt(5));
            int m = depthwise ? group : group * (1 + random.nextInt(6));
            int[] xShape = new int[2 + rank];
            int[] wShape = new int[2 + rank];
            xShape[0] = 1 + random.nextInt(2);
            xShape[1] = c;
            wShape[0] = m;
            wShape[1] = c / group;
            long[] strides = new long[rank];
            long[] dilations = new long[rank];
            long[] pads = new long[2 * rank];
            for (int d = 0; d < rank; d++) {
                int k = 1 + random.nextInt(4);
                wShape[2 + d] = k;
                strides[d] = random.nextInt(3) == 0 ? 2 : 1;
                dilations[d] = random.nextInt(4) == 0 ? 2 : 1;
                pads[d] = random.nextInt(3);
                pads[d + rank] = random.nextInt(3);
                int span = (int) ((k - 1) * dilations[d] + 1);
                xShape[2 + d] = Math.max(1, span - (int) (pads[d] + pads[d + rank])) + random.nextInt(9);
            }
            String autoPad = new String[] {"NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"}[random.nextInt(5)];
            List<AttributeProto> attributes = List.of(attr("group", (long) group), ints("strides", strides),
                    ints("dilations", dilations), autoPad.equals("NOTSET") ? ints("pads", pads) : attr("auto_pad", autoPad));
            String label = "conv x " + Arrays.toString(xShape) + " w " + Arrays.toString(wShape) + " group " + group
                    + " strides " + Arrays.toString(strides) + " dilations " + Arrays.toString(dilations) + " pads "
                    + (autoPad.equals("NOTSET") ? Arrays.toString(pads) : autoPad);
            check("Conv", xShape, wShape, random.nextBoolean(), attributes, t, label);
        }
    }

    @Test
    void convTransposeGeometriesMatchDouble() {
        Random random = new Random(12);
        for (int t = 0; t < 80; t++) {
            int rank = 1 + random.nextInt(2);
            int group = new int[] {1, 1, 2}[random.nextInt(3)];
            int c = group * (1 + random.nextInt(4));
            int mg = 1 + random.nextInt(4);
            int[] xShape = new int[2 + rank];
            int[] wShape = new int[2 + rank];
            xShape[0] = 1 + random.nextInt(2);
            xShape[1] = c;
            wShape[0] = c;
            wShape[1] = mg;
            long[] strides = new long[rank];
            long[] dilations = new long[rank];
            long[] pads = new long[2 * rank];
            long[] outputPadding = new long[rank];
            for (int d = 0; d < rank; d++) {
                int k = 1 + random.nextInt(4);
                wShape[2 + d] = k;
                xShape[2 + d] = 1 + random.nextInt(6);
                strides[d] = 1 + random.nextInt(3);
                dilations[d] = random.nextInt(4) == 0 ? 2 : 1;
                pads[d] = random.nextInt(Math.min(k, 2));
                pads[d + rank] = random.nextInt(Math.min(k, 2));
                outputPadding[d] = random.nextInt((int) Math.max(strides[d], dilations[d]));
            }
            List<AttributeProto> attributes = List.of(attr("group", (long) group), ints("strides", strides),
                    ints("dilations", dilations), ints("pads", pads), ints("output_padding", outputPadding));
            String label = "convT x " + Arrays.toString(xShape) + " w " + Arrays.toString(wShape) + " group " + group
                    + " strides " + Arrays.toString(strides) + " dilations " + Arrays.toString(dilations) + " pads "
                    + Arrays.toString(pads) + " output_padding " + Arrays.toString(outputPadding);
            check("ConvTranspose", xShape, wShape, random.nextBoolean(), attributes, t, label);
        }
    }
}
