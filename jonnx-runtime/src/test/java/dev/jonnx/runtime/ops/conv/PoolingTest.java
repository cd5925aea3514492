package dev.jonnx.runtime.ops.conv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.ModelCheckException;
import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import org.junit.jupiter.api.Test;

/** Pooling, unpooling, LRN and RoI kernels on small cases worked out by hand. */
class PoolingTest {

    private static Tensor row(float... values) {
        return Tensor.of(values, 1, 1, values.length);
    }

    @Test
    void maxPoolIndicesInBothStorageOrders() {
        Tensor x = Tensor.of(new float[] {1, 5, 2, 4, 3, 6}, 1, 1, 2, 3);
        Value[] rowMajor = NodeRunner.op("MaxPool", 12).attr("kernel_shape", 2L, 2L).outputs(2).runAll(x);
        Value[] columnMajor = NodeRunner.op("MaxPool", 12).attr("kernel_shape", 2L, 2L)
                .attr("storage_order", 1L).outputs(2).runAll(x);
        assertThat(((Tensor) rowMajor[0]).floats()).containsExactly(5, 6);
        assertThat(((Tensor) rowMajor[1]).longs()).containsExactly(1, 5);
        assertThat(((Tensor) columnMajor[1]).longs()).containsExactly(2, 5);
    }

    @Test
    void maxPoolUint8ReadsUnsigned() {
        Tensor x = Tensor.of(DataType.UINT8, new int[] {1, 1, 2},
                new byte[] {(byte) 200, 100});
        Tensor y = NodeRunner.op("MaxPool", 12).attr("kernel_shape", new long[] {2L}).run(x);
        assertThat(y.type()).isEqualTo(DataType.UINT8);
        assertThat(y.getLong(0)).isEqualTo(200);
    }

    @Test
    void maxPoolRejectsInt64() {
        Tensor x = Tensor.of(new long[] {1, 2}, 1, 1, 2);
        assertThatThrownBy(() -> NodeRunner.op("MaxPool", 12).attr("kernel_shape", new long[] {2L}).run(x))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(or int8, uint8)");
    }

    @Test
    void averagePoolCountIncludePad() {
        Tensor x = row(2, 4);
        Tensor excluded = NodeRunner.op("AveragePool", 19).attr("kernel_shape", new long[] {2L})
                .attr("pads", 1L, 1L).run(x);
        Tensor included = NodeRunner.op("AveragePool", 19).attr("kernel_shape", new long[] {2L})
                .attr("pads", 1L, 1L).attr("count_include_pad", 1L).run(x);
        assertThat(excluded.floats()).containsExactly(2, 3, 4);
        assertThat(included.floats()).containsExactly(1, 3, 2);
    }

    @Test
    void averagePoolCeilMode() {
        Tensor x = row(1, 2, 3, 4, 5);
        Tensor floor = NodeRunner.op("AveragePool", 19).attr("kernel_shape", new long[] {2L})
                .attr("strides", new long[] {2L}).run(x);
        Tensor ceil = NodeRunner.op("AveragePool", 19).attr("kernel_shape", new long[] {2L})
                .attr("strides", new long[] {2L}).attr("ceil_mode", 1L).run(x);
        assertThat(floor.floats()).containsExactly(1.5f, 3.5f);
        assertThat(ceil.floats()).containsExactly(1.5f, 3.5f, 5);
    }

    @Test
    void lpPoolIntegerAndFloatExponent() {
        Tensor x = row(-1, 2, -2);
        Tensor p1 = NodeRunner.op("LpPool", 18).attr("kernel_shape", new long[] {3L}).attr("p", 1L).run(x);
        Tensor p2 = NodeRunner.op("LpPool", 1).attr("kernel_shape", new long[] {3L}).attr("p", 2f).run(x);
        assertThat(p1.floats()).containsExactly(5);
        assertThat(p2.floats()).containsExactly(3);
    }

    @Test
    void poolRejectsBadAutoPad() {
        assertThatThrownBy(() -> NodeRunner.op("MaxPool", 12).attr("kernel_shape", new long[] {2L})
                .attr("auto_pad", "SAME").run(row(1, 2)))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("auto_pad");
    }

    @Test
    void poolRejectsMissingKernelShape() {
        assertThatThrownBy(() -> NodeRunner.op("AveragePool", 19).run(row(1, 2)))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("kernel_shape");
    }

    @Test
    void globalPools() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, -4, 5, 6, 7, 8}, 1, 2, 2, 2);
        Tensor average = NodeRunner.op("GlobalAveragePool", 22).run(x);
        Tensor max = NodeRunner.op("GlobalMaxPool", 22).run(x);
        Tensor lp = NodeRunner.op("GlobalLpPool", 2).attr("p", 1L).run(x);
        assertThat(average.shape()).containsExactly(1, 2, 1, 1);
        assertThat(average.floats()).containsExactly(0.5f, 6.5f);
        assertThat(max.floats()).containsExactly(3, 8);
        assertThat(lp.floats()).containsExactly(10, 26);
    }

    @Test
    void maxUnpoolDefaultShape() {
        Tensor x = Tensor.of(new float[] {7}, 1, 1, 1, 1);
        Tensor indices = Tensor.of(new long[] {3}, 1, 1, 1, 1);
        Tensor y = NodeRunner.op("MaxUnpool", 22).attr("kernel_shape", 2L, 2L)
                .attr("strides", 2L, 2L).run(x, indices);
        assertThat(y.shape()).containsExactly(1, 1, 2, 2);
        assertThat(y.floats()).containsExactly(0, 0, 0, 7);
    }

    @Test
    void maxUnpoolRejectsIndexOutOfRange() {
        Tensor x = Tensor.of(new float[] {7}, 1, 1, 1, 1);
        Tensor indices = Tensor.of(new long[] {4}, 1, 1, 1, 1);
        assertThatThrownBy(() -> NodeRunner.op("MaxUnpool", 22).attr("kernel_shape", 2L, 2L)
                .attr("strides", 2L, 2L).run(x, indices))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out of range");
    }

    @Test
    void lrnAcrossChannels() {
        Tensor x = Tensor.of(new float[] {1, 2}, 1, 2, 1, 1);
        Tensor y = NodeRunner.op("LRN", 13).attr("size", 3L).attr("alpha", 3f)
                .attr("beta", 1f).attr("bias", 1f).run(x);
        assertThat(y.floats()[0]).isCloseTo(1 / 6f, within(1e-6f));
        assertThat(y.floats()[1]).isCloseTo(2 / 6f, within(1e-6f));
    }

    @Test
    void maxRoiPoolWholeImage() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        Tensor rois = Tensor.of(new float[] {0, 0, 0, 2, 2}, 1, 5);
        Tensor y = NodeRunner.op("MaxRoiPool", 22).attr("pooled_shape", 2L, 2L).run(x, rois);
        assertThat(y.shape()).containsExactly(1, 1, 2, 2);
        assertThat(y.floats()).containsExactly(5, 6, 8, 9);
    }

    @Test
    void roiAlignAverageOfConstant() {
        Tensor x = Tensor.of(new float[] {3, 3, 3, 3}, 1, 1, 2, 2);
        Tensor rois = Tensor.of(new float[] {0, 0, 1, 1}, 1, 4);
        Tensor batch = Tensor.of(new long[] {0}, 1);
        Tensor y = NodeRunner.op("RoiAlign", 16).attr("output_height", 2L)
                .attr("output_width", 2L).run(x, rois, batch);
        assertThat(y.floats()).containsExactly(3, 3, 3, 3);
    }

    @Test
    void roiAlignRejectsBatchIndexOutOfRange() {
        Tensor x = Tensor.of(new float[] {3, 3, 3, 3}, 1, 1, 2, 2);
        Tensor rois = Tensor.of(new float[] {0, 0, 1, 1}, 1, 4);
        Tensor batch = Tensor.of(new long[] {1}, 1);
        assertThatThrownBy(() -> NodeRunner.op("RoiAlign", 16).run(x, rois, batch))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch_indices");
    }
}
