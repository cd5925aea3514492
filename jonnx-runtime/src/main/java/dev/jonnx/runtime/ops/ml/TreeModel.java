package dev.jonnx.runtime.ops.ml;

import dev.jonnx.runtime.registry.NodeContext;
import dev.jonnx.runtime.registry.RunContext;
import dev.jonnx.tensor.DataType;
import dev.jonnx.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compiled tree ensemble shared by TreeEnsembleClassifier, TreeEnsembleRegressor and
 * TreeEnsemble. Interior nodes are numbered from 0; a child or root reference {@code c >= 0}
 * is an interior node and {@code c < 0} is leaf {@code ~c}. Each leaf has a run of
 * (target, weight) pairs.
 */
final class TreeModel {
    static final byte LEQ = 0;
    static final byte LT = 1;
    static final byte GTE = 2;
    static final byte GT = 3;
    static final byte EQ = 4;
    static final byte NEQ = 5;
    static final byte MEMBER = 6;

    /** The function that combines the leaf weights of one target over the trees. */
    enum Aggregate { AVERAGE, SUM, MIN, MAX }

    private final int[] feature;
    private final byte[] mode;
    private final double[] split;
    private final int[] trueNext;
    private final int[] falseNext;
    private final boolean[] missingTrue;
    private final double[][] members;
    private final int[] roots;
    private final int[] leafStart;
    private final int[] weightTarget;
    private final double[] weight;
    private final boolean floatSplits;
    private final int targets;
    private final int featureCount;

    private TreeModel(int[] feature, byte[] mode, double[] split, int[] trueNext, int[] falseNext,
            boolean[] missingTrue, double[][] members, int[] roots, int[] leafStart,
            int[] weightTarget, double[] weight, boolean floatSplits, int targets) {
        this.feature = feature;
        this.mode = mode;
        this.split = split;
        this.trueNext = trueNext;
        this.falseNext = falseNext;
        this.missingTrue = missingTrue;
        this.members = members;
        this.roots = roots;
        this.leafStart = leafStart;
        this.weightTarget = weightTarget;
        this.weight = weight;
        this.floatSplits = floatSplits;
        this.targets = targets;
        int max = -1;
        for (int f : feature) {
            max = Math.max(max, f);
        }
        this.featureCount = max + 1;
    }

    int targets() {
        return targets;
    }

    int trees() {
        return roots.length;
    }

    /**
     * Rows times trees below which evaluation stays on the calling thread: a rough estimate of
     * the work that pays for handing rows to other threads.
     */
    private static final long PARALLEL_WORK = 20_000;

    /**
     * Evaluates every row of {@code x} and returns the aggregated [rows, targets] scores plus
     * {@code base} (empty for none). A target that no reached leaf votes for scores 0 under
     * MIN and MAX. Large batches are split by rows over the run's intra-op threads.
     */
    double[] evaluate(Features x, Aggregate aggregate, double[] base, String op, RunContext ctx) {
        if (x.columns() < featureCount) {
            throw new IllegalArgumentException(op + ": the trees read feature " + (featureCount - 1)
                    + " but input X has only " + x.columns() + " features (columns)");
        }
        int rows = x.rows();
        double[] out = new double[rows * targets];
        int threads = ctx == null || ctx.pool() == null ? 1 : ctx.threads();
        if (threads <= 1 || (long) rows * roots.length < PARALLEL_WORK) {
            evaluateRows(x, aggregate, base, out, 0, rows);
            return out;
        }
        ctx.parallelFor(rows, roots.length, (from, to) -> evaluateRows(x, aggregate, base, out, from, to));
        return out;
    }

    /** Evaluates rows {@code [from, to)} into their slots of {@code out}. */
    private void evaluateRows(Features x, Aggregate aggregate, double[] base, double[] out,
            int from, int to) {
        boolean[] voted = new boolean[targets];
        for (int r = from; r < to; r++) {
            int o = r * targets;
            Arrays.fill(voted, false);
            for (int root : roots) {
                int leaf = findLeaf(x.values(), r * x.columns(), root);
                for (int w = leafStart[leaf]; w < leafStart[leaf + 1]; w++) {
                    int target = weightTarget[w];
                    int t = o + target;
                    double v = weight[w];
                    switch (aggregate) {
                        case SUM, AVERAGE -> out[t] += v;
                        case MIN -> out[t] = voted[target] ? Math.min(out[t], v) : v;
                        case MAX -> out[t] = voted[target] ? Math.max(out[t], v) : v;
                    }
                    voted[target] = true;
                }
            }
            for (int t = 0; t < targets; t++) {
                if (aggregate == Aggregate.AVERAGE) {
                    out[o + t] /= roots.length;
                }
                if (base.length > 0) {
                    out[o + t] += base[t];
                }
            }
        }
    }

    private int findLeaf(double[] x, int offset, int root) {
        int next = root;
        while (next >= 0) {
            double v = x[offset + feature[next]];
            if (floatSplits) {
                v = (float) v;
            }
            double s = split[next];
            boolean goTrue;
            if (Double.isNaN(v) && missingTrue[next]) {
                goTrue = true;
            } else {
                goTrue = switch (mode[next]) {
                    case LEQ -> v <= s;
                    case LT -> v < s;
                    case GTE -> v >= s;
                    case GT -> v > s;
                    case EQ -> v == s;
                    case NEQ -> v != s;
                    default -> contains(members[next], v);
                };
            }
            next = goTrue ? trueNext[next] : falseNext[next];
        }
        return ~next;
    }

    private static boolean contains(double[] set, double v) {
        for (double m : set) {
            if (m == v) {
                return true;
            }
        }
        return false;
    }

    /** Raises an error if a tree contains a cycle, which would make evaluation loop forever. */
    private static void checkAcyclic(NodeContext node, int[] trueNext, int[] falseNext, int[] roots) {
        byte[] state = new byte[trueNext.length];
        int[] stack = new int[16];
        for (int root : roots) {
            if (root < 0 || state[root] == 2) {
                continue;
            }
            // Iterative depth-first search: a positive entry enters a node, ~entry leaves it.
            int top = 0;
            stack[top++] = root;
            while (top > 0) {
                int entry = stack[--top];
                if (entry < 0) {
                    state[~entry] = 2;
                    continue;
                }
                if (state[entry] == 1) {
                    throw node.error("the trees contain a cycle through node " + entry);
                }
                if (state[entry] == 2) {
                    continue;
                }
                state[entry] = 1;
                if (top + 3 > stack.length) {
                    stack = Arrays.copyOf(stack, stack.length * 2);
                }
                stack[top++] = ~entry;
                for (int child : new int[] {trueNext[entry], falseNext[entry]}) {
                    if (child >= 0) {
                        if (state[child] == 1) {
                            throw node.error("the trees contain a cycle through node " + child);
                        }
                        if (state[child] == 0) {
                            stack[top++] = child;
                        }
                    }
                }
            }
        }
    }

    // ---- Legacy encoding: TreeEnsembleClassifier and TreeEnsembleRegressor ----

    /** Reads a float list attribute, or its double {@code _as_tensor} form (opset 3). */
    static double[] doublesAttribute(NodeContext node, String name) {
        String tensorName = name + "_as_tensor";
        if (node.hasAttribute(tensorName)) {
            if (node.opset() < 3) {
                throw node.error("attribute '" + tensorName + "' needs ai.onnx.ml opset 3 or later");
            }
            if (node.hasAttribute(name)) {
                throw node.error("only one of the attributes '" + name + "' and '" + tensorName
                        + "' may be set");
            }
            return node.getTensor(tensorName).toDoubleArray().clone();
        }
        float[] f = node.getFloats(name, new float[0]);
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /**
     * Compiles the nodes_* attributes and the leaf weights {@code prefix}_treeids, _nodeids,
     * _ids and _weights (prefix "class" or "target") of the legacy operators.
     */
    static TreeModel fromLegacy(NodeContext node, String prefix, int targets) {
        long[] treeIds = node.getInts("nodes_treeids", new long[0]);
        long[] nodeIds = node.getInts("nodes_nodeids", new long[0]);
        long[] featureIds = node.getInts("nodes_featureids", new long[0]);
        String[] modes = node.getStrings("nodes_modes", new String[0]);
        double[] values = doublesAttribute(node, "nodes_values");
        long[] trueIds = node.getInts("nodes_truenodeids", new long[0]);
        long[] falseIds = node.getInts("nodes_falsenodeids", new long[0]);
        long[] missing = node.getInts("nodes_missing_value_tracks_true", new long[0]);
        if (node.hasAttribute("nodes_hitrates_as_tensor")) {
            doublesAttribute(node, "nodes_hitrates");
        }
        int n = treeIds.length;
        if (n == 0) {
            throw node.error("attribute 'nodes_treeids' is missing or empty");
        }
        requireLength(node, "nodes_nodeids", nodeIds.length, n);
        requireLength(node, "nodes_featureids", featureIds.length, n);
        requireLength(node, "nodes_modes", modes.length, n);
        requireLength(node, "nodes_values", values.length, n);
        requireLength(node, "nodes_truenodeids", trueIds.length, n);
        requireLength(node, "nodes_falsenodeids", falseIds.length, n);
        if (missing.length != 0) {
            requireLength(node, "nodes_missing_value_tracks_true", missing.length, n);
        }

        // Number interior nodes and leaves separately, in list order.
        Map<Long, Map<Long, Integer>> byTree = new LinkedHashMap<>();
        int[] compiled = new int[n];
        int interior = 0;
        int leaves = 0;
        byte[] modeCodes = new byte[n];
        for (int i = 0; i < n; i++) {
            if (byTree.computeIfAbsent(treeIds[i], t -> new HashMap<>()).put(nodeIds[i], i) != null) {
                throw node.error("node id " + nodeIds[i] + " appears twice in tree " + treeIds[i]);
            }
            if (modes[i].equals("LEAF")) {
                compiled[i] = ~leaves++;
            } else {
                modeCodes[i] = parseMode(node, modes[i]);
                compiled[i] = interior++;
            }
        }
        int[] feature = new int[interior];
        byte[] mode = new byte[interior];
        double[] split = new double[interior];
        int[] trueNext = new int[interior];
        int[] falseNext = new int[interior];
        boolean[] missingTrue = new boolean[interior];
        boolean[] referenced = new boolean[n];
        for (int i = 0; i < n; i++) {
            int c = compiled[i];
            if (c < 0) {
                continue;
            }
            if (featureIds[i] < 0 || featureIds[i] > Integer.MAX_VALUE - 1) {
                throw node.error("nodes_featureids[" + i + "] = " + featureIds[i] + " is not a valid"
                        + " feature index");
            }
            feature[c] = (int) featureIds[i];
            mode[c] = modeCodes[i];
            split[c] = values[i];
            missingTrue[c] = missing.length != 0 && missing[i] != 0;
            Map<Long, Integer> tree = byTree.get(treeIds[i]);
            Integer t = tree.get(trueIds[i]);
            Integer f = tree.get(falseIds[i]);
            if (t == null || f == null) {
                throw node.error("node " + nodeIds[i] + " of tree " + treeIds[i] + " refers to child "
                        + (t == null ? trueIds[i] : falseIds[i]) + ", which is not in that tree");
            }
            trueNext[c] = compiled[t];
            falseNext[c] = compiled[f];
            referenced[t] = true;
            referenced[f] = true;
        }
        int[] roots = new int[byTree.size()];
        int r = 0;
        for (Map.Entry<Long, Map<Long, Integer>> tree : byTree.entrySet()) {
            int root = -1;
            for (int i : tree.getValue().values()) {
                if (!referenced[i]) {
                    if (root >= 0) {
                        throw node.error("tree " + tree.getKey() + " has more than one root (nodes "
                                + nodeIds[Math.min(root, i)] + " and " + nodeIds[Math.max(root, i)]
                                + " are nobody's child)");
                    }
                    root = i;
                }
            }
            if (root < 0) {
                throw node.error("tree " + tree.getKey() + " has no root: every node is a child");
            }
            roots[r++] = compiled[root];
        }
        checkAcyclic(node, trueNext, falseNext, roots);

        long[] wTrees = node.getInts(prefix + "_treeids", new long[0]);
        long[] wNodes = node.getInts(prefix + "_nodeids", new long[0]);
        long[] wIds = node.getInts(prefix + "_ids", new long[0]);
        double[] wValues = doublesAttribute(node, prefix + "_weights");
        int m = wTrees.length;
        requireLength(node, prefix + "_nodeids", wNodes.length, m);
        requireLength(node, prefix + "_ids", wIds.length, m);
        requireLength(node, prefix + "_weights", wValues.length, m);
        int[] weightLeaf = new int[m];
        int[] leafStart = new int[leaves + 1];
        for (int k = 0; k < m; k++) {
            Map<Long, Integer> tree = byTree.get(wTrees[k]);
            Integer i = tree == null ? null : tree.get(wNodes[k]);
            if (i == null) {
                throw node.error(prefix + "_nodeids[" + k + "] refers to node " + wNodes[k]
                        + " of tree " + wTrees[k] + ", which does not exist");
            }
            if (compiled[i] >= 0) {
                throw node.error(prefix + "_nodeids[" + k + "] refers to node " + wNodes[k]
                        + " of tree " + wTrees[k] + ", which is not a LEAF");
            }
            if (wIds[k] < 0 || wIds[k] >= targets) {
                throw node.error(prefix + "_ids[" + k + "] = " + wIds[k] + " is out of range [0, "
                        + targets + ")");
            }
            weightLeaf[k] = ~compiled[i];
            leafStart[weightLeaf[k] + 1]++;
        }
        for (int l = 0; l < leaves; l++) {
            leafStart[l + 1] += leafStart[l];
        }
        int[] fill = Arrays.copyOf(leafStart, leaves);
        int[] weightTarget = new int[m];
        double[] weight = new double[m];
        for (int k = 0; k < m; k++) {
            int slot = fill[weightLeaf[k]]++;
            weightTarget[slot] = (int) wIds[k];
            weight[slot] = wValues[k];
        }
        boolean floatSplits = !node.hasAttribute("nodes_values_as_tensor");
        return new TreeModel(feature, mode, split, trueNext, falseNext, missingTrue,
                new double[interior][], roots, leafStart, weightTarget, weight, floatSplits, targets);
    }

    private static byte parseMode(NodeContext node, String mode) {
        return switch (mode) {
            case "BRANCH_LEQ" -> LEQ;
            case "BRANCH_LT" -> LT;
            case "BRANCH_GTE" -> GTE;
            case "BRANCH_GT" -> GT;
            case "BRANCH_EQ" -> EQ;
            case "BRANCH_NEQ" -> NEQ;
            default -> throw node.error("unknown node mode '" + mode + "'; expected BRANCH_LEQ,"
                    + " BRANCH_LT, BRANCH_GTE, BRANCH_GT, BRANCH_EQ, BRANCH_NEQ or LEAF");
        };
    }

    private static void requireLength(NodeContext node, String name, int length, int expected) {
        if (length != expected) {
            throw node.error("attribute '" + name + "' has " + length + " entries, expected "
                    + expected);
        }
    }

    // ---- TreeEnsemble (opset 5) encoding ----

    /** Compiles the attributes of TreeEnsemble, where each leaf has exactly one weight. */
    static TreeModel fromTreeEnsemble(NodeContext node) {
        long[] featureIds = node.getInts("nodes_featureids", new long[0]);
        int n = featureIds.length;
        Tensor modesTensor = requiredTensor(node, "nodes_modes");
        Tensor splitsTensor = requiredTensor(node, "nodes_splits");
        long[] trueIds = node.getInts("nodes_truenodeids", new long[0]);
        long[] trueLeafs = node.getInts("nodes_trueleafs", new long[0]);
        long[] falseIds = node.getInts("nodes_falsenodeids", new long[0]);
        long[] falseLeafs = node.getInts("nodes_falseleafs", new long[0]);
        long[] missing = node.getInts("nodes_missing_value_tracks_true", new long[0]);
        long[] treeRoots = node.getInts("tree_roots", new long[0]);
        long[] leafTargets = node.getInts("leaf_targetids", new long[0]);
        Tensor leafWeights = requiredTensor(node, "leaf_weights");
        if (modesTensor.type() != DataType.UINT8) {
            throw node.error("attribute 'nodes_modes' must be a uint8 tensor, got "
                    + modesTensor.describe());
        }
        requireLength(node, "nodes_modes", modesTensor.size(), n);
        requireLength(node, "nodes_splits", splitsTensor.size(), n);
        requireLength(node, "nodes_truenodeids", trueIds.length, n);
        requireLength(node, "nodes_trueleafs", trueLeafs.length, n);
        requireLength(node, "nodes_falsenodeids", falseIds.length, n);
        requireLength(node, "nodes_falseleafs", falseLeafs.length, n);
        if (missing.length != 0) {
            requireLength(node, "nodes_missing_value_tracks_true", missing.length, n);
        }
        int leaves = leafTargets.length;
        requireLength(node, "leaf_weights", leafWeights.size(), leaves);
        if (treeRoots.length == 0) {
            throw node.error("attribute 'tree_roots' is missing or empty");
        }
        long targetsAttr = node.getInt("n_targets", -1);
        long maxTarget = -1;
        for (long t : leafTargets) {
            if (t < 0) {
                throw node.error("attribute 'leaf_targetids' must not be negative, got " + t);
            }
            maxTarget = Math.max(maxTarget, t);
        }
        int targets = (int) (targetsAttr >= 0 ? targetsAttr : maxTarget + 1);
        if (maxTarget >= targets) {
            throw node.error("leaf_targetids contains " + maxTarget + ", out of range [0, "
                    + targets + ") set by 'n_targets'");
        }

        byte[] mode = new byte[n];
        int[] feature = new int[n];
        int[] trueNext = new int[n];
        int[] falseNext = new int[n];
        boolean[] missingTrue = new boolean[n];
        double[] split = splitsTensor.toDoubleArray().clone();
        double[][] members = new double[n][];
        List<double[]> sets = membershipSets(node);
        int nextSet = 0;
        for (int i = 0; i < n; i++) {
            long code = modesTensor.getLong(i);
            if (code > MEMBER) {
                throw node.error("nodes_modes[" + i + "] = " + code + " is not a node mode in [0, 6]");
            }
            mode[i] = (byte) code;
            if (featureIds[i] < 0 || featureIds[i] > Integer.MAX_VALUE - 1) {
                throw node.error("nodes_featureids[" + i + "] = " + featureIds[i]
                        + " is not a valid feature index");
            }
            feature[i] = (int) featureIds[i];
            missingTrue[i] = missing.length != 0 && missing[i] != 0;
            trueNext[i] = child(node, "true", i, trueIds[i], trueLeafs[i] != 0, n, leaves);
            falseNext[i] = child(node, "false", i, falseIds[i], falseLeafs[i] != 0, n, leaves);
            if (mode[i] == MEMBER) {
                if (nextSet >= sets.size()) {
                    throw node.error("attribute 'membership_values' has " + sets.size()
                            + " sets but there are more BRANCH_MEMBER nodes");
                }
                members[i] = sets.get(nextSet++);
            }
        }
        int[] roots = new int[treeRoots.length];
        for (int t = 0; t < roots.length; t++) {
            if (treeRoots[t] < 0 || treeRoots[t] >= n) {
                throw node.error("tree_roots[" + t + "] = " + treeRoots[t] + " is out of range [0, "
                        + n + ")");
            }
            roots[t] = (int) treeRoots[t];
        }
        checkAcyclic(node, trueNext, falseNext, roots);
        int[] leafStart = new int[leaves + 1];
        int[] weightTarget = new int[leaves];
        for (int l = 0; l < leaves; l++) {
            leafStart[l + 1] = l + 1;
            weightTarget[l] = (int) leafTargets[l];
        }
        return new TreeModel(feature, mode, split, trueNext, falseNext, missingTrue, members,
                roots, leafStart, weightTarget, leafWeights.toDoubleArray().clone(), false, targets);
    }

    private static int child(NodeContext node, String branch, int i, long id, boolean leaf, int nodes,
            int leaves) {
        int limit = leaf ? leaves : nodes;
        if (id < 0 || id >= limit) {
            throw node.error("nodes_" + branch + "nodeids[" + i + "] = " + id + " is out of range [0, "
                    + limit + ") of the " + (leaf ? "leaves" : "nodes"));
        }
        return leaf ? ~(int) id : (int) id;
    }

    /** Splits {@code membership_values} into the sets of the BRANCH_MEMBER nodes at each NaN. */
    private static List<double[]> membershipSets(NodeContext node) {
        List<double[]> sets = new ArrayList<>();
        Tensor values = node.getTensor("membership_values");
        if (values == null) {
            return sets;
        }
        double[] v = values.toDoubleArray();
        int start = 0;
        for (int i = 0; i <= v.length; i++) {
            if (i == v.length || Double.isNaN(v[i])) {
                if (i < v.length || i > start) {
                    sets.add(Arrays.copyOfRange(v, start, i));
                }
                start = i + 1;
            }
        }
        return sets;
    }

    private static Tensor requiredTensor(NodeContext node, String name) {
        Tensor t = node.getTensor(name);
        if (t == null) {
            throw node.error("required attribute '" + name + "' is missing");
        }
        return t;
    }
}
