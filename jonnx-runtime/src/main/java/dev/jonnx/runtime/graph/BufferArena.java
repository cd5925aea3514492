package dev.jonnx.runtime.graph;

import dev.jonnx.tensor.MapValue;
import dev.jonnx.tensor.OptionalValue;
import dev.jonnx.tensor.SequenceValue;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.IdentityHashMap;

/**
 * Float buffers for the outputs of one run at a time, recycled once no live value uses them.
 *
 * <p>{@link #newFloats} hands out an array and records it as owned by the current run. The
 * executor counts how many live graph slots hold each owned array ({@link #retain},
 * {@link #release}); values alias (Reshape and Identity return tensors sharing their input's
 * array), so the count is kept per array, not per value. When a release drops the count to
 * zero, the array goes to a free list keyed by its length, and a later {@code newFloats} of the
 * same length returns it. Only owned arrays are ever recycled: graph inputs, initializers and
 * arrays from any other source are never tracked. An owned array that ends up inside a
 * sequence, optional or map value is dropped from tracking for the rest of the run, because
 * the executor cannot follow where such containers go.
 *
 * <p>A kernel may also take scratch arrays from {@code newFloats} that none of its outputs
 * contains. After each node, the executor returns every array handed out during that node and
 * still in no slot to the free lists ({@link #sweep}), so scratch memory is reused by later nodes
 * and runs too. While nodes run in parallel, the arena cannot tell which node took an array,
 * so these arrays are returned only when the graph's last node has finished
 * ({@link #sweepAll}).
 *
 * <p>The free lists survive {@link #endRun}, so a session that keeps its arena reuses the
 * buffers of the previous run. {@code endRun} clears the record of the arrays the run owned,
 * because the outputs it returns now belong to the caller, and drops free arrays that the run
 * never requested, so memory from an earlier input shape is released.
 *
 * <p>Kernels may call {@code newFloats} from the intra-op threads of one run, so the public
 * methods are synchronized, and the executor calls the package-private counting methods while
 * it holds the arena's monitor. One arena serves one run at a time.
 */
public final class BufferArena {
    /**
     * Live-slot reference counts of the arrays handed out since the last {@link #endRun}: -1 for
     * an array in the free lists, 0 for one handed out and in no slot.
     */
    private final IdentityHashMap<float[], Integer> owned = new IdentityHashMap<>();
    /** Arrays handed out and not yet checked by {@link #sweep}, oldest first. */
    private float[][] fresh = new float[16][];
    private int freshCount;
    /** Set while the nodes of a run execute in parallel, so only {@link #sweepAll} sweeps. */
    private boolean sweepDeferred;
    /**
     * The lengths of the owned arrays, each with the number of owned arrays of that length. An
     * array of any other length is not owned, so the check skips the identity hash. The JVM
     * computes that hash lazily, and it was the largest executor cost in a profile of a loop of
     * small nodes.
     */
    private final LengthCounts ownedLengths = new LengthCounts();
    private final FreeLists free = new FreeLists();
    /**
     * Set by the system property {@code jonnx.arena.poison=true}: every array handed out is filled
     * with NaN first, so a kernel that reads its output before writing it (for example one that
     * accumulates with {@code +=} into what it takes to be zeros) produces NaN in tests.
     */
    private static final boolean POISON = Boolean.getBoolean("jonnx.arena.poison");

    private long allocatedBytes;
    private long reusedBytes;

    /**
     * Returns a float array of exactly {@code size} elements, reused when a released one of that
     * length is free. Its contents are unspecified.
     */
    public synchronized float[] newFloats(int size) {
        if (size <= 0) {
            return new float[Math.max(0, size)];
        }
        float[] array = free.pop(size);
        if (array == null) {
            array = new float[size];
            allocatedBytes += 4L * size;
        } else {
            reusedBytes += 4L * size;
        }
        if (owned.put(array, 0) == null) {
            ownedLengths.add(size, 1);
        }
        if (freshCount == fresh.length) {
            fresh = java.util.Arrays.copyOf(fresh, 2 * freshCount);
        }
        fresh[freshCount++] = array;
        if (POISON) {
            java.util.Arrays.fill(array, Float.NaN);
        }
        return array;
    }

    /**
     * Counts one more live slot that contains {@code value}. The caller owns this arena's monitor,
     * so the executor takes it once per node for all its retains and releases.
     */
    void retain(Value value) {
        if (value instanceof Tensor t) {
            if (t.data() instanceof float[] array && ownedLengths.get(array.length) > 0) {
                Integer count = owned.get(array);
                if (count != null && count >= 0) {
                    owned.put(array, count + 1);
                }
            }
        } else if (value != null && !owned.isEmpty()) {
            forgetContained(value);
        }
    }

    /**
     * Counts one live slot fewer that contains {@code value}. When no live slot references its
     * array any more and {@code recycle} is set, the array becomes free for reuse. The caller
     * owns this arena's monitor.
     */
    void release(Value value, boolean recycle) {
        if (value instanceof Tensor t && t.data() instanceof float[] array
                && ownedLengths.get(array.length) > 0) {
            Integer count = owned.get(array);
            if (count == null) {
                return;
            }
            if (count > 1) {
                owned.put(array, count - 1);
            } else if (count <= 0) {
                return;
            } else if (recycle) {
                // Stays owned, so the run can take it again, and endRun keeps it.
                owned.put(array, -1);
                free.push(array);
            } else {
                owned.put(array, 0);
            }
        }
    }

    /**
     * Returns the position in the list of fresh arrays where the next array handed out will go.
     * The executor takes it before a node runs and passes it to {@link #sweep} afterwards.
     * It reads without the monitor: between two nodes run one after another no other thread
     * hands out arrays, and while nodes run in parallel the sweep ignores the mark.
     */
    int freshMark() {
        return freshCount;
    }

    /**
     * Frees the arrays handed out since {@code mark} that no slot contains, and drops the rest
     * from the fresh list. Called after a node's outputs are retained, so what stays at count 0
     * is scratch memory of that node, or an output that the graph does not name. Arrays handed out before
     * the mark, for example the output buffer of a Scan whose body is running, are left alone.
     * Does nothing while the run's nodes execute in parallel. The caller owns the monitor.
     */
    void sweep(int mark) {
        if (sweepDeferred) {
            return;
        }
        for (int i = mark; i < freshCount; i++) {
            float[] array = fresh[i];
            fresh[i] = null;
            if (owned.get(array) instanceof Integer count && count == 0) {
                owned.put(array, -1);
                free.push(array);
            }
        }
        freshCount = Math.min(freshCount, mark);
    }

    /** Defers sweeping until {@link #sweepAll}, while nodes run in parallel. */
    synchronized void deferSweep() {
        sweepDeferred = true;
    }

    /**
     * Ends a deferral: frees every fresh array that no slot contains. Called once no node of the
     * run is executing.
     */
    synchronized void sweepAll() {
        sweepDeferred = false;
        sweep(0);
    }

    /** Stops tracking every owned array inside a sequence, optional or map. */
    private void forgetContained(Value value) {
        switch (value) {
            case Tensor t -> {
                if (t.data() instanceof float[] array && owned.remove(array) != null) {
                    ownedLengths.add(array.length, -1);
                }
            }
            case SequenceValue s -> s.elements().forEach(this::forgetContained);
            case OptionalValue o -> {
                if (o.isPresent()) {
                    forgetContained(o.value());
                }
            }
            case MapValue m -> {
                for (Object entry : m.entries().values()) {
                    if (entry instanceof Value v) {
                        forgetContained(v);
                    }
                }
            }
        }
    }

    /**
     * Ends the current run: clears the record of the arrays it owned, and frees the arrays that
     * sit in the free lists without having been handed out during the run.
     */
    public synchronized void endRun() {
        free.retainOnly(owned);
        owned.clear();
        ownedLengths.clear();
        java.util.Arrays.fill(fresh, 0, freshCount, null);
        freshCount = 0;
        sweepDeferred = false;
    }

    /** Returns the bytes of the arrays now free for reuse. */
    public synchronized long freeBytes() {
        return free.bytes();
    }

    /** Returns the bytes this arena allocated because no free array fitted, over its lifetime. */
    public synchronized long allocatedBytes() {
        return allocatedBytes;
    }

    /** Returns the bytes this arena served from its free lists, over its lifetime. */
    public synchronized long reusedBytes() {
        return reusedBytes;
    }

    /** An open-addressing map from a positive array length to a count, without boxing. */
    private static final class LengthCounts {
        private int[] lengths = new int[16];
        private int[] counts = new int[16];
        private int used;

        int get(int length) {
            int mask = lengths.length - 1;
            for (int i = FreeLists.hash(length) & mask; ; i = (i + 1) & mask) {
                if (lengths[i] == length) {
                    return counts[i];
                }
                if (lengths[i] == 0) {
                    return 0;
                }
            }
        }

        /** Adds {@code delta} to the count of {@code length}. A count at zero keeps its entry. */
        void add(int length, int delta) {
            int mask = lengths.length - 1;
            int i = FreeLists.hash(length) & mask;
            while (lengths[i] != 0 && lengths[i] != length) {
                i = (i + 1) & mask;
            }
            if (lengths[i] == 0) {
                if (2 * (used + 1) > lengths.length) {
                    grow();
                    add(length, delta);
                    return;
                }
                lengths[i] = length;
                used++;
            }
            counts[i] += delta;
        }

        void clear() {
            java.util.Arrays.fill(lengths, 0);
            java.util.Arrays.fill(counts, 0);
            used = 0;
        }

        private void grow() {
            int[] oldLengths = lengths;
            int[] oldCounts = counts;
            lengths = new int[oldLengths.length * 2];
            counts = new int[oldLengths.length * 2];
            used = 0;
            for (int j = 0; j < oldLengths.length; j++) {
                if (oldLengths[j] != 0) {
                    add(oldLengths[j], oldCounts[j]);
                }
            }
        }
    }

    /** Free arrays grouped by length: an open-addressing map from length to a stack. */
    private static final class FreeLists {
        private int[] lengths = new int[16];
        private float[][][] stacks = new float[16][][];
        private int[] depths = new int[16];
        private int used;

        float[] pop(int length) {
            int i = find(length);
            if (i < 0 || depths[i] == 0) {
                return null;
            }
            float[][] stack = stacks[i];
            float[] array = stack[--depths[i]];
            stack[depths[i]] = null;
            return array;
        }

        void push(float[] array) {
            int i = find(array.length);
            if (i < 0) {
                i = insert(array.length);
            }
            float[][] stack = stacks[i];
            if (depths[i] == stack.length) {
                stacks[i] = stack = java.util.Arrays.copyOf(stack, stack.length * 2);
            }
            stack[depths[i]++] = array;
        }

        /**
         * Keeps only the free arrays that are keys of {@code keep}. The stacks are filtered in
         * place, so a steady run allocates nothing here. Lengths left empty are dropped once
         * they make up half of the lengths.
         */
        void retainOnly(IdentityHashMap<float[], Integer> keep) {
            int empty = 0;
            for (int i = 0; i < lengths.length; i++) {
                if (lengths[i] == 0) {
                    continue;
                }
                float[][] stack = stacks[i];
                int retained = 0;
                for (int d = 0; d < depths[i]; d++) {
                    if (keep.containsKey(stack[d])) {
                        stack[retained++] = stack[d];
                    }
                }
                java.util.Arrays.fill(stack, retained, depths[i], null);
                depths[i] = retained;
                if (retained == 0) {
                    empty++;
                }
            }
            if (empty > 0 && 2 * empty >= used) {
                dropEmptyLengths();
            }
        }

        private void dropEmptyLengths() {
            int[] oldLengths = lengths;
            float[][][] oldStacks = stacks;
            int[] oldDepths = depths;
            lengths = new int[oldLengths.length];
            stacks = new float[oldLengths.length][][];
            depths = new int[oldLengths.length];
            used = 0;
            for (int i = 0; i < oldLengths.length; i++) {
                for (int d = 0; d < oldDepths[i]; d++) {
                    push(oldStacks[i][d]);
                }
            }
        }

        long bytes() {
            long total = 0;
            for (int i = 0; i < lengths.length; i++) {
                total += 4L * lengths[i] * depths[i];
            }
            return total;
        }

        private int find(int length) {
            int mask = lengths.length - 1;
            for (int i = hash(length) & mask; ; i = (i + 1) & mask) {
                if (lengths[i] == length) {
                    return i;
                }
                if (lengths[i] == 0) {
                    return -1;
                }
            }
        }

        private int insert(int length) {
            if (2 * (used + 1) > lengths.length) {
                grow();
            }
            int mask = lengths.length - 1;
            int i = hash(length) & mask;
            while (lengths[i] != 0) {
                i = (i + 1) & mask;
            }
            lengths[i] = length;
            stacks[i] = new float[4][];
            used++;
            return i;
        }

        private void grow() {
            int[] oldLengths = lengths;
            float[][][] oldStacks = stacks;
            int[] oldDepths = depths;
            int capacity = oldLengths.length * 2;
            lengths = new int[capacity];
            stacks = new float[capacity][][];
            depths = new int[capacity];
            int mask = capacity - 1;
            for (int j = 0; j < oldLengths.length; j++) {
                if (oldLengths[j] != 0) {
                    int i = hash(oldLengths[j]) & mask;
                    while (lengths[i] != 0) {
                        i = (i + 1) & mask;
                    }
                    lengths[i] = oldLengths[j];
                    stacks[i] = oldStacks[j];
                    depths[i] = oldDepths[j];
                }
            }
        }

        private static int hash(int length) {
            return length * 0x9E3779B9 >>> 7;
        }
    }
}
