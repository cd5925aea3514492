package dev.jonnx.cli;

import dev.jonnx.model.ModelIO;
import dev.jonnx.model.OnnxModel;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.OperatorSetIdProto;
import dev.jonnx.onnx.StringStringEntryProto;
import dev.jonnx.onnx.TensorProto;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.runtime.ValueInfo;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Prints what a model declares: versions, opsets, inputs, outputs, weights and operators. */
@Command(name = "info", description = "Print a model's IR version, opsets, producer, inputs,"
        + " outputs, parameter count, external data files and operator histogram.")
final class InfoCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "The .onnx file.")
    Path model;

    @Override
    public Integer call() {
        try (OnnxModel m = ModelIO.load(model)) {
            print(m);
        }
        return 0;
    }

    private void print(OnnxModel m) {
        ModelProto p = m.proto();
        GraphProto g = p.getGraph();
        System.out.println("model:       " + model);
        System.out.println("ir_version:  " + p.getIrVersion());
        StringBuilder opsets = new StringBuilder();
        for (OperatorSetIdProto id : p.getOpsetImportList()) {
            opsets.append(opsets.isEmpty() ? "" : ", ")
                    .append(id.getDomain().isEmpty() ? "ai.onnx" : id.getDomain()).append(' ')
                    .append(id.getVersion());
        }
        System.out.println("opsets:      " + opsets);
        System.out.println("producer:    " + (p.getProducerName() + " " + p.getProducerVersion()).trim());
        if (!p.getDomain().isEmpty() || p.getModelVersion() != 0) {
            System.out.println("domain:      " + p.getDomain() + " (model version " + p.getModelVersion() + ")");
        }
        System.out.println("graph:       " + (g.getName().isEmpty() ? "(unnamed)" : g.getName()));

        Set<String> initializerNames = new TreeSet<>();
        g.getInitializerList().forEach(t -> initializerNames.add(t.getName()));
        System.out.println("inputs:");
        g.getInputList().stream()
                .filter(i -> !initializerNames.contains(i.getName()))
                .forEach(i -> System.out.println("  " + i.getName() + ": " + ValueInfo.of(i).describe()));
        System.out.println("outputs:");
        g.getOutputList().forEach(o -> System.out.println("  " + o.getName() + ": "
                + ValueInfo.of(o).describe()));

        long parameters = 0;
        Set<String> externalFiles = new TreeSet<>();
        for (TensorProto t : g.getInitializerList()) {
            long count = 1;
            for (long d : t.getDimsList()) {
                count *= d;
            }
            parameters += count;
            for (StringStringEntryProto e : t.getExternalDataList()) {
                if (e.getKey().equals("location")) {
                    externalFiles.add(e.getValue());
                }
            }
        }
        System.out.println("initializers: " + g.getInitializerCount() + " (" + parameters + " parameters)");
        // Exporters such as PyTorch's often store weights in Constant nodes instead.
        int constantNodes = 0;
        long constantValues = 0;
        for (NodeProto n : g.getNodeList()) {
            if (!n.getOpType().equals("Constant") || !(n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))) {
                continue;
            }
            for (AttributeProto a : n.getAttributeList()) {
                if (a.getName().equals("value") && a.hasT()) {
                    long count = 1;
                    for (long d : a.getT().getDimsList()) {
                        count *= d;
                    }
                    constantNodes++;
                    constantValues += count;
                }
            }
        }
        if (constantNodes > 0) {
            System.out.println("constant nodes: " + constantNodes + " with tensor values (" + constantValues
                    + " values)");
        }
        System.out.println("external data: " + (externalFiles.isEmpty() ? "none" : String.join(", ", externalFiles)));
        if (p.getFunctionsCount() > 0) {
            System.out.println("functions:   " + p.getFunctionsCount());
        }

        Map<String, Integer> histogram = new TreeMap<>();
        count(g, histogram);
        int total = histogram.values().stream().mapToInt(Integer::intValue).sum();
        System.out.println("nodes:       " + total + " (subgraphs included)");
        System.out.println("operators:");
        histogram.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
                        .thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> System.out.printf("  %-32s %d%n", e.getKey(), e.getValue()));
    }

    private static void count(GraphProto g, Map<String, Integer> histogram) {
        for (NodeProto n : g.getNodeList()) {
            String key = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx")
                    ? n.getOpType() : n.getDomain() + "." + n.getOpType();
            histogram.merge(key, 1, Integer::sum);
            for (AttributeProto a : n.getAttributeList()) {
                if (a.hasG()) {
                    count(a.getG(), histogram);
                }
                a.getGraphsList().forEach(sub -> count(sub, histogram));
            }
        }
    }
}
