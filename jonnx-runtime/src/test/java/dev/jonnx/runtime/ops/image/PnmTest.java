package dev.jonnx.runtime.ops.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PnmTest {

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void plainPixmapReadsRgb() {
        BufferedImage image = Pnm.decode(ascii("P3\n# comment\n2 1\n255\n255 0 0  0 0 255\n"));
        assertThat(image.getWidth()).isEqualTo(2);
        assertThat(image.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xFF0000);
        assertThat(image.getRGB(1, 0) & 0xFFFFFF).isEqualTo(0x0000FF);
    }

    @Test
    void rawGraymapScalesToEightBits() {
        byte[] header = ascii("P5 2 1 15\n");
        byte[] data = new byte[header.length + 2];
        System.arraycopy(header, 0, data, 0, header.length);
        data[header.length] = 15;
        data[header.length + 1] = 5;
        BufferedImage image = Pnm.decode(data);
        assertThat(image.getRaster().getSample(0, 0, 0)).isEqualTo(255);
        assertThat(image.getRaster().getSample(1, 0, 0)).isEqualTo(85);
    }

    @Test
    void rawBitmapTreatsOneAsBlack() {
        byte[] header = ascii("P4 3 1\n");
        byte[] data = new byte[header.length + 1];
        System.arraycopy(header, 0, data, 0, header.length);
        data[header.length] = (byte) 0b1010_0000;
        BufferedImage image = Pnm.decode(data);
        assertThat(image.getRaster().getSample(0, 0, 0)).isEqualTo(0);
        assertThat(image.getRaster().getSample(1, 0, 0)).isEqualTo(255);
        assertThat(image.getRaster().getSample(2, 0, 0)).isEqualTo(0);
    }

    @Test
    void truncatedDataIsRejected() {
        assertThatThrownBy(() -> Pnm.decode(ascii("P6 4 4 255\n")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> Pnm.decode(ascii("P3 0 1 255\n")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid size");
    }
}
