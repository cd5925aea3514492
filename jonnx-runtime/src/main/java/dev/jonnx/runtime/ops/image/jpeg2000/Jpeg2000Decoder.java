package dev.jonnx.runtime.ops.image.jpeg2000;

import dev.jonnx.tensor.Limits;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;

/**
 * Decodes JPEG 2000 Part 1 images (ITU-T T.800 | ISO/IEC 15444-1), either in the JP2 file
 * format or as a raw codestream. Malformed or unsupported input raises an
 * {@link IllegalArgumentException} that names the problem.
 *
 * <p>NOTE: the JP2 palette (pclr) and sYCC color space are rejected, and channel definitions
 * (cdef) are ignored, so components are read in codestream order.
 */
public final class Jpeg2000Decoder {
    private Jpeg2000Decoder() {}

    /** Returns whether the bytes start with a JP2 signature box or a codestream's SOC and SIZ. */
    public static boolean isJpeg2000(byte[] bytes) {
        return startsWith(bytes, 0, 0, 0, 0x0C, 'j', 'P', ' ', ' ')
                || startsWith(bytes, 0xFF, 0x4F, 0xFF, 0x51);
    }

    private static boolean startsWith(byte[] bytes, int... prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((bytes[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Decodes every component of a JP2 file or raw codestream. */
    public static Jpeg2000Image decode(byte[] bytes) {
        int start = 0;
        int end = bytes.length;
        if (!startsWith(bytes, 0xFF, 0x4F)) {
            int[] range = Jp2Boxes.codestreamRange(bytes);
            start = range[0];
            end = range[1];
        }
        Codestream cs = Codestream.parse(bytes, start, end);
        Jpeg2000Image image = new Jpeg2000Image(cs);
        for (int t = 0; t < cs.tiles.length; t++) {
            TileDecoder.decode(cs, t, image);
        }
        return image;
    }

    /**
     * Decodes to 8-bit samples: one component (or two, the second taken as alpha and dropped)
     * becomes a gray image, three or more become RGB from the first three. Samples of other
     * bit depths are scaled to 8 bits, and signed samples are offset to unsigned first.
     */
    public static BufferedImage decodeToImage(byte[] bytes) {
        Jpeg2000Image image = decode(bytes);
        int count = image.samples.length;
        int channels = count >= 3 ? 3 : 1;
        if (!Limits.fits((long) image.width * image.height * channels)) {
            throw new IllegalArgumentException(Limits.describeExcess("the decoded JPEG 2000 image",
                    "[" + image.height + ", " + image.width + ", " + channels + "]",
                    (long) image.width * image.height * channels));
        }
        BufferedImage out = new BufferedImage(image.width, image.height,
                channels == 3 ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = out.getRaster();
        int[] pixel = new int[channels];
        for (int y = 0; y < image.height; y++) {
            for (int x = 0; x < image.width; x++) {
                for (int c = 0; c < channels; c++) {
                    pixel[c] = to8Bits(image, c, image.sampleAt(c, x, y));
                }
                raster.setPixel(x, y, pixel);
            }
        }
        return out;
    }

    private static int to8Bits(Jpeg2000Image image, int c, int sample) {
        int bits = image.precision[c];
        int value = image.signed[c] ? sample + (1 << (bits - 1)) : sample;
        if (bits == 8) {
            return value;
        }
        if (bits > 8) {
            return value >> (bits - 8);
        }
        return value * 255 / ((1 << bits) - 1);
    }
}
