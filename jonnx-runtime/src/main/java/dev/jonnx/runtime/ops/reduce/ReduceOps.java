package dev.jonnx.runtime.ops.reduce;

import dev.jonnx.runtime.ops.reduce.Reduce.Kind;
import dev.jonnx.runtime.registry.OpRegistry;

/** Registers reductions, arg-max/min, cumulative sums and top-k. */
public final class ReduceOps {
    private ReduceOps() {}

    public static void register(OpRegistry.Builder registry) {
        registry.add("ReduceSum", Reduce.factory(Kind.SUM, 13), 1, 11, 13);
        registry.add("ReduceSumSquare", Reduce.factory(Kind.SUM_SQUARE, 18), 1, 11, 13, 18);
        registry.add("ReduceMean", Reduce.factory(Kind.MEAN, 18), 1, 11, 13, 18);
        registry.add("ReduceProd", Reduce.factory(Kind.PROD, 18), 1, 11, 13, 18);
        registry.add("ReduceMax", Reduce.factory(Kind.MAX, 18), 1, 11, 12, 13, 18, 20);
        registry.add("ReduceMin", Reduce.factory(Kind.MIN, 18), 1, 11, 12, 13, 18, 20);
        registry.add("ReduceL1", Reduce.factory(Kind.L1, 18), 1, 11, 13, 18);
        registry.add("ReduceL2", Reduce.factory(Kind.L2, 18), 1, 11, 13, 18);
        registry.add("ReduceLogSum", Reduce.factory(Kind.LOG_SUM, 18), 1, 11, 13, 18);
        registry.add("ReduceLogSumExp", Reduce.factory(Kind.LOG_SUM_EXP, 18), 1, 11, 13, 18);
        registry.add("ArgMax", ArgReduce.factory(true), 1, 11, 12, 13);
        registry.add("ArgMin", ArgReduce.factory(false), 1, 11, 12, 13);
        registry.add("CumSum", Cumulative.factory(false), 11, 14);
        registry.add("CumProd", Cumulative.factory(true), 26);
        registry.add("TopK", TopK.factory(), 1, 10, 11, 24);
    }
}
