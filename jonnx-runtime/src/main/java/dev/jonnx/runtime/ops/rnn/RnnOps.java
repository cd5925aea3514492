package dev.jonnx.runtime.ops.rnn;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers recurrent operators: RNN, GRU and LSTM. */
public final class RnnOps {
    private RnnOps() {}

    public static void register(OpRegistry.Builder registry) {
    }
}
