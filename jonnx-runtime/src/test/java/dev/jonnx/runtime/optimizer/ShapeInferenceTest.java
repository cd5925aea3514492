package dev.jonnx.runtime.optimizer;

import static dev.jonnx.runtime.optimizer.Graphs.attr;
import static dev.jonnx.runtime.optimizer.Graphs.ints;
import static dev.jonnx.runtime.optimizer.Graphs.ramp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.io.TensorProtos;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.tensor.DataType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShapeInferenceTest {

    /** Returns the inferred dimensions of y = Conv(x, w) for x of shape [1, 2, 7, 10] and w of shape [3, 2, 3, 2]. */
    private static long[] convDims(AttributeProto... attrs) {
        ModelProto model = Graphs.opset(13).input("x", DataType.FLOAT, 1, 2, 7, 10).constant("w", ramp(3, 2, 3, 2))
                .node("Conv", List.of("x", "w"), List.of("y"), attrs).output("y").build();
        GraphState graph = new GraphState(model.getGraph(), TensorProtos::toTensor);
        return ShapeInference.infer(graph, Map.of("", 13)).get("y").dims();
    }

    @Test
    void convSpatialSizesFollowPadsStridesAndDilations() {
        assertThat(convDims()).containsExactly(1, 3, 5, 9);
        // Height (7 + 1 + 1 - 3) / 2 + 1 = 4; width with dilation 3 spans 4: (10 + 0 + 2 - 4) / 1 + 1 = 9.
        assertThat(convDims(ints("pads", 1, 0, 1, 2), ints("strides", 2, 1), ints("dilations", 1, 3)))
                .containsExactly(1, 3, 4, 9);
        assertThat(convDims(attr("auto_pad", "VALID"), ints("strides", 3, 3))).containsExactly(1, 3, 2, 3);
    }

    @Test
    void convSpatialSizesUnderSamePaddingStayUnknown() {
        assertThat(convDims(attr("auto_pad", "SAME_UPPER"))).containsExactly(1, 3, -1, -1);
    }

    @Test
    void globalAveragePoolKeepsBatchAndChannels() {
        ModelProto model = Graphs.opset(13).input("x", DataType.FLOAT, 2, 5, 7, 3)
                .node("GlobalAveragePool", List.of("x"), List.of("y")).output("y").build();
        GraphState graph = new GraphState(model.getGraph(), TensorProtos::toTensor);
        assertThat(ShapeInference.infer(graph, Map.of("", 13)).get("y").dims()).containsExactly(2, 5, 1, 1);
    }
}
