package dev.jonnx.runtime.ops.rnn;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers recurrent operators: RNN, GRU and LSTM. */
public final class RnnOps {
    private RnnOps() {}

    public static void register(OpRegistry.Builder registry) {
        registry.add("RNN", node -> RecurrentKernel.create(node, RecurrentKernel.Cell.RNN), 1, 7, 14, 22);
        registry.add("GRU", node -> RecurrentKernel.create(node, RecurrentKernel.Cell.GRU), 1, 3, 7, 14, 22);
        registry.add("LSTM", node -> RecurrentKernel.create(node, RecurrentKernel.Cell.LSTM), 1, 7, 14, 22);
    }
}
