package dev.jonnx.runtime.ops.linalg;

import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/** Det: the determinant of each square matrix in the last two dimensions, by LU decomposition. */
final class Det {
    private Det() {}

    static KernelFactory factory() {
        return node -> (inputs, ctx) -> new Value[] {det((Tensor) inputs[0])};
    }

    static Tensor det(Tensor x) {
        int rank = x.rank();
        if (rank < 2 || x.dim(-1) != x.dim(-2)) {
            throw new IllegalArgumentException("input 'X' must have shape [*, M, M], got " + x.describe());
        }
        if (!x.type().isFloatingPoint()) {
            throw new IllegalArgumentException("input 'X' must be a floating-point tensor, got " + x.describe());
        }
        int m = x.dim(-1);
        int[] outShape = Arrays.copyOf(x.shape(), rank - 2);
        int count = Shapes.size(outShape);
        double[] values = x.toDoubleArray();
        double[] out = new double[count];
        double[] lu = new double[m * m];
        for (int b = 0; b < count; b++) {
            System.arraycopy(values, b * m * m, lu, 0, m * m);
            out[b] = determinant(lu, m);
        }
        return Tensor.fromDoubles(x.type(), outShape, out);
    }

    /** Returns the determinant of the m-by-m matrix in {@code a}, overwriting {@code a}. */
    static double determinant(double[] a, int m) {
        double det = 1;
        for (int col = 0; col < m; col++) {
            int pivot = col;
            for (int r = col + 1; r < m; r++) {
                if (Math.abs(a[r * m + col]) > Math.abs(a[pivot * m + col])) {
                    pivot = r;
                }
            }
            double p = a[pivot * m + col];
            if (p == 0) {
                return 0;
            }
            if (pivot != col) {
                for (int c = 0; c < m; c++) {
                    double t = a[col * m + c];
                    a[col * m + c] = a[pivot * m + c];
                    a[pivot * m + c] = t;
                }
                det = -det;
            }
            det *= p;
            for (int r = col + 1; r < m; r++) {
                double factor = a[r * m + col] / p;
                if (factor != 0) {
                    for (int c = col; c < m; c++) {
                        a[r * m + c] -= factor * a[col * m + c];
                    }
                }
            }
        }
        return det;
    }
}
