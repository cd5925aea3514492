package dev.jonnx.runtime.ops.conv;

import dev.jonnx.runtime.kernel.Shapes;
import java.util.Arrays;

/**
 * The float im2col and col2im of one window geometry, prepared once per input shape. The
 * column matrix has the layout of {@link Im2Col}: row {@code c * kernelSize + k} contains the
 * value under kernel offset {@code k} of channel {@code c} at each window position. Positions
 * are handled one output row (last spatial axis) at a time: each (row, kernel offset) pair
 * maps to a contiguous or strided input segment, so only the padding is written as zeros and
 * no per-element table is needed.
 */
final class ColumnGeometry {
    final int channels;
    final int imageSize;
    final int kernelSize;
    final int positions;
    private final int width;
    private final int outWidth;
    private final int kernelWidth;
    private final int stride;
    /** Kernel offsets over the spatial axes before the last one. */
    private final int outerKernel;
    /** Window rows: positions over the spatial axes before the last one. */
    private final int outerPositions;
    /**
     * For each outer kernel offset and window row, the image offset of the input row it reads,
     * or -1 when that row lies in the padding.
     */
    private final int[] rowOffsets;
    /** Per kernel column kx: input column of window column 0 (may be negative). */
    private final int[] shift;
    /** Per kernel column kx: the window columns [low, high) that read inside the image. */
    private final int[] low;
    private final int[] high;

    /**
     * @param image spatial dimensions of the image
     * @param kernel kernel dimensions
     * @param windows number of window positions along each axis
     */
    ColumnGeometry(int channels, int[] image, int[] kernel, int[] windows, int[] strides,
            int[] dilations, int[] padBegin) {
        int rank = image.length;
        int last = rank - 1;
        this.channels = channels;
        this.imageSize = Window.product(image);
        this.kernelSize = Window.product(kernel);
        this.positions = Window.product(windows);
        this.width = image[last];
        this.outWidth = windows[last];
        this.kernelWidth = kernel[last];
        this.stride = strides[last];
        this.outerKernel = Window.product(Arrays.copyOf(kernel, last));
        this.outerPositions = Window.product(Arrays.copyOf(windows, last));
        int[] imageStrides = Shapes.strides(image);
        rowOffsets = new int[outerKernel * outerPositions];
        int[] k = new int[last];
        int[] p = new int[last];
        int[] kernelOuter = Arrays.copyOf(kernel, last);
        int[] windowOuter = Arrays.copyOf(windows, last);
        for (int kf = 0; kf < outerKernel; kf++) {
            Arrays.fill(p, 0);
            for (int pf = 0; pf < outerPositions; pf++) {
                int offset = 0;
                for (int d = 0; d < last; d++) {
                    int x = p[d] * strides[d] - padBegin[d] + k[d] * dilations[d];
                    if (x < 0 || x >= image[d]) {
                        offset = -1;
                        break;
                    }
                    offset += x * imageStrides[d];
                }
                rowOffsets[kf * outerPositions + pf] = offset;
                Im2Col.increment(p, windowOuter);
            }
            Im2Col.increment(k, kernelOuter);
        }
        shift = new int[kernelWidth];
        low = new int[kernelWidth];
        high = new int[kernelWidth];
        for (int kx = 0; kx < kernelWidth; kx++) {
            int s = kx * dilations[last] - padBegin[last];
            shift[kx] = s;
            // Window column o reads input column o * stride + s, inside when 0 <= it < width.
            int from = Math.max(0, Math.ceilDiv(-s, stride));
            int to = Math.min(outWidth, Math.floorDiv(width - 1 - s, stride) + 1);
            low[kx] = Math.min(from, outWidth);
            high[kx] = Math.max(to, low[kx]);
        }
    }

    static ColumnGeometry of(int channels, int[] image, Window w) {
        return new ColumnGeometry(channels, image, w.kernel(), w.output(), w.strides(),
                w.dilations(), w.padBegin());
    }

    int rows() {
        return channels * kernelSize;
    }

    /** True when the column matrix is the image itself (1x1 kernel, stride 1, no padding). */
    boolean isIdentity() {
        if (kernelSize != 1 || positions != imageSize || outWidth != width || stride != 1
                || shift[0] != 0) {
            return false;
        }
        for (int pf = 0; pf < outerPositions; pf++) {
            if (rowOffsets[pf] != pf * width) {
                return false;
            }
        }
        return true;
    }

    /**
     * Fills columns [from, to) of the column matrix into {@code col}, whose row r starts at
     * {@code col[r * ld]} and contains position {@code from} first, from the image at {@code x[xOffset]}.
     */
    void im2col(float[] x, int xOffset, float[] col, int ld, int from, int to) {
        for (int c = 0; c < channels; c++) {
            int image = xOffset + c * imageSize;
            for (int kf = 0; kf < outerKernel; kf++) {
                int rowBase = kf * outerPositions;
                for (int kx = 0; kx < kernelWidth; kx++) {
                    int colRow = ((c * outerKernel + kf) * kernelWidth + kx) * ld - from;
                    int lowX = low[kx];
                    int highX = high[kx];
                    int s = shift[kx];
                    int p = from;
                    while (p < to) {
                        int row = p / outWidth;
                        int rowStart = row * outWidth;
                        int end = Math.min(to, rowStart + outWidth);
                        int offset = rowOffsets[rowBase + row];
                        if (offset < 0) {
                            Arrays.fill(col, colRow + p, colRow + end, 0f);
                            p = end;
                            continue;
                        }
                        int a = p - rowStart;
                        int b = end - rowStart;
                        int validFrom = Math.max(a, lowX);
                        int validTo = Math.min(b, highX);
                        if (validTo <= validFrom) {
                            Arrays.fill(col, colRow + p, colRow + end, 0f);
                            p = end;
                            continue;
                        }
                        int dst = colRow + rowStart;
                        if (a < validFrom) {
                            Arrays.fill(col, dst + a, dst + validFrom, 0f);
                        }
                        int src = image + offset + s;
                        if (stride == 1) {
                            System.arraycopy(x, src + validFrom, col, dst + validFrom, validTo - validFrom);
                        } else {
                            for (int o = validFrom; o < validTo; o++) {
                                col[dst + o] = x[src + o * stride];
                            }
                        }
                        if (validTo < b) {
                            Arrays.fill(col, dst + validTo, dst + b, 0f);
                        }
                        p = end;
                    }
                }
            }
        }
    }

    /**
     * Adds columns [from, to) of a column matrix into the image: the inverse scatter of
     * {@link #im2col}, covering channels [channelFrom, channelTo). Row r of {@code col} starts at
     * {@code col[r * ld]} with position {@code from} first, and its rows start at channel
     * {@code channelFrom}; channel c of the image starts at {@code y[yOffset + c * imageSize]}.
     * Values that fall into the padding are dropped.
     */
    void col2im(float[] col, int ld, int from, int to, int channelFrom, int channelTo, float[] y,
            int yOffset) {
        for (int c = channelFrom; c < channelTo; c++) {
            int image = yOffset + c * imageSize;
            for (int kf = 0; kf < outerKernel; kf++) {
                int rowBase = kf * outerPositions;
                for (int kx = 0; kx < kernelWidth; kx++) {
                    int colRow = (((c - channelFrom) * outerKernel + kf) * kernelWidth + kx) * ld - from;
                    int lowX = low[kx];
                    int highX = high[kx];
                    int s = shift[kx];
                    int p = from;
                    while (p < to) {
                        int row = p / outWidth;
                        int rowStart = row * outWidth;
                        int end = Math.min(to, rowStart + outWidth);
                        int offset = rowOffsets[rowBase + row];
                        int validFrom = Math.max(p - rowStart, lowX);
                        int validTo = Math.min(end - rowStart, highX);
                        if (offset >= 0 && validFrom < validTo) {
                            int src = colRow + rowStart;
                            int dst = image + offset + s;
                            if (stride == 1) {
                                for (int o = validFrom; o < validTo; o++) {
                                    y[dst + o] += col[src + o];
                                }
                            } else {
                                for (int o = validFrom; o < validTo; o++) {
                                    y[dst + o * stride] += col[src + o];
                                }
                            }
                        }
                        p = end;
                    }
                }
            }
        }
    }
}
