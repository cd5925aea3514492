package dev.jonnx.runtime.ops.image.jpeg2000;

import static dev.jonnx.runtime.ops.image.jpeg2000.Jpeg2000DecoderTest.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jonnx.tensor.Limits;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Malformed and unsupported JPEG 2000 input must raise a clear IllegalArgumentException. */
class Jpeg2000MalformedTest {
    /** Offset of the COM marker in rgb_53.j2k, right after the main header's QCD. */
    private static final int COM_OFFSET = 0x4D;

    private static void putInt(byte[] data, int at, long value) {
        for (int i = 0; i < 4; i++) {
            data[at + i] = (byte) (value >>> (24 - 8 * i));
        }
    }

    /** Decodes and returns the exception, failing unless it is an IllegalArgumentException. */
    private static IllegalArgumentException decodeFailure(byte[] data) {
        Throwable thrown = null;
        try {
            Jpeg2000Decoder.decode(data);
        } catch (Throwable t) {
            thrown = t;
        }
        assertThat(thrown).as("exception").isInstanceOf(IllegalArgumentException.class);
        assertThat(thrown.getMessage()).as("message").isNotBlank();
        return (IllegalArgumentException) thrown;
    }

    /** Decodes and accepts success or an IllegalArgumentException, nothing else. */
    private static void decodeOrReject(byte[] data, String description) {
        try {
            Jpeg2000Decoder.decode(data);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).as("message for %s", description).isNotBlank();
        } catch (RuntimeException | Error e) {
            throw new AssertionError("decoding " + description + " threw " + e, e);
        }
    }

    @Test
    void emptyInputIsRejected() {
        assertThat(decodeFailure(new byte[0]).getMessage()).contains("JP2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rgb_53.j2k", "rgb_97.jp2", "rgb_rpcl_layers.j2k",
        "rgb_rlcp_modes.j2k"})
    void everyTruncationFailsCleanly(String file) throws IOException {
        byte[] whole = resource(file);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int length = 0; length < whole.length - 2; length++) {
                decodeFailure(Arrays.copyOf(whole, length));
            }
        });
    }

    @Test
    void truncatedCodestreamNamesTheShortfall() throws IOException {
        byte[] whole = resource("rgb_53.j2k");
        String message = decodeFailure(Arrays.copyOf(whole, whole.length / 2)).getMessage();
        assertThat(message).contains("tile-part").contains("remain");
    }

    @Test
    void markerLengthPastTheEndIsRejected() throws IOException {
        byte[] data = resource("rgb_53.j2k");
        data[4] = (byte) 0x7F;
        assertThat(decodeFailure(data).getMessage()).contains("SIZ").contains("length");
    }

    @Test
    void markerLengthTooShortIsRejected() throws IOException {
        byte[] data = resource("rgb_53.j2k");
        data[4] = 0;
        data[5] = 10;
        assertThat(decodeFailure(data).getMessage()).contains("SIZ").contains("truncated");
    }

    @Test
    void hugeImageIsRejectedBeforeAllocating() throws IOException {
        byte[] data = resource("rgb_53.j2k");
        putInt(data, 8, 0x7FFF_FFFFL);
        putInt(data, 12, 0x7FFF_FFFFL);
        putInt(data, 24, 0x7FFF_FFFFL);
        putInt(data, 28, 0x7FFF_FFFFL);
        assertThat(decodeFailure(data).getMessage()).contains("limit");
    }

    @Test
    void imageLargerThanTheHeapIsRejected() throws IOException {
        // 26000 x 26000 x 3 samples stay under the element limit but need about 12 GiB.
        byte[] data = resource("rgb_53.j2k");
        long[] siz = {26000, 26000, 0, 0, 26000, 26000, 0, 0};
        for (int i = 0; i < siz.length; i++) {
            putInt(data, 8 + 4 * i, siz[i]);
        }
        assertThat(decodeFailure(data).getMessage()).contains("more than the maximum JVM heap");
    }

    @Test
    void componentTotalAboveLimitNamesTheTotal() throws IOException {
        byte[] data = resource("rgb_53.j2k");
        long[] siz = {30000, 30000, 0, 0, 30000, 30000, 0, 0};
        for (int i = 0; i < siz.length; i++) {
            putInt(data, 8 + 4 * i, siz[i]);
        }
        String message = decodeFailure(data).getMessage();
        assertThat(message).contains("30000x30000 pixels in 3 components");
        assertThat(message).contains("has 2700000000 elements");
    }

    @Test
    void imageExtentAboveIntRangeIsRejected() throws IOException {
        byte[] data = resource("rgb_53.j2k");
        putInt(data, 8, 0xFFFF_FFFFL);
        assertThat(decodeFailure(data).getMessage()).contains("4294967295");
    }

    @Test
    void tooManyTilesAreRejected() throws IOException {
        byte[] data = resource("rgb_53.j2k");
        putInt(data, 8, 0x7FFF_FFFFL);
        putInt(data, 24, 1);
        assertThat(decodeFailure(data).getMessage()).contains("tiles");
    }

    @Test
    void tileWithoutTilePartIsRejected() throws IOException {
        byte[] data = resource("gray_tiles.j2k");
        putInt(data, 24, 8);
        assertThat(decodeFailure(data).getMessage()).contains("has no tile-part");
    }

    @Test
    void zeroComponentsAreRejected() throws IOException {
        byte[] data = resource("rgb_53.j2k");
        data[40] = 0;
        data[41] = 0;
        assertThat(decodeFailure(data).getMessage()).contains("components");
    }

    @Test
    void progressionOrderChangeIsUnsupported() throws IOException {
        byte[] data = resource("rgb_53.j2k");
        assertThat(data[COM_OFFSET] & 0xFF).isEqualTo(0xFF);
        assertThat(data[COM_OFFSET + 1] & 0xFF).isEqualTo(0x64);
        data[COM_OFFSET + 1] = 0x5F;
        assertThat(decodeFailure(data).getMessage()).contains("POC").contains("unsupported");
    }

    @Test
    void regionOfInterestIsUnsupported() throws IOException {
        byte[] data = resource("rgb_53.j2k");
        data[COM_OFFSET + 1] = 0x5E;
        assertThat(decodeFailure(data).getMessage()).contains("RGN");
    }

    @Test
    void packedPacketHeadersAreUnsupported() throws IOException {
        byte[] data = resource("rgb_53.j2k");
        data[COM_OFFSET + 1] = 0x60;
        assertThat(decodeFailure(data).getMessage()).contains("PPM");
    }

    @Test
    void missingSizIsRejected() throws IOException {
        byte[] data = resource("rgb_53.j2k");
        data[3] = 0x52;
        assertThat(decodeFailure(data).getMessage()).contains("SIZ");
    }

    @Test
    void badBoxLengthIsRejected() throws IOException {
        byte[] data = resource("rgb_97.jp2");
        putInt(data, 12, 0x7FFF_0000L);
        assertThat(decodeFailure(data).getMessage()).contains("ftyp").contains("declares");
    }

    @Test
    void jp2WithoutCodestreamIsRejected() throws IOException {
        // The JP2 header box ends at 0x4D, where the codestream box starts.
        byte[] data = Arrays.copyOf(resource("rgb_97.jp2"), 0x4D);
        assertThat(decodeFailure(data).getMessage()).contains("jp2c");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rgb_53.j2k", "rgb_97.jp2", "gray_tiles.j2k", "rgb_rpcl_layers.j2k",
        "rgb_rlcp_modes.j2k", "gray_bypass_97.j2k", "sub2x2.j2k"})
    void corruptedBytesFailCleanlyOrDecode(String file) throws IOException {
        byte[] whole = resource(file);
        Random random = new Random(file.hashCode());
        // A corrupted size field can declare a large image, so a low element limit keeps
        // each trial small and exercises the limit checks too.
        long previous = Limits.maxElements();
        Limits.setMaxElements(1 << 16);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
                for (int trial = 0; trial < 250; trial++) {
                    byte[] data = whole.clone();
                    int changes = 1 + random.nextInt(4);
                    for (int k = 0; k < changes; k++) {
                        data[random.nextInt(data.length)] = (byte) random.nextInt(256);
                    }
                    decodeOrReject(data, file + " trial " + trial);
                }
            });
        } finally {
            Limits.setMaxElements(previous);
        }
    }

    @Test
    void codestreamOfThreeBytesIsRejected() {
        assertThatThrownBy(() -> Jpeg2000Decoder.decode(new byte[] {(byte) 0xFF, 0x4F, 0x00}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("truncated");
    }
}
