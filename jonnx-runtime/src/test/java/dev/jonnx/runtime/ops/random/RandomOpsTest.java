package dev.jonnx.runtime.ops.random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.ModelCheckException;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import org.junit.jupiter.api.Test;

class RandomOpsTest {

    private static Tensor runKernel(Kernel kernel, Value... inputs) {
        return (Tensor) kernel.run(inputs, new RunContext(null, RunContext.RunControl.unlimited()))[0];
    }

    @Test
    void uniformStaysInRangeWithShapeAndType() {
        Tensor y = NodeRunner.op("RandomUniform", 22).attr("shape", new long[] {50, 4})
                .attr("low", -2f).attr("high", 3f).attr("dtype", (long) DataType.DOUBLE.code()).run();
        assertThat(y.type()).isEqualTo(DataType.DOUBLE);
        assertThat(y.shape()).containsExactly(50, 4);
        for (double v : y.doubles()) {
            assertThat(v).isBetween(-2.0, 3.0);
        }
    }

    @Test
    void seededNodeRepeatsItsValues() {
        Kernel kernel = NodeRunner.op("RandomNormal", 1).attr("shape", new long[] {8})
                .attr("seed", 3f).kernel();
        Tensor first = runKernel(kernel);
        Tensor second = runKernel(kernel);
        assertThat(second.floats()).containsExactly(first.floats());
    }

    @Test
    void differentSeedsDiffer() {
        Tensor a = NodeRunner.op("RandomNormal", 22).attr("shape", new long[] {8}).attr("seed", 1f).run();
        Tensor b = NodeRunner.op("RandomNormal", 22).attr("shape", new long[] {8}).attr("seed", 2f).run();
        assertThat(a.floats()).isNotEqualTo(b.floats());
    }

    @Test
    void normalMomentsRoughlyMatch() {
        Tensor y = NodeRunner.op("RandomNormal", 22).attr("shape", new long[] {20000})
                .attr("mean", 5f).attr("scale", 2f).attr("seed", 7f).run();
        double sum = 0;
        double squares = 0;
        for (float v : y.floats()) {
            sum += v;
            squares += v * v;
        }
        double mean = sum / y.size();
        double variance = squares / y.size() - mean * mean;
        assertThat(mean).isCloseTo(5.0, within(0.1));
        assertThat(variance).isCloseTo(4.0, within(0.2));
    }

    @Test
    void likeFormsCopyShapeAndType() {
        Tensor input = Tensor.of(new double[6], 2, 3);
        Tensor normal = NodeRunner.op("RandomNormalLike", 1).run(input);
        assertThat(normal.type()).isEqualTo(DataType.DOUBLE);
        assertThat(normal.shape()).containsExactly(2, 3);
        Tensor uniform = NodeRunner.op("RandomUniformLike", 22)
                .attr("dtype", (long) DataType.FLOAT16.code()).run(input);
        assertThat(uniform.type()).isEqualTo(DataType.FLOAT16);
    }

    @Test
    void likeFormRejectsIntegerInputWithoutDtype() {
        NodeRunner node = NodeRunner.op("RandomUniformLike", 22);
        assertThatThrownBy(() -> node.run(Tensor.of(new long[] {1}, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dtype");
    }

    @Test
    void uniformRejectsLowAboveHigh() {
        NodeRunner node = NodeRunner.op("RandomUniform", 22).attr("shape", new long[] {1})
                .attr("low", 2f).attr("high", 1f);
        assertThatThrownBy(() -> node.run()).isInstanceOf(ModelCheckException.class);
    }

    @Test
    void bernoulliExtremesAreExact() {
        Tensor p = Tensor.of(new float[] {0, 1, 0, 1}, 4);
        Tensor y = NodeRunner.op("Bernoulli", 15).attr("dtype", (long) DataType.BOOL.code()).run(p);
        assertThat(y.booleans()).containsExactly(false, true, false, true);
        Tensor same = NodeRunner.op("Bernoulli", 22).run(p);
        assertThat(same.type()).isEqualTo(DataType.FLOAT);
        assertThat(same.floats()).containsExactly(0f, 1f, 0f, 1f);
    }

    @Test
    void bernoulliRejectsProbabilityAboveOne() {
        NodeRunner node = NodeRunner.op("Bernoulli", 22);
        assertThatThrownBy(() -> node.run(Tensor.of(new float[] {1.5f}, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[0, 1]");
    }

    @Test
    void multinomialPicksOnlyPossibleClasses() {
        float never = Float.NEGATIVE_INFINITY;
        Tensor logits = Tensor.of(new float[] {never, 0, never, 0, never, never}, 2, 3);
        Tensor y = NodeRunner.op("Multinomial", 7).attr("sample_size", 5L)
                .attr("dtype", (long) DataType.INT64.code()).run(logits);
        assertThat(y.type()).isEqualTo(DataType.INT64);
        assertThat(y.shape()).containsExactly(2, 5);
        assertThat(y.longs()).containsExactly(1, 1, 1, 1, 1, 0, 0, 0, 0, 0);
    }

    @Test
    void multinomialDefaultsToInt32() {
        Tensor y = NodeRunner.op("Multinomial", 22).run(Tensor.of(new float[] {0, 0}, 1, 2));
        assertThat(y.type()).isEqualTo(DataType.INT32);
        assertThat(y.shape()).containsExactly(1, 1);
        assertThat(y.ints()[0]).isBetween(0, 1);
    }

    @Test
    void multinomialRejectsFloatDtype() {
        NodeRunner node = NodeRunner.op("Multinomial", 22).attr("dtype", (long) DataType.FLOAT.code());
        assertThatThrownBy(() -> node.run(Tensor.of(new float[] {0}, 1, 1)))
                .isInstanceOf(ModelCheckException.class);
    }
}
