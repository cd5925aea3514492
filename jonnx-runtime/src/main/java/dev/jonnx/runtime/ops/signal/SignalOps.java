package dev.jonnx.runtime.ops.signal;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers signal processing: DFT, STFT, windows and the mel weight matrix. */
public final class SignalOps {
    private SignalOps() {}

    public static void register(OpRegistry.Builder registry) {
        registry.add("DFT", FourierKernels.dft(), 17, 20);
        registry.add("STFT", FourierKernels.stft(), 17);
        registry.add("HannWindow", WindowKernels.hann(), 17);
        registry.add("HammingWindow", WindowKernels.hamming(), 17);
        registry.add("BlackmanWindow", WindowKernels.blackman(), 17);
        registry.add("MelWeightMatrix", WindowKernels.melWeightMatrix(), 17);
    }
}
