package dev.jonnx.runtime.ops.ml;

import java.util.Arrays;

/**
 * An immutable map from long keys to their positions in the key list, searched by binary
 * search so that lookups neither box nor allocate. A repeated key maps to its last position.
 */
final class LongLookup {
    private final long[] sortedKeys;
    private final int[] positions;

    LongLookup(long[] keys) {
        Integer[] order = new Integer[keys.length];
        for (int i = 0; i < keys.length; i++) {
            order[i] = i;
        }
        // Sort by key, and by position within equal keys, so the last position ends a run.
        Arrays.sort(order, (a, b) -> a.equals(b) ? 0
                : keys[a] != keys[b] ? Long.compare(keys[a], keys[b]) : Integer.compare(a, b));
        long[] k = new long[keys.length];
        int[] p = new int[keys.length];
        int n = 0;
        for (int i = 0; i < order.length; i++) {
            long key = keys[order[i]];
            if (n > 0 && k[n - 1] == key) {
                p[n - 1] = order[i];
            } else {
                k[n] = key;
                p[n] = order[i];
                n++;
            }
        }
        this.sortedKeys = Arrays.copyOf(k, n);
        this.positions = Arrays.copyOf(p, n);
    }

    /** Returns the position of {@code key} in the key list, or -1 if it is absent. */
    int find(long key) {
        int i = Arrays.binarySearch(sortedKeys, key);
        return i >= 0 ? positions[i] : -1;
    }
}
