package dev.jonnx.runtime.registry;

/**
 * Builds a kernel for one node. Parse and check attributes here, once, and raise
 * {@link NodeContext#error} or {@link NodeContext#unsupported} for invalid or unsupported
 * values.
 */
@FunctionalInterface
public interface KernelFactory {
    Kernel create(NodeContext node);
}
