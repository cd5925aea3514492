package dev.jonnx.runtime.ops.quant;

import dev.jonnx.runtime.kernel.Igemm;
import dev.jonnx.runtime.kernel.Sgemm;
import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;
import java.util.Set;

/**
 * MatMulInteger and QLinearMatMul: NumPy matmul over quantized operands, with zero points and
 * scales per tensor, per row of A or per column of B.
 */
final class IntegerMatMul {
    private IntegerMatMul() {}

    private static final Set<DataType> INT8 = Set.of(DataType.INT8, DataType.UINT8);
    private static final Set<DataType> QLINEAR_OPERANDS = Set.of(DataType.INT8, DataType.UINT8,
            DataType.FLOAT8E4M3FN, DataType.FLOAT8E4M3FNUZ, DataType.FLOAT8E5M2,
            DataType.FLOAT8E5M2FNUZ);
    private static final Set<DataType> QLINEAR_SCALES =
            Set.of(DataType.FLOAT, DataType.FLOAT16, DataType.BFLOAT16);

    /**
     * The geometry of a broadcast matmul. A is {@code [aBatch..., m, k]} and B
     * {@code [bBatch..., k, n]} after 1-D operands are promoted; {@code aBatchIndex[b]} and
     * {@code bBatchIndex[b]} give the operand matrices that output matrix {@code b} reads.
     */
    record Geometry(int[] aShape, int[] bShape, int[] outShape, int m, int k, int n,
            int[] aBatchIndex, int[] bBatchIndex) {

        static Geometry of(int[] aIn, int[] bIn) {
            if (aIn.length == 0 || bIn.length == 0) {
                throw new IllegalArgumentException("matmul operands must have rank 1 or more, got "
                        + Arrays.toString(aIn) + " and " + Arrays.toString(bIn));
            }
            int[] a = aIn.length == 1 ? new int[] {1, aIn[0]} : aIn;
            int[] b = bIn.length == 1 ? new int[] {bIn[0], 1} : bIn;
            int m = a[a.length - 2];
            int k = a[a.length - 1];
            int n = b[b.length - 1];
            if (b[b.length - 2] != k) {
                throw new IllegalArgumentException("matmul shapes " + Arrays.toString(aIn) + " and "
                        + Arrays.toString(bIn) + " do not match: A has " + k
                        + " columns but B has " + b[b.length - 2] + " rows");
            }

            int[] aBatch = Arrays.copyOf(a, a.length - 2);
            int[] bBatch = Arrays.copyOf(b, b.length - 2);
            int[] batch = Shapes.broadcast(aBatch, bBatch);
            int[] aIndex = Shapes.broadcastIndex(aBatch, batch);
            int[] bIndex = Shapes.broadcastIndex(bBatch, batch);
            int[] out = Arrays.copyOf(batch, batch.length + 2);
            out[batch.length] = m;
            out[batch.length + 1] = n;

            // Drop the dimensions that 1-D operands gained by promotion.
            int rank = out.length;
            if (aIn.length == 1 && bIn.length == 1) {
                out = Arrays.copyOf(batch, batch.length);
            } else if (aIn.length == 1) {
                int[] dropped = new int[rank - 1];
                System.arraycopy(out, 0, dropped, 0, rank - 2);
                dropped[rank - 2] = n;
                out = dropped;
            } else if (bIn.length == 1) {
                out = Arrays.copyOf(out, rank - 1);
            }
            return new Geometry(a, b, out, m, k, n, aIndex, bIndex);
        }

        int aMatrices() {
            return Shapes.size(Arrays.copyOf(aShape, aShape.length - 2));
        }

        int bMatrices() {
            return Shapes.size(Arrays.copyOf(bShape, bShape.length - 2));
        }

        int batches() {
            return aBatchIndex.length;
        }
    }

    /**
     * Expands a per-tensor or per-row parameter of A to one value per row of each A matrix. A
     * per-row parameter is a 1-D tensor of {@code m} values, or has A's rank with a last
     * dimension of 1.
     */
    static double[] rowParameters(Tensor p, Geometry g, String name) {
        int rows = g.aMatrices() * g.m();
        double[] out = new double[rows];
        if (p == null) {
            return out;
        }
        if (p.size() == 1) {
            Arrays.fill(out, p.getDouble(0));
            return out;
        }
        int[] target = g.aShape().clone();
        target[target.length - 1] = 1;
        int[] shape = p.shape();
        if (shape.length == 1 && shape[0] == g.m()) {
            shape = new int[] {g.m(), 1};
        } else if (shape.length != target.length || shape[shape.length - 1] != 1) {
            throw new IllegalArgumentException(name + " of shape " + Arrays.toString(p.shape())
                    + " must be a scalar, a 1-D tensor of " + g.m() + " rows, or have shape "
                    + Arrays.toString(target));
        }
        int[] index = broadcastIndex(shape, target, name);
        for (int i = 0; i < rows; i++) {
            out[i] = p.getDouble(index[i]);
        }
        return out;
    }

    /**
     * Expands a per-tensor or per-column parameter of B to one value per column of each B
     * matrix: a 1-D tensor of {@code n} values, or B's rank with dimension -2 equal to 1.
     */
    static double[] columnParameters(Tensor p, Geometry g, String name) {
        int columns = g.bMatrices() * g.n();
        double[] out = new double[columns];
        if (p == null) {
            return out;
        }
        if (p.size() == 1) {
            Arrays.fill(out, p.getDouble(0));
            return out;
        }
        int[] target = g.bShape().clone();
        target[target.length - 2] = 1;
        int[] shape = p.shape();
        if (shape.length == 1 && shape[0] == g.n()) {
            shape = new int[] {1, g.n()};
        } else if (shape.length != target.length || shape[shape.length - 2] != 1) {
            throw new IllegalArgumentException(name + " of shape " + Arrays.toString(p.shape())
                    + " must be a scalar, a 1-D tensor of " + g.n() + " columns, or have shape "
                    + Arrays.toString(target));
        }
        int[] index = broadcastIndex(shape, target, name);
        for (int i = 0; i < columns; i++) {
            out[i] = p.getDouble(index[i]);
        }
        return out;
    }

    private static int[] broadcastIndex(int[] shape, int[] target, String name) {
        int[] broadcast = Shapes.broadcast(shape, target);
        if (!Arrays.equals(broadcast, target)) {
            throw new IllegalArgumentException(name + " of shape " + Arrays.toString(shape)
                    + " does not broadcast to " + Arrays.toString(target));
        }
        return Shapes.broadcastIndex(shape, target);
    }

    /** Returns A minus its zero point, as ints, with one zero point per row. */
    static int[] shiftedRows(Tensor a, double[] zeroPoints, int k) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) (a.getLong(i) - (long) zeroPoints[i / Math.max(1, k)]);
        }
        return out;
    }

    /** Returns B minus its zero point, as ints, with one zero point per column. */
    static int[] shiftedColumns(Tensor b, double[] zeroPoints, int k, int n) {
        int[] out = new int[b.size()];
        for (int i = 0; i < out.length; i++) {
            int column = (i / (k * n)) * n + i % n;
            out[i] = (int) (b.getLong(i) - (long) zeroPoints[column]);
        }
        return out;
    }

    /**
     * Multiplies every output matrix in int arithmetic. Products of 8-bit values fit in an int,
     * and the sum wraps around in 32 bits as the operator definition allows.
     */
    static int[] multiply(int[] a, int[] b, Geometry g) {
        int m = g.m();
        int k = g.k();
        int n = g.n();
        int[] out = new int[g.batches() * m * n];
        for (int batch = 0; batch < g.batches(); batch++) {
            int aBase = g.aBatchIndex()[batch] * m * k;
            int bBase = g.bBatchIndex()[batch] * k * n;
            int outBase = batch * m * n;
            for (int row = 0; row < m; row++) {
                int outRow = outBase + row * n;
                for (int p = 0; p < k; p++) {
                    int av = a[aBase + row * k + p];
                    if (av == 0) {
                        continue;
                    }
                    int bRow = bBase + p * n;
                    for (int col = 0; col < n; col++) {
                        out[outRow + col] += av * b[bRow + col];
                    }
                }
            }
        }
        return out;
    }

    /**
     * Multiplies 8-bit operands with {@link Igemm}, batch by batch. Zero points are per row of
     * A and per column of B over all matrices, as {@link #rowParameters} and
     * {@link #columnParameters} return them. {@code prepared} is B already shifted by its zero
     * points when B is a constant 2-D matrix, or null.
     */
    static int[] multiplyBytes(Tensor a, Tensor b, double[] rowZero, double[] columnZero, Geometry g,
            ShiftedWeights prepared, RunContext ctx) {
        int m = g.m();
        int k = g.k();
        int n = g.n();
        int[] out = new int[g.batches() * m * n];
        boolean aSigned = a.type() == DataType.INT8;
        boolean bSigned = b.type() == DataType.INT8;
        int[] aZ = new int[m];
        int[] bZ = new int[n];
        for (int batch = 0; batch < g.batches(); batch++) {
            int aMatrix = g.aBatchIndex()[batch];
            int bMatrix = g.bBatchIndex()[batch];
            for (int i = 0; i < m; i++) {
                aZ[i] = (int) rowZero[aMatrix * m + i];
            }
            for (int j = 0; j < n; j++) {
                bZ[j] = (int) columnZero[bMatrix * n + j];
            }
            boolean done = false;
            if (isLargeEnough(m, n, k)) {
                ShiftedWeights shifted = prepared != null ? prepared
                        : ShiftedWeights.of(k, n, b.bytes(), bMatrix * k * n, bSigned, bZ);
                done = multiplyExactInFloat(m, a.bytes(), aMatrix * m * k, aSigned, aZ, shifted, out,
                        batch * m * n, ctx);
            }
            if (!done) {
                Igemm.multiply(m, n, k, a.bytes(), aMatrix * m * k, k, aSigned, aZ, b.bytes(), bMatrix * k * n,
                        n, bSigned, bZ, out, batch * m * n, n);
            }
        }
        return out;
    }

    /** True when a product is large enough for the float path to beat {@link Igemm}. */
    static boolean isLargeEnough(int m, int n, int k) {
        return (long) m * n * k >= (1L << 16);
    }

    /**
     * Computes one integer product with the float {@link Sgemm}, in slices of the inner dimension
     * short enough that every partial sum is an integer below 2^24 and so exact in float; the
     * slices add up in int. Returns false, leaving {@code out} alone, when the matrices are too
     * small for this to pay or a single product could reach 2^24.
     */
    static boolean multiplyExactInFloat(int m, int n, int k, byte[] a, int aOffset, boolean aSigned, int[] aZero,
            byte[] b, int bOffset, boolean bSigned, int[] bZero, int[] out, int outOffset, RunContext ctx) {
        if (!isLargeEnough(m, n, k)) {
            return false;
        }
        ShiftedWeights shifted = ShiftedWeights.of(k, n, b, bOffset, bSigned, bZero);
        return multiplyExactInFloat(m, a, aOffset, aSigned, aZero, shifted, out, outOffset, ctx);
    }

    /** Like the overload above, with B already shifted by its zero points and converted. */
    static boolean multiplyExactInFloat(int m, byte[] a, int aOffset, boolean aSigned, int[] aZero,
            ShiftedWeights b, int[] out, int outOffset, RunContext ctx) {
        int k = b.k();
        int n = b.n();
        float[] af = new float[m * k];
        int maxA = 0;
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                int v = Igemm.widen(a[aOffset + i * k + p], aSigned) - aZero[i];
                af[i * k + p] = v;
                maxA = Math.max(maxA, Math.abs(v));
            }
        }
        int slice = exactSliceDepth(k, (long) maxA * b.maxAbs());
        if (slice == 0) {
            return false;
        }
        float[] partial = new float[m * n];
        for (int p0 = 0; p0 < k; p0 += slice) {
            int depth = Math.min(slice, k - p0);
            multiplySlice(m, n, k, af, b.values(), p0, depth, partial, ctx);
            for (int i = 0; i < m * n; i++) {
                out[outOffset + i] += (int) partial[i];
            }
        }
        return true;
    }

    /**
     * Returns how many steps of the inner dimension keep every partial sum of products no
     * larger than {@code largestProduct} below 2^24 (all of {@code k} when that fits), or 0 when
     * even one product could reach 2^24.
     */
    static int exactSliceDepth(int k, long largestProduct) {
        if (largestProduct >= (1L << 24)) {
            return 0;
        }
        return largestProduct == 0 ? k : (int) Math.min(k, ((1L << 24) - 1) / largestProduct);
    }

    /**
     * Sets {@code c} (m x n) to A[:, p0 .. p0 + depth) times B[p0 .. p0 + depth, :], where A is
     * m x k and B is k x n, both row-major.
     */
    static void multiplySlice(int m, int n, int k, float[] a, float[] b, int p0, int depth, float[] c,
            RunContext ctx) {
        Sgemm.multiply(m, n, depth, new Sgemm.Operand(a, p0, k, false), new Sgemm.Operand(b, p0 * n, n, false),
                c, 0, n, false, ctx == null ? null : ctx.pool(), ctx == null ? 1 : ctx.threads());
    }

    /**
     * MatMulInteger-10: int32 matmul of 8-bit operands minus their zero points. A constant 2-D
     * B with a constant zero point is shifted and converted once, when the session is built.
     */
    static KernelFactory matMulInteger() {
        return node -> {
            boolean zeroConstant = !node.hasInput(3) || node.constantInput(3) != null;
            ShiftedWeights prepared = zeroConstant
                    ? ShiftedWeights.ofConstant(node.constantInput(1), node.constantInput(3)) : null;
            return (inputs, ctx) -> {
                Tensor a = (Tensor) inputs[0];
                Tensor b = (Tensor) inputs[1];
                Tensor aZero = inputs.length > 2 ? (Tensor) inputs[2] : null;
                Tensor bZero = inputs.length > 3 ? (Tensor) inputs[3] : null;
                requireType(a, INT8, "input A");
                requireType(b, INT8, "input B");
                requireSameType(aZero, a, "a_zero_point", "A");
                requireSameType(bZero, b, "b_zero_point", "B");
                Geometry g = Geometry.of(a.shape(), b.shape());
                double[] rowZero = rowParameters(aZero, g, "a_zero_point");
                double[] columnZero = columnParameters(bZero, g, "b_zero_point");
                return new Value[] {Tensor.of(DataType.INT32, g.outShape(),
                        multiplyBytes(a, b, rowZero, columnZero, g, prepared, ctx))};
            };
        };
    }

    /**
     * QLinearMatMul-10 and -21: the integer product of the shifted operands is rescaled by
     * {@code a_scale * b_scale / y_scale} in double and quantized to the output type. The
     * float8 operand types of version 21 accumulate in double.
     */
    static KernelFactory qlinearMatMul() {
        return node -> (inputs, ctx) -> {
            Tensor a = (Tensor) inputs[0];
            Tensor aScale = (Tensor) inputs[1];
            Tensor aZero = (Tensor) inputs[2];
            Tensor b = (Tensor) inputs[3];
            Tensor bScale = (Tensor) inputs[4];
            Tensor bZero = (Tensor) inputs[5];
            Tensor yScale = (Tensor) inputs[6];
            Tensor yZero = (Tensor) inputs[7];
            requireType(a, QLINEAR_OPERANDS, "input a");
            requireType(b, QLINEAR_OPERANDS, "input b");
            requireType(yZero, QLINEAR_OPERANDS, "y_zero_point");
            requireType(aScale, QLINEAR_SCALES, "a_scale");
            requireType(bScale, QLINEAR_SCALES, "b_scale");
            requireType(yScale, QLINEAR_SCALES, "y_scale");
            requireSameType(aZero, a, "a_zero_point", "a");
            requireSameType(bZero, b, "b_zero_point", "b");
            if (yScale.size() != 1 || yZero.size() != 1) {
                throw new IllegalArgumentException("y_scale and y_zero_point must be scalars, got "
                        + "shapes " + Arrays.toString(yScale.shape()) + " and "
                        + Arrays.toString(yZero.shape()));
            }
            Geometry g = Geometry.of(a.shape(), b.shape());
            double[] aScales = rowParameters(aScale, g, "a_scale");
            double[] bScales = columnParameters(bScale, g, "b_scale");
            double[] products;
            if (a.type().isInteger() && b.type().isInteger()) {
                int[] as = shiftedRows(a, rowParameters(aZero, g, "a_zero_point"), g.k());
                int[] bs = shiftedColumns(b, columnParameters(bZero, g, "b_zero_point"), g.k(), g.n());
                int[] product = multiply(as, bs, g);
                products = new double[product.length];
                for (int i = 0; i < product.length; i++) {
                    products[i] = product[i];
                }
            } else {
                products = multiplyFloat(a, aZero, b, bZero, g);
            }
            DataType target = yZero.type();
            double ys = yScale.getDouble(0);
            boolean floatTarget = QuantParams.isFloatTarget(target);
            Object out = Tensor.allocate(target, products.length);
            int m = g.m();
            int n = g.n();
            for (int i = 0; i < products.length; i++) {
                int batch = i / (m * n);
                int row = g.aBatchIndex()[batch] * m + (i / n) % m;
                int column = g.bBatchIndex()[batch] * n + i % n;
                double value = products[i] * aScales[row] * bScales[column] / ys;
                if (floatTarget) {
                    float zero = (float) yZero.getDouble(0);
                    ((byte[]) out)[i] = QuantParams.encodeFloat(target, (float) value + zero, true);
                } else {
                    long zero = yZero.getLong(0);
                    Tensor.storeLong(target, out, i, QuantParams.quantizeToInteger(value, zero,
                            QuantParams.minValue(target), QuantParams.maxValue(target)));
                }
            }
            return new Value[] {Tensor.of(target, g.outShape(), out)};
        };
    }

    private static double[] multiplyFloat(Tensor a, Tensor aZero, Tensor b, Tensor bZero, Geometry g) {
        double[] aZeros = rowParameters(aZero, g, "a_zero_point");
        double[] bZeros = columnParameters(bZero, g, "b_zero_point");
        int m = g.m();
        int k = g.k();
        int n = g.n();
        double[] as = new double[a.size()];
        for (int i = 0; i < as.length; i++) {
            as[i] = a.getDouble(i) - aZeros[i / Math.max(1, k)];
        }
        double[] bs = new double[b.size()];
        for (int i = 0; i < bs.length; i++) {
            bs[i] = b.getDouble(i) - bZeros[(i / (k * n)) * n + i % n];
        }
        double[] out = new double[g.batches() * m * n];
        for (int batch = 0; batch < g.batches(); batch++) {
            int aBase = g.aBatchIndex()[batch] * m * k;
            int bBase = g.bBatchIndex()[batch] * k * n;
            for (int row = 0; row < m; row++) {
                for (int p = 0; p < k; p++) {
                    double av = as[aBase + row * k + p];
                    for (int col = 0; col < n; col++) {
                        out[batch * m * n + row * n + col] += av * bs[bBase + p * n + col];
                    }
                }
            }
        }
        return out;
    }

    static void requireType(Tensor t, Set<DataType> allowed, String name) {
        if (!allowed.contains(t.type())) {
            throw new IllegalArgumentException(name + " has unsupported type " + t.type()
                    + "; expected one of " + allowed);
        }
    }

    static void requireSameType(Tensor zeroPoint, Tensor x, String zeroName, String xName) {
        if (zeroPoint != null && zeroPoint.type() != x.type()) {
            throw new IllegalArgumentException(zeroName + " has type " + zeroPoint.type() + " but "
                    + xName + " has type " + x.type() + "; they must match");
        }
    }
}
