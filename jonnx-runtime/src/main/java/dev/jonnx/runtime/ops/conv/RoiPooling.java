package dev.jonnx.runtime.ops.conv;

import dev.jonnx.runtime.registry.Kernel;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/** MaxRoiPool and RoiAlign over 4-D (N, C, H, W) inputs. */
final class RoiPooling {
    private RoiPooling() {}

    static Kernel maxRoiPool(NodeContext node) {
        long[] pooled = node.getInts("pooled_shape", null);
        if (pooled == null || pooled.length != 2 || pooled[0] <= 0 || pooled[1] <= 0) {
            throw node.error("pooled_shape must be two positive ints, got "
                    + (pooled == null ? "nothing" : Arrays.toString(pooled)));
        }
        double scale = node.getFloat("spatial_scale", 1.0f);
        int pooledHeight = (int) pooled[0];
        int pooledWidth = (int) pooled[1];
        return (inputs, ctx) -> {
            Tensor x = Inputs.required(inputs, 0, "X");
            Tensor rois = Inputs.required(inputs, 1, "rois");
            Inputs.requireFloat(x, "X");
            Inputs.requireSameType(rois, "rois", x, "X");
            requireImage(x);
            if (rois.rank() != 2 || rois.dim(1) != 5) {
                throw new IllegalArgumentException("input rois must have shape (num_rois, 5), got "
                        + Arrays.toString(rois.shape()));
            }
            int batch = x.dim(0);
            int channels = x.dim(1);
            int height = x.dim(2);
            int width = x.dim(3);
            int count = rois.dim(0);
            double[] xd = x.toDoubleArray();
            double[] box = rois.toDoubleArray();
            double[] y = new double[count * channels * pooledHeight * pooledWidth];
            for (int r = 0; r < count; r++) {
                int b = (int) box[r * 5];
                if (b < 0 || b >= batch) {
                    throw new IllegalArgumentException("batch index " + box[r * 5] + " of roi " + r
                            + " is out of range for batch size " + batch);
                }
                int startW = (int) roundHalfAway(box[r * 5 + 1] * scale);
                int startH = (int) roundHalfAway(box[r * 5 + 2] * scale);
                int endW = (int) roundHalfAway(box[r * 5 + 3] * scale);
                int endH = (int) roundHalfAway(box[r * 5 + 4] * scale);
                int roiHeight = Math.max(endH - startH + 1, 1);
                int roiWidth = Math.max(endW - startW + 1, 1);
                double binHeight = (double) roiHeight / pooledHeight;
                double binWidth = (double) roiWidth / pooledWidth;
                for (int c = 0; c < channels; c++) {
                    int plane = (b * channels + c) * height * width;
                    for (int ph = 0; ph < pooledHeight; ph++) {
                        int h0 = clamp((int) Math.floor(ph * binHeight) + startH, height);
                        int h1 = clamp((int) Math.ceil((ph + 1) * binHeight) + startH, height);
                        for (int pw = 0; pw < pooledWidth; pw++) {
                            int w0 = clamp((int) Math.floor(pw * binWidth) + startW, width);
                            int w1 = clamp((int) Math.ceil((pw + 1) * binWidth) + startW, width);
                            double max = h1 <= h0 || w1 <= w0 ? 0 : Double.NEGATIVE_INFINITY;
                            for (int h = h0; h < h1; h++) {
                                for (int w = w0; w < w1; w++) {
                                    max = Math.max(max, xd[plane + h * width + w]);
                                }
                            }
                            y[((r * channels + c) * pooledHeight + ph) * pooledWidth + pw] = max;
                        }
                    }
                }
            }
            return new Value[] {Tensor.fromDoubles(x.type(),
                    new int[] {count, channels, pooledHeight, pooledWidth}, y)};
        };
    }

    private static double roundHalfAway(double v) {
        return Math.signum(v) * Math.floor(Math.abs(v) + 0.5);
    }

    private static int clamp(int v, int size) {
        return Math.min(Math.max(v, 0), size);
    }

    private static void requireImage(Tensor x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException("input X must have shape (N, C, H, W), got "
                    + Arrays.toString(x.shape()));
        }
    }

    static Kernel roiAlign(NodeContext node) {
        // Version 10 had no coordinate_transformation_mode and behaved as output_half_pixel.
        String transform = node.getString("coordinate_transformation_mode",
                node.opset() >= 16 ? "half_pixel" : "output_half_pixel");
        if (!transform.equals("half_pixel") && !transform.equals("output_half_pixel")) {
            throw node.error("coordinate_transformation_mode must be half_pixel or"
                    + " output_half_pixel, got '" + transform + "'");
        }
        String mode = node.getString("mode", "avg");
        if (!mode.equals("avg") && !mode.equals("max")) {
            throw node.error("mode must be avg or max, got '" + mode + "'");
        }
        long outputHeight = node.getInt("output_height", 1);
        long outputWidth = node.getInt("output_width", 1);
        long samplingRatio = node.getInt("sampling_ratio", 0);
        if (outputHeight <= 0 || outputWidth <= 0 || samplingRatio < 0) {
            throw node.error("output_height and output_width must be positive and sampling_ratio"
                    + " non-negative, got " + outputHeight + ", " + outputWidth + " and "
                    + samplingRatio);
        }
        AlignSettings settings = new AlignSettings(transform.equals("half_pixel"),
                mode.equals("max"), (int) outputHeight, (int) outputWidth, (int) samplingRatio,
                node.getFloat("spatial_scale", 1.0f));
        return (inputs, ctx) -> {
            Tensor x = Inputs.required(inputs, 0, "X");
            Tensor rois = Inputs.required(inputs, 1, "rois");
            Tensor batchIndices = Inputs.required(inputs, 2, "batch_indices");
            Inputs.requireFloat(x, "X");
            Inputs.requireSameType(rois, "rois", x, "X");
            requireImage(x);
            if (rois.rank() != 2 || rois.dim(1) != 4) {
                throw new IllegalArgumentException("input rois must have shape (num_rois, 4), got "
                        + Arrays.toString(rois.shape()));
            }
            int count = rois.dim(0);
            if (batchIndices.rank() != 1 || batchIndices.dim(0) != count) {
                throw new IllegalArgumentException("input batch_indices must have shape ["
                        + count + "], got " + Arrays.toString(batchIndices.shape()));
            }
            int pooledHeight = settings.pooledHeight();
            int pooledWidth = settings.pooledWidth();
            int batch = x.dim(0);
            int channels = x.dim(1);
            int height = x.dim(2);
            int width = x.dim(3);
            double[] xd = x.toDoubleArray();
            double[] box = rois.toDoubleArray();
            long[] batchIndex = batchIndices.toLongArray();
            double[] y = new double[count * channels * pooledHeight * pooledWidth];
            for (int r = 0; r < count; r++) {
                long b = batchIndex[r];
                if (b < 0 || b >= batch) {
                    throw new IllegalArgumentException("batch_indices[" + r + "] = " + b
                            + " is out of range for batch size " + batch);
                }
                int plane = (int) (b * channels * height * width);
                int target = r * channels * pooledHeight * pooledWidth;
                alignRoi(xd, plane, channels, height, width, box, r * 4, settings, y, target);
            }
            return new Value[] {Tensor.fromDoubles(x.type(),
                    new int[] {count, channels, pooledHeight, pooledWidth}, y)};
        };
    }

    /** The attributes of a RoiAlign node. */
    private record AlignSettings(boolean halfPixel, boolean max, int pooledHeight,
            int pooledWidth, int samplingRatio, double scale) {}

    /**
     * Pools one region of interest (x1, y1, x2, y2 at {@code box[at]}) of the image whose
     * first channel starts at {@code x[plane]}, writing (channels, pooledHeight, pooledWidth)
     * values from {@code y[target]}.
     */
    private static void alignRoi(double[] x, int plane, int channels, int height, int width,
            double[] box, int at, AlignSettings s, double[] y, int target) {
        double shift = s.halfPixel() ? 0.5 : 0;
        double x1 = box[at] * s.scale() - shift;
        double y1 = box[at + 1] * s.scale() - shift;
        double roiWidth = box[at + 2] * s.scale() - shift - x1;
        double roiHeight = box[at + 3] * s.scale() - shift - y1;
        if (!s.halfPixel()) {
            roiWidth = Math.max(roiWidth, 1);
            roiHeight = Math.max(roiHeight, 1);
        }
        int pooledHeight = s.pooledHeight();
        int pooledWidth = s.pooledWidth();
        double binHeight = roiHeight / pooledHeight;
        double binWidth = roiWidth / pooledWidth;
        int gridHeight = s.samplingRatio() > 0 ? s.samplingRatio()
                : (int) Math.ceil(roiHeight / pooledHeight);
        int gridWidth = s.samplingRatio() > 0 ? s.samplingRatio()
                : (int) Math.ceil(roiWidth / pooledWidth);
        int samples = Math.max(gridHeight * gridWidth, 1);
        for (int c = 0; c < channels; c++) {
            int channelPlane = plane + c * height * width;
            for (int ph = 0; ph < pooledHeight; ph++) {
                for (int pw = 0; pw < pooledWidth; pw++) {
                    double sum = 0;
                    double best = 0;
                    boolean first = true;
                    for (int iy = 0; iy < gridHeight; iy++) {
                        double sy = y1 + ph * binHeight + (iy + 0.5) * binHeight / gridHeight;
                        for (int ix = 0; ix < gridWidth; ix++) {
                            double sx = x1 + pw * binWidth + (ix + 0.5) * binWidth / gridWidth;
                            double v = sample(x, channelPlane, height, width, sy, sx, s.max());
                            sum += v;
                            if (first || v > best) {
                                best = v;
                                first = false;
                            }
                        }
                    }
                    y[target + (c * pooledHeight + ph) * pooledWidth + pw] =
                            s.max() ? best : sum / samples;
                }
            }
        }
    }

    /**
     * Samples bilinearly at (sy, sx), clamping to the border and reading 0 more than one pixel
     * outside. For max mode it returns the largest of the four weighted corner values rather
     * than their sum, which is what the backend tests of mode max expect.
     */
    private static double sample(double[] x, int plane, int height, int width, double sy,
            double sx, boolean max) {
        if (sy < -1 || sy > height || sx < -1 || sx > width) {
            return 0;
        }
        double yy = Math.max(sy, 0);
        double xx = Math.max(sx, 0);
        int y0 = (int) yy;
        int x0 = (int) xx;
        int y1;
        int x1;
        if (y0 >= height - 1) {
            y0 = height - 1;
            y1 = y0;
            yy = y0;
        } else {
            y1 = y0 + 1;
        }
        if (x0 >= width - 1) {
            x0 = width - 1;
            x1 = x0;
            xx = x0;
        } else {
            x1 = x0 + 1;
        }
        double ly = yy - y0;
        double lx = xx - x0;
        double hy = 1 - ly;
        double hx = 1 - lx;
        double a = hy * hx * x[plane + y0 * width + x0];
        double b = hy * lx * x[plane + y0 * width + x1];
        double c = ly * hx * x[plane + y1 * width + x0];
        double d = ly * lx * x[plane + y1 * width + x1];
        if (max) {
            return Math.max(Math.max(a, b), Math.max(c, d));
        }
        return a + b + c + d;
    }
}
