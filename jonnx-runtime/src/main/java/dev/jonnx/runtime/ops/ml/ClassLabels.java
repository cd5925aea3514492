package dev.jonnx.runtime.ops.ml;

import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.Tensor;

/** The class labels of a classifier: int64 or string, one of which the node defines. */
final class ClassLabels {
    private final long[] ints;
    private final String[] strings;

    private ClassLabels(long[] ints, String[] strings) {
        this.ints = ints;
        this.strings = strings;
    }

    /**
     * Reads the labels from the attribute pair {@code intsName} / {@code stringsName}; exactly
     * one of them must be present and non-empty.
     */
    static ClassLabels parse(NodeContext node, String intsName, String stringsName) {
        long[] ints = node.getInts(intsName, new long[0]);
        String[] strings = node.getStrings(stringsName, new String[0]);
        if (ints.length > 0 && strings.length > 0) {
            throw node.error("only one of the attributes '" + intsName + "' and '" + stringsName
                    + "' may be set");
        }
        if (ints.length == 0 && strings.length == 0) {
            throw node.error("one of the attributes '" + intsName + "' and '" + stringsName
                    + "' must be set and non-empty");
        }
        return strings.length > 0 ? new ClassLabels(null, strings) : new ClassLabels(ints, null);
    }

    /** Returns the labels 0 and 1 (or "0" and "1"), of the same kind as these labels. */
    ClassLabels defaultBinary() {
        return strings != null
                ? new ClassLabels(null, new String[] {"0", "1"})
                : new ClassLabels(new long[] {0, 1}, null);
    }

    int size() {
        return strings != null ? strings.length : ints.length;
    }

    /** Returns the 1-D tensor of the labels at {@code classIndex}, one per row. */
    Tensor select(int[] classIndex) {
        int n = classIndex.length;
        if (strings != null) {
            String[] out = new String[n];
            for (int i = 0; i < n; i++) {
                out[i] = strings[classIndex[i]];
            }
            return Tensor.of(out, n);
        }
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = ints[classIndex[i]];
        }
        return Tensor.of(out, n);
    }

    /** Returns the index of the first maximum of {@code s[offset, offset + length)}. */
    static int argmax(double[] s, int offset, int length) {
        int best = 0;
        for (int j = 1; j < length; j++) {
            if (s[offset + j] > s[offset + best]) {
                best = j;
            }
        }
        return best;
    }
}
