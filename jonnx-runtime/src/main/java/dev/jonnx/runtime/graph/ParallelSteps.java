package dev.jonnx.runtime.graph;

import dev.jonnx.runtime.registry.NodeProfiler;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.Value;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * The data dependences between the steps of one graph, and a scheduler that runs steps whose
 * inputs are ready on several threads at once (inter-op parallelism).
 *
 * <p>Step B depends on step A when B reads a slot that A writes, directly or as an outer-scope
 * value of one of its subgraphs. Slots are written once per run, so these are the only
 * orderings that matter. A slot that the sequential order releases after its last reader is
 * released here once every step that reads it has finished, because the readers may now finish
 * in any order.
 */
final class ParallelSteps {
    /** For each step, the steps that read one of its outputs. */
    private final int[][] successors;
    /** For each step, the number of distinct steps whose outputs it reads. */
    private final int[] dependencyCounts;
    /** For each step, the releasable slots whose reader count drops when it finishes. */
    private final int[][] releasedBy;
    /** For each slot, the number of steps that must finish before it is released (0: kept). */
    private final int[] readerCounts;
    /** The largest number of steps at the same depth of the dependence graph. */
    private final int width;

    ParallelSteps(CompiledGraph.Step[] steps, int slotCount) {
        int[] producer = new int[slotCount];
        java.util.Arrays.fill(producer, -1);
        for (int k = 0; k < steps.length; k++) {
            for (int s : steps[k].outputs()) {
                if (s >= 0) {
                    producer[s] = k;
                }
            }
        }
        boolean[] releasable = new boolean[slotCount];
        for (CompiledGraph.Step step : steps) {
            for (int s : step.release()) {
                releasable[s] = true;
            }
        }
        List<List<Integer>> next = new ArrayList<>();
        for (int k = 0; k < steps.length; k++) {
            next.add(new ArrayList<>());
        }
        dependencyCounts = new int[steps.length];
        releasedBy = new int[steps.length][];
        readerCounts = new int[slotCount];
        int[] depth = new int[steps.length];
        for (int k = 0; k < steps.length; k++) {
            Set<Integer> producers = new LinkedHashSet<>();
            Set<Integer> touched = new LinkedHashSet<>();
            for (int s : steps[k].reads()) {
                if (producer[s] >= 0 && producer[s] != k) {
                    producers.add(producer[s]);
                }
                if (releasable[s]) {
                    touched.add(s);
                }
            }
            // An output that nothing reads is released by the step that writes it.
            for (int s : steps[k].release()) {
                touched.add(s);
            }
            for (int p : producers) {
                next.get(p).add(k);
                depth[k] = Math.max(depth[k], depth[p] + 1);
            }
            dependencyCounts[k] = producers.size();
            releasedBy[k] = touched.stream().mapToInt(Integer::intValue).toArray();
            for (int s : releasedBy[k]) {
                readerCounts[s]++;
            }
        }
        successors = new int[steps.length][];
        for (int k = 0; k < steps.length; k++) {
            successors[k] = next.get(k).stream().mapToInt(Integer::intValue).toArray();
        }
        int[] perDepth = new int[steps.length + 1];
        int widest = 0;
        for (int d : depth) {
            widest = Math.max(widest, ++perDepth[d]);
        }
        width = widest;
    }

    /** Returns true when some steps do not depend on each other, so they could run at once. */
    boolean hasParallelism() {
        return width > 1;
    }

    /**
     * Runs every step, on the calling thread and on up to {@code threads - 1} tasks of
     * {@code pool}, and returns when all have finished. When a step fails, no further step
     * starts; the steps already running finish, and then the first failure is rethrown.
     */
    void run(CompiledGraph.Step[] steps, Value[] slots, RunContext ctx, BufferArena arena,
            ExecutorService pool, int threads) {
        Run run = new Run(steps, slots, ctx, arena);
        if (arena != null) {
            arena.deferSweep();
        }
        int helpers = Math.min(threads, width) - 1;
        for (int i = 0; i < helpers; i++) {
            try {
                pool.execute(run::work);
            } catch (RejectedExecutionException e) {
                break; // the session is closing: the calling thread runs the rest
            }
        }
        run.work();
        try {
            run.awaitEnd();
        } finally {
            if (arena != null) {
                arena.sweepAll();
            }
        }
    }

    /** The state of one run: the steps ready to start, the counts left, the first failure. */
    private final class Run {
        private final CompiledGraph.Step[] steps;
        private final Value[] slots;
        private final RunContext ctx;
        private final BufferArena arena;
        private final NodeProfiler profiler;
        private final int[] dependenciesLeft;
        private final int[] readersLeft;
        /** Steps ready to start, in the order they became ready; each step enters once. */
        private final int[] ready;
        private int readyHead;
        private int readyTail;
        private int finished;
        private int running;
        private int waiting;
        private Throwable failure;

        Run(CompiledGraph.Step[] steps, Value[] slots, RunContext ctx, BufferArena arena) {
            this.steps = steps;
            this.slots = slots;
            this.ctx = ctx;
            this.arena = arena;
            this.profiler = ctx.control().profiler();
            this.dependenciesLeft = dependencyCounts.clone();
            this.readersLeft = readerCounts.clone();
            this.ready = new int[steps.length];
            for (int k = 0; k < steps.length; k++) {
                if (dependenciesLeft[k] == 0) {
                    ready[readyTail++] = k;
                }
            }
        }

        /** Takes and runs ready steps until every step has finished or one has failed. */
        void work() {
            while (true) {
                int k;
                synchronized (this) {
                    while (readyHead == readyTail && failure == null && finished < steps.length) {
                        waiting++;
                        try {
                            wait();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            if (failure == null) {
                                failure = new dev.jonnx.RunException("run interrupted");
                            }
                            notifyAll();
                        } finally {
                            waiting--;
                        }
                    }
                    if (failure != null || finished == steps.length) {
                        return;
                    }
                    k = ready[readyHead++];
                    running++;
                }
                Throwable error = null;
                try {
                    runStep(steps[k]);
                } catch (Throwable t) {
                    error = t;
                }
                finish(k, error);
            }
        }

        private void runStep(CompiledGraph.Step step) {
            ctx.control().check();
            Value[] args = new Value[step.inputs().length];
            if (profiler == null) {
                CompiledGraph.execute(step, slots, args, ctx);
            } else {
                long start = System.nanoTime();
                CompiledGraph.execute(step, slots, args, ctx);
                profiler.record(step.node(), start, System.nanoTime(), false);
            }
            if (arena != null) {
                synchronized (arena) {
                    for (int s : step.outputs()) {
                        if (s >= 0) {
                            arena.retain(slots[s]);
                        }
                    }
                }
            }
        }

        /** Marks step {@code k} done: readies its successors and releases slots no step needs. */
        private synchronized void finish(int k, Throwable error) {
            running--;
            if (error != null && failure == null) {
                failure = error;
            }
            if (failure != null) {
                // Wakes the waiting threads so they stop, and the caller once none is running.
                notifyAll();
                return;
            }
            finished++;
            for (int next : successors[k]) {
                if (--dependenciesLeft[next] == 0) {
                    ready[readyTail++] = next;
                }
            }
            for (int s : releasedBy[k]) {
                if (--readersLeft[s] == 0) {
                    release(s);
                }
            }
            // This thread takes one ready step itself, so others are woken only for the rest.
            if (finished == steps.length || (waiting > 0 && readyTail - readyHead > 1)) {
                notifyAll();
            }
        }

        private void release(int s) {
            Value v = slots[s];
            slots[s] = null;
            if (arena != null && v != null) {
                synchronized (arena) {
                    arena.release(v, true);
                }
            }
        }

        /** Waits until no step is running, then rethrows the first failure, if any. */
        synchronized void awaitEnd() {
            boolean interrupted = false;
            while (running > 0) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (failure instanceof RuntimeException r) {
                throw r;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            if (failure != null) {
                throw new IllegalStateException("a step failed: " + failure, failure);
            }
        }
    }
}
