package dev.jonnx.runtime.ops.image.webp;

/** The inverse transforms of WebP lossless (RFC 9649 section 4). */
final class LosslessTransforms {
    private LosslessTransforms() {}

    private static final int PREDICTOR = 0;
    private static final int COLOR = 1;
    private static final int SUBTRACT_GREEN = 2;

    /**
     * Undoes one transform. {@code pixels} is the image the transform produced, {@code height}
     * rows high; the result is {@code transform.width()} pixels wide.
     */
    static int[] inverse(LosslessDecoder.Transform transform, int[] pixels, int height) {
        int width = transform.width();
        switch (transform.type()) {
            case PREDICTOR -> inversePredictor(pixels, width, height, transform.bits(),
                    transform.data());
            case COLOR -> inverseColor(pixels, width, height, transform.bits(), transform.data());
            case SUBTRACT_GREEN -> addGreen(pixels);
            default -> {
                return expandColorIndexes(pixels, width, height, transform.bits(),
                        transform.data());
            }
        }
        return pixels;
    }

    /** Adds two ARGB pixels channel by channel, modulo 256. */
    static int addPixels(int a, int b) {
        int alphaGreen = (a & 0xFF00FF00) + (b & 0xFF00FF00);
        int redBlue = (a & 0x00FF00FF) + (b & 0x00FF00FF);
        return (alphaGreen & 0xFF00FF00) | (redBlue & 0x00FF00FF);
    }

    private static void inversePredictor(int[] pixels, int width, int height, int bits,
            int[] modes) {
        int blocksPerRow = LosslessDecoder.subsampledSize(width, bits);
        pixels[0] = addPixels(pixels[0], 0xFF000000);
        for (int x = 1; x < width; x++) {
            pixels[x] = addPixels(pixels[x], pixels[x - 1]);
        }
        for (int y = 1; y < height; y++) {
            int row = y * width;
            pixels[row] = addPixels(pixels[row], pixels[row - width]);
            for (int x = 1; x < width; x++) {
                int mode = (modes[(y >> bits) * blocksPerRow + (x >> bits)] >> 8) & 0xF;
                int at = row + x;
                pixels[at] = addPixels(pixels[at], predict(pixels, at, width, mode));
            }
        }
    }

    /**
     * Returns the prediction of mode 0 to 13 for the pixel at {@code at}, which is neither in the
     * top row nor in the left column. The top-right neighbour of the last pixel in a row is the
     * first pixel of its own row, which is where {@code at - width + 1} points.
     */
    private static int predict(int[] p, int at, int width, int mode) {
        int left = p[at - 1];
        int top = p[at - width];
        int topRight = p[at - width + 1];
        int topLeft = p[at - width - 1];
        return switch (mode) {
            case 1 -> left;
            case 2 -> top;
            case 3 -> topRight;
            case 4 -> topLeft;
            case 5 -> average(average(left, topRight), top);
            case 6 -> average(left, topLeft);
            case 7 -> average(left, top);
            case 8 -> average(topLeft, top);
            case 9 -> average(top, topRight);
            case 10 -> average(average(left, topLeft), average(top, topRight));
            case 11 -> select(left, top, topLeft);
            case 12 -> clampAddSubtractFull(left, top, topLeft);
            case 13 -> clampAddSubtractHalf(average(left, top), topLeft);
            // NOTE: modes 14 and 15 are undefined; like mode 0 they predict opaque black here.
            default -> 0xFF000000;
        };
    }

    private static int average(int a, int b) {
        return (((a ^ b) & 0xFEFEFEFE) >>> 1) + (a & b);
    }

    private static int select(int left, int top, int topLeft) {
        int distanceToLeft = 0;
        int distanceToTop = 0;
        for (int shift = 0; shift < 32; shift += 8) {
            int l = (left >>> shift) & 0xFF;
            int t = (top >>> shift) & 0xFF;
            int tl = (topLeft >>> shift) & 0xFF;
            int estimate = l + t - tl;
            distanceToLeft += Math.abs(estimate - l);
            distanceToTop += Math.abs(estimate - t);
        }
        return distanceToLeft < distanceToTop ? left : top;
    }

    private static int clampAddSubtractFull(int a, int b, int c) {
        int result = 0;
        for (int shift = 0; shift < 32; shift += 8) {
            int value = ((a >>> shift) & 0xFF) + ((b >>> shift) & 0xFF) - ((c >>> shift) & 0xFF);
            result |= clamp255(value) << shift;
        }
        return result;
    }

    private static int clampAddSubtractHalf(int a, int b) {
        int result = 0;
        for (int shift = 0; shift < 32; shift += 8) {
            int x = (a >>> shift) & 0xFF;
            int y = (b >>> shift) & 0xFF;
            // Integer division truncates toward zero, as the format requires.
            result |= clamp255(x + (x - y) / 2) << shift;
        }
        return result;
    }

    private static int clamp255(int value) {
        return value < 0 ? 0 : Math.min(value, 255);
    }

    private static void inverseColor(int[] pixels, int width, int height, int bits,
            int[] elements) {
        int blocksPerRow = LosslessDecoder.subsampledSize(width, bits);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int element = elements[(y >> bits) * blocksPerRow + (x >> bits)];
                int greenToRed = (byte) element;
                int greenToBlue = (byte) (element >> 8);
                int redToBlue = (byte) (element >> 16);
                int at = y * width + x;
                int argb = pixels[at];
                int green = (byte) (argb >> 8);
                int red = ((argb >> 16) + colorDelta(greenToRed, green)) & 0xFF;
                int blue = (argb + colorDelta(greenToBlue, green)
                        + colorDelta(redToBlue, (byte) red)) & 0xFF;
                pixels[at] = (argb & 0xFF00FF00) | red << 16 | blue;
            }
        }
    }

    private static int colorDelta(int transform, int color) {
        return (transform * color) >> 5;
    }

    private static void addGreen(int[] pixels) {
        for (int i = 0; i < pixels.length; i++) {
            int argb = pixels[i];
            int green = (argb >> 8) & 0xFF;
            int red = ((argb >> 16) + green) & 0xFF;
            int blue = (argb + green) & 0xFF;
            pixels[i] = (argb & 0xFF00FF00) | red << 16 | blue;
        }
    }

    private static int[] expandColorIndexes(int[] packed, int width, int height, int bits,
            int[] table) {
        int packedWidth = LosslessDecoder.subsampledSize(width, bits);
        int bitsPerIndex = 8 >> bits;
        int mask = (1 << bitsPerIndex) - 1;
        int perPixel = (1 << bits) - 1;
        int[] out = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int green = (packed[y * packedWidth + (x >> bits)] >> 8) & 0xFF;
                int index = (green >> ((x & perPixel) * bitsPerIndex)) & mask;
                out[y * width + x] = table[index];
            }
        }
        return out;
    }
}
