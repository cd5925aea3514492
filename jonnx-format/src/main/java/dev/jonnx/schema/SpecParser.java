package dev.jonnx.schema;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads operator schemas from the ONNX operator changelogs ({@code Changelog.md} and
 * {@code Changelog-ml.md}), which describe every version of every operator, and writes them in
 * the line format that {@link OpSchemas} loads.
 *
 * <p>Run {@code main} with the two changelog files and the output file to regenerate the table
 * shipped in the jar after the specification changes.
 */
public final class SpecParser {
    private static final Pattern DOMAIN = Pattern.compile("^# (ai\\.onnx[.a-z]*)");
    private static final Pattern HEADER =
            Pattern.compile("^### <a name=\"[^\"]*\"></a>\\*\\*(?:[a-z]+(?:\\.[a-z]+)*\\.)?([A-Za-z0-9_]+)-(\\d+)\\*\\*(.*)$");
    private static final Pattern ENTRY = Pattern.compile("^<dt><tt>([^<]+)</tt>(.*?)</dt>");
    private static final Pattern ATTRIBUTE_TYPE =
            Pattern.compile("\\s*:\\s*([a-z_ ]+?)(?:\\s*\\((required|default is (.*))\\))?\\s*$");
    private static final Pattern FORMAL_TYPE = Pattern.compile("(?:\\s*\\(([^)]*)\\))?\\s*:\\s*(.+)$");

    private SpecParser() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: SpecParser CHANGELOG.md [CHANGELOG-ml.md ...] OUTPUT");
            System.exit(2);
        }
        List<OpSchema> all = new ArrayList<>();
        for (int i = 0; i < args.length - 1; i++) {
            all.addAll(parse(Files.readAllLines(Path.of(args[i]))));
        }
        Files.writeString(Path.of(args[args.length - 1]), OpSchemas.format(all));
        System.out.println("wrote " + all.size() + " operator versions to " + args[args.length - 1]);
    }

    /** Parses every operator version in a changelog's lines. */
    public static List<OpSchema> parse(List<String> lines) {
        List<OpSchema> out = new ArrayList<>();
        String domain = "";
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i);
            Matcher d = DOMAIN.matcher(line);
            if (d.find()) {
                domain = d.group(1).equals("ai.onnx") ? "" : d.group(1);
                i++;
                continue;
            }
            Matcher h = HEADER.matcher(line);
            if (!h.find()) {
                i++;
                continue;
            }
            int end = i + 1;
            while (end < lines.size() && !lines.get(end).startsWith("### ")
                    && !lines.get(end).startsWith("# ") && !lines.get(end).startsWith("## ")) {
                end++;
            }
            out.add(section(domain, h.group(1), Integer.parseInt(h.group(2)),
                    h.group(3).contains("deprecated"), lines.subList(i + 1, end)));
            i = end;
        }
        return out;
    }

    private static OpSchema section(String domain, String name, int version, boolean deprecated,
            List<String> body) {
        List<OpSchema.Attribute> attributes = new ArrayList<>();
        List<OpSchema.Formal> inputs = new ArrayList<>();
        List<OpSchema.Formal> outputs = new ArrayList<>();
        Map<String, List<String>> constraints = new LinkedHashMap<>();
        String part = "";
        for (String line : body) {
            if (line.startsWith("#### ")) {
                part = line.substring(5).split(" ")[0];
                continue;
            }
            Matcher e = ENTRY.matcher(line.strip());
            if (!e.find()) {
                continue;
            }
            String entryName = e.group(1).strip();
            String rest = e.group(2);
            switch (part) {
                case "Attributes" -> {
                    Matcher t = ATTRIBUTE_TYPE.matcher(rest);
                    if (t.find()) {
                        boolean required = "required".equals(t.group(2));
                        String def = t.group(3) == null ? null : unwrap(t.group(3).strip());
                        attributes.add(new OpSchema.Attribute(entryName, t.group(1).strip(), required, def));
                    }
                }
                case "Inputs", "Outputs" -> {
                    Matcher t = FORMAL_TYPE.matcher(rest);
                    if (t.find()) {
                        String flags = t.group(1) == null ? "" : t.group(1);
                        OpSchema.Arity arity = flags.contains("variadic") ? OpSchema.Arity.VARIADIC
                                : flags.contains("optional") ? OpSchema.Arity.OPTIONAL : OpSchema.Arity.SINGLE;
                        OpSchema.Formal f = new OpSchema.Formal(entryName, t.group(2).strip(), arity,
                                flags.contains("heterogeneous"));
                        (part.equals("Inputs") ? inputs : outputs).add(f);
                    }
                }
                case "Type" -> {
                    String types = rest.replaceFirst("^\\s*:\\s*", "").strip();
                    List<String> allowed = new ArrayList<>();
                    for (String t : splitTypes(types)) {
                        allowed.add(t.strip());
                    }
                    constraints.put(entryName, allowed);
                }
                default -> { }
            }
        }
        return new OpSchema(domain, name, version, deprecated, attributes, inputs, outputs, constraints);
    }

    /** Removes the outer parentheses that the changelog puts around some defaults. */
    private static String unwrap(String value) {
        if (value.startsWith("(") && value.endsWith(")")) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    /** Splits "tensor(float), seq(tensor(int64))" at the commas outside parentheses. */
    static List<String> splitTypes(String text) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(text.substring(start, i));
                start = i + 1;
            }
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }
}
