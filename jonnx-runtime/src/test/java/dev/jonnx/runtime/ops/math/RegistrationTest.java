package dev.jonnx.runtime.ops.math;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jonnx.runtime.registry.OpRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistrationTest {
    /** The registry of the math family alone, so that other families' operators do not count. */
    private static final OpRegistry MATH_REGISTRY = mathRegistry();

    private static OpRegistry mathRegistry() {
        OpRegistry.Builder builder = OpRegistry.builder();
        MathOps.register(builder);
        return builder.build();
    }

    /** Since-versions of each operator as the ai.onnx changelog lists them. */
    private static final Map<String, List<Integer>> SINCE_VERSIONS = Map.ofEntries(
            Map.entry("Abs", List.of(1, 6, 13)),
            Map.entry("Acos", List.of(7, 22)),
            Map.entry("Acosh", List.of(9, 22)),
            Map.entry("Add", List.of(1, 6, 7, 13, 14)),
            Map.entry("And", List.of(1, 7)),
            Map.entry("Asin", List.of(7, 22)),
            Map.entry("Asinh", List.of(9, 22)),
            Map.entry("Atan", List.of(7, 22)),
            Map.entry("Atanh", List.of(9, 22)),
            Map.entry("BitShift", List.of(11)),
            Map.entry("BitwiseAnd", List.of(18)),
            Map.entry("BitwiseNot", List.of(18)),
            Map.entry("BitwiseOr", List.of(18)),
            Map.entry("BitwiseXor", List.of(18)),
            Map.entry("Cast", List.of(1, 6, 9, 13, 19, 21, 23, 24, 25)),
            Map.entry("CastLike", List.of(15, 19, 21, 23, 24, 25)),
            Map.entry("Ceil", List.of(1, 6, 13)),
            Map.entry("Celu", List.of(12, 28)),
            Map.entry("Clip", List.of(1, 6, 11, 12, 13)),
            Map.entry("Cos", List.of(7, 22)),
            Map.entry("Cosh", List.of(9, 22)),
            Map.entry("Div", List.of(1, 6, 7, 13, 14)),
            Map.entry("Elu", List.of(1, 6, 22)),
            Map.entry("Equal", List.of(1, 7, 11, 13, 19)),
            Map.entry("Erf", List.of(9, 13)),
            Map.entry("Exp", List.of(1, 6, 13)),
            Map.entry("Floor", List.of(1, 6, 13)),
            Map.entry("Gelu", List.of(20)),
            Map.entry("Greater", List.of(1, 7, 9, 13)),
            Map.entry("GreaterOrEqual", List.of(12, 16)),
            Map.entry("HardSigmoid", List.of(1, 6, 22)),
            Map.entry("HardSwish", List.of(14, 22)),
            Map.entry("IsInf", List.of(10, 20)),
            Map.entry("IsNaN", List.of(9, 13, 20)),
            Map.entry("LeakyRelu", List.of(1, 6, 16)),
            Map.entry("Less", List.of(1, 7, 9, 13)),
            Map.entry("LessOrEqual", List.of(12, 16)),
            Map.entry("Log", List.of(1, 6, 13)),
            Map.entry("Max", List.of(1, 6, 8, 12, 13)),
            Map.entry("Mean", List.of(1, 6, 8, 13)),
            Map.entry("Min", List.of(1, 6, 8, 12, 13)),
            Map.entry("Mish", List.of(18, 22)),
            Map.entry("Mod", List.of(10, 13)),
            Map.entry("Mul", List.of(1, 6, 7, 13, 14)),
            Map.entry("Neg", List.of(1, 6, 13)),
            Map.entry("Not", List.of(1)),
            Map.entry("Or", List.of(1, 7)),
            Map.entry("PRelu", List.of(1, 6, 7, 9, 16)),
            Map.entry("Pow", List.of(1, 7, 12, 13, 15)),
            Map.entry("Reciprocal", List.of(1, 6, 13)),
            Map.entry("Relu", List.of(1, 6, 13, 14)),
            Map.entry("Round", List.of(11, 22)),
            Map.entry("Selu", List.of(1, 6, 22)),
            Map.entry("Shrink", List.of(9)),
            Map.entry("Sigmoid", List.of(1, 6, 13)),
            Map.entry("Sign", List.of(9, 13)),
            Map.entry("Sin", List.of(7, 22)),
            Map.entry("Sinh", List.of(9, 22)),
            Map.entry("Softplus", List.of(1, 22)),
            Map.entry("Softsign", List.of(1, 22)),
            Map.entry("Sqrt", List.of(1, 6, 13)),
            Map.entry("Sub", List.of(1, 6, 7, 13, 14)),
            Map.entry("Sum", List.of(1, 6, 8, 13)),
            Map.entry("Swish", List.of(24)),
            Map.entry("Tan", List.of(7, 22)),
            Map.entry("Tanh", List.of(1, 6, 13)),
            Map.entry("ThresholdedRelu", List.of(10, 22)),
            Map.entry("Where", List.of(9, 16)),
            Map.entry("Xor", List.of(1, 7)));

    @Test
    void everySinceVersionRegistered() {
        for (Map.Entry<String, List<Integer>> e : SINCE_VERSIONS.entrySet()) {
            assertThat(MATH_REGISTRY.versions("", e.getKey()))
                    .as(e.getKey())
                    .isEqualTo(e.getValue());
        }
    }

    @Test
    void noOtherOperatorsRegistered() {
        List<String> expected = SINCE_VERSIONS.keySet().stream().map(op -> ":" + op).sorted()
                .toList();
        assertThat(MATH_REGISTRY.operators()).isEqualTo(expected);
    }
}
