package dev.jonnx.runtime.ops.image;

import java.awt.image.BufferedImage;

/**
 * Decodes the Netpbm formats, which javax.imageio lacks: P1 and P4 (bitmap, 1 is black), P2 and
 * P5 (gray), P3 and P6 (RGB), in their plain (ASCII) and raw (binary) forms. Samples with a
 * maximum value other than 255 are scaled to 8 bits; raw 16-bit samples are big-endian.
 */
final class Pnm {
    private final byte[] data;
    private int at;

    private Pnm(byte[] data) {
        this.data = data;
    }

    static BufferedImage decode(byte[] bytes) {
        return new Pnm(bytes).read();
    }

    private BufferedImage read() {
        if (data.length < 2 || data[0] != 'P' || data[1] < '1' || data[1] > '6') {
            throw new IllegalArgumentException("not a PNM image: it must start with P1 to P6");
        }
        int kind = data[1] - '0';
        at = 2;
        int width = number();
        int height = number();
        if (width <= 0 || height <= 0 || (long) width * height > (1L << 28)) {
            throw new IllegalArgumentException("PNM image has invalid size " + width + "x" + height);
        }
        boolean bitmap = kind == 1 || kind == 4;
        int max = bitmap ? 1 : number();
        if (max <= 0 || max > 65535) {
            throw new IllegalArgumentException("PNM image has invalid maximum sample value " + max);
        }
        boolean raw = kind >= 4;
        if (raw) {
            at++; // the single whitespace byte after the header
        }
        int channels = kind == 3 || kind == 6 ? 3 : 1;
        BufferedImage image = new BufferedImage(width, height,
                channels == 3 ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            int bitOffset = 0;
            int rowStart = at;
            for (int x = 0; x < width; x++) {
                int[] v = new int[channels];
                for (int c = 0; c < channels; c++) {
                    if (bitmap && raw) {
                        int bit = (byteAt(rowStart + bitOffset / 8) >> (7 - bitOffset % 8)) & 1;
                        bitOffset++;
                        v[c] = bit == 1 ? 0 : 255;
                    } else if (bitmap) {
                        v[c] = bitDigit() == 1 ? 0 : 255;
                    } else {
                        int sample = raw ? rawSample(max) : number();
                        v[c] = max == 255 ? sample : (int) Math.round(sample * 255.0 / max);
                    }
                }
                if (channels == 3) {
                    image.setRGB(x, y, v[0] << 16 | v[1] << 8 | v[2]);
                } else {
                    image.getRaster().setSample(x, y, 0, v[0]);
                }
            }
            if (bitmap && raw) {
                at = rowStart + (width + 7) / 8;
            }
        }
        return image;
    }

    private int byteAt(int index) {
        if (index >= data.length) {
            throw new IllegalArgumentException("PNM image data is truncated");
        }
        return data[index] & 0xFF;
    }

    private int rawSample(int max) {
        if (max < 256) {
            return byteAt(at++);
        }
        int value = byteAt(at) << 8 | byteAt(at + 1);
        at += 2;
        return value;
    }

    private void skipSpaceAndComments() {
        while (at < data.length) {
            int c = data[at];
            if (c == '#') {
                while (at < data.length && data[at] != '\n') {
                    at++;
                }
            } else if (Character.isWhitespace(c)) {
                at++;
            } else {
                return;
            }
        }
    }

    private int number() {
        skipSpaceAndComments();
        int start = at;
        long value = 0;
        while (at < data.length && data[at] >= '0' && data[at] <= '9') {
            value = value * 10 + (data[at] - '0');
            if (value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("PNM number is too large");
            }
            at++;
        }
        if (at == start) {
            throw new IllegalArgumentException("PNM image is truncated or has an invalid header");
        }
        return (int) value;
    }

    /** Reads one digit of a plain bitmap, where digits need not be separated. */
    private int bitDigit() {
        skipSpaceAndComments();
        if (at >= data.length || (data[at] != '0' && data[at] != '1')) {
            throw new IllegalArgumentException("PNM bitmap data is truncated or invalid");
        }
        return data[at++] - '0';
    }
}
