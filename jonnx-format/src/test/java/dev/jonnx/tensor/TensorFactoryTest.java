package dev.jonnx.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import org.junit.jupiter.api.Test;

class TensorFactoryTest {

    @Test
    void buffersAreCopiedFromPositionWithoutMovingIt() {
        FloatBuffer floats = FloatBuffer.wrap(new float[] {9, 1, 2, 3, 4});
        floats.position(1);
        Tensor t = Tensor.of(floats, 2, 2);
        assertThat(t.floats()).containsExactly(1, 2, 3, 4);
        assertThat(floats.position()).isEqualTo(1);
        assertThat(Tensor.of(LongBuffer.wrap(new long[] {5, 6}), 2).longs()).containsExactly(5, 6);
    }

    @Test
    void bytesDecodeLittleEndianAndPackedTypes() {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).flip();
        assertThat(Tensor.fromBytes(DataType.FLOAT, b, 2).floats()).containsExactly(1.5f, -2f);
        // Two int4 values per byte, the first in the low nibble: 0xF2 is 2 then -1.
        Tensor int4 = Tensor.fromBytes(DataType.INT4, ByteBuffer.wrap(new byte[] {(byte) 0xF2}), 2);
        assertThat(int4.bytes()).containsExactly(2, -1);
    }

    @Test
    void wrongByteCountIsRejected() {
        assertThatThrownBy(() -> Tensor.fromBytes(DataType.FLOAT, ByteBuffer.allocate(6), 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs 8 bytes");
    }

    @Test
    void nullArgumentsAreNamed() {
        // The JVM's own message may name the variable too, so the check is on the whole message.
        assertThatThrownBy(() -> Tensor.of(null, new int[] {1}, new float[1]))
                .isInstanceOf(NullPointerException.class).hasMessage("type must not be null");
        assertThatThrownBy(() -> Tensor.of(new float[1], (int[]) null))
                .isInstanceOf(NullPointerException.class).hasMessage("shape must not be null");
        assertThatThrownBy(() -> Tensor.of((FloatBuffer) null, 1))
                .isInstanceOf(NullPointerException.class).hasMessage("buffer must not be null");
        assertThatThrownBy(() -> Tensor.fromBytes(DataType.FLOAT, null, 1))
                .isInstanceOf(NullPointerException.class).hasMessage("bytes must not be null");
        assertThatThrownBy(() -> Tensor.zeros(null, 1))
                .isInstanceOf(NullPointerException.class).hasMessage("type must not be null");
        assertThatThrownBy(() -> Tensor.fromDoubles(DataType.FLOAT, new int[] {1}, null))
                .isInstanceOf(NullPointerException.class).hasMessage("values must not be null");
        assertThatThrownBy(() -> Tensor.fromFloats(DataType.FLOAT16, new int[] {1}, null))
                .isInstanceOf(NullPointerException.class).hasMessage("values must not be null");
        assertThatThrownBy(() -> Tensor.fromLongs(DataType.INT8, new int[] {1}, null))
                .isInstanceOf(NullPointerException.class).hasMessage("values must not be null");
    }

    @Test
    void nullArrayIsRejectedWithType() {
        assertThatThrownBy(() -> Tensor.of((float[]) null, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a float[], got null");
    }
}
