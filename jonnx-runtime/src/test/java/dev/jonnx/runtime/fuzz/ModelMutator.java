package dev.jonnx.runtime.fuzz;

import com.google.protobuf.ByteString;
import dev.jonnx.onnx.AttributeProto;
import dev.jonnx.onnx.GraphProto;
import dev.jonnx.onnx.ModelProto;
import dev.jonnx.onnx.NodeProto;
import dev.jonnx.onnx.OperatorSetIdProto;
import dev.jonnx.onnx.TensorProto;
import dev.jonnx.onnx.TensorShapeProto;
import dev.jonnx.onnx.TypeProto;
import dev.jonnx.onnx.ValueInfoProto;
import java.util.Random;

/**
 * Makes hostile variants of a model: byte-level damage (bit flips, truncation, inserted bytes)
 * and structural edits that keep the protobuf valid but break ONNX rules (absurd dimensions,
 * wrong element types, raw data of the wrong length, extreme attribute values, undefined or
 * cyclic names, unknown opsets, deep nesting).
 */
final class ModelMutator {
    private static final long[] EXTREMES = {
        -1, 0, 1, 2, 3, 7, 255, 65536, Integer.MAX_VALUE, 1L << 31, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE
    };

    private ModelMutator() {}

    static byte[] mutate(byte[] model, Random random) {
        if (random.nextInt(4) == 0) {
            return mutateBytes(model, random);
        }
        try {
            ModelProto proto = ModelProto.parseFrom(model);
            ModelProto.Builder b = proto.toBuilder();
            int edits = 1 + random.nextInt(3);
            for (int i = 0; i < edits; i++) {
                mutateStructure(b, random);
            }
            return b.build().toByteArray();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return mutateBytes(model, random);
        }
    }

    static byte[] mutateBytes(byte[] model, Random random) {
        byte[] out;
        switch (random.nextInt(3)) {
            case 0 -> {
                out = model.clone();
                int flips = 1 + random.nextInt(8);
                for (int i = 0; i < flips && out.length > 0; i++) {
                    int at = random.nextInt(out.length);
                    out[at] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> {
                out = java.util.Arrays.copyOf(model, model.length == 0 ? 0 : random.nextInt(model.length));
            }
            default -> {
                int at = model.length == 0 ? 0 : random.nextInt(model.length);
                byte[] junk = new byte[1 + random.nextInt(16)];
                random.nextBytes(junk);
                out = new byte[model.length + junk.length];
                System.arraycopy(model, 0, out, 0, at);
                System.arraycopy(junk, 0, out, at, junk.length);
                System.arraycopy(model, at, out, at + junk.length, model.length - at);
            }
        }
        return out;
    }

    private static void mutateStructure(ModelProto.Builder model, Random random) {
        GraphProto.Builder g = model.getGraphBuilder();
        switch (random.nextInt(12)) {
            case 0 -> model.setIrVersion(EXTREMES[random.nextInt(EXTREMES.length)]);
            case 1 -> {
                if (model.getOpsetImportCount() > 0) {
                    OperatorSetIdProto.Builder o = model.getOpsetImportBuilder(random.nextInt(model.getOpsetImportCount()));
                    o.setVersion(random.nextInt(40) - 5);
                }
            }
            case 2 -> {
                if (g.getInitializerCount() > 0) {
                    TensorProto.Builder t = g.getInitializerBuilder(random.nextInt(g.getInitializerCount()));
                    mutateTensor(t, random);
                }
            }
            case 3, 4 -> {
                if (g.getNodeCount() > 0) {
                    mutateNode(g.getNodeBuilder(random.nextInt(g.getNodeCount())), g, random);
                }
            }
            case 5 -> {
                if (g.getInputCount() > 0) {
                    mutateValueInfo(g.getInputBuilder(random.nextInt(g.getInputCount())), random);
                }
            }
            case 6 -> {
                if (g.getNodeCount() > 0) {
                    // A cycle: a node reads its own output.
                    NodeProto.Builder n = g.getNodeBuilder(random.nextInt(g.getNodeCount()));
                    if (n.getOutputCount() > 0 && n.getInputCount() > 0) {
                        n.setInput(0, n.getOutput(0));
                    }
                }
            }
            case 7 -> {
                if (g.getNodeCount() > 0) {
                    g.addNode(g.getNode(random.nextInt(g.getNodeCount())));
                }
            }
            case 8 -> {
                if (g.getNodeCount() > 1) {
                    g.removeNode(random.nextInt(g.getNodeCount()));
                }
            }
            case 9 -> {
                // Deep nesting: wrap the graph in If nodes many levels deep.
                GraphProto inner = g.build();
                for (int i = 0; i < 40 + random.nextInt(200); i++) {
                    NodeProto wrap = NodeProto.newBuilder().setOpType("If").addInput("cond")
                            .addAttribute(AttributeProto.newBuilder().setName("then_branch")
                                    .setType(AttributeProto.AttributeType.GRAPH).setG(inner))
                            .addAttribute(AttributeProto.newBuilder().setName("else_branch")
                                    .setType(AttributeProto.AttributeType.GRAPH)
                                    .setG(GraphProto.newBuilder().setName("empty")))
                            .build();
                    inner = GraphProto.newBuilder().setName("nest" + i).addNode(wrap).build();
                }
                g.addNode(NodeProto.newBuilder().setOpType("Identity").addInput("x").addOutput("nested")
                        .addAttribute(AttributeProto.newBuilder().setName("g")
                                .setType(AttributeProto.AttributeType.GRAPH).setG(inner)));
            }
            case 10 -> {
                if (g.getOutputCount() > 0) {
                    g.getOutputBuilder(random.nextInt(g.getOutputCount())).setName("undefined_" + random.nextInt(9));
                }
            }
            default -> {
                if (g.getNodeCount() > 0) {
                    NodeProto.Builder n = g.getNodeBuilder(random.nextInt(g.getNodeCount()));
                    n.setDomain(random.nextBoolean() ? "com.example" : "ai.onnx.ml");
                }
            }
        }
    }

    private static void mutateTensor(TensorProto.Builder t, Random random) {
        switch (random.nextInt(6)) {
            case 0 -> {
                if (t.getDimsCount() > 0) {
                    t.setDims(random.nextInt(t.getDimsCount()), EXTREMES[random.nextInt(EXTREMES.length)]);
                } else {
                    t.addDims(EXTREMES[random.nextInt(EXTREMES.length)]);
                }
            }
            case 1 -> t.setDataType(random.nextInt(30));
            case 2 -> t.setRawData(ByteString.copyFrom(new byte[random.nextInt(64)]));
            case 3 -> t.clearRawData().clearFloatData().clearInt64Data().clearInt32Data();
            case 4 -> t.setDataLocation(TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(dev.jonnx.onnx.StringStringEntryProto.newBuilder()
                            .setKey("location").setValue(random.nextBoolean() ? "/etc/passwd" : "../../x.bin"));
            default -> {
                for (int i = 0; i < 1 + random.nextInt(3); i++) {
                    t.addDims(1 + random.nextInt(100000));
                }
            }
        }
    }

    private static void mutateNode(NodeProto.Builder n, GraphProto.Builder g, Random random) {
        switch (random.nextInt(6)) {
            case 0 -> {
                if (n.getAttributeCount() > 0) {
                    AttributeProto.Builder a = n.getAttributeBuilder(random.nextInt(n.getAttributeCount()));
                    long v = EXTREMES[random.nextInt(EXTREMES.length)];
                    a.setI(v).setF(random.nextBoolean() ? Float.NaN : (float) v);
                    if (a.getIntsCount() > 0) {
                        a.setInts(random.nextInt(a.getIntsCount()), v);
                    }
                    if (a.hasT()) {
                        mutateTensor(a.getTBuilder(), random);
                    }
                }
            }
            case 1 -> {
                if (n.getInputCount() > 0) {
                    n.setInput(random.nextInt(n.getInputCount()), random.nextBoolean() ? "" : "nowhere");
                }
            }
            case 2 -> n.addInput(g.getInputCount() > 0 ? g.getInput(0).getName() : "x");
            case 3 -> {
                if (n.getInputCount() > 0) {
                    java.util.List<String> kept = new java.util.ArrayList<>(n.getInputList());
                    kept.removeLast();
                    n.clearInput().addAllInput(kept);
                }
            }
            case 4 -> n.addAttribute(AttributeProto.newBuilder().setName("axis")
                    .setType(AttributeProto.AttributeType.INT).setI(EXTREMES[random.nextInt(EXTREMES.length)]));
            default -> n.addOutput("extra_" + random.nextInt(5));
        }
    }

    private static void mutateValueInfo(ValueInfoProto.Builder v, Random random) {
        TypeProto.Builder type = v.getTypeBuilder();
        if (random.nextBoolean()) {
            type.getTensorTypeBuilder().setElemType(random.nextInt(30));
        } else {
            TensorShapeProto.Builder shape = type.getTensorTypeBuilder().getShapeBuilder();
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(EXTREMES[random.nextInt(EXTREMES.length)]));
        }
    }
}
