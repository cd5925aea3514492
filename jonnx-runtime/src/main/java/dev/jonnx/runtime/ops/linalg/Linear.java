package dev.jonnx.runtime.ops.linalg;

import dev.jonnx.runtime.kernel.Sgemm;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.Arrays;

/**
 * A float product with a weight matrix packed once at session build: Y = activation(X * W +
 * bias), where X has any rank of 1 or more and its last dimension is W's row count, and Y
 * has X's leading dimensions followed by W's column count (a 1-D X gives a 1-D Y). MatMul
 * uses it for a constant 2-D B, and dev.jonnx FusedMatMul for its bias and activation.
 */
public final class Linear {
    private final Sgemm.PackedB weights;
    private final float[] bias;
    private final Sgemm.Activation activation;

    private Linear(Sgemm.PackedB weights, float[] bias, Sgemm.Activation activation) {
        this.weights = weights;
        this.bias = bias;
        this.activation = activation;
    }

    /**
     * Packs the 2-D FLOAT weight matrix {@code w} (k x n). {@code bias} is null or a FLOAT
     * tensor of n elements; it is copied, like the weights.
     */
    public static Linear of(Tensor w, Tensor bias, Sgemm.Activation activation) {
        if (w.type() != DataType.FLOAT || w.rank() != 2) {
            throw new IllegalArgumentException("the weights must be a 2-D float tensor, got " + w.describe());
        }
        int k = w.dim(0);
        int n = w.dim(1);
        float[] b = null;
        if (bias != null) {
            if (bias.type() != DataType.FLOAT || bias.size() != n || bias.rank() > 1) {
                throw new IllegalArgumentException("the bias must be a float tensor of shape [" + n
                        + "], got " + bias.describe());
            }
            b = bias.floats().clone();
        }
        return new Linear(Sgemm.pack(k, n, new Sgemm.Operand(w.floats(), 0, n, false)), b, activation);
    }

    /** True if {@code x} is a FLOAT tensor that {@link #apply} takes. */
    public boolean accepts(Tensor x) {
        return x.type() == DataType.FLOAT && x.rank() >= 1 && x.dim(x.rank() - 1) == weights.rows();
    }

    /** Computes Y for {@code x}; see {@link #accepts} for what x must be. */
    public Tensor apply(Tensor x, RunContext ctx) {
        return apply(x, null, ctx);
    }

    /**
     * Computes Y for {@code x}, plus {@code residual} when it is not null. The residual must be
     * a FLOAT tensor of Y's shape (see {@link #outputShape}).
     */
    public Tensor apply(Tensor x, Tensor residual, RunContext ctx) {
        if (!accepts(x)) {
            throw new IllegalArgumentException("input must be a float tensor whose last dimension is "
                    + weights.rows() + ", got " + x.describe());
        }
        int k = weights.rows();
        int n = weights.columns();
        int m = k == 0 ? Tensor.sizeOf(Arrays.copyOf(x.shape(), x.rank() - 1)) : x.size() / k;
        int[] outShape = outputShape(x);
        if (residual != null && (residual.type() != DataType.FLOAT || !Arrays.equals(residual.shape(), outShape))) {
            throw new IllegalArgumentException("the residual must be a float tensor of shape "
                    + Arrays.toString(outShape) + ", got " + residual.describe());
        }
        float[] out = ctx == null ? new float[m * n] : ctx.newFloats(m * n);
        Sgemm.multiply(m, new Sgemm.Operand(x.floats(), 0, k, false), weights, out, 0, n, bias, activation,
                residual == null ? null : residual.floats(), 0, ctx == null ? null : ctx.pool(),
                ctx == null ? 1 : ctx.threads());
        return Tensor.of(DataType.FLOAT, outShape, out);
    }

    /** Returns the shape of Y for an input {@code x} that {@link #accepts} takes. */
    public int[] outputShape(Tensor x) {
        int[] shape = x.shape().clone();
        shape[shape.length - 1] = weights.columns();
        return shape;
    }
}
