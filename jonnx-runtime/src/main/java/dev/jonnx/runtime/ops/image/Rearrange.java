package dev.jonnx.runtime.ops.image;

import dev.jonnx.runtime.kernel.ElementGather;
import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/** DepthToSpace, SpaceToDepth and CenterCropPad, which only move elements of any type. */
final class Rearrange {
    private Rearrange() {}

    private static int blockSize(NodeContext node) {
        long b = node.getInt("blocksize");
        if (b <= 0 || b > Integer.MAX_VALUE) {
            throw node.error("blocksize must be positive, got " + b);
        }
        return (int) b;
    }

    private static void requireImage(Tensor x, String name) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException("input " + name + " must have shape (N, C, H, W),"
                    + " got " + Arrays.toString(x.shape()));
        }
    }

    static Kernel depthToSpace(NodeContext node) {
        int b = blockSize(node);
        String mode = node.getString("mode", "DCR");
        if (!mode.equals("DCR") && !mode.equals("CRD")) {
            throw node.error("mode must be DCR or CRD, got '" + mode + "'");
        }
        boolean crd = mode.equals("CRD");
        return (inputs, ctx) -> {
            Tensor x = ImageInputs.required(inputs, 0, "input");
            requireImage(x, "input");
            int n = x.dim(0);
            int c = x.dim(1);
            int h = x.dim(2);
            int w = x.dim(3);
            if (c % (b * b) != 0) {
                throw new IllegalArgumentException("channel count " + c + " of input must be"
                        + " divisible by blocksize * blocksize = " + b * b);
            }
            int oc = c / (b * b);
            int oh = h * b;
            int ow = w * b;
            int[] index = new int[n * c * h * w];
            int at = 0;
            for (int i = 0; i < n; i++) {
                for (int ch = 0; ch < oc; ch++) {
                    for (int y = 0; y < oh; y++) {
                        for (int xx = 0; xx < ow; xx++) {
                            int by = y % b;
                            int bx = xx % b;
                            int source = crd ? ch * b * b + by * b + bx : (by * b + bx) * oc + ch;
                            index[at++] = ((i * c + source) * h + y / b) * w + xx / b;
                        }
                    }
                }
            }
            return new Value[] {ElementGather.gather(x, new int[] {n, oc, oh, ow}, index)};
        };
    }

    static Kernel spaceToDepth(NodeContext node) {
        int b = blockSize(node);
        return (inputs, ctx) -> {
            Tensor x = ImageInputs.required(inputs, 0, "input");
            requireImage(x, "input");
            int n = x.dim(0);
            int c = x.dim(1);
            int h = x.dim(2);
            int w = x.dim(3);
            if (h % b != 0 || w % b != 0) {
                throw new IllegalArgumentException("height " + h + " and width " + w
                        + " of input must be divisible by blocksize " + b);
            }
            int oh = h / b;
            int ow = w / b;
            int oc = c * b * b;
            int[] index = new int[n * c * h * w];
            int at = 0;
            for (int i = 0; i < n; i++) {
                for (int ch = 0; ch < oc; ch++) {
                    int block = ch / c;
                    int source = ch % c;
                    int by = block / b;
                    int bx = block % b;
                    for (int y = 0; y < oh; y++) {
                        for (int xx = 0; xx < ow; xx++) {
                            index[at++] = ((i * c + source) * h + y * b + by) * w + xx * b + bx;
                        }
                    }
                }
            }
            return new Value[] {ElementGather.gather(x, new int[] {n, oc, oh, ow}, index)};
        };
    }

    static Kernel centerCropPad(NodeContext node) {
        long[] axesAttribute = node.getInts("axes", null);
        return (inputs, ctx) -> {
            Tensor x = ImageInputs.required(inputs, 0, "input_data");
            long[] target = ImageInputs.required(inputs, 1, "shape").toLongArray();
            int rank = x.rank();
            int[] axes;
            if (axesAttribute == null) {
                axes = new int[rank];
                for (int i = 0; i < rank; i++) {
                    axes[i] = i;
                }
            } else {
                axes = new int[axesAttribute.length];
                for (int i = 0; i < axes.length; i++) {
                    axes[i] = Shapes.axis(axesAttribute[i], rank);
                }
            }
            if (target.length != axes.length) {
                throw new IllegalArgumentException("input shape must have one value per axis ("
                        + axes.length + "), got " + Arrays.toString(target));
            }
            int[] in = x.shape();
            int[] out = in.clone();
            // Positive: the input starts this far into the output (padding); negative: the
            // output starts this far into the input (cropping).
            int[] shift = new int[rank];
            for (int i = 0; i < axes.length; i++) {
                int d = axes[i];
                if (target[i] < 0) {
                    throw new IllegalArgumentException("shape must be non-negative, got "
                            + Arrays.toString(target));
                }
                out[d] = Math.toIntExact(target[i]);
                shift[d] = out[d] >= in[d] ? (out[d] - in[d]) / 2 : -((in[d] - out[d]) / 2);
            }
            int size = Tensor.sizeOf(out);
            int[] inStrides = Shapes.strides(in);
            int[] index = new int[size];
            int[] counter = new int[rank];
            for (int i = 0; i < size; i++) {
                int offset = 0;
                for (int d = 0; d < rank; d++) {
                    int source = counter[d] - shift[d];
                    if (source < 0 || source >= in[d]) {
                        offset = -1;
                        break;
                    }
                    offset += source * inStrides[d];
                }
                index[i] = offset;
                for (int d = rank - 1; d >= 0; d--) {
                    if (++counter[d] < out[d]) {
                        break;
                    }
                    counter[d] = 0;
                }
            }
            return new Value[] {ElementGather.gather(x, out, index)};
        };
    }
}
