package dev.jonnx.runtime.ops.reduce;

import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;

/** CumSum and CumProd along the axis given by the second input, with exclusive and reverse. */
final class Cumulative {
    private Cumulative() {}

    static KernelFactory factory(boolean product) {
        return node -> {
            boolean exclusive = node.getInt("exclusive", 0) != 0;
            boolean reverse = node.getInt("reverse", 0) != 0;
            return (inputs, ctx) -> {
                Tensor x = (Tensor) inputs[0];
                Tensor axisTensor = (Tensor) inputs[1];
                if (axisTensor.size() != 1) {
                    throw new IllegalArgumentException("input 'axis' must be a scalar, got "
                            + axisTensor.describe());
                }
                return new Value[] {accumulate(x, axisTensor.getLong(0), exclusive, reverse, product)};
            };
        };
    }

    static Tensor accumulate(Tensor x, long axisValue, boolean exclusive, boolean reverse, boolean product) {
        int rank = x.rank();
        int axis = Shapes.axis(axisValue, rank);
        int[] shape = x.shape();
        int n = rank == 0 ? 1 : shape[axis];
        int inner = 1;
        for (int d = axis + 1; d < rank; d++) {
            inner *= shape[d];
        }
        int outer = n * inner == 0 ? 0 : x.size() / (n * inner);

        DataType type = x.type();
        if (type.isInteger()) {
            long[] in = x.toLongArray();
            long[] out = new long[in.length];
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    long acc = product ? 1 : 0;
                    for (int step = 0; step < n; step++) {
                        int k = reverse ? n - 1 - step : step;
                        int index = (o * n + k) * inner + i;
                        if (exclusive) {
                            out[index] = acc;
                            acc = product ? acc * in[index] : acc + in[index];
                        } else {
                            acc = product ? acc * in[index] : acc + in[index];
                            out[index] = acc;
                        }
                    }
                }
            }
            return Tensor.fromLongs(type, shape, out);
        }
        if (!type.isFloatingPoint()) {
            throw new IllegalArgumentException("input 'x' has unsupported type " + type);
        }

        double[] in = x.toDoubleArray();
        double[] out = new double[in.length];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                double acc = product ? 1 : 0;
                for (int step = 0; step < n; step++) {
                    int k = reverse ? n - 1 - step : step;
                    int index = (o * n + k) * inner + i;
                    if (exclusive) {
                        out[index] = acc;
                        acc = product ? acc * in[index] : acc + in[index];
                    } else {
                        acc = product ? acc * in[index] : acc + in[index];
                        out[index] = acc;
                    }
                }
            }
        }
        return Tensor.fromDoubles(type, shape, out);
    }
}
