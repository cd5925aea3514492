package dev.jonnx.runtime.ops.conv;

import dev.jonnx.runtime.registry.NodeContext;
import java.util.Arrays;

/**
 * Sliding-window geometry over the spatial axes (kernel, strides, dilations, padding and output
 * size), resolved for one input shape. Convolution, pooling and Col2Im share it.
 *
 * <p>Window position {@code o} and kernel offset {@code k} along axis {@code d} read input
 * coordinate {@code o * strides[d] - padBegin[d] + k * dilations[d]}.
 */
record Window(int[] kernel, int[] strides, int[] dilations, int[] padBegin, int[] padEnd,
        int[] output) {

    int rank() {
        return kernel.length;
    }

    /** Returns the extent of the dilated kernel along axis {@code d}. */
    int span(int d) {
        return (kernel[d] - 1) * dilations[d] + 1;
    }

    int kernelSize() {
        return product(kernel);
    }

    int outputSize() {
        return product(output);
    }

    static int product(int[] dims) {
        long p = 1;
        for (int d : dims) {
            p *= d;
        }
        if (p > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("size " + p + " of " + Arrays.toString(dims)
                    + " is too large");
        }
        return (int) p;
    }

    /** The window attributes of a node as written: absent attributes are null. */
    static final class Attributes {
        final long[] kernelShape;
        final long[] strides;
        final long[] dilations;
        final long[] pads;
        final String autoPad;
        final boolean ceilMode;

        Attributes(NodeContext node) {
            kernelShape = node.getInts("kernel_shape", null);
            strides = node.getInts("strides", null);
            dilations = node.getInts("dilations", null);
            pads = node.getInts("pads", null);
            autoPad = node.getString("auto_pad", "NOTSET");
            ceilMode = node.getInt("ceil_mode", 0) != 0;
            switch (autoPad) {
                case "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID" -> { }
                default -> throw node.error("auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or"
                        + " VALID, got '" + autoPad + "'");
            }
            checkPositive(node, "kernel_shape", kernelShape);
            checkPositive(node, "strides", strides);
            checkPositive(node, "dilations", dilations);
            if (pads != null) {
                for (long p : pads) {
                    if (p < 0) {
                        throw node.error("pads must be non-negative, got " + Arrays.toString(pads));
                    }
                }
            }
        }

        private static void checkPositive(NodeContext node, String name, long[] values) {
            if (values == null) {
                return;
            }
            for (long v : values) {
                if (v <= 0) {
                    throw node.error(name + " must be positive, got " + Arrays.toString(values));
                }
            }
        }

        /** Rejects a node without kernel_shape, which pooling operators require. */
        Attributes requireKernelShape(NodeContext node) {
            if (kernelShape == null) {
                throw node.error("required attribute 'kernel_shape' is missing");
            }
            return this;
        }

        /** Returns the kernel shape attribute, or {@code fromWeights} when it is absent. */
        int[] kernel(int[] fromWeights, int rank) {
            if (kernelShape == null) {
                if (fromWeights == null) {
                    throw new IllegalArgumentException("attribute kernel_shape is required");
                }
                return fromWeights;
            }
            int[] k = expect("kernel_shape", kernelShape, rank, 1);
            if (fromWeights != null && !Arrays.equals(k, fromWeights)) {
                throw new IllegalArgumentException("kernel_shape " + Arrays.toString(k)
                        + " does not match the spatial dimensions of W "
                        + Arrays.toString(fromWeights));
            }
            return k;
        }

        int[] strides(int rank) {
            return expect("strides", strides, rank, 1);
        }

        int[] dilations(int rank) {
            return expect("dilations", dilations, rank, 1);
        }

        /** Returns the explicit pads as {begin..., end...}, zeros when absent. */
        int[] pads(int rank) {
            return expect("pads", pads, 2 * rank, 0);
        }

        static int[] expect(String name, long[] values, int length, int fallback) {
            int[] out = new int[length];
            if (values == null) {
                Arrays.fill(out, fallback);
                return out;
            }
            if (values.length != length) {
                throw new IllegalArgumentException("attribute " + name + " must have " + length
                        + (length == 1 ? " value" : " values") + " for this input, got "
                        + Arrays.toString(values));
            }
            for (int i = 0; i < length; i++) {
                out[i] = Math.toIntExact(values[i]);
            }
            return out;
        }

        /**
         * Resolves the window for spatial input dimensions {@code in}. Pooling honours
         * {@code ceil_mode}; convolution ignores it.
         */
        Window resolve(int[] in, int[] kernelFromWeights, boolean pooling) {
            int rank = in.length;
            int[] k = kernel(kernelFromWeights, rank);
            int[] s = strides(rank);
            int[] dil = dilations(rank);
            int[] begin = new int[rank];
            int[] end = new int[rank];
            int[] out = new int[rank];
            int[] explicit = pads(rank);
            for (int d = 0; d < rank; d++) {
                int span = (k[d] - 1) * dil[d] + 1;
                switch (autoPad) {
                    case "SAME_UPPER", "SAME_LOWER" -> {
                        out[d] = Math.ceilDiv(in[d], s[d]);
                        int total = Math.max(0, (out[d] - 1) * s[d] + span - in[d]);
                        begin[d] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                        end[d] = total - begin[d];
                    }
                    case "VALID" -> out[d] = in[d] < span ? 0 : (in[d] - span) / s[d] + 1;
                    default -> {
                        begin[d] = explicit[d];
                        end[d] = explicit[d + rank];
                        int extent = in[d] + begin[d] + end[d] - span;
                        if (extent < 0) {
                            throw new IllegalArgumentException("the dilated kernel (" + span
                                    + ") is larger than padded spatial axis " + d + " ("
                                    + (in[d] + begin[d] + end[d]) + ")");
                        }
                        if (pooling && ceilMode) {
                            out[d] = Math.ceilDiv(extent, s[d]) + 1;
                            // The last window must start inside the input or the begin padding.
                            if ((out[d] - 1) * s[d] >= in[d] + begin[d]) {
                                out[d]--;
                            }
                        } else {
                            out[d] = extent / s[d] + 1;
                        }
                    }
                }
            }
            return new Window(k, s, dil, begin, end, out);
        }
    }
}
