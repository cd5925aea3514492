package dev.jonnx.runtime.ops.image;

import dev.jonnx.runtime.registry.OpRegistry;

/**
 * Registers resizing, sampling and other image operators. Factories that serve several versions
 * read the model's opset where a version changed inputs, attributes or accepted values.
 */
public final class ImageOps {
    private ImageOps() {}

    public static void register(OpRegistry.Builder registry) {
        registry.add("Resize", Resize::resize, 10, 11, 13, 18, 19);
        registry.add("Upsample", Resize::upsample, 1, 7, 9, 10);
        registry.add("GridSample", GridSample::gridSample, 16, 20, 22);
        registry.add("AffineGrid", GridSample::affineGrid, 20);
        registry.add("DepthToSpace", Rearrange::depthToSpace, 1, 11, 13);
        registry.add("SpaceToDepth", Rearrange::spaceToDepth, 1, 13);
        registry.add("CenterCropPad", Rearrange::centerCropPad, 18);
        registry.add("NonMaxSuppression", NonMaxSuppression::create, 10, 11);
        registry.add("ImageDecoder", ImageDecoder::create, 20);
    }
}
