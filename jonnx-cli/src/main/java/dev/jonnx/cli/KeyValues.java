package dev.jonnx.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Parses repeated {@code NAME=VALUE} options into a map that rejects a name given twice. */
final class KeyValues {
    private KeyValues() {}

    /**
     * Parses each entry of {@code option} into its name and converted value, in the order given.
     *
     * @throws UsageException if an entry has no '=' or an empty name, a name repeats,
     *     or {@code convert} rejects a value
     */
    static <T> Map<String, T> parse(String option, List<String> entries, Function<String, T> convert) {
        Map<String, T> parsed = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new UsageException(option + " '" + entry + "': expected NAME=VALUE");
            }
            String name = entry.substring(0, eq);
            String text = entry.substring(eq + 1);
            T value;
            try {
                value = convert.apply(text);
            } catch (RuntimeException e) {
                throw new UsageException(option + " " + name + ": invalid value '" + text + "' ("
                        + e.getMessage() + ")", e);
            }
            if (parsed.putIfAbsent(name, value) != null) {
                throw new UsageException(option + " " + name + " is given twice; give each"
                        + " name once");
            }
        }
        return parsed;
    }
}
