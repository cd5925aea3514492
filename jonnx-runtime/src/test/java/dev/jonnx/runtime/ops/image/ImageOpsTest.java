package dev.jonnx.runtime.ops.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.jonnx.ModelCheckException;
import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Resize, sampling, rearranging, NonMaxSuppression and ImageDecoder on hand-checked cases. */
class ImageOpsTest {

    private static Tensor scales(float... values) {
        return Tensor.of(values, values.length);
    }

    @Test
    void resizeNearestMovesStrings() {
        Tensor x = Tensor.of(new String[] {"a", "b"}, 2);
        Tensor y = NodeRunner.op("Resize", 19).run(x, null, scales(2));
        assertThat(y.strings()).containsExactly("a", "a", "b", "b");
    }

    @Test
    void resizeLinearRoundsAndSaturatesUint8() {
        Tensor x = Tensor.of(DataType.UINT8, new int[] {2}, new byte[] {0, (byte) 255});
        Tensor y = NodeRunner.op("Resize", 19).attr("mode", "linear")
                .attr("coordinate_transformation_mode", "asymmetric").run(x, null, scales(2));
        assertThat(y.type()).isEqualTo(DataType.UINT8);
        assertThat(y.toLongArray()).containsExactly(0, 128, 255, 255);
    }

    @Test
    void resizeCubicOvershootSaturatesUint8() {
        Tensor x = Tensor.of(DataType.UINT8, new int[] {4},
                new byte[] {0, 0, (byte) 255, (byte) 255});
        Tensor y = NodeRunner.op("Resize", 19).attr("mode", "cubic").run(x, null, scales(2));
        for (long v : y.toLongArray()) {
            assertThat(v).isBetween(0L, 255L);
        }
    }

    @Test
    void resizeVersion10NearestTakesFloor() {
        Tensor x = Tensor.of(new float[] {1, 2}, 1, 2);
        Tensor y = NodeRunner.op("Resize", 10).run(x, scales(1, 2));
        assertThat(y.floats()).containsExactly(1, 1, 2, 2);
    }

    @Test
    void resizeVersion10NearestDownsamplesWithCeil() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 4);
        Tensor y = NodeRunner.op("Resize", 10).run(x, scales(0.6f));
        assertThat(y.floats()).containsExactly(1, 3);
    }

    @Test
    void resizeSizesWithNegativeAxis() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor y = NodeRunner.op("Resize", 19).attr("axes", new long[] {-1L})
                .run(x, null, null, Tensor.of(new long[] {1}, 1));
        assertThat(y.shape()).containsExactly(2, 1);
        assertThat(y.floats()).containsExactly(1, 3);
    }

    @Test
    void resizeCropExtrapolatesNearest() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 4);
        // Outputs 0, 1 and 2 map to input 1.5, 3 and 4.5, and 4.5 lies past the end.
        Tensor y = NodeRunner.op("Resize", 19)
                .attr("coordinate_transformation_mode", "tf_crop_and_resize")
                .attr("extrapolation_value", 9f)
                .run(x, Tensor.of(new float[] {0.5f, 1.5f}, 2), null,
                        Tensor.of(new long[] {3}, 1));
        assertThat(y.floats()).containsExactly(2, 4, 9);
    }

    @Test
    void resizeKeepAspectRatioPolicies() {
        Tensor x = Tensor.of(new float[8], 2, 4);
        Tensor sizes = Tensor.of(new long[] {4, 4}, 2);
        Tensor notLarger = NodeRunner.op("Resize", 18)
                .attr("keep_aspect_ratio_policy", "not_larger").run(x, null, null, sizes);
        Tensor notSmaller = NodeRunner.op("Resize", 18)
                .attr("keep_aspect_ratio_policy", "not_smaller").run(x, null, null, sizes);
        assertThat(notLarger.shape()).containsExactly(2, 4);
        assertThat(notSmaller.shape()).containsExactly(4, 8);
    }

    @Test
    void resizeLinearAntialiasWidensFilter() {
        Tensor x = Tensor.of(new float[] {0, 0, 4, 4}, 4);
        Tensor plain = NodeRunner.op("Resize", 18).attr("mode", "linear")
                .run(x, null, scales(0.5f));
        Tensor smoothed = NodeRunner.op("Resize", 18).attr("mode", "linear")
                .attr("antialias", 1L).run(x, null, scales(0.5f));
        assertThat(plain.floats()).containsExactly(0, 4);
        // The triangle stretched by 2 weighs 4 neighbours 1/8, 3/8, 3/8 and 1/8.
        assertThat(smoothed.floats()).containsExactly(0.5f, 3.5f);
    }

    @Test
    void resizeRejectsScalesAndSizesTogether() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2);
        assertThatThrownBy(() -> NodeRunner.op("Resize", 13)
                .run(x, null, scales(2), Tensor.of(new long[] {4}, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exactly one");
    }

    @Test
    void resizeRejectsSymmetricTransformBeforeVersion19() {
        assertThatThrownBy(() -> NodeRunner.op("Resize", 18)
                .attr("coordinate_transformation_mode", "half_pixel_symmetric")
                .run(Tensor.of(new float[] {1}, 1), null, scales(1)))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("version 19");
    }

    @Test
    void upsampleVersion7ScalesAttribute() {
        Tensor x = Tensor.of(new float[] {1, 2}, 1, 2);
        Tensor y = NodeRunner.op("Upsample", 7).attr("scales", 2f, 1f).run(x);
        assertThat(y.shape()).containsExactly(2, 2);
        assertThat(y.floats()).containsExactly(1, 2, 1, 2);
    }

    @Test
    void upsampleVersion1BilinearIsAsymmetric() {
        Tensor x = Tensor.of(new float[] {0, 4}, 1, 1, 1, 2);
        Tensor y = NodeRunner.op("Upsample", 1).attr("mode", "BILINEAR")
                .attr("height_scale", 1f).attr("width_scale", 2f).run(x);
        assertThat(y.floats()).containsExactly(0, 2, 4, 4);
    }

    @Test
    void depthToSpaceModes() {
        float[] values = new float[8];
        for (int i = 0; i < 8; i++) {
            values[i] = i;
        }
        Tensor x = Tensor.of(values, 1, 8, 1, 1);
        Tensor dcr = NodeRunner.op("DepthToSpace", 13).attr("blocksize", 2L).run(x);
        Tensor crd = NodeRunner.op("DepthToSpace", 13).attr("blocksize", 2L)
                .attr("mode", "CRD").run(x);
        assertThat(dcr.shape()).containsExactly(1, 2, 2, 2);
        assertThat(dcr.floats()).containsExactly(0, 2, 4, 6, 1, 3, 5, 7);
        assertThat(crd.floats()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    }

    @Test
    void spaceToDepthInvertsDepthToSpace() {
        Tensor x = Tensor.of(new long[] {0, 1, 2, 3, 4, 5, 6, 7}, 1, 2, 2, 2);
        Tensor y = NodeRunner.op("SpaceToDepth", 13).attr("blocksize", 2L).run(x);
        Tensor back = NodeRunner.op("DepthToSpace", 13).attr("blocksize", 2L).run(y);
        assertThat(y.shape()).containsExactly(1, 8, 1, 1);
        assertThat(y.longs()).containsExactly(0, 4, 1, 5, 2, 6, 3, 7);
        assertThat(back.longs()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    }

    @Test
    void spaceToDepthRejectsIndivisibleHeight() {
        Tensor x = Tensor.of(new float[3], 1, 1, 3, 1);
        assertThatThrownBy(() -> NodeRunner.op("SpaceToDepth", 13).attr("blocksize", 2L).run(x))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("divisible");
    }

    @Test
    void centerCropPadOddDifferences() {
        Tensor x = Tensor.of(new int[] {1, 2, 3, 4, 5}, 5);
        Tensor cropped = NodeRunner.op("CenterCropPad", 18).run(x, Tensor.of(new long[] {2}, 1));
        Tensor small = Tensor.of(new int[] {1, 2}, 2);
        Tensor padded = NodeRunner.op("CenterCropPad", 18)
                .run(small, Tensor.of(new long[] {5}, 1));
        assertThat(cropped.ints()).containsExactly(2, 3);
        assertThat(padded.ints()).containsExactly(0, 1, 2, 0, 0);
    }

    @Test
    void nonMaxSuppressionThresholdsAndLimit() {
        // Boxes 0 and 1 overlap with IoU 1/3, and box 2 is far from both.
        Tensor boxes = Tensor.of(new float[] {0, 0, 2, 2, 0, 1, 2, 3, 10, 10, 11, 11}, 1, 3, 4);
        Tensor scores = Tensor.of(new float[] {0.9f, 0.8f, 0.1f}, 1, 1, 3);
        Tensor loose = NodeRunner.op("NonMaxSuppression", 11).run(boxes, scores,
                Tensor.of(new long[] {3}, 1), Tensor.of(new float[] {0.5f}, 1),
                Tensor.of(new float[] {0.2f}, 1));
        Tensor strict = NodeRunner.op("NonMaxSuppression", 11).run(boxes, scores,
                Tensor.of(new long[] {3}, 1), Tensor.of(new float[] {0.3f}, 1));
        Tensor limited = NodeRunner.op("NonMaxSuppression", 11).run(boxes, scores,
                Tensor.of(new long[] {1}, 1));
        assertThat(loose.shape()).containsExactly(2, 3);
        assertThat(loose.longs()).containsExactly(0, 0, 0, 0, 0, 1);
        assertThat(strict.longs()).containsExactly(0, 0, 0, 0, 0, 2);
        assertThat(limited.longs()).containsExactly(0, 0, 0);
    }

    @Test
    void nonMaxSuppressionWithoutLimitSelectsNothing() {
        Tensor boxes = Tensor.of(new float[] {0, 0, 1, 1}, 1, 1, 4);
        Tensor scores = Tensor.of(new float[] {1}, 1, 1, 1);
        Tensor y = NodeRunner.op("NonMaxSuppression", 11).run(boxes, scores);
        assertThat(y.shape()).containsExactly(0, 3);
    }

    @Test
    void affineGridIdentityAndGridSampleRoundTrip() {
        Tensor theta = Tensor.of(new float[] {1, 0, 0, 0, 1, 0}, 1, 2, 3);
        Tensor grid = NodeRunner.op("AffineGrid", 20).attr("align_corners", 1L)
                .run(theta, Tensor.of(new long[] {1, 1, 2, 3}, 4));
        assertThat(grid.shape()).containsExactly(1, 2, 3, 2);
        assertThat(grid.floats()).containsExactly(-1, -1, 0, -1, 1, -1, -1, 1, 0, 1, 1, 1);
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 1, 1, 2, 3);
        Tensor y = NodeRunner.op("GridSample", 20).attr("align_corners", 1L).run(x, grid);
        assertThat(y.floats()).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void gridSamplePaddingModes() {
        Tensor x = Tensor.of(new float[] {10, 20}, 1, 1, 1, 2);
        // Normalized x = 2 lies right of the image, and y = 0 is the centre of the row.
        Tensor grid = Tensor.of(new float[] {2, 0}, 1, 1, 1, 2);
        Tensor zeros = NodeRunner.op("GridSample", 16).run(x, grid);
        Tensor border = NodeRunner.op("GridSample", 16).attr("padding_mode", "border")
                .run(x, grid);
        Tensor reflection = NodeRunner.op("GridSample", 16)
                .attr("padding_mode", "reflection").run(x, grid);
        assertThat(zeros.floats()).containsExactly(0);
        assertThat(border.floats()).containsExactly(20);
        // Unnormalized x = 2.5 reflects at 1.5 to 0.5, halfway between the two pixels.
        assertThat(reflection.floats()[0]).isCloseTo(15, within(1e-5f));
    }

    @Test
    void gridSampleNearestKeepsInt64AndStrings() {
        Tensor grid = Tensor.of(new float[] {1, 0, -3, 0}, 1, 1, 2, 2);
        Tensor big = Tensor.of(new long[] {1, (1L << 53) + 1}, 1, 1, 1, 2);
        Tensor words = Tensor.of(new String[] {"left", "right"}, 1, 1, 1, 2);
        Tensor picked = NodeRunner.op("GridSample", 20).attr("mode", "nearest")
                .attr("align_corners", 1L).run(big, grid);
        Tensor named = NodeRunner.op("GridSample", 20).attr("mode", "nearest")
                .attr("align_corners", 1L).run(words, grid);
        assertThat(picked.longs()).containsExactly((1L << 53) + 1, 0);
        assertThat(named.strings()).containsExactly("right", "");
    }

    @Test
    void gridSampleLinearRejectsStrings() {
        Tensor words = Tensor.of(new String[] {"a"}, 1, 1, 1, 1);
        assertThatThrownBy(() -> NodeRunner.op("GridSample", 20)
                .run(words, Tensor.of(new float[2], 1, 1, 1, 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("real numeric");
    }

    @Test
    void gridSampleVersion16RejectsLinearName() {
        assertThatThrownBy(() -> NodeRunner.op("GridSample", 16).attr("mode", "linear")
                .run(Tensor.of(new float[1], 1, 1, 1, 1), Tensor.of(new float[2], 1, 1, 1, 2)))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("bilinear");
    }

    @Test
    void imageDecoderPngPixelFormats() throws IOException {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0xFF0000);
        image.setRGB(1, 0, 0x0000FF);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        Tensor stream = Tensor.of(DataType.UINT8, new int[] {png.size()}, png.toByteArray());
        Tensor rgb = NodeRunner.op("ImageDecoder", 20).run(stream);
        Tensor bgr = NodeRunner.op("ImageDecoder", 20).attr("pixel_format", "BGR").run(stream);
        Tensor gray = NodeRunner.op("ImageDecoder", 20).attr("pixel_format", "Grayscale")
                .run(stream);
        assertThat(rgb.shape()).containsExactly(1, 2, 3);
        assertThat(rgb.toLongArray()).containsExactly(255, 0, 0, 0, 0, 255);
        assertThat(bgr.toLongArray()).containsExactly(0, 0, 255, 255, 0, 0);
        assertThat(gray.shape()).containsExactly(1, 2, 1);
        assertThat(gray.toLongArray()).containsExactly(76, 29);
    }

    @Test
    void imageDecoderKeepsGrayLevels() throws IOException {
        BufferedImage image = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setSample(0, 0, 0, 100);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        Tensor stream = Tensor.of(DataType.UINT8, new int[] {png.size()}, png.toByteArray());
        Tensor rgb = NodeRunner.op("ImageDecoder", 20).run(stream);
        Tensor gray = NodeRunner.op("ImageDecoder", 20).attr("pixel_format", "Grayscale")
                .run(stream);
        assertThat(rgb.toLongArray()).containsExactly(100, 100, 100);
        assertThat(gray.toLongArray()).containsExactly(100);
    }

    @Test
    void imageDecoderNamesUnsupportedFormat() {
        byte[] unknown = {'N', 'O', 'T', ' ', 'A', 'N', ' ', 'I', 'M', 'A', 'G', 'E'};
        Tensor stream = Tensor.of(DataType.UINT8, new int[] {unknown.length}, unknown);
        assertThatThrownBy(() -> NodeRunner.op("ImageDecoder", 20).run(stream))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(unknown)")
                .hasMessageContaining("png");
    }
}
