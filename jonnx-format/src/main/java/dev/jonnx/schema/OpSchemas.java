package dev.jonnx.schema;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The table of every operator version the ONNX specification defines, derived from its
 * changelogs by {@link SpecParser} and shipped as {@code operators.txt} beside this class.
 *
 * <p>Line format, one block per operator version:
 * <pre>
 * op DOMAIN NAME SINCE [deprecated]      (DOMAIN is "-" for ai.onnx)
 * attr NAME required|optional TYPE [= DEFAULT]
 * in|out NAME single|optional|variadic|variadic-heterogeneous TYPE
 * type NAME ALLOWED; ALLOWED; ...
 * </pre>
 */
public final class OpSchemas {
    private final List<OpSchema> all;
    private final Map<String, TreeMap<Integer, OpSchema>> byOperator;

    private OpSchemas(List<OpSchema> all) {
        this.all = List.copyOf(all);
        this.byOperator = new LinkedHashMap<>();
        for (OpSchema s : all) {
            byOperator.computeIfAbsent(key(s.domain(), s.name()), k -> new TreeMap<>())
                    .put(s.sinceVersion(), s);
        }
    }

    /** The table shipped with Jonnx. */
    public static OpSchemas builtIn() {
        return BuiltIn.TABLE;
    }

    /** Loads the shipped table on first use. */
    private static final class BuiltIn {
        static final OpSchemas TABLE = load();
    }

    private static String key(String domain, String name) {
        return (domain.equals("ai.onnx") ? "" : domain) + ":" + name;
    }

    public List<OpSchema> all() {
        return all;
    }

    /** The version in force at {@code opset}, or null when the operator does not exist then. */
    public OpSchema lookup(String domain, String name, int opset) {
        TreeMap<Integer, OpSchema> versions = byOperator.get(key(domain, name));
        if (versions == null) {
            return null;
        }
        var e = versions.floorEntry(opset);
        return e == null ? null : e.getValue();
    }

    /**
     * Returns the newest opset version of {@code domain} in the table, or 0 for a domain the
     * table does not cover. Each opset version changes at least one operator, so this is the
     * highest since-version in the domain.
     */
    public int latestOpset(String domain) {
        String prefix = key(domain, "");
        int latest = 0;
        for (var e : byOperator.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                latest = Math.max(latest, e.getValue().lastKey());
            }
        }
        return latest;
    }

    /** Every since-version of an operator, in increasing order. */
    public List<Integer> versions(String domain, String name) {
        TreeMap<Integer, OpSchema> versions = byOperator.get(key(domain, name));
        return versions == null ? List.of() : List.copyOf(versions.keySet());
    }

    private static OpSchemas load() {
        try (InputStream in = OpSchemas.class.getResourceAsStream("operators.txt")) {
            if (in == null) {
                throw new IllegalStateException("operators.txt is missing from the jonnx-format jar");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses the line format described in the class documentation. */
    public static OpSchemas parse(String text) {
        List<OpSchema> out = new ArrayList<>();
        String domain = null;
        String name = null;
        int since = 0;
        boolean deprecated = false;
        List<OpSchema.Attribute> attributes = new ArrayList<>();
        List<OpSchema.Formal> inputs = new ArrayList<>();
        List<OpSchema.Formal> outputs = new ArrayList<>();
        Map<String, List<String>> types = new LinkedHashMap<>();
        try (BufferedReader reader = new BufferedReader(new java.io.StringReader(text))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split(" ", 5);
                switch (f[0]) {
                    case "op" -> {
                        if (name != null) {
                            out.add(new OpSchema(domain, name, since, deprecated, attributes, inputs,
                                    outputs, types));
                        }
                        domain = f[1].equals("-") ? "" : f[1];
                        name = f[2];
                        since = Integer.parseInt(f[3]);
                        deprecated = f.length > 4 && f[4].equals("deprecated");
                        attributes = new ArrayList<>();
                        inputs = new ArrayList<>();
                        outputs = new ArrayList<>();
                        types = new LinkedHashMap<>();
                    }
                    case "attr" -> {
                        String[] typeAndDefault = line.split(" ", 4)[3].split(" = ", 2);
                        attributes.add(new OpSchema.Attribute(f[1], typeAndDefault[0],
                                f[2].equals("required"), typeAndDefault.length > 1 ? typeAndDefault[1] : null));
                    }
                    case "in", "out" -> {
                        String type = line.split(" ", 4)[3];
                        OpSchema.Arity arity = switch (f[2]) {
                            case "optional" -> OpSchema.Arity.OPTIONAL;
                            case "variadic", "variadic-heterogeneous" -> OpSchema.Arity.VARIADIC;
                            default -> OpSchema.Arity.SINGLE;
                        };
                        OpSchema.Formal formal = new OpSchema.Formal(f[1], type, arity,
                                f[2].equals("variadic-heterogeneous"));
                        (f[0].equals("in") ? inputs : outputs).add(formal);
                    }
                    case "type" -> {
                        List<String> allowed = new ArrayList<>();
                        for (String t : line.split(" ", 3)[2].split("; ")) {
                            allowed.add(t);
                        }
                        types.put(f[1], allowed);
                    }
                    default -> throw new IllegalArgumentException("invalid schema line: " + line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (name != null) {
            out.add(new OpSchema(domain, name, since, deprecated, attributes, inputs, outputs, types));
        }
        return new OpSchemas(out);
    }

    /** Writes schemas in the line format, sorted by domain, name and version. */
    public static String format(List<OpSchema> schemas) {
        List<OpSchema> sorted = new ArrayList<>(schemas);
        sorted.sort((a, b) -> {
            int c = a.domain().compareTo(b.domain());
            c = c != 0 ? c : a.name().compareTo(b.name());
            return c != 0 ? c : Integer.compare(a.sinceVersion(), b.sinceVersion());
        });
        StringBuilder s = new StringBuilder();
        s.append("# Every ONNX operator version: generated by dev.jonnx.schema.SpecParser from the\n");
        s.append("# ONNX operator changelogs (Apache-2.0). Do not edit by hand.\n");
        for (OpSchema o : sorted) {
            s.append("op ").append(o.domain().isEmpty() ? "-" : o.domain()).append(' ').append(o.name())
                    .append(' ').append(o.sinceVersion()).append(o.deprecated() ? " deprecated" : "").append('\n');
            for (OpSchema.Attribute a : o.attributes()) {
                s.append("attr ").append(a.name()).append(' ').append(a.required() ? "required" : "optional")
                        .append(' ').append(a.type());
                if (a.defaultValue() != null) {
                    s.append(" = ").append(a.defaultValue());
                }
                s.append('\n');
            }
            formals(s, "in", o.inputs());
            formals(s, "out", o.outputs());
            o.typeConstraints().forEach((k, v) -> s.append("type ").append(k).append(' ')
                    .append(String.join("; ", v)).append('\n'));
        }
        return s.toString();
    }

    private static void formals(StringBuilder s, String kind, List<OpSchema.Formal> formals) {
        for (OpSchema.Formal f : formals) {
            String arity = switch (f.arity()) {
                case SINGLE -> "single";
                case OPTIONAL -> "optional";
                case VARIADIC -> f.heterogeneous() ? "variadic-heterogeneous" : "variadic";
            };
            s.append(kind).append(' ').append(f.name()).append(' ').append(arity).append(' ')
                    .append(f.type()).append('\n');
        }
    }

    /** Names of every operator in a domain, sorted. */
    public List<String> operatorNames(String domain) {
        List<String> names = new ArrayList<>();
        for (OpSchema s : all) {
            if (s.domain().equals(domain) && !names.contains(s.name())) {
                names.add(s.name());
            }
        }
        Collections.sort(names);
        return names;
    }
}
