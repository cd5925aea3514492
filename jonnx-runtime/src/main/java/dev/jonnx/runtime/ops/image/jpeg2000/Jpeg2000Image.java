package dev.jonnx.runtime.ops.image.jpeg2000;

import dev.jonnx.tensor.Limits;

/**
 * A decoded JPEG 2000 image: one plane of samples per component, each on its own subsampled
 * grid, with values in the component's range (0 to 2^precision - 1 when unsigned).
 */
public final class Jpeg2000Image {
    /** Image width and height on the reference grid, in pixels. */
    public final int width;
    public final int height;
    public final int[] precision;
    public final boolean[] signed;
    /** Horizontal and vertical subsampling factor of each component. */
    public final int[] dx;
    public final int[] dy;
    public final int[] componentWidths;
    public final int[] componentHeights;
    private final int originX;
    private final int originY;
    final int[] componentX0;
    final int[] componentY0;
    /** Samples of each component, row-major with {@code componentWidths[c]} per row. */
    public final int[][] samples;

    Jpeg2000Image(Codestream cs) {
        originX = cs.x0;
        originY = cs.y0;
        width = cs.x1 - cs.x0;
        height = cs.y1 - cs.y0;
        int count = cs.components;
        precision = cs.precision.clone();
        signed = cs.signed.clone();
        dx = cs.dx.clone();
        dy = cs.dy.clone();
        componentWidths = new int[count];
        componentHeights = new int[count];
        componentX0 = new int[count];
        componentY0 = new int[count];
        long total = 0;
        for (int c = 0; c < count; c++) {
            componentX0[c] = Math.ceilDiv(cs.x0, dx[c]);
            componentY0[c] = Math.ceilDiv(cs.y0, dy[c]);
            componentWidths[c] = Math.ceilDiv(cs.x1, dx[c]) - componentX0[c];
            componentHeights[c] = Math.ceilDiv(cs.y1, dy[c]) - componentY0[c];
            long size = (long) componentWidths[c] * componentHeights[c];
            // Many huge components could overflow the sum: -1 is "more than Long.MAX_VALUE".
            total = total < 0 || size > Long.MAX_VALUE - total ? -1 : total + size;
        }
        // Each component's size is at most the total, so this also bounds every plane.
        if (!Limits.fits(total)) {
            throw new IllegalArgumentException(Limits.describeExcess("the JPEG 2000 image of " + width
                    + "x" + height + " pixels in", count + " components", total));
        }
        // Estimate of the working memory: 4-byte samples, then 4-byte ARGB pixels and the
        // 3-byte-per-pixel output tensor. A tiny file can declare a huge image, so check first.
        long bytes = total * 4 + (long) width * height * 7;
        long heap = Runtime.getRuntime().maxMemory();
        if (bytes > heap) {
            throw new IllegalArgumentException("the JPEG 2000 image of " + width + "x" + height
                    + " pixels and " + count + " components needs about " + (bytes >> 20)
                    + " MiB, more than the maximum JVM heap of " + (heap >> 20) + " MiB");
        }
        samples = new int[count][];
        for (int c = 0; c < count; c++) {
            samples[c] = new int[componentWidths[c] * componentHeights[c]];
        }
    }

    /**
     * Returns the sample of component {@code c} whose grid cell contains image pixel (x, y),
     * which repeats samples of subsampled components.
     */
    public int sampleAt(int c, int x, int y) {
        int cx = Math.floorDiv(originX + x, dx[c]) - componentX0[c];
        int cy = Math.floorDiv(originY + y, dy[c]) - componentY0[c];
        cx = Math.clamp(cx, 0, componentWidths[c] - 1);
        cy = Math.clamp(cy, 0, componentHeights[c] - 1);
        return samples[c][cy * componentWidths[c] + cx];
    }
}
