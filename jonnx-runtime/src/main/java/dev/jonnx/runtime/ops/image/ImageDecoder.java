package dev.jonnx.runtime.ops.image;

import dev.jonnx.runtime.ops.image.jpeg2000.Jpeg2000Decoder;
import dev.jonnx.runtime.ops.image.webp.WebpDecoder;
import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.TreeSet;
import javax.imageio.ImageIO;

/**
 * ImageDecoder (opset 20), decoding with javax.imageio, which reads JPEG, PNG, BMP, GIF, WBMP
 * and TIFF, with {@link Pnm} for the Netpbm formats, {@link WebpDecoder} for still WebP images
 * and {@link Jpeg2000Decoder} for JPEG 2000 (JP2 files and raw codestreams). Other formats
 * raise an error that names the format and the readers available.
 */
final class ImageDecoder {
    private ImageDecoder() {}

    static Kernel create(NodeContext node) {
        String format = node.getString("pixel_format", "RGB");
        if (!format.equals("RGB") && !format.equals("BGR") && !format.equals("Grayscale")) {
            throw node.error("pixel_format must be RGB, BGR or Grayscale, got '" + format + "'");
        }
        return (inputs, ctx) -> {
            Tensor stream = ImageInputs.required(inputs, 0, "encoded_stream");
            if (stream.type() != DataType.UINT8 || stream.rank() != 1) {
                throw new IllegalArgumentException("input encoded_stream must be a 1-D uint8"
                        + " tensor, got " + stream.describe());
            }
            BufferedImage image = decode(stream.bytes());
            return new Value[] {toTensor(image, format)};
        };
    }

    static BufferedImage decode(byte[] bytes) {
        if (guessFormat(bytes).equals("PNM")) {
            return Pnm.decode(bytes);
        }
        if (guessFormat(bytes).equals("WebP")) {
            return WebpDecoder.decode(bytes);
        }
        if (Jpeg2000Decoder.isJpeg2000(bytes)) {
            return Jpeg2000Decoder.decodeToImage(bytes);
        }
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new IllegalArgumentException("failed to decode the " + guessFormat(bytes)
                    + " image in encoded_stream: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new IllegalArgumentException("cannot decode encoded_stream: Jonnx has no decoder"
                    + " for its format (" + guessFormat(bytes) + "); formats it reads:"
                    + " jpeg 2000, pnm, webp, " + readableFormats());
        }
        return image;
    }

    /** Returns the lower-case format names that javax.imageio can read in this JVM. */
    static String readableFormats() {
        TreeSet<String> names = new TreeSet<>();
        for (String name : ImageIO.getReaderFormatNames()) {
            names.add(name.toLowerCase(Locale.ROOT));
        }
        return String.join(", ", names);
    }

    /** Names the format from the leading bytes, for messages. */
    static String guessFormat(byte[] b) {
        if (startsWith(b, 0xFF, 0xD8, 0xFF)) {
            return "JPEG";
        }
        if (startsWith(b, 0x89, 'P', 'N', 'G')) {
            return "PNG";
        }
        if (startsWith(b, 'B', 'M')) {
            return "BMP";
        }
        if (startsWith(b, 'G', 'I', 'F')) {
            return "GIF";
        }
        if (startsWith(b, 'I', 'I', 42, 0) || startsWith(b, 'M', 'M', 0, 42)) {
            return "TIFF";
        }
        if (startsWith(b, 'R', 'I', 'F', 'F') && b.length >= 12 && b[8] == 'W' && b[9] == 'E'
                && b[10] == 'B' && b[11] == 'P') {
            return "WebP";
        }
        if (startsWith(b, 0, 0, 0, 0x0C, 'j', 'P') || startsWith(b, 0xFF, 0x4F, 0xFF, 0x51)) {
            return "JPEG 2000";
        }
        if (b.length >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '7') {
            return "PNM";
        }
        return "unknown";
    }

    private static boolean startsWith(byte[] b, int... prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((b[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Converts to (H, W, 3) RGB or BGR, or (H, W, 1) gray levels. Color pixels become gray with
     * the ITU-R BT.601 luma weights 0.299, 0.587 and 0.114 in 16-bit fixed point, rounded to
     * nearest. Gray images keep their stored levels in every format.
     */
    static Tensor toTensor(BufferedImage image, String format) {
        int height = image.getHeight();
        int width = image.getWidth();
        int channels = format.equals("Grayscale") ? 1 : 3;
        byte[] out = new byte[height * width * channels];
        int[] row = new int[width];
        // BufferedImage.getRGB treats gray levels as linear and converts them to sRGB, which
        // would change every stored level, so gray images read their raster instead.
        ColorModel model = image.getColorModel();
        boolean gray = model.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        int bits = model.getComponentSize(0);
        Raster raster = image.getRaster();
        for (int y = 0; y < height; y++) {
            image.getRGB(0, y, width, 1, row, 0, width);
            for (int x = 0; x < width; x++) {
                int r;
                int g;
                int b;
                if (gray) {
                    r = to8Bits(raster.getSample(x, y, 0), bits);
                    g = r;
                    b = r;
                } else {
                    int argb = row[x];
                    r = argb >> 16 & 0xFF;
                    g = argb >> 8 & 0xFF;
                    b = argb & 0xFF;
                }
                int at = (y * width + x) * channels;
                switch (format) {
                    case "RGB" -> {
                        out[at] = (byte) r;
                        out[at + 1] = (byte) g;
                        out[at + 2] = (byte) b;
                    }
                    case "BGR" -> {
                        out[at] = (byte) b;
                        out[at + 1] = (byte) g;
                        out[at + 2] = (byte) r;
                    }
                    default -> out[at] = (byte) (gray ? r
                            : (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
                }
            }
        }
        return Tensor.of(DataType.UINT8, new int[] {height, width, channels}, out);
    }

    /** Scales a sample of {@code bits} bits to 8 bits (16-bit samples keep their high byte). */
    private static int to8Bits(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        if (bits > 8) {
            return sample >> (bits - 8);
        }
        return sample * 255 / ((1 << bits) - 1);
    }
}
