package dev.jonnx.runtime.kernel;

import static dev.jonnx.runtime.testing.TestTensors.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The vector rows of a non-overlapping ConvTranspose against the scalar reference. */
class TransposedConvRowsTest {

    @Test
    void scalarReferenceComputesWeightedSums() {
        // Two channels [1, 2, 3] and [10, 20, 30]; row 0 weighs them 1 and 0.5, row 1 weighs them -1 and 0.
        float[] x = {1, 2, 3, 10, 20, 30};
        float[] a = {1, 0.5f, -1, 0};
        float[] bias = {0.25f, 100};
        float[] y = new float[12];
        TransposedConvRows.computeScalar(x, 0, 3, 2, a, bias, 0, 2, 0, 3, y, new int[] {0, 1}, 2, 3);
        assertThat(y).containsExactly(0, 0, 6.25f, 99, 0, 12.25f, 98, 0, 18.25f, 97, 0, 0);
    }

    @Test
    void vectorRowsMatchScalarReference() {
        Random random = new Random(5);
        for (int rows : new int[] {1, 3, 4, 5, 9}) {
            for (int width : VectorMathTest.edgeSizes()) {
                if (width > 100) {
                    continue;
                }
                for (int step : new int[] {1, 2, 3}) {
                    int channels = 7;
                    int plane = width + 2;
                    float[] x = uniform(random, -2, 2, channels * plane + 1);
                    float[] a = uniform(random, -2, 2, rows * channels);
                    float[] bias = uniform(random, -2, 2, rows);
                    // Rows interleave like the taps of one output row: row r starts at r, elements step apart.
                    int[] targets = new int[rows];
                    for (int r = 0; r < rows; r++) {
                        targets[r] = r % step + (r / step) * step * width;
                    }
                    int size = 5 + ((rows + step - 1) / step) * step * width;
                    float[] expected = new float[size];
                    float[] actual = new float[size];
                    TransposedConvRows.computeScalar(x, 1, plane, channels, a, bias, 0, rows, 0, width, expected,
                            targets, 5, step);
                    TransposedConvRows.compute(x, 1, plane, channels, a, bias, rows, width, actual, targets, 5,
                            step);
                    for (int i = 0; i < size; i++) {
                        assertThat(actual[i]).as("rows %d width %d step %d at %d", rows, width, step, i)
                                .isCloseTo(expected[i], within(1e-5f + 1e-5f * Math.abs(expected[i])));
                    }
                }
            }
        }
    }
}
