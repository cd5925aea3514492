package dev.jonnx.runtime.ops.math;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.runtime.testing.TestTensors;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The float operators on inputs large enough to be split over two threads, against the same
 * formula evaluated in double element by element.
 */
class FloatFastPathTest {
    static final ExecutorService POOL = Executors.newFixedThreadPool(2);

    @AfterAll
    static void stopPool() {
        POOL.shutdown();
    }

    /** Returns values in [-4, 4) with a NaN at index 7 and every 101st index after it. */
    static Tensor random(Random random, int... shape) {
        Tensor tensor = TestTensors.uniformTensor(random, -4, 4, shape);
        float[] values = tensor.floats();
        for (int i = 7; i < values.length; i += 101) {
            values[i] = Float.NaN;
        }
        return tensor;
    }

    /** Evaluates a broadcast of a rank-4 A with B of shape (1|C, 1|H, 1|W) in double. */
    static float[] broadcast(Tensor a, Tensor b, DoubleBinaryOperator f) {
        int[] s = a.shape();
        int[] t = b.shape();
        float[] x = a.floats();
        float[] y = b.floats();
        float[] out = new float[x.length];
        int i = 0;
        for (int n = 0; n < s[0]; n++) {
            for (int c = 0; c < s[1]; c++) {
                for (int h = 0; h < s[2]; h++) {
                    for (int w = 0; w < s[3]; w++) {
                        int j = ((t[0] == 1 ? 0 : c) * t[1] + (t[1] == 1 ? 0 : h)) * t[2]
                                + (t[2] == 1 ? 0 : w);
                        out[i] = (float) f.applyAsDouble(x[i], y[j]);
                        i++;
                    }
                }
            }
        }
        return out;
    }

    static void assertSameBits(Tensor actual, float[] expected, String what) {
        float[] values = actual.floats();
        assertThat(values.length).as(what).isEqualTo(expected.length);
        for (int i = 0; i < values.length; i++) {
            assertThat(Float.floatToIntBits(values[i])).as("%s at %d", what, i)
                    .isEqualTo(Float.floatToIntBits(expected[i]));
        }
    }

    @Test
    void binaryBroadcastsOnTwoThreads() {
        Random random = new Random(21);
        Tensor a = random(random, 2, 24, 33, 35);
        int[][] shapes = {{24, 1, 1}, {1, 1, 35}, {1, 33, 35}, {24, 33, 1}, {1, 1, 1}};
        String[] ops = {"Add", "Sub", "Mul", "Div", "Max", "Min", "PRelu"};
        DoubleBinaryOperator[] formulas = {(x, y) -> x + y, (x, y) -> x - y, (x, y) -> x * y,
            (x, y) -> x / y, Math::max, Math::min, (x, y) -> x < 0 ? x * y : x};
        for (int[] shape : shapes) {
            Tensor b = random(random, shape);
            for (int k = 0; k < ops.length; k++) {
                int opset = ops[k].equals("PRelu") ? 16 : 13;
                Tensor y = NodeRunner.op(ops[k], opset).threads(POOL, 2).run(a, b);
                assertThat(y.shape()).isEqualTo(a.shape());
                assertSameBits(y, broadcast(a, b, formulas[k]),
                        ops[k] + " with " + java.util.Arrays.toString(shape));
            }
        }
    }

    @Test
    void unaryOnTwoThreads() {
        Random random = new Random(22);
        Tensor x = random(random, 3, 50000);
        String[] ops = {"Relu", "Neg", "Abs", "Sqrt", "Reciprocal"};
        DoubleUnaryOperator[] formulas = {v -> Math.max(v, 0), v -> -v, Math::abs, Math::sqrt,
            v -> 1 / v};
        for (int k = 0; k < ops.length; k++) {
            Tensor y = NodeRunner.op(ops[k], 13).threads(POOL, 2).run(x);
            float[] expected = new float[x.size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = (float) formulas[k].applyAsDouble(x.floats()[i]);
            }
            assertSameBits(y, expected, ops[k]);
        }
    }

    @Test
    void clipWithBoundInputs() {
        Random random = new Random(23);
        Tensor x = random(random, 70000);
        Tensor lo = Tensor.of(DataType.FLOAT, new int[0], new float[] {-1.25f});
        Tensor y = NodeRunner.op("Clip", 13).threads(POOL, 2).run(x, lo, null);
        float[] expected = new float[x.size()];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = Math.max(x.floats()[i], -1.25f);
        }
        assertSameBits(y, expected, "Clip");
    }

    @Test
    void powOfTwoAndHalf() {
        Random random = new Random(24);
        Tensor x = random(random, 5, 4099);
        for (float e : new float[] {2f, 0.5f, 1f, 3f}) {
            Tensor exponent = Tensor.of(DataType.FLOAT, new int[0], new float[] {e});
            Tensor y = NodeRunner.op("Pow", 15).threads(POOL, 2).run(x, exponent);
            float[] expected = new float[x.size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = (float) Math.pow(x.floats()[i], e);
            }
            assertSameBits(y, expected, "Pow " + e);
        }
    }

    @Test
    void powHalfOfSpecialValues() {
        Tensor x = Tensor.of(DataType.FLOAT, new int[] {5},
                new float[] {-0f, Float.NEGATIVE_INFINITY, -4f, Float.NaN, 9f});
        Tensor half = Tensor.of(DataType.FLOAT, new int[] {1}, new float[] {0.5f});
        float[] y = NodeRunner.op("Pow", 15).run(x, half).floats();
        assertThat(Float.floatToIntBits(y[0])).isEqualTo(Float.floatToIntBits(0f));
        assertThat(y[1]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(y[2]).isNaN();
        assertThat(y[3]).isNaN();
        assertThat(y[4]).isEqualTo(3f);
    }
}
