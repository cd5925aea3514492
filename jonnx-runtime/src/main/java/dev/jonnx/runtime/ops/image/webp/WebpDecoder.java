package dev.jonnx.runtime.ops.image.webp;

import dev.jonnx.tensor.Limits;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferInt;
import java.awt.image.DirectColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.nio.charset.StandardCharsets;

/**
 * Decodes still WebP images (RFC 9649): the simple lossy format (a VP8 key frame), the
 * lossless format (VP8L) and the extended format (VP8X) with an optional ALPH alpha chunk.
 * Animated images are rejected. Lossy images are converted to RGB with libwebp's default
 * upsampling and rounding (see {@link YuvConverter}), so pixels match libwebp-based decoders.
 */
public final class WebpDecoder {
    private WebpDecoder() {}

    private static final int VP8X_ANIMATION = 0x02;

    /**
     * Decodes a complete WebP file.
     *
     * @return an image of type {@link BufferedImage#TYPE_INT_ARGB} when the file stores alpha,
     *     else {@link BufferedImage#TYPE_INT_RGB}
     * @throws IllegalArgumentException if the data is not a valid still WebP image, or the
     *     image is too large for the tensor element limit or the JVM heap
     */
    public static BufferedImage decode(byte[] data) {
        if (data.length < 12 || !fourCc(data, 0).equals("RIFF")
                || !fourCc(data, 8).equals("WEBP")) {
            throw new IllegalArgumentException(
                    "not a WebP image: it must start with 'RIFF', a size and 'WEBP'");
        }
        long riffSize = readUint32(data, 4);
        if (riffSize > data.length - 8L) {
            throw new IllegalArgumentException("invalid WebP image: the RIFF header declares "
                    + riffSize + " bytes but only " + (data.length - 8) + " follow (truncated?)");
        }
        int end = (int) (8 + riffSize);
        Chunk first = readChunk(data, 12, end);
        return switch (first.type()) {
            case "VP8 " -> fromLossy(Vp8Decoder.decode(data, first.offset(), first.size()), null);
            case "VP8L" -> fromLossless(LosslessDecoder.decode(data, first.offset(), first.size()));
            case "VP8X" -> decodeExtended(data, first, end);
            default -> throw new IllegalArgumentException("invalid WebP image: the first chunk"
                    + " is '" + first.type() + "', expected 'VP8 ', 'VP8L' or 'VP8X'");
        };
    }

    /** A chunk's four-character type and the position and size of its payload. */
    private record Chunk(String type, int offset, int size) {
        /** Returns the offset of the next chunk, after this payload and its padding byte. */
        int next() {
            return offset + size + (size & 1);
        }
    }

    private static Chunk readChunk(byte[] data, int at, int end) {
        if (end - at < 8) {
            throw new IllegalArgumentException("invalid WebP image: a chunk header at byte " + at
                    + " is truncated");
        }
        String type = fourCc(data, at);
        long size = readUint32(data, at + 4);
        if (size > end - at - 8) {
            throw new IllegalArgumentException("invalid WebP image: chunk '" + type
                    + "' declares " + size + " bytes but only " + (end - at - 8)
                    + " remain in the file");
        }
        return new Chunk(type, at + 8, (int) size);
    }

    private static BufferedImage decodeExtended(byte[] data, Chunk header, int end) {
        if (header.size() < 10) {
            throw new IllegalArgumentException("invalid WebP image: the VP8X chunk has "
                    + header.size() + " bytes, expected 10");
        }
        int flags = data[header.offset()] & 0xFF;
        int canvasWidth = readUint24(data, header.offset() + 4) + 1;
        int canvasHeight = readUint24(data, header.offset() + 7) + 1;
        if ((flags & VP8X_ANIMATION) != 0) {
            throw new IllegalArgumentException("unsupported WebP image: animated WebP (ANIM and"
                    + " ANMF chunks) is not supported, only still images");
        }
        checkDimensions(canvasWidth, canvasHeight, "WebP canvas");
        Chunk alpha = null;
        for (int at = header.next(); at < end; ) {
            Chunk chunk = readChunk(data, at, end);
            switch (chunk.type()) {
                case "ALPH" -> {
                    if (alpha == null) {
                        alpha = chunk;
                    }
                }
                case "VP8 " -> {
                    Vp8Decoder.Frame frame = Vp8Decoder.decode(data, chunk.offset(), chunk.size());
                    checkCanvas(frame.width(), frame.height(), canvasWidth, canvasHeight);
                    byte[] alphaValues = alpha == null ? null : AlphaDecoder.decode(data,
                            alpha.offset(), alpha.size(), frame.width(), frame.height());
                    return fromLossy(frame, alphaValues);
                }
                case "VP8L" -> {
                    LosslessDecoder.Image image =
                            LosslessDecoder.decode(data, chunk.offset(), chunk.size());
                    checkCanvas(image.width(), image.height(), canvasWidth, canvasHeight);
                    return fromLossless(image);
                }
                case "ANIM", "ANMF" -> throw new IllegalArgumentException("unsupported WebP"
                        + " image: animated WebP (ANIM and ANMF chunks) is not supported, only"
                        + " still images");
                default -> {
                    // ICCP, EXIF, XMP and unknown chunks do not change the pixels.
                }
            }
            at = chunk.next();
        }
        throw new IllegalArgumentException(
                "invalid WebP image: the extended file has no 'VP8 ' or 'VP8L' image chunk");
    }

    private static void checkCanvas(int width, int height, int canvasWidth, int canvasHeight) {
        if (width != canvasWidth || height != canvasHeight) {
            throw new IllegalArgumentException("invalid WebP image: the image is " + width + "x"
                    + height + " but the VP8X canvas is " + canvasWidth + "x" + canvasHeight);
        }
    }

    /**
     * Checks that a decoded image of this size fits the tensor element limit (as a height x
     * width x 3 output) and, as an estimate of the decoder's working memory, the JVM heap.
     */
    static void checkDimensions(int width, int height, String imageKind) {
        long pixels = (long) width * height;
        long elements = pixels * 3;
        if (!Limits.fits(elements) || pixels > Limits.ARRAY_MAX) {
            throw new IllegalArgumentException(Limits.describeExcess("the decoded " + imageKind,
                    "[" + height + ", " + width + ", 3]", elements));
        }
        // ARGB pixels, the image wrapping them and the output tensor take about 11 bytes a pixel.
        long bytes = pixels * 11;
        long heap = Runtime.getRuntime().maxMemory();
        if (bytes > heap) {
            throw new IllegalArgumentException("the decoded " + imageKind + " of " + width + "x"
                    + height + " pixels needs about " + (bytes >> 20)
                    + " MiB, more than the maximum JVM heap of " + (heap >> 20) + " MiB");
        }
    }

    private static BufferedImage fromLossy(Vp8Decoder.Frame frame, byte[] alpha) {
        int[] argb = new int[frame.width() * frame.height()];
        YuvConverter.toArgb(frame, argb);
        if (alpha != null) {
            for (int i = 0; i < argb.length; i++) {
                argb[i] = (alpha[i] & 0xFF) << 24 | (argb[i] & 0xFFFFFF);
            }
        }
        return wrap(argb, frame.width(), frame.height(), alpha != null);
    }

    private static BufferedImage fromLossless(LosslessDecoder.Image image) {
        return wrap(image.argb(), image.width(), image.height(), image.alphaUsed());
    }

    private static BufferedImage wrap(int[] argb, int width, int height, boolean hasAlpha) {
        DirectColorModel model = hasAlpha ? (DirectColorModel) ColorModel.getRGBdefault()
                : new DirectColorModel(24, 0xFF0000, 0xFF00, 0xFF);
        WritableRaster raster = Raster.createPackedRaster(new DataBufferInt(argb, argb.length),
                width, height, width, model.getMasks(), null);
        return new BufferedImage(model, raster, false, null);
    }

    private static String fourCc(byte[] data, int at) {
        return new String(data, at, 4, StandardCharsets.ISO_8859_1);
    }

    private static long readUint32(byte[] data, int at) {
        return (data[at] & 0xFFL) | (data[at + 1] & 0xFFL) << 8 | (data[at + 2] & 0xFFL) << 16
                | (data[at + 3] & 0xFFL) << 24;
    }

    private static int readUint24(byte[] data, int at) {
        return (data[at] & 0xFF) | (data[at + 1] & 0xFF) << 8 | (data[at + 2] & 0xFF) << 16;
    }
}
