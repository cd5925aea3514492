package dev.jonnx.text.tokenizer;

import java.util.Arrays;

/** A growable list of {@code int} values, without boxing. */
final class IntList {
    private int[] values = new int[32];
    private int size;

    void add(int value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = value;
    }

    int size() {
        return size;
    }

    /** Drops the elements from {@code newSize} on. */
    void truncate(int newSize) {
        size = Math.min(size, newSize);
    }

    int[] toArray() {
        return Arrays.copyOf(values, size);
    }
}
