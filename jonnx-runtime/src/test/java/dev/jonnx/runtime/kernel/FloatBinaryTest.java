package dev.jonnx.runtime.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.runtime.kernel.Elementwise.Layout;
import dev.jonnx.runtime.kernel.FloatBinary.Op;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.api.Test;

/** The float binary rows and broadcast plans against their scalar twin and double math. */
class FloatBinaryTest {
    static DoubleBinaryOperator reference(Op op) {
        return switch (op) {
            case ADD -> (a, b) -> a + b;
            case SUB -> (a, b) -> a - b;
            case MUL -> (a, b) -> a * b;
            case DIV -> (a, b) -> a / b;
            case MAX -> Math::max;
            case MIN -> Math::min;
            case PRELU -> (a, b) -> a < 0 ? a * b : a;
        };
    }

    @Test
    void scalarMatchesDoubleRounded() {
        Random random = new Random(3);
        float[] a = FloatArithmeticTest.values(4000, random);
        float[] b = FloatArithmeticTest.values(4000, random);
        for (Op op : Op.values()) {
            DoubleBinaryOperator f = reference(op);
            for (int i = 0; i < a.length; i++) {
                float expected = (float) f.applyAsDouble(a[i], b[i]);
                assertThat(Float.floatToIntBits(FloatBinary.apply(op, a[i], b[i])))
                        .as("%s(%s, %s)", op, a[i], b[i])
                        .isEqualTo(Float.floatToIntBits(expected));
            }
        }
    }

    @Test
    void rowsMatchScalarForEveryStridePair() {
        Random random = new Random(5);
        int[][] strides = {{1, 1}, {1, 0}, {0, 1}, {0, 0}};
        for (Op op : Op.values()) {
            for (int[] s : strides) {
                for (int size : VectorMathTest.edgeSizes()) {
                    float[] a = FloatArithmeticTest.values(size + 3, random);
                    float[] b = FloatArithmeticTest.values(size + 2, random);
                    float[] expected = new float[size + 1];
                    float[] actual = new float[size + 1];
                    FloatBinary.rowScalar(op, a, 3, s[0], b, 2, s[1], expected, 1, size);
                    FloatBinary.row(op, a, 3, s[0], b, 2, s[1], actual, 1, size);
                    FloatArithmeticTest.assertSameBits(actual, expected,
                            op + " strides " + s[0] + "," + s[1] + " size " + size);
                }
            }
        }
    }

    @Test
    void rowsMayWriteIntoAnInput() {
        Random random = new Random(6);
        float[] a = FloatArithmeticTest.values(37, random);
        float[] b = FloatArithmeticTest.values(37, random);
        float[] expected = new float[37];
        FloatBinary.rowScalar(Op.SUB, a, 0, 1, b, 0, 1, expected, 0, 37);
        FloatBinary.row(Op.SUB, a, 0, 1, b, 0, 1, a, 0, 37);
        FloatArithmeticTest.assertSameBits(a, expected, "in place");
    }

    static final int[][][] SHAPES = {
        {{2, 3, 5, 7}, {2, 3, 5, 7}},
        {{2, 3, 5, 7}, {}},
        {{1}, {4, 9}},
        {{2, 3, 5, 7}, {3, 1, 1}},
        {{1, 3, 5, 7}, {1, 3, 1, 1}},
        {{4, 9}, {9}},
        {{3, 1, 5}, {1, 4, 1}},
        {{2, 1, 7}, {2, 6, 1}},
        {{6, 1}, {1, 1}},
        {{1, 1, 1}, {1}},
        {{0, 3}, {3}},
        {{3, 9000}, {3, 1}},
        {{2, 12, 33, 33}, {2, 1, 1, 33}},
    };

    @Test
    void plansMatchDoubleZipForBroadcasts() {
        Random random = new Random(7);
        for (int[][] pair : SHAPES) {
            for (boolean swap : new boolean[] {false, true}) {
                int[] sa = swap ? pair[1] : pair[0];
                int[] sb = swap ? pair[0] : pair[1];
                Layout layout = Layout.of(sa, sb);
                float[] a = FloatArithmeticTest.values(Shapes.size(sa), random);
                float[] b = FloatArithmeticTest.values(Shapes.size(sb), random);
                for (Op op : Op.values()) {
                    float[] expected = Elementwise.zip(layout, a, b, reference(op));
                    FloatBinary.Plan plan = FloatBinary.Plan.of(layout);
                    float[] whole = new float[layout.size()];
                    plan.run(op, a, b, whole, 0, plan.rows());
                    String what = op + " " + java.util.Arrays.toString(sa) + " with "
                            + java.util.Arrays.toString(sb);
                    FloatArithmeticTest.assertSameBits(whole, expected, what);
                    // Rows split at every point give the same result, as threads would.
                    float[] pieces = new float[layout.size()];
                    int middle = plan.rows() / 2;
                    plan.run(op, a, b, pieces, middle, plan.rows());
                    plan.run(op, a, b, pieces, 0, middle);
                    FloatArithmeticTest.assertSameBits(pieces, expected, what + " in two parts");
                }
            }
        }
    }

    @Test
    void contiguousPlanSplitsIntoChunks() {
        Layout layout = Layout.of(new int[] {3, FloatBinary.Plan.CHUNK}, new int[] {1});
        FloatBinary.Plan plan = FloatBinary.Plan.of(layout);
        assertThat(plan.rows()).isEqualTo(3);
        assertThat(plan.rowLength()).isEqualTo(FloatBinary.Plan.CHUNK);
    }

    @Test
    void channelPlanHasOneRowPerChannel() {
        Layout layout = Layout.of(new int[] {1, 16, 20, 20}, new int[] {1, 16, 1, 1});
        FloatBinary.Plan plan = FloatBinary.Plan.of(layout);
        assertThat(plan.rows()).isEqualTo(16);
        assertThat(plan.rowLength()).isEqualTo(400);
    }
}
