package dev.jonnx.runtime.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.runtime.kernel.Attention.Mask;
import dev.jonnx.runtime.kernel.Attention.Rows;
import dev.jonnx.runtime.testing.TestTensors;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * One head of attention, {@link Attention#attend} (the vector path unless SIMD is off) and
 * {@link Attention#attendScalar}, against a double-precision evaluation of the formula. The
 * head is a slice of a wider [sequence, heads * head size] array, as in a model.
 */
class AttentionTest {
    private static final int[] SEQUENCES = {1, 7, 33, 128, 130};
    private static final int[] HEAD_SIZES = {8, 32, 64};
    /** Where the head's slice starts inside each row of the wider arrays. */
    private static final int COLUMN = 3;
    /** Columns of the wider arrays to the right of the slice. */
    private static final int SPARE = 5;

    private enum MaskKind { NONE, PER_KEY, PER_QUERY_AND_KEY, PER_QUERY }

    /** One head's inputs laid out inside wider arrays, with the mask as a Mask view. */
    private record Head(int queries, int keys, int depth, int valueDepth, Rows q, Rows k, Rows v, Mask mask,
            float scale) {
        Rows output(float[] y) {
            return new Rows(y, COLUMN, COLUMN + valueDepth + SPARE);
        }

        int outputSize() {
            return queries * (COLUMN + valueDepth + SPARE);
        }
    }

    private static Rows randomRows(Random random, int rows, int columns) {
        int stride = COLUMN + columns + SPARE;
        return new Rows(TestTensors.gaussian(random, rows * stride), COLUMN, stride);
    }

    /** Builds a mask whose entries are 0 except for some -10000 and -Inf. */
    private static Mask randomMask(Random random, MaskKind kind, int queries, int keys) {
        return switch (kind) {
            case NONE -> null;
            case PER_KEY -> new Mask(maskValues(random, keys + 2), 2, 0, 1);
            case PER_QUERY_AND_KEY -> new Mask(maskValues(random, queries * keys + 1), 1, keys, 1);
            case PER_QUERY -> new Mask(maskValues(random, queries), 0, 1, 0);
        };
    }

    private static float[] maskValues(Random random, int size) {
        float[] mask = new float[size];
        for (int i = 0; i < size; i++) {
            int pick = random.nextInt(6);
            if (pick == 0) {
                mask[i] = -10000f;
            } else if (pick == 1) {
                mask[i] = Float.NEGATIVE_INFINITY;
            } else {
                mask[i] = (float) random.nextGaussian() * 0.1f;
            }
        }
        return mask;
    }

    private static Head randomHead(Random random, int queries, int keys, int depth, int valueDepth, MaskKind kind) {
        return new Head(queries, keys, depth, valueDepth, randomRows(random, queries, depth),
                randomRows(random, keys, depth), randomRows(random, keys, valueDepth),
                randomMask(random, kind, queries, keys), (float) (1 / Math.sqrt(depth)));
    }

    /**
     * The formula evaluated in double, after rounding each masked score to float as the kernels
     * do, and for each output element a bound on the float error of the kernels.
     */
    private record Expected(double[][] y, double[][] bound) {}

    private static Expected reference(Head head) {
        double[][] y = new double[head.queries()][head.valueDepth()];
        double[][] bound = new double[head.queries()][head.valueDepth()];
        for (int i = 0; i < head.queries(); i++) {
            double[] p = new double[head.keys()];
            double max = Double.NEGATIVE_INFINITY;
            double scoreError = 0;
            for (int j = 0; j < head.keys(); j++) {
                double dot = 0;
                double magnitude = 0;
                for (int d = 0; d < head.depth(); d++) {
                    double product = (double) element(head.q(), i, d) * element(head.k(), j, d);
                    dot += product;
                    magnitude += Math.abs(product);
                }
                float scaled = (float) dot * head.scale();
                float masked = head.mask() == null ? scaled : scaled + head.mask().get(i, j);
                p[j] = masked;
                max = Math.max(max, p[j]);
                // The float dot product is off by up to depth * 2^-24 of the sum of |q * k|, and
                // a different dot can round to a neighbor of the masked score.
                double error = head.depth() * 0x1p-24 * magnitude * head.scale() + 2 * Math.ulp(masked);
                scoreError = Math.max(scoreError, Double.isFinite(error) ? error : 0);
            }
            double sum = 0;
            for (int j = 0; j < head.keys(); j++) {
                p[j] = Math.exp(p[j] - max);
                sum += p[j];
            }
            for (int e = 0; e < head.valueDepth(); e++) {
                double value = 0;
                double magnitude = 0;
                for (int j = 0; j < head.keys(); j++) {
                    double term = p[j] / sum * element(head.v(), j, e);
                    value += term;
                    magnitude += Math.abs(term);
                }
                y[i][e] = value;
                // A score error of s moves each probability by a factor of up to exp(2s). The
                // sums over the keys add about keys * 2^-24 relative, and exp is within 2 ULP.
                bound[i][e] = magnitude * (4 * scoreError + (head.keys() + 8) * 0x1p-23) + 1e-7;
            }
        }
        return new Expected(y, bound);
    }

    private static float element(Rows rows, int r, int c) {
        return rows.data()[rows.offset() + r * rows.stride() + c];
    }

    private static float[] runVector(Head head) {
        float[] y = new float[head.outputSize()];
        Arrays.fill(y, 42f);
        Attention.attend(head.queries(), head.keys(), head.depth(), head.valueDepth(), head.q(), head.k(),
                head.v(), head.mask(), head.scale(), head.output(y));
        return y;
    }

    private static float[] runScalar(Head head) {
        float[] y = new float[head.outputSize()];
        Arrays.fill(y, 42f);
        Attention.attendScalar(head.queries(), head.keys(), head.depth(), head.valueDepth(), head.q(), head.k(),
                head.v(), head.mask(), head.scale(), head.output(y));
        return y;
    }

    /**
     * Checks y against the reference inside the slice, within the reference's error bound, and
     * checks that the columns outside the slice still hold the fill value 42.
     */
    private static void assertMatches(String label, Head head, float[] y, Expected expected) {
        Rows out = head.output(y);
        for (int i = 0; i < head.queries(); i++) {
            for (int e = 0; e < head.valueDepth(); e++) {
                double want = expected.y()[i][e];
                float got = element(out, i, e);
                if (Double.isNaN(want)) {
                    assertThat(got).as("%s y[%d][%d]", label, i, e).isNaN();
                } else {
                    assertThat((double) got).as("%s y[%d][%d]", label, i, e)
                            .isCloseTo(want, within(expected.bound()[i][e]));
                }
            }
            for (int c = 0; c < out.stride(); c++) {
                if (c < COLUMN || c >= COLUMN + head.valueDepth()) {
                    assertThat(y[i * out.stride() + c]).as("%s row %d column %d outside the slice", label, i, c)
                            .isEqualTo(42f);
                }
            }
        }
    }

    @Test
    void oddSizesMatchReference() {
        Random random = new Random(21);
        for (int queries : SEQUENCES) {
            for (int keys : SEQUENCES) {
                for (int depth : HEAD_SIZES) {
                    MaskKind kind = MaskKind.values()[random.nextInt(MaskKind.values().length)];
                    Head head = randomHead(random, queries, keys, depth, depth, kind);
                    Expected expected = reference(head);
                    String label = queries + "x" + keys + " depth " + depth + " mask " + kind;
                    assertMatches("vector " + label, head, runVector(head), expected);
                    assertMatches("scalar " + label, head, runScalar(head), expected);
                }
            }
        }
    }

    @Test
    void everyMaskKindMatchesReference() {
        Random random = new Random(22);
        for (MaskKind kind : MaskKind.values()) {
            Head head = randomHead(random, 33, 130, 32, 32, kind);
            Expected expected = reference(head);
            assertMatches("vector mask " + kind, head, runVector(head), expected);
            assertMatches("scalar mask " + kind, head, runScalar(head), expected);
        }
    }

    @Test
    void maskWithKeyStrideMatchesReference() {
        // Every second element of the mask belongs to this head: the vector path takes the
        // scalar loops for such a mask, since it reads a row of the mask with vector loads.
        Random random = new Random(28);
        int queries = 9;
        int keys = 20;
        Mask mask = new Mask(maskValues(random, 2 * queries * keys), 1, 2 * keys, 2);
        Head head = new Head(queries, keys, 32, 32, randomRows(random, queries, 32), randomRows(random, keys, 32),
                randomRows(random, keys, 32), mask, 0.125f);
        Expected expected = reference(head);
        assertMatches("vector", head, runVector(head), expected);
        assertMatches("scalar", head, runScalar(head), expected);
    }

    @Test
    void valueDepthMayDifferFromDepth() {
        Random random = new Random(23);
        for (int valueDepth : new int[] {1, 5, 17, 40}) {
            Head head = randomHead(random, 9, 20, 8, valueDepth, MaskKind.PER_KEY);
            Expected expected = reference(head);
            assertMatches("vector value depth " + valueDepth, head, runVector(head), expected);
            assertMatches("scalar value depth " + valueDepth, head, runScalar(head), expected);
        }
    }

    @Test
    void fullyMaskedRowsGiveNaNForInfinityOnly() {
        Random random = new Random(24);
        int queries = 6;
        int keys = 19;
        float[] mask = new float[queries * keys];
        Arrays.fill(mask, 0, keys, Float.NEGATIVE_INFINITY);
        Arrays.fill(mask, 2 * keys, 3 * keys, -10000f);
        Head head = new Head(queries, keys, 32, 32, randomRows(random, queries, 32), randomRows(random, keys, 32),
                randomRows(random, keys, 32), new Mask(mask, 0, keys, 1), 0.125f);
        Expected expected = reference(head);
        assertThat(expected.y()[0][0]).as("reference of the row masked by -Inf").isNaN();
        assertThat(expected.y()[2][0]).as("reference of the row masked by -10000").isFinite();
        assertMatches("vector", head, runVector(head), expected);
        assertMatches("scalar", head, runScalar(head), expected);
    }

    @Test
    void noKeysGiveZeros() {
        Random random = new Random(25);
        Head head = randomHead(random, 5, 0, 8, 8, MaskKind.NONE);
        float[] vector = runVector(head);
        float[] scalar = runScalar(head);
        Rows out = head.output(vector);
        for (int i = 0; i < head.queries(); i++) {
            for (int e = 0; e < head.valueDepth(); e++) {
                assertThat(element(out, i, e)).as("vector y[%d][%d]", i, e).isZero();
                assertThat(element(head.output(scalar), i, e)).as("scalar y[%d][%d]", i, e).isZero();
            }
        }
    }

    @Test
    void repeatedCallsReuseScratchCorrectly() {
        // A large head grows the per-thread scratch, and a smaller one afterwards must not read stale data.
        Random random = new Random(26);
        Head large = randomHead(random, 130, 130, 64, 64, MaskKind.PER_KEY);
        Head small = randomHead(random, 7, 33, 8, 8, MaskKind.PER_KEY);
        assertMatches("large", large, runVector(large), reference(large));
        assertMatches("small after large", small, runVector(small), reference(small));
    }

    @Test
    void repeatedCallsGiveSameBits() {
        // Enough calls for C2 to compile the kernel, which must not change the order of the sums.
        Random random = new Random(27);
        Head head = randomHead(random, 30, 30, 32, 32, MaskKind.PER_KEY);
        float[] first = runVector(head);
        for (int call = 1; call < 20_000; call++) {
            float[] y = runVector(head);
            if (!Arrays.equals(y, first)) {
                assertThat(y).as("call %d", call).containsExactly(first);
            }
        }
    }
}
