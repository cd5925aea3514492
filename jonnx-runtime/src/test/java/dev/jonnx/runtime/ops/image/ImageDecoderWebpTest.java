package dev.jonnx.runtime.ops.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** Runs the ImageDecoder operator on WebP files, in every pixel format. */
class ImageDecoderWebpTest {

    private static Tensor stream(String name) throws IOException {
        try (InputStream in = ImageDecoderWebpTest.class.getResourceAsStream("/webp/" + name)) {
            assertThat(in).as("test resource /webp/%s", name).isNotNull();
            byte[] bytes = in.readAllBytes();
            return Tensor.of(DataType.UINT8, new int[] {bytes.length}, bytes);
        }
    }

    @Test
    void webpDecodesToRgbBgrAndGray() throws IOException {
        Tensor stream = stream("lossy-alpha.webp");
        Tensor rgb = NodeRunner.op("ImageDecoder", 20).run(stream);
        Tensor bgr = NodeRunner.op("ImageDecoder", 20).attr("pixel_format", "BGR").run(stream);
        Tensor gray = NodeRunner.op("ImageDecoder", 20).attr("pixel_format", "Grayscale")
                .run(stream);
        assertThat(rgb.shape()).containsExactly(31, 33, 3);
        assertThat(bgr.shape()).containsExactly(31, 33, 3);
        assertThat(gray.shape()).containsExactly(31, 33, 1);
        byte[] rgbBytes = rgb.bytes();
        byte[] bgrBytes = bgr.bytes();
        byte[] grayBytes = gray.bytes();
        for (int pixel = 0; pixel < 31 * 33; pixel++) {
            int r = rgbBytes[3 * pixel] & 0xFF;
            int g = rgbBytes[3 * pixel + 1] & 0xFF;
            int b = rgbBytes[3 * pixel + 2] & 0xFF;
            assertThat(bgrBytes[3 * pixel] & 0xFF).as("blue of pixel %d", pixel).isEqualTo(b);
            assertThat(bgrBytes[3 * pixel + 1] & 0xFF).as("green of pixel %d", pixel).isEqualTo(g);
            assertThat(bgrBytes[3 * pixel + 2] & 0xFF).as("red of pixel %d", pixel).isEqualTo(r);
            int luma = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
            assertThat(grayBytes[pixel] & 0xFF).as("gray of pixel %d", pixel).isEqualTo(luma);
        }
    }

    @Test
    void webpAlphaIsDroppedNotPremultiplied() throws IOException {
        // dwebp's reference keeps the color of transparent pixels, such as the first column's.
        Tensor rgb = NodeRunner.op("ImageDecoder", 20).run(stream("lossy-alpha.webp"));
        byte[] pam;
        try (InputStream in = ImageDecoderWebpTest.class.getResourceAsStream(
                "/webp/lossy-alpha.pam")) {
            assertThat(in).as("test resource /webp/lossy-alpha.pam").isNotNull();
            pam = in.readAllBytes();
        }
        int header = pam.length - 31 * 33 * 4;
        byte[] bytes = rgb.bytes();
        for (int pixel = 0; pixel < 31 * 33; pixel++) {
            for (int c = 0; c < 3; c++) {
                assertThat(bytes[3 * pixel + c]).as("channel %d of pixel %d", c, pixel)
                        .isEqualTo(pam[header + 4 * pixel + c]);
            }
        }
        assertThat(pam[header + 3]).as("alpha of the first pixel").isEqualTo((byte) 0);
    }
}
