package dev.jonnx.runtime.ops.image.webp;

import java.util.ArrayList;
import java.util.List;

/** Decodes the WebP lossless bitstream (VP8L, RFC 9649 section 3) into ARGB pixels. */
final class LosslessDecoder {
    /** A decoded image: row-major ARGB pixels and the header's alpha hint. */
    record Image(int width, int height, int[] argb, boolean alphaUsed) {}

    private static final int SIGNATURE = 0x2F;
    private static final int PREDICTOR = 0;
    private static final int COLOR = 1;
    private static final int SUBTRACT_GREEN = 2;
    private static final int COLOR_INDEXING = 3;

    private static final int LITERALS = 256;
    private static final int LENGTH_CODES = 24;
    private static final int DISTANCE_CODES = 40;
    private static final int[] CODE_LENGTH_ORDER =
            {17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

    /** Offsets (dx, dy) of the distance codes 1 to 120, pairs flattened. */
    private static final int[] DISTANCE_OFFSETS = {
        0, 1, 1, 0, 1, 1, -1, 1, 0, 2, 2, 0, 1, 2, -1, 2,
        2, 1, -2, 1, 2, 2, -2, 2, 0, 3, 3, 0, 1, 3, -1, 3,
        3, 1, -3, 1, 2, 3, -2, 3, 3, 2, -3, 2, 0, 4, 4, 0,
        1, 4, -1, 4, 4, 1, -4, 1, 3, 3, -3, 3, 2, 4, -2, 4,
        4, 2, -4, 2, 0, 5, 3, 4, -3, 4, 4, 3, -4, 3, 5, 0,
        1, 5, -1, 5, 5, 1, -5, 1, 2, 5, -2, 5, 5, 2, -5, 2,
        4, 4, -4, 4, 3, 5, -3, 5, 5, 3, -5, 3, 0, 6, 6, 0,
        1, 6, -1, 6, 6, 1, -6, 1, 2, 6, -2, 6, 6, 2, -6, 2,
        4, 5, -4, 5, 5, 4, -5, 4, 3, 6, -3, 6, 6, 3, -6, 3,
        0, 7, 7, 0, 1, 7, -1, 7, 5, 5, -5, 5, 7, 1, -7, 1,
        4, 6, -4, 6, 6, 4, -6, 4, 2, 7, -2, 7, 7, 2, -7, 2,
        3, 7, -3, 7, 7, 3, -7, 3, 5, 6, -5, 6, 6, 5, -6, 5,
        8, 0, 4, 7, -4, 7, 7, 4, -7, 4, 8, 1, 8, 2, 6, 6,
        -6, 6, 8, 3, 5, 7, -5, 7, 7, 5, -7, 5, 8, 4, 6, 7,
        -6, 7, 7, 6, -7, 6, 8, 5, 7, 7, -7, 7, 8, 6, 8, 7,
    };

    private final LosslessBitReader reader;

    private LosslessDecoder(LosslessBitReader reader) {
        this.reader = reader;
    }

    /** Reads width and height from a VP8L header (the first 5 bytes of the chunk payload). */
    static int[] readSize(byte[] data, int offset, int length) {
        if (length < 5) {
            throw new IllegalArgumentException("invalid WebP image: the VP8L chunk has " + length
                    + " bytes, fewer than its 5-byte header");
        }
        if ((data[offset] & 0xFF) != SIGNATURE) {
            throw new IllegalArgumentException(String.format(
                    "invalid WebP image: the VP8L signature byte is 0x%02x, expected 0x2f",
                    data[offset] & 0xFF));
        }
        LosslessBitReader header = new LosslessBitReader(data, offset + 1, offset + 5);
        int width = header.readBits(14) + 1;
        int height = header.readBits(14) + 1;
        int alpha = header.readBits(1);
        int version = header.readBits(3);
        if (version != 0) {
            throw new IllegalArgumentException(
                    "invalid WebP image: unknown VP8L version " + version + " (expected 0)");
        }
        return new int[] {width, height, alpha};
    }

    /** Decodes a VP8L chunk payload in {@code data[offset, offset + length)}. */
    static Image decode(byte[] data, int offset, int length) {
        int[] size = readSize(data, offset, length);
        WebpDecoder.checkDimensions(size[0], size[1], "VP8L image");
        LosslessDecoder decoder =
                new LosslessDecoder(new LosslessBitReader(data, offset + 5, offset + length));
        int[] argb = decoder.decodeImageStream(size[0], size[1], true);
        return new Image(size[0], size[1], argb, size[2] == 1);
    }

    /**
     * Decodes a header-less image stream of the given size, as stored in a losslessly
     * compressed ALPH chunk, and returns its ARGB pixels.
     */
    static int[] decodeHeaderless(byte[] data, int offset, int length, int width, int height) {
        LosslessDecoder decoder =
                new LosslessDecoder(new LosslessBitReader(data, offset, offset + length));
        return decoder.decodeImageStream(width, height, true);
    }

    /** One transform read from the stream, with the width of the image it produces. */
    record Transform(int type, int width, int bits, int[] data) {}

    private int[] decodeImageStream(int width, int height, boolean main) {
        List<Transform> transforms = new ArrayList<>();
        int codedWidth = width;
        if (main) {
            int seen = 0;
            while (reader.readFlag()) {
                int type = reader.readBits(2);
                if ((seen & (1 << type)) != 0) {
                    throw new IllegalArgumentException("invalid WebP image: the lossless "
                            + "transform " + type + " appears twice");
                }
                seen |= 1 << type;
                Transform transform = readTransform(type, codedWidth, height);
                transforms.add(transform);
                if (type == COLOR_INDEXING) {
                    codedWidth = subsampledSize(codedWidth, transform.bits());
                }
            }
        }
        int[] pixels = decodeEntropyCoded(codedWidth, height, main);
        for (int i = transforms.size() - 1; i >= 0; i--) {
            pixels = LosslessTransforms.inverse(transforms.get(i), pixels, height);
        }
        return pixels;
    }

    private Transform readTransform(int type, int width, int height) {
        switch (type) {
            case PREDICTOR, COLOR -> {
                int bits = reader.readBits(3) + 2;
                int[] data = decodeImageStream(subsampledSize(width, bits),
                        subsampledSize(height, bits), false);
                return new Transform(type, width, bits, data);
            }
            case SUBTRACT_GREEN -> {
                return new Transform(type, width, 0, null);
            }
            default -> {
                int size = reader.readBits(8) + 1;
                int[] colors = decodeImageStream(size, 1, false);
                int[] table = new int[256];
                table[0] = colors[0];
                for (int i = 1; i < size; i++) {
                    table[i] = LosslessTransforms.addPixels(colors[i], table[i - 1]);
                }
                return new Transform(type, width, bundlingBits(size), table);
            }
        }
    }

    /** Returns log2 of the pixels packed into one coded pixel for a color table this size. */
    private static int bundlingBits(int colorCount) {
        if (colorCount <= 2) {
            return 3;
        }
        if (colorCount <= 4) {
            return 2;
        }
        if (colorCount <= 16) {
            return 1;
        }
        return 0;
    }

    static int subsampledSize(int size, int bits) {
        return (size + (1 << bits) - 1) >> bits;
    }

    /** Prefix codes of one group: green/length/cache, red, blue, alpha, distance. */
    private record Group(PrefixCode green, PrefixCode red, PrefixCode blue, PrefixCode alpha,
            PrefixCode distance) {}

    private int[] decodeEntropyCoded(int width, int height, boolean main) {
        int cacheBits = 0;
        if (reader.readFlag()) {
            cacheBits = reader.readBits(4);
            if (cacheBits < 1 || cacheBits > 11) {
                throw new IllegalArgumentException("invalid WebP image: lossless color cache"
                        + " bits " + cacheBits + " outside 1 to 11");
            }
        }
        int metaBits = 0;
        int metaWidth = 1;
        int[] metaImage = null;
        int groupCount = 1;
        if (main && reader.readFlag()) {
            metaBits = reader.readBits(3) + 2;
            metaWidth = subsampledSize(width, metaBits);
            metaImage = decodeImageStream(metaWidth, subsampledSize(height, metaBits), false);
            for (int i = 0; i < metaImage.length; i++) {
                metaImage[i] = (metaImage[i] >> 8) & 0xFFFF;
                groupCount = Math.max(groupCount, metaImage[i] + 1);
            }
        }
        int cacheSize = cacheBits == 0 ? 0 : 1 << cacheBits;
        Group[] groups = new Group[groupCount];
        for (int g = 0; g < groupCount; g++) {
            groups[g] = new Group(readCode(LITERALS + LENGTH_CODES + cacheSize, "green"),
                    readCode(LITERALS, "red"), readCode(LITERALS, "blue"),
                    readCode(LITERALS, "alpha"), readCode(DISTANCE_CODES, "distance"));
        }
        return decodePixels(width, height, groups, metaImage, metaBits, metaWidth, cacheBits);
    }

    private int[] decodePixels(int width, int height, Group[] groups, int[] metaImage,
            int metaBits, int metaWidth, int cacheBits) {
        int total = width * height;
        int[] pixels = new int[total];
        int[] cache = cacheBits == 0 ? null : new int[1 << cacheBits];
        int cacheShift = 32 - cacheBits;
        int position = 0;
        int cached = 0;
        while (position < total) {
            int x = position % width;
            int y = position / width;
            Group group = groups[metaImage == null ? 0
                    : metaImage[(y >> metaBits) * metaWidth + (x >> metaBits)]];
            int symbol = group.green().read(reader);
            if (symbol < LITERALS) {
                int red = group.red().read(reader);
                int blue = group.blue().read(reader);
                int alpha = group.alpha().read(reader);
                pixels[position++] = alpha << 24 | red << 16 | symbol << 8 | blue;
            } else if (symbol < LITERALS + LENGTH_CODES) {
                int length = readPrefixedValue(symbol - LITERALS);
                int distanceCode = readPrefixedValue(group.distance().read(reader));
                int distance = toDistance(distanceCode, width);
                if (distance > position) {
                    throw new IllegalArgumentException("invalid WebP image: a lossless backward"
                            + " reference points " + distance + " pixels back from pixel "
                            + position);
                }
                if (length > total - position) {
                    throw new IllegalArgumentException("invalid WebP image: a lossless backward"
                            + " reference of " + length + " pixels runs past the image end");
                }
                for (int i = 0; i < length; i++, position++) {
                    pixels[position] = pixels[position - distance];
                }
            } else {
                pixels[position++] = cache[symbol - LITERALS - LENGTH_CODES];
            }
            if (cache != null) {
                for (; cached < position; cached++) {
                    int color = pixels[cached];
                    cache[(0x1E35A7BD * color) >>> cacheShift] = color;
                }
            }
        }
        return pixels;
    }

    private int readPrefixedValue(int prefix) {
        if (prefix < 4) {
            return prefix + 1;
        }
        int extraBits = (prefix - 2) >> 1;
        int offset = (2 + (prefix & 1)) << extraBits;
        return offset + reader.readBits(extraBits) + 1;
    }

    private static int toDistance(int code, int width) {
        if (code > 120) {
            return code - 120;
        }
        int dx = DISTANCE_OFFSETS[2 * (code - 1)];
        int dy = DISTANCE_OFFSETS[2 * (code - 1) + 1];
        return Math.max(dx + dy * width, 1);
    }

    private PrefixCode readCode(int alphabetSize, String codeName) {
        int[] lengths = new int[alphabetSize];
        if (reader.readFlag()) {
            readSimpleCodeLengths(lengths);
        } else {
            readNormalCodeLengths(lengths, codeName);
        }
        return new PrefixCode(lengths, codeName);
    }

    /** Reads a simple code: one or two symbols, each given code length 1. */
    private void readSimpleCodeLengths(int[] lengths) {
        int symbolCount = reader.readBits(1) + 1;
        int firstBits = reader.readBits(1) == 1 ? 8 : 1;
        int first = reader.readBits(firstBits);
        // Symbols beyond the alphabet are ignored, as libwebp does.
        if (first < lengths.length) {
            lengths[first] = 1;
        }
        if (symbolCount == 2) {
            int second = reader.readBits(8);
            if (second < lengths.length) {
                lengths[second] = 1;
            }
        }
    }

    /** Reads code lengths coded with a code length code and run-length tokens 16 to 18. */
    private void readNormalCodeLengths(int[] lengths, String codeName) {
        int alphabetSize = lengths.length;
        int[] codeLengthLengths = new int[CODE_LENGTH_ORDER.length];
        int count = reader.readBits(4) + 4;
        for (int i = 0; i < count; i++) {
            codeLengthLengths[CODE_LENGTH_ORDER[i]] = reader.readBits(3);
        }
        PrefixCode codeLengthCode = new PrefixCode(codeLengthLengths, codeName + " code length");

        int maxTokens = alphabetSize;
        if (reader.readFlag()) {
            int bits = 2 + 2 * reader.readBits(3);
            maxTokens = 2 + reader.readBits(bits);
            if (maxTokens > alphabetSize) {
                throw new IllegalArgumentException("invalid WebP image: the lossless " + codeName
                        + " prefix code declares " + maxTokens + " code lengths for "
                        + alphabetSize + " symbols");
            }
        }

        int symbol = 0;
        int previous = 8;
        while (symbol < alphabetSize && maxTokens-- > 0) {
            int token = codeLengthCode.read(reader);
            if (token < 16) {
                lengths[symbol++] = token;
                if (token != 0) {
                    previous = token;
                }
                continue;
            }
            int repeat;
            int value = 0;
            if (token == 16) {
                repeat = 3 + reader.readBits(2);
                value = previous;
            } else if (token == 17) {
                repeat = 3 + reader.readBits(3);
            } else {
                repeat = 11 + reader.readBits(7);
            }
            if (symbol + repeat > alphabetSize) {
                throw new IllegalArgumentException("invalid WebP image: the lossless " + codeName
                        + " prefix code lengths run past its " + alphabetSize + " symbols");
            }
            for (int i = 0; i < repeat; i++) {
                lengths[symbol++] = value;
            }
        }
    }
}
