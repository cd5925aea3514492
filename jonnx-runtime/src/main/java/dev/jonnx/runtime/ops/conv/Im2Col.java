package dev.jonnx.runtime.ops.conv;

import dev.jonnx.runtime.kernel.Shapes;

/**
 * Maps between an image of shape (channels, image...) and its column matrix of shape
 * (channels * kernel size, window positions), in which row {@code c * kernelSize + k} contains the
 * value under kernel offset {@code k} of channel {@code c} at every window position. Padding
 * reads as zero, and col2im drops values that fall into it.
 */
final class Im2Col {
    private final int channels;
    private final int imageSize;
    private final int kernelSize;
    private final int positionCount;
    /** For each kernel offset and window position, the image offset or -1 inside padding. */
    private final int[][] offsets;

    /**
     * @param image spatial dimensions of the image
     * @param kernel kernel dimensions
     * @param positions number of window positions along each axis
     */
    Im2Col(int channels, int[] image, int[] kernel, int[] positions, int[] strides,
            int[] dilations, int[] padBegin) {
        int rank = image.length;
        this.channels = channels;
        this.imageSize = Window.product(image);
        this.kernelSize = Window.product(kernel);
        this.positionCount = Window.product(positions);
        this.offsets = new int[kernelSize][positionCount];
        int[] imageStrides = Shapes.strides(image);
        int[] k = new int[rank];
        int[] p = new int[rank];
        for (int kf = 0; kf < kernelSize; kf++) {
            int[] row = offsets[kf];
            java.util.Arrays.fill(p, 0);
            for (int pf = 0; pf < positionCount; pf++) {
                int offset = 0;
                for (int d = 0; d < rank; d++) {
                    int x = p[d] * strides[d] - padBegin[d] + k[d] * dilations[d];
                    if (x < 0 || x >= image[d]) {
                        offset = -1;
                        break;
                    }
                    offset += x * imageStrides[d];
                }
                row[pf] = offset;
                increment(p, positions);
            }
            increment(k, kernel);
        }
    }

    static Im2Col of(int channels, int[] image, Window w) {
        return new Im2Col(channels, image, w.kernel(), w.output(), w.strides(), w.dilations(),
                w.padBegin());
    }

    int rows() {
        return channels * kernelSize;
    }

    int positions() {
        return positionCount;
    }

    /** Fills {@code col} (rows() x positions()) from the image starting at {@code x[xOffset]}. */
    void im2col(double[] x, int xOffset, double[] col) {
        for (int c = 0; c < channels; c++) {
            int imageBase = xOffset + c * imageSize;
            for (int kf = 0; kf < kernelSize; kf++) {
                int[] row = offsets[kf];
                int colBase = (c * kernelSize + kf) * positionCount;
                for (int pf = 0; pf < positionCount; pf++) {
                    int o = row[pf];
                    col[colBase + pf] = o < 0 ? 0 : x[imageBase + o];
                }
            }
        }
    }

    /** Adds every entry of {@code col} into the image starting at {@code y[yOffset]}. */
    void col2im(double[] col, int colOffset, double[] y, int yOffset) {
        for (int c = 0; c < channels; c++) {
            int imageBase = yOffset + c * imageSize;
            for (int kf = 0; kf < kernelSize; kf++) {
                int[] row = offsets[kf];
                int colBase = colOffset + (c * kernelSize + kf) * positionCount;
                for (int pf = 0; pf < positionCount; pf++) {
                    int o = row[pf];
                    if (o >= 0) {
                        y[imageBase + o] += col[colBase + pf];
                    }
                }
            }
        }
    }

    /** Like col2im for integer values, which add with 64-bit wrap-around. */
    void col2im(long[] col, int colOffset, long[] y, int yOffset) {
        for (int c = 0; c < channels; c++) {
            int imageBase = yOffset + c * imageSize;
            for (int kf = 0; kf < kernelSize; kf++) {
                int[] row = offsets[kf];
                int colBase = colOffset + (c * kernelSize + kf) * positionCount;
                for (int pf = 0; pf < positionCount; pf++) {
                    int o = row[pf];
                    if (o >= 0) {
                        y[imageBase + o] += col[colBase + pf];
                    }
                }
            }
        }
    }

    /** Advances a row-major multi-index within {@code dims}. */
    static void increment(int[] index, int[] dims) {
        for (int d = index.length - 1; d >= 0; d--) {
            if (++index[d] < dims[d]) {
                return;
            }
            index[d] = 0;
        }
    }
}
