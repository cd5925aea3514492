package dev.jonnx.runtime.ops.image.webp;

/**
 * Converts decoded VP8 planes to RGB the way libwebp (version 1.x) does by default, so that
 * results match its decoders bit for bit: chroma is upsampled with "fancy" upsampling and each
 * pixel is converted with the fixed-point BT.601 formulas of libwebp's {@code src/dsp/yuv.h}.
 *
 * <p>Fancy upsampling weights the nearest chroma sample 9, its horizontal and vertical
 * neighbours 3 each and the diagonal one 1 (out of 16), in two rounded steps. In the first and
 * last columns, where there is no horizontal neighbour, it blends only the two vertical samples
 * with weights 3 and 1. In the first and last rows the vertical neighbour is the nearest row
 * itself.
 */
final class YuvConverter {
    private YuvConverter() {}

    /** Writes opaque ARGB pixels of the visible picture into {@code argb} (row-major). */
    static void toArgb(Vp8Decoder.Frame frame, int[] argb) {
        int width = frame.width();
        int height = frame.height();
        int chromaWidth = (width + 1) >> 1;
        int chromaHeight = (height + 1) >> 1;
        int[] u = new int[width];
        int[] v = new int[width];
        for (int y = 0; y < height; y++) {
            int nearRow = y >> 1;
            int farRow = clampIndex((y & 1) == 1 ? nearRow + 1 : nearRow - 1, chromaHeight);
            upsampleRow(frame.u(), frame.uvStride(), nearRow, farRow, chromaWidth, width, u);
            upsampleRow(frame.v(), frame.uvStride(), nearRow, farRow, chromaWidth, width, v);
            int yRow = y * frame.yStride();
            for (int x = 0; x < width; x++) {
                int luma = frame.y()[yRow + x] & 0xFF;
                argb[y * width + x] = 0xFF000000 | red(luma, v[x]) << 16
                        | green(luma, u[x], v[x]) << 8 | blue(luma, u[x]);
            }
        }
    }

    /** Interpolates one chroma plane to full resolution along one output row. */
    private static void upsampleRow(byte[] plane, int stride, int nearRow, int farRow,
            int chromaWidth, int width, int[] out) {
        int near = nearRow * stride;
        int far = farRow * stride;
        for (int x = 0; x < width; x++) {
            int nearColumn = x >> 1;
            int farColumn = (x & 1) == 1 ? nearColumn + 1 : nearColumn - 1;
            int a = plane[near + nearColumn] & 0xFF;
            int c = plane[far + nearColumn] & 0xFF;
            if (farColumn < 0 || farColumn >= chromaWidth) {
                out[x] = (3 * a + c + 2) >> 2;
                continue;
            }
            int b = plane[near + farColumn] & 0xFF;
            int d = plane[far + farColumn] & 0xFF;
            int diagonal = (a + 3 * b + 3 * c + d + 8) >> 3;
            out[x] = (diagonal + a) >> 1;
        }
    }

    private static int clampIndex(int index, int size) {
        return index < 0 ? 0 : Math.min(index, size - 1);
    }

    // The three conversions compute (a * y + b * u + c * v + offset) / 64 with 8 fractional
    // bits kept in each product, then clamp to 0..255.

    static int red(int y, int v) {
        return clip((y * 19077 >> 8) + (v * 26149 >> 8) - 14234);
    }

    static int green(int y, int u, int v) {
        return clip((y * 19077 >> 8) - (u * 6419 >> 8) - (v * 13320 >> 8) + 8708);
    }

    static int blue(int y, int u) {
        return clip((y * 19077 >> 8) + (u * 33050 >> 8) - 17685);
    }

    private static int clip(int value) {
        if ((value & ~16383) == 0) {
            return value >> 6;
        }
        return value < 0 ? 0 : 255;
    }
}
