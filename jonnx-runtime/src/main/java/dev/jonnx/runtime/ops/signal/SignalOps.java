package dev.jonnx.runtime.ops.signal;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers signal processing: DFT, STFT and windows. */
public final class SignalOps {
    private SignalOps() {}

    public static void register(OpRegistry.Builder registry) {
    }
}
