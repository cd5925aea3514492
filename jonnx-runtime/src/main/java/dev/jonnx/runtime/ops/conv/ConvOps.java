package dev.jonnx.runtime.ops.conv;

import dev.jonnx.runtime.registry.OpRegistry;

/**
 * Registers convolution and pooling. Later versions of these operators only added attributes
 * (ceil_mode, dilations, count_include_pad, coordinate_transformation_mode) or types, so one
 * factory per operator serves every version. An attribute that a version lacks is absent from
 * its nodes and takes its default.
 */
public final class ConvOps {
    private ConvOps() {}

    public static void register(OpRegistry.Builder registry) {
        registry.add("Conv", Convolutions::conv, 1, 11, 22);
        registry.add("ConvTranspose", Convolutions::convTranspose, 1, 11, 22);
        registry.add("DeformConv", Convolutions::deformConv, 19, 22);
        registry.add("Col2Im", Convolutions::col2Im, 18);
        registry.add("CausalConvWithState", CausalConv::create, 27);
        registry.add("AveragePool", Pooling::averagePool, 1, 7, 10, 11, 19, 22);
        registry.add("MaxPool", Pooling::maxPool, 1, 8, 10, 11, 12, 22);
        registry.add("LpPool", Pooling::lpPool, 1, 2, 11, 18, 22);
        registry.add("GlobalAveragePool", Pooling::globalAveragePool, 1, 22);
        registry.add("GlobalMaxPool", Pooling::globalMaxPool, 1, 22);
        registry.add("GlobalLpPool", Pooling::globalLpPool, 1, 2, 22);
        registry.add("MaxUnpool", Pooling::maxUnpool, 9, 11, 22);
        registry.add("LRN", Pooling::lrn, 1, 13);
        registry.add("MaxRoiPool", RoiPooling::maxRoiPool, 1, 22);
        registry.add("RoiAlign", RoiPooling::roiAlign, 10, 16, 22);
    }
}
