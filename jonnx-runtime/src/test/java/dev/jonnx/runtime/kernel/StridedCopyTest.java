package dev.jonnx.runtime.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StridedCopyTest {

    @Test
    void copiesTransposedBlock() {
        int[] src = {1, 2, 3, 4, 5, 6};
        int[] dst = new int[6];
        // Read the 2x3 source as its 3x2 transpose.
        StridedCopy.copy(src, 0, new int[] {1, 3}, dst, 0, new int[] {2, 1}, new int[] {3, 2}, 1);
        assertThat(dst).containsExactly(1, 4, 2, 5, 3, 6);
    }

    @Test
    void transposesLargeBlocksInTiles() {
        // Shape (3, 70, 45) permuted to (45, 3, 70): big enough to take the tiled path.
        int a = 3;
        int b = 70;
        int c = 45;
        long[] src = new long[a * b * c];
        for (int i = 0; i < src.length; i++) {
            src[i] = i;
        }
        long[] dst = new long[src.length];
        StridedCopy.copy(src, 0, new int[] {1, b * c, c}, dst, 0, new int[] {a * b, b, 1},
                new int[] {c, a, b}, 1);
        for (int z = 0; z < c; z++) {
            for (int x = 0; x < a; x++) {
                for (int y = 0; y < b; y++) {
                    assertThat(dst[(z * a + x) * b + y]).isEqualTo((x * b + y) * c + z);
                }
            }
        }
    }

    @Test
    void copiesReversedRunWithNegativeStride() {
        String[] src = {"a", "b", "c", "d"};
        String[] dst = new String[4];
        StridedCopy.copy(src, 3, new int[] {-1}, dst, 0, new int[] {1}, new int[] {4}, 1);
        assertThat(dst).containsExactly("d", "c", "b", "a");
    }

    @Test
    void repeatsWithZeroStride() {
        boolean[] src = {true, false};
        boolean[] dst = new boolean[6];
        StridedCopy.copy(src, 0, new int[] {0, 1}, dst, 0, new int[] {2, 1}, new int[] {3, 2}, 1);
        assertThat(dst).containsExactly(true, false, true, false, true, false);
    }

    @Test
    void copiesIntoRegionOfLargerArray() {
        long[] src = {1, 2, 3, 4};
        long[] dst = new long[9];
        // The 2x2 block lands at row 1, column 1 of a 3x3 destination.
        StridedCopy.copy(src, new int[] {2, 2}, dst, 4, new int[] {3, 1}, 1);
        assertThat(dst).containsExactly(0, 0, 0, 0, 1, 2, 0, 3, 4);
    }

    @Test
    void copiesComplexPairsTogether() {
        float[] src = {1, -1, 2, -2, 3, -3};
        float[] dst = new float[6];
        StridedCopy.copy(src, 2, new int[] {-1}, dst, 0, new int[] {1}, new int[] {3}, 2);
        assertThat(dst).containsExactly(3, -3, 2, -2, 1, -1);
    }

    @Test
    void copiesScalarAndSkipsEmpty() {
        short[] src = {7};
        short[] dst = {0};
        StridedCopy.copy(src, 0, new int[0], dst, 0, new int[0], new int[0], 1);
        assertThat(dst).containsExactly((short) 7);
        short[] untouched = {5};
        StridedCopy.copy(src, 0, new int[] {1}, untouched, 0, new int[] {1}, new int[] {0}, 1);
        assertThat(untouched).containsExactly((short) 5);
    }

    @Test
    void gathersScattersAndFills() {
        byte[] src = {10, 20, 30};
        byte[] gathered = new byte[4];
        StridedCopy.gather(src, new int[] {2, 0, 2, 1}, gathered, 1);
        assertThat(gathered).containsExactly(30, 10, 30, 20);

        double[] target = new double[3];
        StridedCopy.scatter(new double[] {1, 2}, new int[] {2, 2}, target, 1);
        assertThat(target).containsExactly(0, 0, 2);

        int[] filled = new int[4];
        StridedCopy.fill(filled, 1, 3, new int[] {8, 9}, 1, 1);
        assertThat(filled).containsExactly(0, 9, 9, 0);
    }
}
