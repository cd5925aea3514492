package dev.jonnx.runtime;

import dev.jonnx.runtime.ops.Operators;
import dev.jonnx.runtime.registry.OpRegistry;

/**
 * Settings of a {@link Session}, immutable once built.
 *
 * <pre>{@code
 * SessionOptions options = SessionOptions.builder().threads(2).build();
 * }</pre>
 */
public final class SessionOptions {
    /**
     * Graph rewrites to apply before running: NONE runs the graph as written, BASIC folds
     * constants and removes redundant nodes with standard operators only, ALL also fuses
     * patterns, partly into operators of the dev.jonnx domain.
     */
    public enum OptimizationLevel { NONE, BASIC, ALL }

    /**
     * The maximum intra-op and inter-op thread count. CPU-bound kernels gain nothing from more
     * threads than the machine has hardware threads, and 1024 is above the count of a two-socket
     * server with 192 cores and 2 threads per core (768). The cap is fixed rather than a multiple
     * of the processor count, so options valid on one machine are valid on all. It catches typing
     * mistakes such as 100000, which would start as many platform threads.
     */
    public static final int MAX_THREADS = 1024;

    private final int threads;
    private final int interOpThreads;
    private final OptimizationLevel optimizationLevel;
    private final OpRegistry registry;
    private final boolean memoryReuse;

    private SessionOptions(Builder b) {
        this.threads = b.threads;
        this.interOpThreads = b.interOpThreads;
        this.optimizationLevel = b.optimizationLevel;
        this.registry = b.registry;
        this.memoryReuse = b.memoryReuse;
    }

    public static SessionOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Intra-op threads a kernel may use; 1 runs everything on the calling thread. */
    public int threads() {
        return threads;
    }

    /**
     * Threads that run nodes without a data dependence between them at the same time; 1 (the
     * default) runs the nodes one after another in a fixed topological order.
     */
    public int interOpThreads() {
        return interOpThreads;
    }

    /**
     * The graph rewrites applied when the session is built; see
     * {@link dev.jonnx.runtime.optimizer.GraphOptimizer}. The default is ALL.
     */
    public OptimizationLevel optimizationLevel() {
        return optimizationLevel;
    }

    public OpRegistry registry() {
        return registry;
    }

    /**
     * Returns whether runs recycle the float buffers that kernels take from
     * {@link dev.jonnx.runtime.registry.RunContext#newFloats} once no live value uses them, and
     * keep them across runs. The default is true.
     */
    public boolean memoryReuse() {
        return memoryReuse;
    }

    public static final class Builder {
        private int threads = 1;
        private int interOpThreads = 1;
        private OptimizationLevel optimizationLevel = OptimizationLevel.ALL;
        private OpRegistry registry = Operators.registry();
        private boolean memoryReuse = true;

        /**
         * Sets the intra-op thread count.
         *
         * @throws IllegalArgumentException if {@code threads} is less than 1 or more than
         *     {@link #MAX_THREADS}
         */
        public Builder threads(int threads) {
            if (threads < 1 || threads > MAX_THREADS) {
                throw new IllegalArgumentException("threads must be from 1 to " + MAX_THREADS
                        + ", got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /**
         * Sets how many threads run independent nodes of the main graph at the same time, for
         * example parallel branches. The calling thread is one of them, so a session with
         * {@code n > 1} starts {@code n - 1} extra threads. Each node still splits its own work
         * over the intra-op threads. Results are the same as with 1, because each node computes
         * the same values whatever order the nodes run in. Subgraphs (the bodies of If, Loop and
         * Scan) run their nodes one after another.
         *
         * @throws IllegalArgumentException if {@code threads} is less than 1 or more than
         *     {@link #MAX_THREADS}
         */
        public Builder interOpThreads(int threads) {
            if (threads < 1 || threads > MAX_THREADS) {
                throw new IllegalArgumentException("interOpThreads must be from 1 to " + MAX_THREADS
                        + ", got " + threads);
            }
            this.interOpThreads = threads;
            return this;
        }

        /**
         * Sets the graph rewrites applied when the session is built.
         *
         * @throws NullPointerException if {@code level} is null
         */
        public Builder optimizationLevel(OptimizationLevel level) {
            this.optimizationLevel = java.util.Objects.requireNonNull(level,
                    "level must not be null; use OptimizationLevel.NONE for no rewrites");
            return this;
        }

        /**
         * Uses another operator registry, for example one with extra custom operators.
         *
         * @throws NullPointerException if {@code registry} is null
         */
        public Builder registry(OpRegistry registry) {
            this.registry = java.util.Objects.requireNonNull(registry,
                    "registry must not be null; the default is Operators.registry()");
            return this;
        }

        /**
         * Turns buffer reuse on (the default) or off. Off, every kernel output is a new array
         * and the session keeps no buffers between runs, which helps to compare memory use and
         * speed.
         */
        public Builder memoryReuse(boolean memoryReuse) {
            this.memoryReuse = memoryReuse;
            return this;
        }

        public SessionOptions build() {
            return new SessionOptions(this);
        }
    }
}
