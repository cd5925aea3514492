package dev.jonnx.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.ModelCheckException;
import dev.jonnx.io.TensorProtos;
import dev.jonnx.onnx.TensorProto;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LimitsTest {

    @AfterEach
    void restore() {
        Limits.setMaxElements(Limits.ARRAY_MAX);
    }

    @Test
    void decodeRejectsTensorAboveLimitBeforeReadingData() {
        Limits.setMaxElements(1000);
        // No data at all: the shape alone must be rejected, before any allocation.
        TensorProto huge = TensorProto.newBuilder().setName("w").setDataType(DataType.FLOAT.code())
                .addDims(100).addDims(100).build();
        assertThatThrownBy(() -> TensorProtos.toTensor(huge))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("10000 elements, above the limit of 1000");
    }

    @Test
    void zeroDimensionAfterLargeOnesIsEmpty() {
        Limits.setMaxElements(1000);
        assertThat(Tensor.sizeOf(new int[] {2000, 0})).isZero();
        assertThat(Tensor.sizeOf(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, 0})).isZero();
        assertThat(TensorProtos.shapeOf(java.util.List.of(2000L, 0L), "tensor 'w'"))
                .containsExactly(2000, 0);
        assertThat(TensorProtos.shapeOf(
                java.util.List.of((long) Integer.MAX_VALUE, (long) Integer.MAX_VALUE, 0L), "tensor 'w'"))
                .containsExactly(Integer.MAX_VALUE, Integer.MAX_VALUE, 0);
    }

    @Test
    void largeShapeWithoutZeroIsStillRejected() {
        Limits.setMaxElements(1000);
        assertThatThrownBy(() -> Tensor.sizeOf(new int[] {2000, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2000 elements, above the limit of 1000");
        assertThatThrownBy(() -> Tensor.sizeOf(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, 4}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than");
    }

    @Test
    void overflowingDimensionsAreRejected() {
        TensorProto overflow = TensorProto.newBuilder().setName("w").setDataType(DataType.FLOAT.code())
                .addDims(1L << 31).addDims(1L << 31).addDims(1L << 31).build();
        assertThatThrownBy(() -> TensorProtos.toTensor(overflow))
                .isInstanceOf(dev.jonnx.OnnxException.class)
                .hasMessageContaining("tensor 'w'");
    }

    @Test
    void allocationAboveLimitIsRejected() {
        Limits.setMaxElements(50);
        assertThatThrownBy(() -> Tensor.zeros(DataType.FLOAT, 10, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("above the limit of 50");
        assertThat(Tensor.zeros(DataType.FLOAT, 5, 10).size()).isEqualTo(50);
    }

    @Test
    void nonPositiveLimitIsRejected() {
        assertThatThrownBy(() -> Limits.setMaxElements(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
