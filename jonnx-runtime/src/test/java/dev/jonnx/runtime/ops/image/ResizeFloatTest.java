package dev.jonnx.runtime.ops.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.runtime.testing.TestTensors;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The float fast path of Resize against the general double path on the same tables. */
class ResizeFloatTest {
    static final ExecutorService POOL = Executors.newFixedThreadPool(2);
    static final RunContext TWO_THREADS = new RunContext(null,
            new RunContext.RunControl(new AtomicBoolean(), Long.MAX_VALUE, POOL, 2, null));

    @AfterAll
    static void stopPool() {
        POOL.shutdown();
    }

    static Tensor input(Random random, boolean specials, int... shape) {
        float[] v = TestTensors.uniform(random, -5, 5, Tensor.sizeOf(shape));
        if (specials) {
            v[3] = Float.NaN;
            v[v.length / 2] = Float.POSITIVE_INFINITY;
            v[v.length - 2] = Float.NEGATIVE_INFINITY;
        }
        return Tensor.of(DataType.FLOAT, shape, v);
    }

    static Resize.Settings settings(Resize.Mode mode, String transform, String nearest) {
        return new Resize.Settings(mode, transform, nearest, -0.75, false, 0, false, null,
                "stretch");
    }

    static void assertClose(Tensor fast, Tensor reference, String what) {
        assertThat(fast.shape()).as(what).isEqualTo(reference.shape());
        float[] a = fast.floats();
        float[] b = reference.floats();
        for (int i = 0; i < a.length; i++) {
            if (Float.isNaN(b[i]) || Float.isInfinite(b[i])) {
                assertThat(Float.floatToIntBits(a[i])).as("%s at %d", what, i)
                        .isEqualTo(Float.floatToIntBits(b[i]));
            } else {
                assertThat((double) a[i]).as("%s at %d", what, i)
                        .isCloseTo(b[i], org.assertj.core.data.Offset.offset(1e-5 * (1 + Math.abs(b[i]))));
            }
        }
    }

    static final double[][] SCALES = {{1, 1, 2, 2}, {1, 1, 0.5, 0.75}, {1, 1, 3, 1.7},
        {1, 1, 1, 2.5}, {1, 1, 0.3, 1}};

    @Test
    void linearMatchesGeneralPath() {
        Random random = new Random(31);
        for (boolean specials : new boolean[] {false, true}) {
            Tensor x = input(random, specials, 2, 3, 7, 9);
            for (String transform : new String[] {"half_pixel", "pytorch_half_pixel",
                "asymmetric", "align_corners"}) {
                Resize.Settings s = settings(Resize.Mode.LINEAR, transform, "round_prefer_floor");
                for (double[] scales : SCALES) {
                    String what = transform + " " + java.util.Arrays.toString(scales);
                    Tensor reference = Resize.run(x, null, scales, null, s, null);
                    Tensor fast = Resize.run(x, null, scales, null, s, TWO_THREADS);
                    assertClose(fast, reference, what);
                }
            }
        }
    }

    @Test
    void nearestMatchesGeneralPathExactly() {
        Random random = new Random(32);
        Tensor x = input(random, true, 3, 2, 5, 6);
        for (String transform : new String[] {"half_pixel", "asymmetric", "align_corners"}) {
            for (String rounding : new String[] {"round_prefer_floor", "round_prefer_ceil",
                "floor", "ceil"}) {
                Resize.Settings s = settings(Resize.Mode.NEAREST, transform, rounding);
                for (double[] scales : SCALES) {
                    Tensor reference = Resize.run(x, null, scales, null, s, null);
                    Tensor fast = Resize.run(x, null, scales, null, s, TWO_THREADS);
                    assertThat(fast.floats()).as(transform + " " + rounding)
                            .isEqualTo(reference.floats());
                }
            }
        }
    }

    @Test
    void linearTakesFloatPath() {
        // The float path rounds differently from the double path on some elements, so a
        // difference shows that it ran.
        Random random = new Random(35);
        Tensor x = input(random, false, 1, 4, 16, 16);
        Resize.Settings s = settings(Resize.Mode.LINEAR, "half_pixel", "round_prefer_floor");
        double[] scales = {1, 1, 1.5, 1.5};
        float[] reference = Resize.run(x, null, scales, null, s, null).floats();
        float[] fast = Resize.run(x, null, scales, null, s, TWO_THREADS).floats();
        assertThat(fast).isNotEqualTo(reference);
    }

    @Test
    void sizesAndRankTwo() {
        Random random = new Random(33);
        Tensor x = input(random, false, 13, 17);
        Resize.Settings s = settings(Resize.Mode.LINEAR, "half_pixel", "round_prefer_floor");
        long[] sizes = {40, 5};
        assertClose(Resize.run(x, null, null, sizes, s, TWO_THREADS),
                Resize.run(x, null, null, sizes, s, null), "sizes");
    }

    @Test
    void leadingAxisChangeUsesGeneralPath() {
        Random random = new Random(34);
        Tensor x = input(random, false, 2, 3, 4, 4);
        Resize.Settings s = settings(Resize.Mode.LINEAR, "half_pixel", "round_prefer_floor");
        double[] scales = {1, 2, 2, 2};
        Tensor reference = Resize.run(x, null, scales, null, s, null);
        Tensor result = Resize.run(x, null, scales, null, s, TWO_THREADS);
        assertThat(result.shape()).isEqualTo(new int[] {2, 6, 8, 8});
        assertThat(result.floats()).isEqualTo(reference.floats());
    }

    @Test
    void bilinearUpsampleByTwo() {
        // Half-pixel 2x of [[0, 4]] along the last axis: 0, 1, 3, 4 (edges clamp).
        Tensor x = Tensor.of(DataType.FLOAT, new int[] {1, 1, 1, 2}, new float[] {0, 4});
        Resize.Settings s = settings(Resize.Mode.LINEAR, "half_pixel", "round_prefer_floor");
        Tensor y = Resize.run(x, null, new double[] {1, 1, 1, 2}, null, s, TWO_THREADS);
        assertThat(y.floats()).containsExactly(0f, 1f, 3f, 4f);
    }
}
