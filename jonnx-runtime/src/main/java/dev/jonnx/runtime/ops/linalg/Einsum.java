package dev.jonnx.runtime.ops.linalg;

import dev.jonnx.runtime.kernel.Shapes;
import dev.jonnx.runtime.registry.KernelFactory;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Einsum over any number of operands. The equation is parsed once per node. A run walks every
 * combination of label values (output labels outermost, summed labels innermost), so its cost
 * is the product of all label sizes. A label repeated within one operand reads its diagonal.
 * An ellipsis stands for the same broadcast dimensions in every operand and, in implicit mode,
 * leads the output, followed by the labels that appear once in alphabetical (ASCII) order.
 */
final class Einsum {
    private Einsum() {}

    /** Letters are labels 0..51; ellipsis dimensions get labels from 52 on. */
    private static final int ELLIPSIS_BASE = 52;

    /** The parsed equation: for each operand its terms, and the output term. */
    record Equation(List<Term> inputs, Term output) {}

    /** One side of the equation: labels in order and where the ellipsis sits (-1 for none). */
    record Term(int[] labels, int ellipsisAt) {}

    static KernelFactory factory() {
        return node -> {
            String equation = node.getString("equation");
            Equation parsed;
            try {
                parsed = parse(equation);
            } catch (IllegalArgumentException e) {
                throw node.error(e.getMessage());
            }
            if (parsed.inputs().size() != node.inputCount()) {
                throw node.error("equation '" + equation + "' has " + parsed.inputs().size()
                        + " operands but the node has " + node.inputCount() + " inputs");
            }
            return (inputs, ctx) -> {
                Tensor[] operands = new Tensor[inputs.length];
                for (int i = 0; i < inputs.length; i++) {
                    operands[i] = (Tensor) inputs[i];
                }
                return new Value[] {einsum(parsed, operands)};
            };
        };
    }

    static int labelOf(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return 26 + c - 'a';
        }
        throw new IllegalArgumentException("einsum label '" + c + "' is not a letter");
    }

    static Equation parse(String equation) {
        String eq = equation.replace(" ", "");
        String left = eq;
        String right = null;
        int arrow = eq.indexOf("->");
        if (arrow >= 0) {
            left = eq.substring(0, arrow);
            right = eq.substring(arrow + 2);
        }
        List<Term> inputs = new ArrayList<>();
        for (String part : left.split(",", -1)) {
            inputs.add(parseTerm(part));
        }
        Term output;
        if (right != null) {
            output = parseTerm(right);
        } else {
            int[] counts = new int[ELLIPSIS_BASE];
            boolean anyEllipsis = false;
            for (Term t : inputs) {
                for (int label : t.labels()) {
                    counts[label]++;
                }
                anyEllipsis |= t.ellipsisAt() >= 0;
            }
            List<Integer> labels = new ArrayList<>();
            for (int label = 0; label < ELLIPSIS_BASE; label++) {
                if (counts[label] == 1) {
                    labels.add(label);
                }
            }
            output = new Term(labels.stream().mapToInt(Integer::intValue).toArray(), anyEllipsis ? 0 : -1);
        }
        return new Equation(inputs, output);
    }

    private static Term parseTerm(String text) {
        int ellipsisAt = -1;
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '.') {
                if (ellipsisAt >= 0 || !text.startsWith("...", i)) {
                    throw new IllegalArgumentException("einsum term '" + text + "' has an invalid ellipsis");
                }
                ellipsisAt = labels.size();
                i += 2;
            } else {
                labels.add(labelOf(c));
            }
        }
        return new Term(labels.stream().mapToInt(Integer::intValue).toArray(), ellipsisAt);
    }

    /** Expands a term's labels for an operand of the given rank, numbering ellipsis dimensions. */
    private static int[] expand(Term term, int rank, int ellipsisRank) {
        if (term.ellipsisAt() < 0) {
            return term.labels();
        }
        int own = rank - term.labels().length;
        int[] out = new int[rank];
        int j = 0;
        for (int i = 0; i < term.ellipsisAt(); i++) {
            out[j++] = term.labels()[i];
        }
        // Ellipsis dimensions align on the right across operands, as in broadcasting.
        for (int e = 0; e < own; e++) {
            out[j++] = ELLIPSIS_BASE + (ellipsisRank - own) + e;
        }
        for (int i = term.ellipsisAt(); i < term.labels().length; i++) {
            out[j++] = term.labels()[i];
        }
        return out;
    }

    static Tensor einsum(Equation equation, Tensor[] operands) {
        int n = operands.length;
        DataType type = operands[0].type();
        int ellipsisRank = 0;
        for (int i = 0; i < n; i++) {
            Term term = equation.inputs().get(i);
            if (operands[i].type() != type) {
                throw new IllegalArgumentException("einsum inputs must share one type, got " + type
                        + " and " + operands[i].type());
            }
            int own = operands[i].rank() - term.labels().length;
            if (term.ellipsisAt() < 0 ? own != 0 : own < 0) {
                throw new IllegalArgumentException("input " + i + " " + operands[i].describe()
                        + " does not match its einsum term of " + term.labels().length + " labels");
            }
            ellipsisRank = Math.max(ellipsisRank, term.ellipsisAt() < 0 ? 0 : own);
        }
        int[][] operandLabels = new int[n][];
        for (int i = 0; i < n; i++) {
            operandLabels[i] = expand(equation.inputs().get(i), operands[i].rank(), ellipsisRank);
        }
        int[] size = labelSizes(operandLabels, operands, ELLIPSIS_BASE + ellipsisRank);

        Term outTerm = equation.output();
        int outRank = outTerm.labels().length + (outTerm.ellipsisAt() < 0 ? 0 : ellipsisRank);
        int[] outLabels = expand(outTerm, outRank, ellipsisRank);
        int[] loop = loopOrder(outLabels, size);
        int[] loopSize = new int[loop.length];
        int[] position = new int[size.length];
        for (int d = 0; d < loop.length; d++) {
            loopSize[d] = size[loop[d]];
            position[loop[d]] = d;
        }
        // Strides of every operand per loop dimension. Repeated labels add up, which reads diagonals.
        int[][] strides = new int[n][loop.length];
        for (int i = 0; i < n; i++) {
            int[] own = Shapes.strides(operands[i].shape());
            for (int d = 0; d < operandLabels[i].length; d++) {
                if (operands[i].dim(d) != 1 || size[operandLabels[i][d]] == 1) {
                    strides[i][position[operandLabels[i][d]]] += own[d];
                }
            }
        }
        int[] outShape = new int[outLabels.length];
        for (int d = 0; d < outLabels.length; d++) {
            outShape[d] = size[outLabels[d]];
        }
        return sumOfProducts(operands, type, strides, loopSize, outShape);
    }

    /** Returns the size of every label, letting size-1 ellipsis dimensions broadcast. */
    private static int[] labelSizes(int[][] operandLabels, Tensor[] operands, int labelCount) {
        int[] size = new int[labelCount];
        Arrays.fill(size, -1);
        for (int i = 0; i < operands.length; i++) {
            int[] labels = operandLabels[i];
            for (int d = 0; d < labels.length; d++) {
                int dim = operands[i].dim(d);
                int label = labels[d];
                boolean broadcastable = label >= ELLIPSIS_BASE;
                if (size[label] == -1 || broadcastable && size[label] == 1) {
                    size[label] = dim;
                } else if (size[label] != dim && !(broadcastable && dim == 1)) {
                    throw new IllegalArgumentException("einsum dimension sizes differ for one label: "
                            + size[label] + " and " + dim + " in input " + i);
                }
            }
        }
        return size;
    }

    /** Returns the loop order: output labels first, then every other label that an input uses. */
    private static int[] loopOrder(int[] outLabels, int[] size) {
        boolean[] inOutput = new boolean[size.length];
        for (int label : outLabels) {
            if (size[label] == -1) {
                throw new IllegalArgumentException("einsum output label does not appear in any input");
            }
            if (inOutput[label]) {
                throw new IllegalArgumentException("einsum output repeats a label");
            }
            inOutput[label] = true;
        }
        int[] loop = new int[size.length];
        int loopRank = 0;
        for (int label : outLabels) {
            loop[loopRank++] = label;
        }
        for (int label = 0; label < size.length; label++) {
            if (!inOutput[label] && size[label] >= 0) {
                loop[loopRank++] = label;
            }
        }
        return Arrays.copyOf(loop, loopRank);
    }

    /**
     * Walks every combination of loop indices and adds the product of the operands into the
     * output element given by the leading (output) loop dimensions.
     */
    private static Tensor sumOfProducts(Tensor[] operands, DataType type, int[][] strides, int[] loopSize,
            int[] outShape) {
        int n = operands.length;
        int loopRank = loopSize.length;
        int outSize = Shapes.size(outShape);
        int inner = 1;
        for (int d = outShape.length; d < loopRank; d++) {
            inner *= loopSize[d];
        }
        boolean exact = type.isInteger();
        double[][] doubles = new double[n][];
        long[][] longs = new long[n][];
        for (int i = 0; i < n; i++) {
            if (exact) {
                longs[i] = operands[i].toLongArray();
            } else {
                doubles[i] = operands[i].toDoubleArray();
            }
        }
        double[] outDoubles = exact ? null : new double[outSize];
        long[] outLongs = exact ? new long[outSize] : null;

        int[] counter = new int[loopRank];
        int[] offset = new int[n];
        long total = (long) outSize * inner;
        for (long step = 0; step < total; step++) {
            int o = (int) (step / inner);
            if (exact) {
                long product = 1;
                for (int i = 0; i < n; i++) {
                    product *= longs[i][offset[i]];
                }
                outLongs[o] += product;
            } else {
                double product = 1;
                for (int i = 0; i < n; i++) {
                    product *= doubles[i][offset[i]];
                }
                outDoubles[o] += product;
            }
            for (int d = loopRank - 1; d >= 0; d--) {
                counter[d]++;
                for (int i = 0; i < n; i++) {
                    offset[i] += strides[i][d];
                }
                if (counter[d] < loopSize[d]) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    offset[i] -= strides[i][d] * counter[d];
                }
                counter[d] = 0;
            }
        }
        if (exact) {
            return Tensor.fromLongs(type, outShape, outLongs);
        }
        return Tensor.fromDoubles(type, outShape, outDoubles);
    }
}
