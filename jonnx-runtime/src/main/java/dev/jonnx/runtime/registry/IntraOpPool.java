package dev.jonnx.runtime.registry;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The intra-op thread pool of a session and the way kernels split work over it.
 *
 * <p>Kernels hand the pool many short pieces of work (a slice of a matrix product takes well
 * under a millisecond), so waking a parked thread for each one costs a large share of the work.
 * On a 2-vCPU virtual machine a MiniLM run took as long on 2 threads as on 1 with a plain fixed
 * pool. So idle workers poll for new tasks for a short time before they park, and
 * {@link #forEachChunk} splits work into more chunks than threads, which the calling thread and
 * the workers take from a shared counter: a worker that wakes late takes fewer chunks instead of
 * delaying the caller.
 */
public final class IntraOpPool {
    /** How long an idle worker polls before it parks, in nanoseconds. */
    static final long SPIN_NANOS = 50_000;
    /** Chunks per thread: enough to balance a late start, few enough to keep chunks large. */
    public static final int CHUNKS_PER_THREAD = 4;
    /** Set while a thread runs chunks, so nested splits run inline on that thread. */
    private static final ThreadLocal<Boolean> IN_CHUNK = ThreadLocal.withInitial(() -> false);

    private IntraOpPool() {}

    /** A piece of work over the chunk index range [from, to). */
    @FunctionalInterface
    public interface ChunkTask {
        void run(int from, int to);
    }

    /** Creates a fixed pool of {@code threads} workers whose idle workers poll before parking. */
    public static ExecutorService create(int threads, ThreadFactory factory) {
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new SpinningQueue(),
                factory);
    }

    /** Returns true on a thread that is running chunks of an enclosing split. */
    public static boolean inChunk() {
        return IN_CHUNK.get();
    }

    /**
     * Runs {@code task} once for each chunk of the index range [0, chunks), on the calling thread
     * and on up to {@code threads - 1} workers of {@code pool}, and returns when every chunk is
     * done. Each call of {@code task} gets one chunk index range [i, i + 1). The first failure
     * is rethrown on the calling thread after the chunks already started have finished. Without a
     * pool, with one thread or one chunk, or inside another split, it runs inline.
     */
    public static void forEachChunk(ExecutorService pool, int threads, int chunks, ChunkTask task) {
        if (chunks <= 0) {
            return;
        }
        if (pool == null || threads <= 1 || chunks == 1 || IN_CHUNK.get()) {
            task.run(0, chunks);
            return;
        }
        Split split = new Split(chunks, task);
        int helpers = Math.min(threads, chunks) - 1;
        for (int i = 0; i < helpers; i++) {
            try {
                pool.execute(split::work);
            } catch (RejectedExecutionException e) {
                break; // the session is closing: the calling thread does the rest
            }
        }
        split.work();
        split.awaitAll();
    }

    /** One split: the next chunk to take, the chunks finished, and the first failure. */
    private static final class Split {
        private final int chunks;
        private final ChunkTask task;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger finished = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile Thread waiter;

        Split(int chunks, ChunkTask task) {
            this.chunks = chunks;
            this.task = task;
        }

        /** Takes and runs chunks until none is left. */
        void work() {
            boolean outer = IN_CHUNK.get();
            IN_CHUNK.set(true);
            try {
                int i;
                while ((i = next.getAndIncrement()) < chunks) {
                    try {
                        if (failure.get() == null) {
                            task.run(i, i + 1);
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    } finally {
                        if (finished.incrementAndGet() == chunks) {
                            Thread w = waiter;
                            if (w != null) {
                                LockSupport.unpark(w);
                            }
                        }
                    }
                }
            } finally {
                IN_CHUNK.set(outer);
            }
        }

        /** Waits until every chunk is finished, then rethrows the first failure, if any. */
        void awaitAll() {
            long spinEnd = System.nanoTime() + SPIN_NANOS;
            while (finished.get() < chunks && System.nanoTime() - spinEnd < 0) {
                Thread.onSpinWait();
            }
            if (finished.get() < chunks) {
                waiter = Thread.currentThread();
                while (finished.get() < chunks) {
                    LockSupport.parkNanos(this, 1_000_000);
                }
                waiter = null;
            }
            Throwable t = failure.get();
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException("intra-op task failed: " + t, t);
            }
        }
    }

    /** A work queue whose take() polls for a short time before it blocks. */
    private static final class SpinningQueue extends LinkedBlockingQueue<Runnable> {
        @Override
        public Runnable take() throws InterruptedException {
            long end = System.nanoTime() + SPIN_NANOS;
            do {
                Runnable task = poll();
                if (task != null) {
                    return task;
                }
                Thread.onSpinWait();
            } while (System.nanoTime() - end < 0);
            return super.take();
        }
    }
}
