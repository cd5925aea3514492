package dev.jonnx.runtime.ops.text;

import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Arrays;

/**
 * TfIdfVectorizer-9: counts the pool's n-grams in each row of the input, where an n-gram of
 * length {@code n} with skip {@code s} takes items {@code i, i + (s + 1), ..., i + (n - 1)(s + 1)}.
 * Every skip from 0 to {@code max_skip_count} is counted; a 1-gram is counted once per position
 * because all skips give the same 1-gram.
 */
final class TfIdfVectorizer {
    private TfIdfVectorizer() {}

    private enum Mode { TF, IDF, TFIDF }

    /**
     * The pool as an open-addressing hash table of n-grams. Slot {@code s} contains the pool
     * position of an n-gram's first item ({@code -1} when empty), its length and its output
     * coordinate and weight.
     */
    private static final class Pool {
        final long[] ints;
        final String[] strings;
        final int[] start;
        final int[] length;
        final int[] coordinate;
        final float[] weight;
        final int mask;

        Pool(long[] ints, String[] strings, int entries) {
            this.ints = ints;
            this.strings = strings;
            int capacity = Integer.highestOneBit(Math.max(4, entries * 2)) * 2;
            start = new int[capacity];
            Arrays.fill(start, -1);
            length = new int[capacity];
            coordinate = new int[capacity];
            weight = new float[capacity];
            mask = capacity - 1;
        }

        private int itemHash(int poolIndex) {
            return ints != null ? Long.hashCode(ints[poolIndex]) : strings[poolIndex].hashCode();
        }

        void put(int poolStart, int n, int outputIndex, float w) {
            int h = 1;
            for (int j = 0; j < n; j++) {
                h = 31 * h + itemHash(poolStart + j);
            }
            h = 31 * h + n;
            int slot = mix(h) & mask;
            while (start[slot] >= 0) {
                slot = (slot + 1) & mask;
            }
            start[slot] = poolStart;
            length[slot] = n;
            coordinate[slot] = outputIndex;
            weight[slot] = w;
        }

        /** Returns the slot of the n-gram at input positions {@code first + j * step}, or -1. */
        int find(Object input, int first, int step, int n) {
            long[] inputInts = input instanceof long[] l ? l : null;
            String[] inputStrings = input instanceof String[] s ? s : null;
            int h = 1;
            for (int j = 0; j < n; j++) {
                int at = first + j * step;
                h = 31 * h + (inputInts != null ? Long.hashCode(inputInts[at]) : inputStrings[at].hashCode());
            }
            h = 31 * h + n;
            int slot = mix(h) & mask;
            while (start[slot] >= 0) {
                if (length[slot] == n && matches(slot, inputInts, inputStrings, first, step, n)) {
                    return slot;
                }
                slot = (slot + 1) & mask;
            }
            return -1;
        }

        private boolean matches(int slot, long[] inputInts, String[] inputStrings, int first,
                int step, int n) {
            int poolStart = start[slot];
            for (int j = 0; j < n; j++) {
                int at = first + j * step;
                boolean equal = inputInts != null ? ints[poolStart + j] == inputInts[at]
                        : strings[poolStart + j].equals(inputStrings[at]);
                if (!equal) {
                    return false;
                }
            }
            return true;
        }

        private static int mix(int h) {
            return h ^ (h >>> 16);
        }
    }

    static KernelFactory factory() {
        return node -> {
            int maxGram = (int) node.getInt("max_gram_length");
            int minGram = (int) node.getInt("min_gram_length");
            int maxSkip = (int) node.getInt("max_skip_count");
            Mode mode = parseMode(node);
            long[] counts = node.getInts("ngram_counts", null);
            long[] indexes = node.getInts("ngram_indexes", null);
            long[] poolInts = node.getInts("pool_int64s", null);
            String[] poolStrings = node.getStrings("pool_strings", null);
            float[] weights = node.getFloats("weights", null);
            if (counts == null || indexes == null) {
                throw node.error("ngram_counts and ngram_indexes are required");
            }
            if ((poolInts == null) == (poolStrings == null)) {
                throw node.error("exactly one of pool_int64s and pool_strings must be set");
            }
            if (minGram < 1 || maxGram < minGram || maxSkip < 0) {
                throw node.error("need 1 <= min_gram_length <= max_gram_length and "
                        + "max_skip_count >= 0, got " + minGram + ", " + maxGram + ", " + maxSkip);
            }
            if (weights != null && weights.length != indexes.length) {
                throw node.error("weights has " + weights.length + " values but ngram_indexes has "
                        + indexes.length);
            }
            Pool pool = buildPool(node, counts, indexes, poolInts, poolStrings, weights);
            int width = 0;
            for (long index : indexes) {
                width = (int) Math.max(width, index + 1);
            }
            int outputWidth = width;
            return (inputs, ctx) -> run((Tensor) inputs[0], pool, outputWidth, minGram, maxGram,
                    maxSkip, mode);
        };
    }

    private static Mode parseMode(NodeContext node) {
        String mode = node.getString("mode");
        try {
            return Mode.valueOf(mode);
        } catch (IllegalArgumentException e) {
            throw node.error("mode must be TF, IDF or TFIDF, got '" + mode + "'");
        }
    }

    private static Pool buildPool(NodeContext node, long[] counts, long[] indexes, long[] poolInts,
            String[] poolStrings, float[] weights) {
        int poolSize = poolInts != null ? poolInts.length : poolStrings.length;
        Pool pool = new Pool(poolInts, poolStrings, indexes.length);
        int ngram = 0;
        for (int level = 0; level < counts.length; level++) {
            int n = level + 1;
            int begin = (int) counts[level];
            int end = level + 1 < counts.length ? (int) counts[level + 1] : poolSize;
            if (begin < 0 || end > poolSize || begin > end || (end - begin) % n != 0) {
                throw node.error("ngram_counts " + Arrays.toString(counts) + " does not split the pool of "
                        + poolSize + " items into whole " + n + "-grams");
            }
            for (int at = begin; at < end; at += n, ngram++) {
                if (ngram >= indexes.length) {
                    throw node.error("ngram_indexes has " + indexes.length
                            + " values but the pool holds more n-grams");
                }
                pool.put(at, n, (int) indexes[ngram], weights == null ? 1f : weights[ngram]);
            }
        }
        return pool;
    }

    private static Value[] run(Tensor x, Pool pool, int width, int minGram, int maxGram, int maxSkip,
            Mode mode) {
        Object input;
        if (x.type() == DataType.STRING) {
            if (pool.strings == null) {
                throw new IllegalArgumentException("input X is a string tensor but the pool is pool_int64s");
            }
            input = x.strings();
        } else if (x.type() == DataType.INT32 || x.type() == DataType.INT64) {
            if (pool.ints == null) {
                throw new IllegalArgumentException("input X is " + x.type() + " but the pool is pool_strings");
            }
            input = x.toLongArray();
        } else {
            throw new IllegalArgumentException("input X must be string, int32 or int64, got " + x.type());
        }
        int rows;
        int columns;
        int[] outShape;
        if (x.rank() == 1) {
            rows = 1;
            columns = x.dim(0);
            outShape = new int[] {width};
        } else if (x.rank() == 2) {
            rows = x.dim(0);
            columns = x.dim(1);
            outShape = new int[] {rows, width};
        } else {
            throw new IllegalArgumentException("input X must be 1-D or 2-D, got " + x.describe());
        }
        float[] out = new float[rows * width];
        int[] hits = new int[pool.start.length];
        for (int r = 0; r < rows; r++) {
            Arrays.fill(hits, 0);
            int rowStart = r * columns;
            for (int i = 0; i < columns; i++) {
                for (int n = minGram; n <= maxGram; n++) {
                    int skips = n == 1 ? 0 : maxSkip;
                    for (int s = 0; s <= skips; s++) {
                        int step = s + 1;
                        if (i + (n - 1) * step >= columns) {
                            break;
                        }
                        int slot = pool.find(input, rowStart + i, step, n);
                        if (slot >= 0) {
                            hits[slot]++;
                        }
                    }
                }
            }
            for (int slot = 0; slot < hits.length; slot++) {
                if (hits[slot] == 0) {
                    continue;
                }
                float value = switch (mode) {
                    case TF -> hits[slot];
                    case IDF -> pool.weight[slot];
                    case TFIDF -> hits[slot] * pool.weight[slot];
                };
                out[r * width + pool.coordinate[slot]] += value;
            }
        }
        return new Value[] {Tensor.of(DataType.FLOAT, outShape, out)};
    }
}
