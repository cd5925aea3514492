package dev.jonnx.runtime.ops.image.webp;

/** Decodes an ALPH chunk (RFC 9649 section 2.7.1.2) into one alpha byte per pixel. */
final class AlphaDecoder {
    private AlphaDecoder() {}

    private static final int FILTER_NONE = 0;
    private static final int FILTER_HORIZONTAL = 1;
    private static final int FILTER_VERTICAL = 2;

    /** Decodes the payload {@code data[offset, offset + length)} for a width x height image. */
    static byte[] decode(byte[] data, int offset, int length, int width, int height) {
        if (length < 1) {
            throw new IllegalArgumentException("invalid WebP image: the ALPH chunk is empty");
        }
        int header = data[offset] & 0xFF;
        int compression = header & 3;
        int filter = (header >> 2) & 3;
        int pixels = width * height;
        byte[] alpha = new byte[pixels];
        if (compression == 0) {
            if (length - 1 < pixels) {
                throw new IllegalArgumentException("invalid WebP image: the uncompressed ALPH"
                        + " chunk has " + (length - 1) + " bytes for " + pixels + " pixels");
            }
            System.arraycopy(data, offset + 1, alpha, 0, pixels);
        } else if (compression == 1) {
            int[] argb = LosslessDecoder.decodeHeaderless(data, offset + 1, length - 1, width,
                    height);
            for (int i = 0; i < pixels; i++) {
                alpha[i] = (byte) (argb[i] >> 8);
            }
        } else {
            throw new IllegalArgumentException("invalid WebP image: unknown ALPH compression "
                    + "method " + compression + " (expected 0 or 1)");
        }
        unfilter(alpha, width, height, filter);
        return alpha;
    }

    /** Adds back the predictions that the encoder subtracted (RFC 9649 section 2.7.1.2). */
    private static void unfilter(byte[] a, int width, int height, int filter) {
        if (filter == FILTER_NONE) {
            return;
        }
        for (int x = 1; x < width; x++) {
            a[x] += a[x - 1];
        }
        for (int y = 1; y < height; y++) {
            int row = y * width;
            a[row] += a[row - width];
            for (int x = 1; x < width; x++) {
                int at = row + x;
                int prediction;
                if (filter == FILTER_HORIZONTAL) {
                    prediction = a[at - 1];
                } else if (filter == FILTER_VERTICAL) {
                    prediction = a[at - width];
                } else {
                    int left = a[at - 1] & 0xFF;
                    int top = a[at - width] & 0xFF;
                    int topLeft = a[at - width - 1] & 0xFF;
                    prediction = Math.clamp(left + top - topLeft, 0, 255);
                }
                a[at] += (byte) prediction;
            }
        }
    }
}
