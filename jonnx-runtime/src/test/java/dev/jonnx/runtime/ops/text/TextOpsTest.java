package dev.jonnx.runtime.ops.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jonnx.ModelCheckException;
import dev.jonnx.UnsupportedOperatorException;
import dev.jonnx.runtime.testing.NodeRunner;
import dev.jonnx.tensor.Tensor;
import dev.jonnx.tensor.Value;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class TextOpsTest {

    private static Tensor strings(int[] shape, String... values) {
        return Tensor.of(values, shape);
    }

    @Test
    void normalizerRemovesStopwordsCaseInsensitively() {
        Tensor y = NodeRunner.op("StringNormalizer", 10).attr("stopwords", "the", "A")
                .attr("case_change_action", "UPPER")
                .run(strings(new int[] {4}, "The", "cat", "a", "mat"));
        assertThat(y.shape()).containsExactly(2);
        assertThat(y.strings()).containsExactly("CAT", "MAT");
    }

    @Test
    void normalizerCaseSensitiveKeepsOtherCase() {
        Tensor y = NodeRunner.op("StringNormalizer", 10).attr("stopwords", new String[] {"the"})
                .attr("is_case_sensitive", 1L).attr("case_change_action", "LOWER")
                .run(strings(new int[] {1, 3}, "The", "the", "X"));
        assertThat(y.shape()).containsExactly(1, 2);
        assertThat(y.strings()).containsExactly("the", "x");
    }

    @Test
    void normalizerAllRemovedGivesOneEmptyString() {
        Tensor row = NodeRunner.op("StringNormalizer", 10).attr("stopwords", new String[] {"a"})
                .run(strings(new int[] {1, 2}, "a", "A"));
        assertThat(row.shape()).containsExactly(1, 1);
        assertThat(row.strings()).containsExactly("");
        Tensor vector = NodeRunner.op("StringNormalizer", 10).attr("stopwords", new String[] {"a"})
                .run(strings(new int[] {1}, "a"));
        assertThat(vector.shape()).containsExactly(1);
    }

    @Test
    void normalizerIgnoresDefaultLocale() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.forLanguageTag("tr-TR"));
            Tensor y = NodeRunner.op("StringNormalizer", 10).attr("case_change_action", "UPPER")
                    .attr("locale", "tr_TR").run(strings(new int[] {1}, "title"));
            // Turkish rules would map i to a dotted capital I (U+0130).
            assertThat(y.strings()).containsExactly("TITLE");
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void normalizerRejectsRank3() {
        NodeRunner node = NodeRunner.op("StringNormalizer", 10);
        assertThatThrownBy(() -> node.run(strings(new int[] {1, 1, 1}, "a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[C] or [1, C]");
    }

    @Test
    void normalizerRejectsUnknownAction() {
        NodeRunner node = NodeRunner.op("StringNormalizer", 10).attr("case_change_action", "TITLE");
        assertThatThrownBy(() -> node.run(strings(new int[] {1}, "a")))
                .isInstanceOf(ModelCheckException.class);
    }

    @Test
    void splitWithDelimiterKeepsEmptyPieces() {
        Value[] out = NodeRunner.op("StringSplit", 20).attr("delimiter", ",")
                .outputs(2).runAll(strings(new int[] {2}, "a,,b", "c"));
        Tensor parts = (Tensor) out[0];
        Tensor counts = (Tensor) out[1];
        assertThat(parts.shape()).containsExactly(2, 3);
        assertThat(parts.strings()).containsExactly("a", "", "b", "c", "", "");
        assertThat(counts.longs()).containsExactly(3, 1);
    }

    @Test
    void splitOnWhitespaceWithMaxsplit() {
        Value[] out = NodeRunner.op("StringSplit", 20).attr("maxsplit", 1L)
                .outputs(2).runAll(strings(new int[0], "  a  b c "));
        Tensor parts = (Tensor) out[0];
        assertThat(parts.shape()).containsExactly(2);
        assertThat(parts.strings()).containsExactly("a", "b c ");
        assertThat(((Tensor) out[1]).longs()).containsExactly(2);
    }

    @Test
    void splitEmptyStringOnWhitespaceGivesNoPieces() {
        Value[] out = NodeRunner.op("StringSplit", 20).outputs(2).runAll(strings(new int[] {1}, "   "));
        assertThat(((Tensor) out[0]).shape()).containsExactly(1, 0);
        assertThat(((Tensor) out[1]).longs()).containsExactly(0);
    }

    @Test
    void splitEmptyTensor() {
        Value[] out = NodeRunner.op("StringSplit", 20).attr("delimiter", "-")
                .outputs(2).runAll(strings(new int[] {0}));
        assertThat(((Tensor) out[0]).shape()).containsExactly(0, 0);
        assertThat(((Tensor) out[1]).shape()).containsExactly(0);
    }

    @Test
    void concatBroadcasts() {
        Tensor y = NodeRunner.op("StringConcat", 20)
                .run(strings(new int[] {2, 1}, "a", "b"), strings(new int[] {2}, "1", "2"));
        assertThat(y.shape()).containsExactly(2, 2);
        assertThat(y.strings()).containsExactly("a1", "a2", "b1", "b2");
    }

    @Test
    void concatRejectsNonStringInput() {
        NodeRunner node = NodeRunner.op("StringConcat", 20);
        assertThatThrownBy(() -> node.run(Tensor.of(new float[] {1}, 1), strings(new int[] {1}, "a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("string tensor");
    }

    @Test
    void regexRequiresFullMatch() {
        Tensor y = NodeRunner.op("RegexFullMatch", 20).attr("pattern", "[a-z]+@(?P<host>[a-z]+)\\.com")
                .run(strings(new int[] {3}, "me@site.com", "me@site.com.au", "ME@site.com"));
        assertThat(y.booleans()).containsExactly(true, false, false);
    }

    @Test
    void regexTranslatesPosixClasses() {
        Tensor y = NodeRunner.op("RegexFullMatch", 20).attr("pattern", "[[:digit:]x]+")
                .run(strings(new int[] {2}, "12x3", "12a"));
        assertThat(y.booleans()).containsExactly(true, false);
    }

    @Test
    void regexReadsBracketAndAmpersandLiterallyInClass() {
        Tensor y = NodeRunner.op("RegexFullMatch", 20).attr("pattern", "[a[&&b]+")
                .run(strings(new int[] {3}, "a[&b", "&&", "c"));
        assertThat(y.booleans()).containsExactly(true, true, false);
    }

    @Test
    void regexSpaceExcludesVerticalTab() {
        Tensor y = NodeRunner.op("RegexFullMatch", 20).attr("pattern", "a\\sb")
                .run(strings(new int[] {2}, "a\tb", "a\u000Bb"));
        assertThat(y.booleans()).containsExactly(true, false);
        Tensor negated = NodeRunner.op("RegexFullMatch", 20).attr("pattern", "[x\\S]+")
                .run(strings(new int[] {2}, "x-y", "x y"));
        assertThat(negated.booleans()).containsExactly(true, false);
    }

    @Test
    void regexRejectsConstructsOutsideRe2() {
        for (String pattern : new String[] {"(a)\\1", "a(?=b)", "(?<!a)b", "a*+", "(?>a)", "(?U)a+"}) {
            NodeRunner node = NodeRunner.op("RegexFullMatch", 20).attr("pattern", pattern);
            assertThatThrownBy(() -> node.run(strings(new int[] {1}, "a")))
                    .as(pattern)
                    .isInstanceOf(UnsupportedOperatorException.class);
        }
    }

    @Test
    void regexRejectsInvalidPattern() {
        NodeRunner node = NodeRunner.op("RegexFullMatch", 20).attr("pattern", "(a");
        assertThatThrownBy(() -> node.run(strings(new int[] {1}, "a")))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("not a valid regular expression");
    }

    @Test
    void tfIdfCountsSkipGrams() {
        // Pool: 1-grams [2], [3]; 2-grams [2, 3], [3, 2].
        NodeRunner node = NodeRunner.op("TfIdfVectorizer", 9).attr("mode", "TF")
                .attr("min_gram_length", 1L).attr("max_gram_length", 2L)
                .attr("max_skip_count", 1L)
                .attr("ngram_counts", new long[] {0, 2})
                .attr("ngram_indexes", new long[] {0, 1, 2, 3})
                .attr("pool_int64s", new long[] {2, 3, 2, 3, 3, 2});
        Tensor y = node.run(Tensor.of(new long[] {2, 3, 3}, 3));
        // 1-grams: 2 once, 3 twice. 2-grams: skip 0 gives (2,3), (3,3); skip 1 gives (2,3).
        assertThat(y.shape()).containsExactly(4);
        assertThat(y.floats()).containsExactly(1f, 2f, 2f, 0f);
    }

    @Test
    void tfIdfWeightsAndBatchRows() {
        NodeRunner node = NodeRunner.op("TfIdfVectorizer", 9).attr("mode", "IDF")
                .attr("min_gram_length", 1L).attr("max_gram_length", 1L)
                .attr("max_skip_count", 0L)
                .attr("ngram_counts", new long[] {0})
                .attr("ngram_indexes", new long[] {1, 0})
                .attr("pool_strings", "a", "b")
                .attr("weights", 0.5f, 4f);
        Tensor y = node.run(Tensor.of(new String[] {"a", "a", "b", "c"}, 2, 2));
        // IDF clips counts at 1: row 0 has a twice, row 1 has b once.
        assertThat(y.shape()).containsExactly(2, 2);
        assertThat(y.floats()).containsExactly(0f, 0.5f, 4f, 0f);
    }

    @Test
    void tfIdfRejectsBothPools() {
        NodeRunner node = NodeRunner.op("TfIdfVectorizer", 9).attr("mode", "TF")
                .attr("min_gram_length", 1L).attr("max_gram_length", 1L)
                .attr("max_skip_count", 0L).attr("ngram_counts", new long[] {0})
                .attr("ngram_indexes", new long[] {0}).attr("pool_strings", new String[] {"a"})
                .attr("pool_int64s", new long[] {1});
        assertThatThrownBy(() -> node.run(Tensor.of(new long[] {1}, 1)))
                .isInstanceOf(ModelCheckException.class)
                .hasMessageContaining("exactly one");
    }
}
