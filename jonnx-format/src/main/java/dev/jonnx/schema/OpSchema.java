package dev.jonnx.schema;

import java.util.List;
import java.util.Map;

/**
 * One version of one operator as the ONNX specification defines it: the since-version, the
 * attributes with their types and defaults, the formal inputs and outputs, and the type
 * constraints. The default domain is {@code ""}.
 */
public record OpSchema(String domain, String name, int sinceVersion, boolean deprecated,
        List<Attribute> attributes, List<Formal> inputs, List<Formal> outputs,
        Map<String, List<String>> typeConstraints) {

    /** An attribute: its spec type (such as {@code int} or {@code list of ints}) and default. */
    public record Attribute(String name, String type, boolean required, String defaultValue) {}

    /** How often a formal input or output may appear. */
    public enum Arity { SINGLE, OPTIONAL, VARIADIC }

    /**
     * A formal input or output. {@code type} is a type-constraint name such as {@code T} or a
     * literal type such as {@code tensor(int64)}; heterogeneous variadics may mix types.
     */
    public record Formal(String name, String type, Arity arity, boolean heterogeneous) {}

    /** "domain:Name-version", with "ai.onnx" for the default domain. */
    public String id() {
        return (domain.isEmpty() ? "ai.onnx" : domain) + ":" + name + "-" + sinceVersion;
    }

    public Attribute attribute(String attributeName) {
        for (Attribute a : attributes) {
            if (a.name().equals(attributeName)) {
                return a;
            }
        }
        return null;
    }
}
