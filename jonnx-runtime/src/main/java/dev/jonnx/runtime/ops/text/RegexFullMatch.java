package dev.jonnx.runtime.ops.text;

import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * RegexFullMatch-20. The ONNX definition uses RE2 syntax; this kernel translates it to
 * {@link java.util.regex} and raises an error for constructs that RE2 rejects but Java would
 * accept with another meaning: backreferences, lookaround, atomic groups and possessive
 * quantifiers.
 *
 * <p>Translated: {@code (?P<name>...)} named groups become {@code (?<name>...)}, the POSIX
 * classes {@code [:alpha:]} and friends inside brackets become {@code \p{Alpha}}, and
 * {@code [} and {@code &} inside brackets are escaped because Java gives them a meaning there.
 * The ungreedy flag {@code (?U)} is rejected because Java reads it as another flag.
 *
 * {@code \s} and {@code \S} are spelled out because Java's {@code \s} also matches the
 * vertical tab.
 *
 * <p>Not translated: escapes that only Java knows, such as {@code \h} or {@code \R}, are
 * accepted with Java's meaning. Matching is linear-time in RE2 but backtracking in Java.
 */
final class RegexFullMatch {
    private RegexFullMatch() {}

    private static final Map<String, String> POSIX_CLASSES = Map.ofEntries(
            Map.entry("alnum", "\\p{Alnum}"), Map.entry("alpha", "\\p{Alpha}"),
            Map.entry("ascii", "\\p{ASCII}"), Map.entry("blank", "\\p{Blank}"),
            Map.entry("cntrl", "\\p{Cntrl}"), Map.entry("digit", "\\p{Digit}"),
            Map.entry("graph", "\\p{Graph}"), Map.entry("lower", "\\p{Lower}"),
            Map.entry("print", "\\p{Print}"), Map.entry("punct", "\\p{Punct}"),
            Map.entry("space", "\\t\\n\\x0B\\f\\r "), Map.entry("upper", "\\p{Upper}"),
            Map.entry("word", "\\w"), Map.entry("xdigit", "\\p{XDigit}"));

    static KernelFactory factory() {
        return node -> {
            String pattern = node.getString("pattern");
            Pattern compiled = compile(pattern, node);
            return (inputs, ctx) -> {
                Tensor x = (Tensor) inputs[0];
                StringKernels.requireString(x, "input X");
                String[] strings = x.strings();
                boolean[] out = new boolean[strings.length];
                for (int i = 0; i < strings.length; i++) {
                    out[i] = compiled.matcher(strings[i]).matches();
                }
                return new Value[] {Tensor.of(DataType.BOOL, x.shape(), out)};
            };
        };
    }

    private static Pattern compile(String pattern, NodeContext node) {
        String translated = translate(pattern, node);
        try {
            return Pattern.compile(translated);
        } catch (PatternSyntaxException e) {
            throw node.error("pattern '" + pattern + "' is not a valid regular expression: "
                    + e.getDescription());
        }
    }

    /** Rewrites RE2 syntax into Java syntax, rejecting constructs RE2 does not support. */
    static String translate(String pattern, NodeContext node) {
        StringBuilder out = new StringBuilder(pattern.length() + 8);
        boolean inClass = false;
        int n = pattern.length();
        for (int i = 0; i < n; i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < n) {
                char next = pattern.charAt(i + 1);
                if (next >= '1' && next <= '9' && !inClass) {
                    throw unsupported(node, pattern, "backreference \\" + next);
                }
                if (next == 'Q') {
                    int end = pattern.indexOf("\\E", i + 2);
                    int stop = end < 0 ? n : end + 2;
                    out.append(pattern, i, stop);
                    i = stop - 1;
                    continue;
                }
                if (next == 's' || next == 'S') {
                    // RE2's \s is [\t\n\f\r ]; Java's also matches the vertical tab.
                    String spaces = "\\t\\n\\f\\r ";
                    out.append(next == 's' ? (inClass ? spaces : "[" + spaces + "]")
                            : "[^" + spaces + "]");
                } else {
                    out.append(c).append(next);
                }
                i++;
                continue;
            }
            if (inClass) {
                if (c == '[' && pattern.startsWith("[:", i)) {
                    int end = pattern.indexOf(":]", i + 2);
                    if (end > 0) {
                        String name = pattern.substring(i + 2, end);
                        boolean negated = name.startsWith("^");
                        String replacement = POSIX_CLASSES.get(negated ? name.substring(1) : name);
                        if (replacement == null) {
                            throw node.error("pattern '" + pattern + "' names an unknown POSIX class [:"
                                    + name + ":]");
                        }
                        if (negated) {
                            throw unsupported(node, pattern, "negated POSIX class [:" + name + ":]");
                        }
                        out.append(replacement);
                        i = end + 1;
                        continue;
                    }
                }
                if (c == ']') {
                    inClass = false;
                } else if (c == '[' || c == '&') {
                    // RE2 reads these literally inside a class; Java reads '[' as a nested class
                    // and "&&" as an intersection.
                    out.append('\\');
                }
                out.append(c);
                continue;
            }
            if (c == '[') {
                inClass = true;
                out.append(c);
                // A ']' right after '[' or '[^' is a literal, as in RE2 and POSIX.
                if (i + 1 < n && pattern.charAt(i + 1) == '^') {
                    out.append('^');
                    i++;
                }
                if (i + 1 < n && pattern.charAt(i + 1) == ']') {
                    out.append("\\]");
                    i++;
                }
                continue;
            }
            if (c == '(' && pattern.startsWith("(?", i)) {
                if (pattern.startsWith("(?P<", i)) {
                    out.append("(?<");
                    i += 3;
                    continue;
                }
                int flagsEnd = i + 2;
                while (flagsEnd < n && "imsU-".indexOf(pattern.charAt(flagsEnd)) >= 0) {
                    flagsEnd++;
                }
                if (pattern.substring(i + 2, flagsEnd).contains("U")) {
                    throw unsupported(node, pattern, "flag U (ungreedy), which Java reads as "
                            + "UNICODE_CHARACTER_CLASS");
                }
                for (String construct : new String[] {"(?=", "(?!", "(?<=", "(?<!", "(?>"}) {
                    if (pattern.startsWith(construct, i)) {
                        throw unsupported(node, pattern, "construct " + construct + "...)");
                    }
                }
            }
            if (c == '+' && i > 0 && isQuantifierEnd(pattern, i - 1)) {
                throw unsupported(node, pattern, "possessive quantifier at index " + i);
            }
            out.append(c);
        }
        return out.toString();
    }

    private static boolean isQuantifierEnd(String pattern, int at) {
        char c = pattern.charAt(at);
        if (at > 0 && pattern.charAt(at - 1) == '\\') {
            return false;
        }
        return c == '*' || c == '+' || c == '?' || c == '}';
    }

    private static RuntimeException unsupported(NodeContext node, String pattern, String what) {
        return node.unsupported("pattern '" + pattern + "' uses " + what
                + ", which this RE2-to-Java translation does not support");
    }
}
