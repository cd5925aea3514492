package dev.jonnx.runtime.registry;

import dev.jonnx.RunException;
import dev.jonnx.runtime.graph.BufferArena;
import dev.jonnx.runtime.graph.Frame;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a kernel may use while it runs: the enclosing frame (for subgraphs that read outer-scope
 * values), the intra-op thread pool, and the run's cancellation flag and deadline.
 */
public final class RunContext {
    private final Frame frame;
    private final RunControl control;

    public RunContext(Frame frame, RunControl control) {
        this.frame = frame;
        this.control = control;
    }

    /** The frame of the graph that contains the running node. */
    public Frame frame() {
        return frame;
    }

    public RunControl control() {
        return control;
    }

    /** The intra-op thread pool, or null when the session runs single-threaded. */
    public ExecutorService pool() {
        return control.pool();
    }

    /** The number of threads a kernel may split its work over (1 without a pool). */
    public int threads() {
        return control.threads();
    }

    /** A piece of work over the index range [from, to). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to);
    }

    /**
     * Runs {@code task} over [0, count), split into contiguous ranges (a few per thread) that the
     * calling thread and the intra-op workers take as they come; returns when all are done.
     * {@code costPerItem} is a rough count of operations per index: work below about 32768
     * operations in all, a session without a pool, and calls made from inside a range (nested
     * parallelism) run on the calling thread in one range.
     */
    public void parallelFor(int count, long costPerItem, RangeTask task) {
        control.parallelFor(count, costPerItem, task);
    }

    /**
     * Returns a float array of exactly {@code size} elements for a kernel's output. Its contents
     * are unspecified (it may be a reused buffer), so the kernel must write every element.
     * With memory reuse on, the executor recycles the array once no live value uses it, so a
     * kernel must not keep it beyond the call except inside the values it returns.
     */
    public float[] newFloats(int size) {
        BufferArena arena = control.arena;
        return arena == null ? new float[size] : arena.newFloats(size);
    }

    /** Returns a context for a node inside a subgraph whose frame is {@code inner}. */
    public RunContext withFrame(Frame inner) {
        return new RunContext(inner, control);
    }

    /**
     * Raises a {@link RunException} if the run was cancelled or passed its deadline. Long loops
     * (Loop, Scan, recurrent operators) call this once per iteration.
     */
    public void checkCancelled() {
        control.check();
    }

    /** Per-run settings shared by every node of one run. */
    public static final class RunControl {
        private final AtomicBoolean cancelled;
        private final long deadlineNanos;
        private final ExecutorService pool;
        private final int threads;
        private final NodeProfiler profiler;
        private final BufferArena arena;
        private final ExecutorService interOpPool;
        private final int interOpThreads;

        public RunControl(AtomicBoolean cancelled, long deadlineNanos, ExecutorService pool, int threads,
                NodeProfiler profiler) {
            this(cancelled, deadlineNanos, pool, threads, profiler, null);
        }

        public RunControl(AtomicBoolean cancelled, long deadlineNanos, ExecutorService pool, int threads,
                NodeProfiler profiler, BufferArena arena) {
            this(cancelled, deadlineNanos, pool, threads, profiler, arena, null, 1);
        }

        /**
         * @param arena the buffers behind {@link RunContext#newFloats}, used by this run alone,
         *     or null to allocate a new array on every call
         * @param interOpPool the threads that help run independent nodes of the main graph, or
         *     null to run the nodes one after another
         * @param interOpThreads the number of threads running nodes at once, the calling thread
         *     included
         */
        public RunControl(AtomicBoolean cancelled, long deadlineNanos, ExecutorService pool, int threads,
                NodeProfiler profiler, BufferArena arena, ExecutorService interOpPool,
                int interOpThreads) {
            this.cancelled = cancelled;
            this.deadlineNanos = deadlineNanos;
            this.pool = pool;
            this.threads = Math.max(1, threads);
            this.profiler = profiler;
            this.arena = arena;
            this.interOpPool = interOpPool;
            this.interOpThreads = interOpPool == null ? 1 : Math.max(1, interOpThreads);
        }

        /** Returns the pool whose threads help run independent nodes, or null when nodes run one at a time. */
        public ExecutorService interOpPool() {
            return interOpPool;
        }

        /** The number of threads that may run nodes of the main graph at once (1 without a pool). */
        public int interOpThreads() {
            return interOpThreads;
        }

        /** Returns the buffer arena of this run, or null when memory reuse is off. */
        public BufferArena arena() {
            return arena;
        }

        public static RunControl unlimited() {
            return new RunControl(new AtomicBoolean(), Long.MAX_VALUE, null, 1, null);
        }

        /** The profiler that times each node, or null when the run is not profiled. */
        public NodeProfiler profiler() {
            return profiler;
        }

        public ExecutorService pool() {
            return pool;
        }

        public int threads() {
            return threads;
        }

        /** Below this many operations in all, {@link #parallelFor} does not split. */
        private static final long PARALLEL_WORK = 1L << 15;
        /** Items per thread up to which {@link #parallelFor} makes one chunk of each item. */
        static final int SINGLE_ITEM_CHUNKS = 16;
        void parallelFor(int count, long costPerItem, RangeTask task) {
            if (count <= 0) {
                return;
            }
            int parts = pool == null || threads <= 1 || IntraOpPool.inChunk() ? 1
                    : (int) Math.min(Math.min(threads, count),
                            Math.max(1, (long) count * Math.max(1, costPerItem) / PARALLEL_WORK));
            if (parts <= 1) {
                task.run(0, count);
                return;
            }
            // Up to SINGLE_ITEM_CHUNKS items per thread (attention heads, say), each item is a
            // chunk of its own, so that no thread is left with a chunk of several items at the end.
            int chunks = count <= parts * SINGLE_ITEM_CHUNKS ? count : parts * IntraOpPool.CHUNKS_PER_THREAD;
            IntraOpPool.forEachChunk(pool, parts, chunks, (first, end) -> {
                for (int c = first; c < end; c++) {
                    int from = (int) ((long) count * c / chunks);
                    int to = (int) ((long) count * (c + 1) / chunks);
                    if (from < to) {
                        task.run(from, to);
                    }
                }
            });
        }

        public void check() {
            if (cancelled.get()) {
                throw new RunException("run cancelled");
            }
            if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos > 0) {
                throw new RunException("run timed out: it passed its deadline");
            }
        }
    }
}
