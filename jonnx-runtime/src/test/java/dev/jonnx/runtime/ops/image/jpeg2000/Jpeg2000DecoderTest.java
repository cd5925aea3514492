package dev.jonnx.runtime.ops.image.jpeg2000;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Limits;
import dev.jonnx.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Decodes the files in the jpeg2000 test resources and compares with OpenJPEG's output. */
class Jpeg2000DecoderTest {

    static byte[] resource(String name) throws IOException {
        try (InputStream in = Jpeg2000DecoderTest.class.getResourceAsStream("/jpeg2000/" + name)) {
            assertThat(in).as("resource %s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    /** Returns the file name with its extension replaced by .raw. */
    private static String referenceName(String file) {
        return file.substring(0, file.lastIndexOf('.')) + ".raw";
    }

    @ParameterizedTest
    @ValueSource(strings = {"rgb_53.j2k", "rgb_97.jp2", "gray_tiles.j2k", "rgb_rpcl_layers.j2k",
        "rgb_pcrl.j2k", "rgb_cprl_97.j2k", "rgb_rlcp_modes.j2k", "gray_bypass_97.j2k",
        "sub2x2.j2k", "gray12_53.j2k", "signed4_97.j2k", "edge_tiles_97.j2k"})
    void samplesMatchOpenJpeg(String file) throws IOException {
        Jpeg2000Image image = Jpeg2000Decoder.decode(resource(file));
        byte[] expected = resource(referenceName(file));
        int at = 0;
        int mismatches = 0;
        int maxDifference = 0;
        for (int c = 0; c < image.samples.length; c++) {
            boolean wide = image.precision[c] > 8;
            for (int sample : image.samples[c]) {
                int reference;
                if (wide) {
                    // opj_decompress writes samples above 8 bits as 16-bit little-endian.
                    reference = (expected[at] & 0xFF) | (expected[at + 1] & 0xFF) << 8;
                    at += 2;
                } else {
                    reference = image.signed[c] ? expected[at] : expected[at] & 0xFF;
                    at++;
                }
                int difference = Math.abs(sample - reference);
                if (difference != 0) {
                    mismatches++;
                    maxDifference = Math.max(maxDifference, difference);
                }
            }
        }
        assertThat(at).as("reference bytes read").isEqualTo(expected.length);
        assertThat(mismatches).as("samples that differ (largest difference %d)", maxDifference)
                .isZero();
    }

    @Test
    void rgbImageKeepsSamples() throws IOException {
        BufferedImage image = Jpeg2000Decoder.decodeToImage(resource("rgb_53.j2k"));
        byte[] planes = resource("rgb_53.raw");
        int pixels = 37 * 29;
        assertThat(image.getWidth()).isEqualTo(37);
        assertThat(image.getHeight()).isEqualTo(29);
        assertThat(image.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < pixels; i++) {
            int expected = (planes[i] & 0xFF) << 16 | (planes[pixels + i] & 0xFF) << 8
                    | planes[2 * pixels + i] & 0xFF;
            assertThat(image.getRGB(i % 37, i / 37) & 0xFFFFFF).as("pixel %d", i)
                    .isEqualTo(expected);
        }
    }

    @Test
    void twelveBitGrayKeepsHighByte() throws IOException {
        BufferedImage image = Jpeg2000Decoder.decodeToImage(resource("gray12_53.j2k"));
        byte[] reference = resource("gray12_53.raw");
        assertThat(image.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
        int first = (reference[0] & 0xFF) | (reference[1] & 0xFF) << 8;
        int last = (reference[reference.length - 2] & 0xFF)
                | (reference[reference.length - 1] & 0xFF) << 8;
        assertThat(image.getRaster().getSample(0, 0, 0)).isEqualTo(first >> 4);
        assertThat(image.getRaster().getSample(22, 18, 0)).isEqualTo(last >> 4);
    }

    @Test
    void subsampledComponentRepeatsSamples() throws IOException {
        Jpeg2000Image image = Jpeg2000Decoder.decode(resource("sub2x2.j2k"));
        assertThat(image.componentWidths[1]).isEqualTo(19);
        assertThat(image.componentHeights[1]).isEqualTo(15);
        assertThat(image.sampleAt(1, 5, 7)).isEqualTo(image.samples[1][3 * 19 + 2]);
        assertThat(image.sampleAt(1, 36, 28)).isEqualTo(image.samples[1][14 * 19 + 18]);
    }

    @Test
    void imageDecoderReadsCodestreamAsBgr() throws IOException {
        byte[] encoded = resource("rgb_53.j2k");
        byte[] planes = resource("rgb_53.raw");
        Tensor stream = Tensor.of(DataType.UINT8, new int[] {encoded.length}, encoded);
        Tensor bgr = NodeRunner.op("ImageDecoder", 20).attr("pixel_format", "BGR").run(stream);
        assertThat(bgr.shape()).containsExactly(29, 37, 3);
        int pixels = 37 * 29;
        byte[] out = bgr.bytes();
        for (int i = 0; i < pixels; i++) {
            assertThat(out[3 * i]).as("blue %d", i).isEqualTo(planes[2 * pixels + i]);
            assertThat(out[3 * i + 1]).as("green %d", i).isEqualTo(planes[pixels + i]);
            assertThat(out[3 * i + 2]).as("red %d", i).isEqualTo(planes[i]);
        }
    }

    @Test
    void imageDecoderRepeatsGrayInRgb() throws IOException {
        byte[] encoded = resource("gray_tiles.j2k");
        byte[] plane = resource("gray_tiles.raw");
        Tensor stream = Tensor.of(DataType.UINT8, new int[] {encoded.length}, encoded);
        Tensor rgb = NodeRunner.op("ImageDecoder", 20).run(stream);
        Tensor gray = NodeRunner.op("ImageDecoder", 20).attr("pixel_format", "Grayscale")
                .run(stream);
        assertThat(rgb.shape()).containsExactly(29, 37, 3);
        assertThat(gray.shape()).containsExactly(29, 37, 1);
        assertThat(gray.bytes()).isEqualTo(plane);
        for (int i = 0; i < plane.length; i++) {
            assertThat(rgb.bytes()[3 * i]).as("red %d", i).isEqualTo(plane[i]);
            assertThat(rgb.bytes()[3 * i + 2]).as("blue %d", i).isEqualTo(plane[i]);
        }
    }

    @Test
    void imageAboveElementLimitIsRejected() throws IOException {
        byte[] data = resource("rgb_53.j2k");
        long previous = Limits.maxElements();
        Limits.setMaxElements(1000);
        try {
            assertThatThrownBy(() -> Jpeg2000Decoder.decode(data))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("limit of 1000");
        } finally {
            Limits.setMaxElements(previous);
        }
    }
}
