package dev.jonnx.runtime.ops.text;

import dev.jonnx.runtime.registry.OpRegistry;

/** Registers string operators: normalization, splitting, concatenation, regex, TF-IDF. */
public final class TextOps {
    private TextOps() {}

    public static void register(OpRegistry.Builder registry) {
        registry.add("StringNormalizer", StringKernels.stringNormalizer(), 10);
        registry.add("StringSplit", StringKernels.stringSplit(), 20);
        registry.add("StringConcat", StringKernels.stringConcat(), 20);
        registry.add("RegexFullMatch", RegexFullMatch.factory(), 20);
        registry.add("TfIdfVectorizer", TfIdfVectorizer.factory(), 9);
    }
}
