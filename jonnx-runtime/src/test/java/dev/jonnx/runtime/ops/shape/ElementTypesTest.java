package dev.jonnx.runtime.ops.shape;

import static dev.jonnx.runtime.testing.TestTensors.longs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import org.junit.jupiter.api.Test;

/** Movement operators on storage types that the per-operator tests do not cover. */
class ElementTypesTest {

    @Test
    void concatFloat8AndBool() {
        Tensor a = Tensor.of(DataType.FLOAT8E4M3FN, new int[] {1}, new byte[] {0x38});
        Tensor b = Tensor.of(DataType.FLOAT8E4M3FN, new int[] {2}, new byte[] {0x40, 0x48});
        Tensor y = NodeRunner.op("Concat", 21).attr("axis", 0L).run(a, b);
        assertThat(y.type()).isEqualTo(DataType.FLOAT8E4M3FN);
        assertThat(y.bytes()).containsExactly(0x38, 0x40, 0x48);

        Tensor flags = NodeRunner.op("Concat", 13).attr("axis", 0L).run(
                Tensor.of(new boolean[] {true}, 1), Tensor.of(new boolean[] {false, true}, 2));
        assertThat(flags.booleans()).containsExactly(true, false, true);
    }

    @Test
    void splitComplex128() {
        Tensor x = Tensor.of(DataType.COMPLEX128, new int[] {2},
                new double[] {1, 2, 3, 4});
        Value[] parts = NodeRunner.op("Split", 13).outputs(2).runAll(x);
        assertThat(((Tensor) parts[0]).doubles()).containsExactly(1, 2);
        assertThat(((Tensor) parts[1]).doubles()).containsExactly(3, 4);
    }

    @Test
    void sliceReversesInt4() {
        Tensor x = Tensor.of(DataType.INT4, new int[] {4}, new byte[] {-8, -1, 3, 7});
        Tensor y = NodeRunner.op("Slice", 13).run(x, longs(-1), longs(Long.MIN_VALUE), null,
                longs(-1));
        assertThat(y.type()).isEqualTo(DataType.INT4);
        assertThat(y.bytes()).containsExactly(7, 3, -1, -8);
    }

    @Test
    void padComplexEdge() {
        Tensor x = Tensor.of(DataType.COMPLEX64, new int[] {2}, new float[] {1, -1, 2, -2});
        Tensor y = NodeRunner.op("Pad", 19).attr("mode", "edge").run(x, longs(1, 1));
        assertThat(y.floats()).containsExactly(1, -1, 1, -1, 2, -2, 2, -2);
    }

    @Test
    void tileFloat16Bits() {
        Tensor x = Tensor.of(DataType.FLOAT16, new int[] {1}, new short[] {(short) 0xBC00});
        Tensor y = NodeRunner.op("Tile", 13).run(x, longs(3));
        assertThat(y.shorts()).containsExactly((short) 0xBC00, (short) 0xBC00, (short) 0xBC00);
    }

    @Test
    void gatherElementsUint64AndScatterNdBool() {
        Tensor x = Tensor.of(DataType.UINT64, new int[] {3}, new long[] {-1L, 5, 6});
        Tensor y = NodeRunner.op("GatherElements", 13).run(x, longs(0, 0));
        assertThat(y.type()).isEqualTo(DataType.UINT64);
        assertThat(y.longs()).containsExactly(-1L, -1L);

        Tensor flags = NodeRunner.op("ScatterND", 16).attr("reduction", "add").run(
                Tensor.of(new boolean[] {false, false}, 2), Tensor.of(new long[] {1}, 1, 1),
                Tensor.of(new boolean[] {true}, 1));
        assertThat(flags.booleans()).containsExactly(false, true);
    }

    @Test
    void constantStringAndInts() {
        Tensor s = NodeRunner.op("Constant", 13).attr("value_string", "hi").run();
        assertThat(s.shape()).isEmpty();
        assertThat(s.strings()).containsExactly("hi");
        Tensor ints = NodeRunner.op("Constant", 12).attr("value_ints", new long[] {3, -4}).run();
        assertThat(ints.longs()).containsExactly(3, -4);
        Tensor f = NodeRunner.op("Constant", 12).attr("value_float", 2.5f).run();
        assertThat(f.floats()).containsExactly(2.5f);
    }
}
