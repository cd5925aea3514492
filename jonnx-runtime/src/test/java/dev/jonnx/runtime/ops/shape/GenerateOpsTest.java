package dev.jonnx.runtime.ops.shape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.ModelCheckException;
import dev.jonnx.UnsupportedOperatorException;
import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.FloatFormats;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import org.junit.jupiter.api.Test;

class GenerateOpsTest {

    @Test
    void constantFromEachAttributeKind() {
        Tensor floats = NodeRunner.op("Constant", 13).attr("value_floats", new float[] {1, 2}).run();
        assertThat(floats.shape()).containsExactly(2);
        assertThat(floats.floats()).containsExactly(1, 2);

        Tensor integer = NodeRunner.op("Constant", 13).attr("value_int", 7L).run();
        assertThat(integer.shape()).isEmpty();
        assertThat(integer.longs()).containsExactly(7);

        Tensor strings = NodeRunner.op("Constant", 13)
                .attr("value_strings", new String[] {"a", "b"}).run();
        assertThat(strings.strings()).containsExactly("a", "b");

        Tensor tensor = NodeRunner.op("Constant", 1)
                .attr("value", Tensor.of(new double[] {1.5, 2.5}, 2, 1)).run();
        assertThat(tensor.shape()).containsExactly(2, 1);
        assertThat(tensor.doubles()).containsExactly(1.5, 2.5);
    }

    @Test
    void constantRejectsMissingOrSparseValue() {
        assertThatThrownBy(() -> NodeRunner.op("Constant", 13).kernel(new Value[0]))
                .isInstanceOf(ModelCheckException.class).hasMessageContaining("got none");
        assertThatThrownBy(() -> NodeRunner.op("Constant", 13).attr("value_int", 1L)
                .attr("value_float", 1f).kernel(new Value[0])).hasMessageContaining("exactly one");
        assertThatThrownBy(() -> NodeRunner.op("Constant", 13)
                .attr("sparse_value", Tensor.scalar(1f)).kernel(new Value[0]))
                .isInstanceOf(UnsupportedOperatorException.class);
    }

    @Test
    void constantOfShapeDefaultsToFloatZero() {
        Tensor y = NodeRunner.op("ConstantOfShape", 9).run(Tensor.of(new long[] {2, 1}, 2));
        assertThat(y.type()).isEqualTo(DataType.FLOAT);
        assertThat(y.floats()).containsExactly(0, 0);
    }

    @Test
    void constantOfShapeWithValueAndEmptyShape() {
        Tensor y = NodeRunner.op("ConstantOfShape", 20).attr("value", Tensor.of(new long[] {4}, 1))
                .run(Tensor.of(new long[0], 0));
        assertThat(y.shape()).isEmpty();
        assertThat(y.longs()).containsExactly(4);
        assertThatThrownBy(() -> NodeRunner.op("ConstantOfShape", 9)
                .run(Tensor.of(new long[] {-1}, 1))).hasMessageContaining("negative");
    }

    @Test
    void eyeLikeWithOffsetsAndType() {
        Tensor y = NodeRunner.op("EyeLike", 22).attr("k", 1L).run(Tensor.of(new float[6], 2, 3));
        assertThat(y.floats()).containsExactly(0, 1, 0, 0, 0, 1);
        Tensor z = NodeRunner.op("EyeLike", 9).attr("k", -1L).attr("dtype", 6L)
                .run(Tensor.of(new float[6], 3, 2));
        assertThat(z.type()).isEqualTo(DataType.INT32);
        assertThat(z.ints()).containsExactly(0, 0, 1, 0, 0, 1);
    }

    @Test
    void rangeIntegersAndFloats() {
        Tensor down = NodeRunner.op("Range", 11).run(Tensor.of(new int[] {10}), Tensor.of(
                new int[] {4}), Tensor.of(new int[] {-2}));
        assertThat(down.type()).isEqualTo(DataType.INT32);
        assertThat(down.ints()).containsExactly(10, 8, 6);

        Tensor up = NodeRunner.op("Range", 11).run(Tensor.scalar(3f), Tensor.scalar(9f),
                Tensor.scalar(3f));
        assertThat(up.floats()).containsExactly(3, 6);

        Tensor none = NodeRunner.op("Range", 11).run(Tensor.scalar(3L), Tensor.scalar(1L),
                Tensor.scalar(1L));
        assertThat(none.shape()).containsExactly(0);

        assertThatThrownBy(() -> NodeRunner.op("Range", 11).run(Tensor.scalar(1L),
                Tensor.scalar(2L), Tensor.scalar(0L))).hasMessageContaining("must not be 0");
    }

    @Test
    void rangeFloat16() {
        short one = (short) FloatFormats.fromFloat(DataType.FLOAT16, 1f, true);
        short zero = 0;
        short three = (short) FloatFormats.fromFloat(DataType.FLOAT16, 3f, true);
        Tensor y = NodeRunner.op("Range", 27).run(
                Tensor.of(DataType.FLOAT16, new int[0], new short[] {zero}),
                Tensor.of(DataType.FLOAT16, new int[0], new short[] {three}),
                Tensor.of(DataType.FLOAT16, new int[0], new short[] {one}));
        assertThat(y.type()).isEqualTo(DataType.FLOAT16);
        assertThat(y.toFloatArray()).containsExactly(0, 1, 2);
    }

    @Test
    void oneHotNegativeAndOutOfRange() {
        Tensor y = NodeRunner.op("OneHot", 11).run(Tensor.of(new long[] {0, -1, 5}, 3),
                Tensor.scalar(3f), Tensor.of(new float[] {0, 1}, 2));
        assertThat(y.shape()).containsExactly(3, 3);
        assertThat(y.floats()).containsExactly(1, 0, 0, 0, 0, 1, 0, 0, 0);
    }

    @Test
    void oneHotFirstAxisAndOpset9() {
        Tensor y = NodeRunner.op("OneHot", 11).attr("axis", 0L).run(
                Tensor.of(new long[] {0, -1, 5}, 3), Tensor.scalar(3L),
                Tensor.of(new long[] {-1, 7}, 2));
        assertThat(y.longs()).containsExactly(7, -1, -1, -1, -1, -1, -1, 7, -1);
        Tensor old = NodeRunner.op("OneHot", 9).run(Tensor.of(new long[] {-1}, 1),
                Tensor.scalar(2L), Tensor.of(new long[] {0, 1}, 2));
        assertThat(old.longs()).containsExactly(0, 0);
    }
}
