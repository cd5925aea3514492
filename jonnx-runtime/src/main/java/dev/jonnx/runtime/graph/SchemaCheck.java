package dev.jonnx.runtime.graph;

import dev.jonnx.ModelCheckException;
import dev.jonnx.model.OnnxModel;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.FunctionProto;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.TensorProto;
import dev.jonnx.schema.OpSchema;
import dev.jonnx.schema.OpSchemas;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks each node of the standard domains (ai.onnx and ai.onnx.ml) against the operator's
 * schema at the opset the model imports. It runs on the model as loaded, before any graph
 * rewrite, and checks the number of inputs and outputs, that every attribute is declared, and
 * that each attribute's declared type is the schema's type. Nodes of every domain are checked
 * for attribute names given twice and, outside function bodies, for attributes that refer to a
 * function attribute. Every graph is checked for initializer names defined twice.
 *
 * <p>Subgraphs (If, Loop, Scan bodies) are checked with the opsets of the graph around them,
 * and model-local function bodies with the function's own imports. Apart from the attribute
 * checks above, nodes of other domains, calls of model-local functions, and operators without a
 * schema at that opset are left to the graph compiler. The kernels report a missing required attribute when they read it.
 */
public final class SchemaCheck {
    private final OpSchemas schemas;
    private final String modelName;
    private final Set<String> localFunctions = new HashSet<>();
    /** Whether the nodes being checked are in a function body (or in a subgraph of one). */
    private boolean insideFunction;

    private SchemaCheck(OpSchemas schemas, String modelName) {
        this.schemas = schemas;
        this.modelName = modelName;
    }

    /**
     * Checks the main graph, its subgraphs and the model-local functions of {@code model}.
     *
     * @throws ModelCheckException naming the first node that does not fit its schema
     */
    public static void check(ModelProto model, String modelName, Map<String, Integer> opsets) {
        SchemaCheck c = new SchemaCheck(OpSchemas.builtIn(), modelName);
        for (FunctionProto f : model.getFunctionsList()) {
            c.localFunctions.add(OnnxModel.normalizeDomain(f.getDomain()) + ":" + f.getName());
        }
        c.graph(model.getGraph(), opsets, 0);
        c.insideFunction = true;
        for (FunctionProto f : model.getFunctionsList()) {
            c.nodes(f.getNodeList(), GraphCompiler.functionOpsets(opsets, f, modelName), "function " + f.getDomain() + "." + f.getName(), 0);
        }
    }

    private void graph(GraphProto g, Map<String, Integer> opsets, int depth) {
        // Deeper graphs are left unchecked because the graph compiler rejects them by their depth.
        if (depth > GraphCompiler.MAX_NESTING) {
            return;
        }
        String name = g.getName().isEmpty() ? "(unnamed graph)" : g.getName();
        uniqueInitializers(g, "model " + modelName + ", graph '" + name + "'");
        nodes(g.getNodeList(), opsets, "graph '" + name + "'", depth);
    }

    /**
     * Rejects a graph that defines two initializers of the same name. The graph compiler rejects
     * them too, but it runs after the optimizer, which keeps one of the two values.
     */
    private static void uniqueInitializers(GraphProto g, String graph) {
        Set<String> seen = new HashSet<>();
        for (TensorProto init : g.getInitializerList()) {
            if (!seen.add(init.getName())) {
                throw new ModelCheckException(graph + ": initializer '" + init.getName() + "' is defined twice");
            }
        }
    }

    private void nodes(List<NodeProto> nodes, Map<String, Integer> opsets, String where, int depth) {
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto n = nodes.get(i);
            node(n, i, opsets, where);
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    graph(a.getG(), opsets, depth + 1);
                }
                for (GraphProto sub : a.getGraphsList()) {
                    graph(sub, opsets, depth + 1);
                }
            }
        }
    }

    private void node(NodeProto n, int index, Map<String, Integer> opsets, String where) {
        String domain = OnnxModel.normalizeDomain(n.getDomain());
        String label = "node " + (n.getName().isEmpty() ? "#" + index + " (unnamed)" : "'" + n.getName() + "'");
        String node = "model " + modelName + ", " + where + ", " + label + " (" + n.getOpType() + ", "
                + (domain.isEmpty() ? "ai.onnx" : domain) + ")";
        uniqueAttributes(n, node);
        if (!insideFunction) {
            references(n, node);
        }
        if (!domain.isEmpty() && !domain.equals("ai.onnx.ml")) {
            return;
        }
        if (localFunctions.contains(domain + ":" + n.getOpType())) {
            return;
        }
        Integer opset = opsets.get(domain);
        if (opset == null) {
            return;
        }
        OpSchema schema = schemas.lookup(domain, n.getOpType(), opset);
        // A deprecated operator is rejected by its kernel with a message that names the replacement.
        if (schema == null || schema.deprecated()) {
            return;
        }
        node = "model " + modelName + ", " + where + ", " + label + " (" + n.getOpType() + ", " + (domain.isEmpty() ? "ai.onnx" : domain) + " opset " + opset
                + ", schema " + schema.id() + ")";
        arity(schema, node, "input", n.getInputList(), schema.inputs());
        arity(schema, node, "output", n.getOutputList(), schema.outputs());
        attributes(schema, node, n);
    }

    /**
     * Rejects a node that lists two attributes of the same name. The ONNX IR requires attribute
     * names to be unique within a node in every domain, and kernels would otherwise read one of
     * the two values without saying which.
     */
    private static void uniqueAttributes(NodeProto n, String node) {
        if (n.getAttributeCount() < 2) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (AttributeProto a : n.getAttributeList()) {
            if (!seen.add(a.getName())) {
                throw new ModelCheckException(node + ": attribute '" + a.getName() + "' is given twice;"
                        + " attribute names must be unique within a node");
            }
        }
    }

    /**
     * Rejects an attribute that refers to a function attribute (ref_attr_name) outside a function
     * body, where there is no function attribute to take the value from (IR.md allows them only
     * there). The kernel would otherwise read the attribute's empty value, such as alpha = 0.
     */
    private static void references(NodeProto n, String node) {
        for (AttributeProto a : n.getAttributeList()) {
            if (!a.getRefAttrName().isEmpty()) {
                throw new ModelCheckException(node + ": attribute '" + a.getName() + "' refers to function attribute '"
                        + a.getRefAttrName() + "', but the node is not in a function body; give the attribute a value");
            }
        }
    }

    /** Checks that each attribute is declared by the schema and has the declared type. */
    private void attributes(OpSchema schema, String node, NodeProto n) {
        for (AttributeProto a : n.getAttributeList()) {
            OpSchema.Attribute declared = schema.attribute(a.getName());
            if (declared == null) {
                throw new ModelCheckException(node + ": unknown attribute '" + a.getName() + "'"
                        + otherVersions(schema, a.getName()) + "; " + schema.id() + " declares "
                        + (schema.attributes().isEmpty() ? "no attributes"
                                : "only " + schema.attributes().stream().map(OpSchema.Attribute::name).toList()));
            }
            AttributeProto.AttributeType expected = protoType(declared.type().trim());
            // A reference to a function attribute takes the caller's value, which the kernel checks.
            // An attribute without a type (allowed before IR version 2) is read as the kernel expects.
            if (expected != null && a.getRefAttrName().isEmpty() && a.hasType()
                    && a.getType() != AttributeProto.AttributeType.UNDEFINED && a.getType() != expected) {
                throw new ModelCheckException(node + ": attribute '" + a.getName() + "' must be of type "
                        + expected + ", got " + a.getType() + " (" + schema.id() + " declares it as "
                        + declared.type().trim() + ")");
            }
        }
    }

    /**
     * Names the opsets at which other versions of the operator declare {@code attribute}, such as
     * ": 'keys_tensor' needs ai.onnx.ml opset 4", or returns "" when no version declares it.
     */
    private String otherVersions(OpSchema schema, String attribute) {
        String domain = schema.domain().isEmpty() ? "ai.onnx" : schema.domain();
        List<Integer> declaring = new java.util.ArrayList<>();
        for (int since : schemas.versions(schema.domain(), schema.name())) {
            OpSchema other = schemas.lookup(schema.domain(), schema.name(), since);
            if (other.attribute(attribute) != null) {
                declaring.add(since);
            }
        }
        if (declaring.isEmpty()) {
            return "";
        }
        int first = declaring.get(0);
        if (first > schema.sinceVersion()) {
            return ": '" + attribute + "' needs " + domain + " opset " + first;
        }
        return ": '" + attribute + "' is declared only by " + schema.name() + " versions " + declaring;
    }

    /**
     * Checks the count of listed inputs or outputs. An omitted optional one may be absent at the
     * end or listed with an empty name.
     */
    private static void arity(OpSchema schema, String node, String kind, List<String> names, List<OpSchema.Formal> formals) {
        int min = 0;
        boolean variadic = false;
        for (int i = 0; i < formals.size(); i++) {
            OpSchema.Formal f = formals.get(i);
            switch (f.arity()) {
                case SINGLE -> min = i + 1;
                case VARIADIC -> {
                    variadic = true;
                    min = i + variadicMinimum(schema, f);
                }
                case OPTIONAL -> { }
            }
        }
        int max = variadic ? Integer.MAX_VALUE : formals.size();
        int count = names.size();
        if (count < min || count > max) {
            String allowed = min == max ? String.valueOf(min)
                    : max == Integer.MAX_VALUE ? "at least " + min : min + " to " + max;
            throw new ModelCheckException(node + ": has " + count + " " + kind + (count == 1 ? "" : "s")
                    + ", but the schema allows " + allowed + " (" + describe(formals) + ")");
        }
        for (int i = 0; i < Math.min(count, formals.size()); i++) {
            if (names.get(i).isEmpty() && formals.get(i).arity() == OpSchema.Arity.SINGLE) {
                throw new ModelCheckException(node + ": required " + kind + " " + i + " ('"
                        + formals.get(i).name() + "') is given an empty name");
            }
        }
    }

    /**
     * Returns the minimum count of values a variadic formal takes. The table stores no minimum,
     * and the spec's "Inputs (min - max)" headings show that every variadic takes at least one
     * except Loop's loop-carried values since Loop-11 and SequenceMap's additional inputs.
     */
    private static int variadicMinimum(OpSchema schema, OpSchema.Formal f) {
        boolean none = schema.name().equals("Loop") && schema.sinceVersion() >= 11 && f.name().equals("v_initial")
                || schema.name().equals("SequenceMap") && f.name().equals("additional_inputs");
        return none ? 0 : 1;
    }

    private static String describe(List<OpSchema.Formal> formals) {
        if (formals.isEmpty()) {
            return "none";
        }
        StringBuilder s = new StringBuilder();
        for (OpSchema.Formal f : formals) {
            if (!s.isEmpty()) {
                s.append(", ");
            }
            s.append(f.name());
            switch (f.arity()) {
                case OPTIONAL -> s.append(" optional");
                case VARIADIC -> s.append(" variadic");
                case SINGLE -> { }
            }
        }
        return s.toString();
    }

    /** The proto type of a spec attribute type, or null for a type this check does not know. */
    private static AttributeProto.AttributeType protoType(String specType) {
        return switch (specType) {
            case "int" -> AttributeProto.AttributeType.INT;
            case "float" -> AttributeProto.AttributeType.FLOAT;
            case "string" -> AttributeProto.AttributeType.STRING;
            case "tensor" -> AttributeProto.AttributeType.TENSOR;
            case "graph" -> AttributeProto.AttributeType.GRAPH;
            case "sparse_tensor" -> AttributeProto.AttributeType.SPARSE_TENSOR;
            case "type_proto" -> AttributeProto.AttributeType.TYPE_PROTO;
            case "list of ints" -> AttributeProto.AttributeType.INTS;
            case "list of floats" -> AttributeProto.AttributeType.FLOATS;
            case "list of strings" -> AttributeProto.AttributeType.STRINGS;
            case "list of tensors" -> AttributeProto.AttributeType.TENSORS;
            case "list of graphs" -> AttributeProto.AttributeType.GRAPHS;
            default -> null;
        };
    }
}
