package dev.jonnx.runtime.ops.text;

import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** StringNormalizer, StringSplit and StringConcat. */
final class StringKernels {
    private StringKernels() {}

    /**
     * StringNormalizer-10. Case mapping and case-insensitive stopword matching use the
     * locale-independent rules of {@link Locale#ROOT}, whatever the {@code locale} attribute
     * names, so results never depend on the host's default locale.
     */
    static KernelFactory stringNormalizer() {
        return node -> {
            String action = node.getString("case_change_action", "NONE");
            if (!Set.of("NONE", "LOWER", "UPPER").contains(action)) {
                throw node.error("case_change_action must be NONE, LOWER or UPPER, got '" + action + "'");
            }
            boolean caseSensitive = node.getInt("is_case_sensitive", 0) != 0;
            // NOTE: the locale attribute is accepted but not applied: mapping is Locale.ROOT.
            Set<String> stopwords = new HashSet<>();
            for (String word : node.getStrings("stopwords", new String[0])) {
                stopwords.add(caseSensitive ? word : word.toLowerCase(Locale.ROOT));
            }
            return (inputs, ctx) -> {
                Tensor x = (Tensor) inputs[0];
                requireString(x, "input X");
                int[] shape = x.shape();
                boolean rowShape = shape.length == 2 && shape[0] == 1;
                if (shape.length != 1 && !rowShape) {
                    throw new IllegalArgumentException("input X must have shape [C] or [1, C], got "
                            + Arrays.toString(shape));
                }
                List<String> kept = new ArrayList<>();
                for (String s : x.strings()) {
                    String key = caseSensitive ? s : s.toLowerCase(Locale.ROOT);
                    if (stopwords.contains(key)) {
                        continue;
                    }
                    kept.add(switch (action) {
                        case "LOWER" -> s.toLowerCase(Locale.ROOT);
                        case "UPPER" -> s.toUpperCase(Locale.ROOT);
                        default -> s;
                    });
                }
                if (kept.isEmpty()) {
                    kept.add("");
                }
                String[] out = kept.toArray(new String[0]);
                int[] outShape = rowShape ? new int[] {1, out.length} : new int[] {out.length};
                return new Value[] {Tensor.of(DataType.STRING, outShape, out)};
            };
        };
    }

    /**
     * StringSplit-20. With a delimiter, every occurrence splits; without one (or with ""),
     * runs of whitespace split and leading and trailing whitespace is dropped, like Python's
     * {@code str.split}. Whitespace is {@link Character#isWhitespace} or
     * {@link Character#isSpaceChar}.
     */
    static KernelFactory stringSplit() {
        return node -> {
            String delimiter = node.getString("delimiter", "");
            long maxsplit = node.hasAttribute("maxsplit") ? node.getInt("maxsplit") : -1;
            return (inputs, ctx) -> {
                Tensor x = (Tensor) inputs[0];
                requireString(x, "input X");
                String[] strings = x.strings();
                List<List<String>> parts = new ArrayList<>(strings.length);
                int width = 0;
                long[] counts = new long[strings.length];
                for (int i = 0; i < strings.length; i++) {
                    List<String> split = delimiter.isEmpty()
                            ? splitWhitespace(strings[i], maxsplit)
                            : splitOn(strings[i], delimiter, maxsplit);
                    parts.add(split);
                    counts[i] = split.size();
                    width = Math.max(width, split.size());
                }
                int[] shape = x.shape();
                int[] outShape = Arrays.copyOf(shape, shape.length + 1);
                outShape[shape.length] = width;
                String[] out = (String[]) Tensor.allocate(DataType.STRING, strings.length * width);
                for (int i = 0; i < strings.length; i++) {
                    List<String> split = parts.get(i);
                    for (int j = 0; j < split.size(); j++) {
                        out[i * width + j] = split.get(j);
                    }
                }
                return new Value[] {
                    Tensor.of(DataType.STRING, outShape, out), Tensor.of(DataType.INT64, shape, counts)
                };
            };
        };
    }

    static List<String> splitOn(String s, String delimiter, long maxsplit) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int splits = 0;
        while (maxsplit < 0 || splits < maxsplit) {
            int at = s.indexOf(delimiter, start);
            if (at < 0) {
                break;
            }
            out.add(s.substring(start, at));
            start = at + delimiter.length();
            splits++;
        }
        out.add(s.substring(start));
        return out;
    }

    static List<String> splitWhitespace(String s, long maxsplit) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (true) {
            while (i < n && isSpace(s.charAt(i))) {
                i++;
            }
            if (i == n) {
                break;
            }
            if (maxsplit >= 0 && out.size() == maxsplit) {
                // The rest after the last allowed split keeps its whitespace, as in Python.
                out.add(s.substring(i));
                break;
            }
            int start = i;
            while (i < n && !isSpace(s.charAt(i))) {
                i++;
            }
            out.add(s.substring(start, i));
        }
        return out;
    }

    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    /** StringConcat-20: elementwise concatenation with multidirectional broadcasting. */
    static KernelFactory stringConcat() {
        return node -> (inputs, ctx) -> {
            Tensor x = (Tensor) inputs[0];
            Tensor y = (Tensor) inputs[1];
            requireString(x, "input X");
            requireString(y, "input Y");
            int[] shape = Shapes.broadcast(x.shape(), y.shape());
            int size = Shapes.size(shape);
            String[] xs = x.strings();
            String[] ys = y.strings();
            String[] out = new String[size];
            if (Arrays.equals(x.shape(), shape) && Arrays.equals(y.shape(), shape)) {
                for (int i = 0; i < size; i++) {
                    out[i] = xs[i].concat(ys[i]);
                }
            } else {
                int[] xi = Shapes.broadcastIndex(x.shape(), shape);
                int[] yi = Shapes.broadcastIndex(y.shape(), shape);
                for (int i = 0; i < size; i++) {
                    out[i] = xs[xi[i]].concat(ys[yi[i]]);
                }
            }
            return new Value[] {Tensor.of(DataType.STRING, shape, out)};
        };
    }

    static void requireString(Tensor t, String name) {
        if (t.type() != DataType.STRING) {
            throw new IllegalArgumentException(name + " must be a string tensor, got " + t.type());
        }
    }
}
