package dev.jonnx.runtime.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.tensor.Limits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ShapesSizeTest {

    @AfterEach
    void restore() {
        Limits.setMaxElements(Limits.ARRAY_MAX);
    }

    @Test
    void zeroDimensionMakesShapeEmpty() {
        Limits.setMaxElements(1000);
        assertThat(Shapes.size(new int[] {2000, 0})).isZero();
        assertThat(Shapes.size(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, 0})).isZero();
    }

    @Test
    void shapeAboveLimitRejected() {
        Limits.setMaxElements(1000);
        assertThat(Shapes.size(new int[] {10, 100})).isEqualTo(1000);
        assertThatThrownBy(() -> Shapes.size(new int[] {2000, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2000 elements, above the limit of 1000");
    }
}
