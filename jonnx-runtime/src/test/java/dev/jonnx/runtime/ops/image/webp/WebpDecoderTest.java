package dev.jonnx.runtime.ops.image.webp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jonnx.io.TensorProtos;
import dev.jonnx.onnx.TensorProto;
import dev.jonnx.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebpDecoderTest {

    private static final String[] FILES = {
        "lossy", "lossy-simple-filter", "lossy-alpha", "lossy-alpha-raw", "lossless",
        "lossless-palette",
    };

    // ---- files made by cwebp, compared with libwebp's dwebp output ----

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "lossy", "lossy-simple-filter", "lossy-alpha", "lossy-alpha-raw", "lossless",
        "lossless-palette",
    })
    void decodesLikeLibwebp(String name) throws IOException {
        BufferedImage image = WebpDecoder.decode(resource(name + ".webp"));
        Pam expected = Pam.parse(resource(name + ".pam"));
        assertThat(image.getWidth()).isEqualTo(expected.width());
        assertThat(image.getHeight()).isEqualTo(expected.height());
        boolean alpha = image.getColorModel().hasAlpha();
        int mismatches = 0;
        String first = null;
        for (int y = 0; y < expected.height(); y++) {
            for (int x = 0; x < expected.width(); x++) {
                int want = expected.argb(x, y);
                int got = image.getRGB(x, y);
                if (!alpha) {
                    want |= 0xFF000000;
                }
                if (got != want) {
                    mismatches++;
                    if (first == null) {
                        first = String.format("(%d, %d): got %08x, expected %08x", x, y, got,
                                want);
                    }
                }
            }
        }
        assertThat(mismatches).as("pixels differing from dwebp, first at %s", first).isZero();
    }

    @Test
    void alphaChannelIsKept() throws IOException {
        assertThat(WebpDecoder.decode(resource("lossy-alpha.webp")).getColorModel().hasAlpha())
                .isTrue();
        assertThat(WebpDecoder.decode(resource("lossy.webp")).getColorModel().hasAlpha())
                .isFalse();
    }

    @Test
    void backendSuiteCaseMatches() throws IOException {
        Path dir = Path.of(System.getProperty("jonnx.onnxTests", "../../shared/onnx-tests"))
                .toAbsolutePath().normalize()
                .resolve("node/test_image_decoder_decode_webp_rgb/test_data_set_0");
        assumeTrue(Files.isDirectory(dir), "backend suite case " + dir + " is not present");
        Tensor input = TensorProtos.toTensor(
                TensorProto.parseFrom(Files.readAllBytes(dir.resolve("input_0.pb"))));
        Tensor expected = TensorProtos.toTensor(
                TensorProto.parseFrom(Files.readAllBytes(dir.resolve("output_0.pb"))));
        BufferedImage image = WebpDecoder.decode(input.bytes());
        int height = expected.shape()[0];
        int width = expected.shape()[1];
        assertThat(image.getWidth()).isEqualTo(width);
        assertThat(image.getHeight()).isEqualTo(height);
        byte[] rgb = new byte[height * width * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int argb = image.getRGB(x, y);
                int at = (y * width + x) * 3;
                rgb[at] = (byte) (argb >> 16);
                rgb[at + 1] = (byte) (argb >> 8);
                rgb[at + 2] = (byte) argb;
            }
        }
        assertThat(rgb).isEqualTo(expected.bytes());
    }

    // ---- hand-built lossless bitstreams ----

    private static final int RED = 0x90;
    private static final int BLUE = 0xF8;
    private static final int ALPHA = 0x7F;
    private static final int GREEN = 0x10;

    /**
     * Builds a 4x1 VP8L image: one literal pixel, then a backward reference of length 3 whose
     * distance prefix symbol is {@code distanceSymbol}. The green code has two 1-bit symbols,
     * GREEN and 258 (length prefix 2, so 3 pixels). The other codes have one symbol each, so they
     * take no bits. With {@code subtractGreen}, the stream carries the subtract-green transform.
     */
    private static byte[] fourPixelStream(boolean subtractGreen, int distanceSymbol) {
        BitWriter w = new BitWriter();
        w.write(0x2F, 8);
        w.write(4 - 1, 14);
        w.write(1 - 1, 14);
        w.write(1, 1); // alpha is used
        w.write(0, 3); // version
        if (subtractGreen) {
            w.write(1, 1);
            w.write(2, 2);
        }
        w.write(0, 1); // no more transforms
        w.write(0, 1); // no color cache
        w.write(0, 1); // no meta prefix codes
        writeTwoSymbolNormalCode(w, 280, GREEN, 258);
        writeSimpleCode(w, RED);
        writeSimpleCode(w, BLUE);
        writeSimpleCode(w, ALPHA);
        writeSimpleCode(w, distanceSymbol);
        w.write(0, 1); // green code "0": literal GREEN, then red, blue, alpha take no bits
        w.write(1, 1); // green code "1": symbol 258, a backward reference of length 3
        return riff("VP8L", w.toBytes());
    }

    /** Writes a normal code in which exactly symbols {@code a} and {@code b} have length 1. */
    private static void writeTwoSymbolNormalCode(BitWriter w, int alphabetSize, int a, int b) {
        w.write(0, 1); // normal code
        w.write(4 - 4, 4); // four code length code lengths, for 17, 18, 0 and 1
        w.write(0, 3);
        w.write(0, 3);
        w.write(1, 3); // code length 0 gets the 1-bit code "0"
        w.write(1, 3); // code length 1 gets the 1-bit code "1"
        w.write(0, 1); // lengths follow for the whole alphabet
        for (int symbol = 0; symbol < alphabetSize; symbol++) {
            w.write(symbol == a || symbol == b ? 1 : 0, 1);
        }
    }

    private static void writeSimpleCode(BitWriter w, int symbol) {
        w.write(1, 1); // simple code
        w.write(0, 1); // one symbol
        w.write(1, 1); // stored in 8 bits
        w.write(symbol, 8);
    }

    @Test
    void losslessLiteralAndBackwardReference() {
        // Distance symbol 1 is distance code 2, the offset (1, 0): the previous pixel.
        BufferedImage image = WebpDecoder.decode(fourPixelStream(false, 1));
        int expected = ALPHA << 24 | RED << 16 | GREEN << 8 | BLUE;
        assertThat(image.getWidth()).isEqualTo(4);
        assertThat(image.getHeight()).isEqualTo(1);
        for (int x = 0; x < 4; x++) {
            assertThat(image.getRGB(x, 0)).as("pixel %d", x).isEqualTo(expected);
        }
    }

    @Test
    void losslessSubtractGreenIsUndone() {
        BufferedImage image = WebpDecoder.decode(fourPixelStream(true, 1));
        int red = (RED + GREEN) & 0xFF;
        int blue = (BLUE + GREEN) & 0xFF;
        int expected = ALPHA << 24 | red << 16 | GREEN << 8 | blue;
        for (int x = 0; x < 4; x++) {
            assertThat(image.getRGB(x, 0)).as("pixel %d", x).isEqualTo(expected);
        }
    }

    @Test
    void losslessReferenceBeforeStartIsRejected() {
        // Distance symbol 0 is distance code 1, the pixel above: 4 pixels back from pixel 1.
        assertThatThrownBy(() -> WebpDecoder.decode(fourPixelStream(false, 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("backward reference points 4 pixels back");
    }

    @Test
    void losslessOverSubscribedCodeIsRejected() {
        BitWriter w = new BitWriter();
        w.write(0x2F, 8);
        w.write(0, 14);
        w.write(0, 14);
        w.write(0, 4);
        w.write(0, 3); // no transform, no color cache, no meta prefix codes
        w.write(0, 1); // normal green code
        w.write(0, 4);
        w.write(0, 3);
        w.write(0, 3);
        w.write(1, 3);
        w.write(1, 3);
        w.write(0, 1);
        for (int symbol = 0; symbol < 280; symbol++) {
            w.write(symbol < 3 ? 1 : 0, 1); // three codes of length 1 cannot exist
        }
        assertThatThrownBy(() -> WebpDecoder.decode(riff("VP8L", w.toBytes())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("green prefix code lengths are over-subscribed");
    }

    // ---- malformed files ----

    @Test
    void nonWebpIsRejected() {
        assertThatThrownBy(() -> WebpDecoder.decode("RIFF\0\0\0\0WAVEfmt ".getBytes(
                StandardCharsets.ISO_8859_1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a WebP image");
    }

    @Test
    void riffSizeBeyondFileIsRejected() throws IOException {
        byte[] file = resource("lossy.webp");
        putUint32(file, 4, file.length);
        assertThatThrownBy(() -> WebpDecoder.decode(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RIFF header declares " + file.length + " bytes");
    }

    @Test
    void chunkSizeBeyondFileIsRejected() throws IOException {
        byte[] file = resource("lossless.webp");
        putUint32(file, 16, 0x7FFFFFF0);
        assertThatThrownBy(() -> WebpDecoder.decode(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("chunk 'VP8L' declares 2147483632 bytes");
    }

    @Test
    void firstPartitionBeyondChunkIsRejected() throws IOException {
        byte[] file = resource("lossy.webp");
        // The frame tag keeps the key frame, version and show bits and sets a 19-bit size.
        int tag = (file[20] & 0x1F) | 0x7FFFF << 5;
        file[20] = (byte) tag;
        file[21] = (byte) (tag >> 8);
        file[22] = (byte) (tag >> 16);
        assertThatThrownBy(() -> WebpDecoder.decode(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("first partition size 524287 exceeds");
    }

    @Test
    void hugeCanvasIsRejectedBeforeAllocating() throws IOException {
        byte[] file = resource("lossy-alpha.webp");
        // VP8X payload: flags, 3 reserved bytes, then width - 1 and height - 1 in 24 bits each.
        for (int i = 24; i < 30; i++) {
            file[i] = (byte) 0xFF;
        }
        assertThatThrownBy(() -> WebpDecoder.decode(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("WebP canvas")
                .hasMessageContaining("[16777216, 16777216, 3]");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void largestLosslessSizeWithoutDataIsRejected() {
        BitWriter w = new BitWriter();
        w.write(0x2F, 8);
        w.write(16383, 14);
        w.write(16383, 14);
        w.write(0, 4);
        assertThatThrownBy(() -> WebpDecoder.decode(riff("VP8L", w.toBytes())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageFindingMatch("truncated|more than the maximum JVM heap");
    }

    @Test
    void animationIsRejected() throws IOException {
        byte[] file = resource("lossy-alpha.webp");
        file[20] |= 0x02; // the VP8X animation flag
        assertThatThrownBy(() -> WebpDecoder.decode(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("animated WebP");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "lossy", "lossy-simple-filter", "lossy-alpha", "lossy-alpha-raw", "lossless",
        "lossless-palette",
    })
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void truncatedFilesFailCleanly(String name) throws IOException {
        byte[] file = resource(name + ".webp");
        for (int keep = 12; keep < file.length; keep++) {
            byte[] cut = truncate(file, keep);
            Throwable thrown = decodeCatching(cut);
            if (keep <= file.length / 2) {
                assertThat(thrown).as("%s cut to %d bytes", name, keep)
                        .isInstanceOf(IllegalArgumentException.class);
            } else if (thrown != null) {
                assertThat(thrown).as("%s cut to %d bytes", name, keep)
                        .isInstanceOf(IllegalArgumentException.class);
            }
            if (thrown != null) {
                assertThat(thrown.getMessage()).as("%s cut to %d bytes", name, keep)
                        .contains("WebP");
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void corruptedBytesFailCleanly() throws IOException {
        Random random = new Random(20261204);
        for (String name : FILES) {
            byte[] original = resource(name + ".webp");
            for (int trial = 0; trial < 300; trial++) {
                byte[] file = original.clone();
                int flips = 1 + random.nextInt(4);
                for (int i = 0; i < flips; i++) {
                    file[12 + random.nextInt(file.length - 12)] ^= (byte) (1 + random.nextInt(255));
                }
                Throwable thrown = decodeCatching(file);
                if (thrown != null && !(thrown instanceof IllegalArgumentException)) {
                    fail(name + " trial " + trial + " threw " + thrown, thrown);
                }
            }
        }
    }

    // ---- helpers ----

    private static Throwable decodeCatching(byte[] file) {
        try {
            WebpDecoder.decode(file);
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    /**
     * Cuts a file to {@code keep} bytes and rewrites the RIFF size and the size of the chunk that
     * the cut falls in, so that the truncation reaches the decoder of that chunk.
     */
    private static byte[] truncate(byte[] file, int keep) {
        byte[] cut = Arrays.copyOf(file, keep);
        putUint32(cut, 4, keep - 8);
        int at = 12;
        while (at + 8 <= keep) {
            long size = readUint32(cut, at + 4);
            if (at + 8 + size > keep) {
                putUint32(cut, at + 4, keep - at - 8);
                break;
            }
            at += 8 + (int) size + (int) (size & 1);
        }
        return cut;
    }

    private static byte[] riff(String type, byte[] payload) {
        int padded = payload.length + (payload.length & 1);
        byte[] file = new byte[20 + padded];
        System.arraycopy("RIFF".getBytes(StandardCharsets.ISO_8859_1), 0, file, 0, 4);
        putUint32(file, 4, 12 + padded);
        System.arraycopy("WEBP".getBytes(StandardCharsets.ISO_8859_1), 0, file, 8, 4);
        System.arraycopy(type.getBytes(StandardCharsets.ISO_8859_1), 0, file, 12, 4);
        putUint32(file, 16, payload.length);
        System.arraycopy(payload, 0, file, 20, payload.length);
        return file;
    }

    private static void putUint32(byte[] data, int at, long value) {
        for (int i = 0; i < 4; i++) {
            data[at + i] = (byte) (value >> (8 * i));
        }
    }

    private static long readUint32(byte[] data, int at) {
        long value = 0;
        for (int i = 0; i < 4; i++) {
            value |= (data[at + i] & 0xFFL) << (8 * i);
        }
        return value;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = WebpDecoderTest.class.getResourceAsStream("/webp/" + name)) {
            assertThat(in).as("test resource /webp/%s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    /** Writes bits least significant first, as the VP8L bitstream stores them. */
    private static final class BitWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private long buffer;
        private int count;

        void write(int value, int bits) {
            buffer |= ((long) value & ((1L << bits) - 1)) << count;
            count += bits;
            while (count >= 8) {
                out.write((int) buffer & 0xFF);
                buffer >>>= 8;
                count -= 8;
            }
        }

        byte[] toBytes() {
            if (count > 0) {
                out.write((int) buffer & 0xFF);
                buffer = 0;
                count = 0;
            }
            return out.toByteArray();
        }
    }

    /** An RGBA PAM image as written by {@code dwebp -pam}. */
    private record Pam(int width, int height, byte[] data, int offset) {
        static Pam parse(byte[] file) {
            String text = new String(file, 0, Math.min(file.length, 256),
                    StandardCharsets.ISO_8859_1);
            int end = text.indexOf("ENDHDR\n");
            assertThat(end).as("PAM header end").isPositive();
            int width = 0;
            int height = 0;
            for (String line : text.substring(0, end).split("\n")) {
                if (line.startsWith("WIDTH ")) {
                    width = Integer.parseInt(line.substring(6).trim());
                } else if (line.startsWith("HEIGHT ")) {
                    height = Integer.parseInt(line.substring(7).trim());
                } else if (line.startsWith("DEPTH ")) {
                    assertThat(line.substring(6).trim()).as("PAM depth").isEqualTo("4");
                }
            }
            return new Pam(width, height, file, end + 7);
        }

        int argb(int x, int y) {
            int at = offset + (y * width + x) * 4;
            return (data[at + 3] & 0xFF) << 24 | (data[at] & 0xFF) << 16
                    | (data[at + 1] & 0xFF) << 8 | (data[at + 2] & 0xFF);
        }
    }
}
