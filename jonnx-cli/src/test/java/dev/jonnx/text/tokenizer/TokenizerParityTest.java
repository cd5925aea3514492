package dev.jonnx.text.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.jonnx.cli.embed.BundledModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Token ids of {@link BertTokenizer} against DJL's binding of the Hugging Face tokenizers library
 * (Rust, native code shipped in the DJL jar) on the same tokenizer.json files.
 */
class TokenizerParityTest {
    private static final int MAX_LENGTH = 512;

    static final List<String> SENTENCES = sentences();

    @TempDir
    Path tempDir;

    private static List<String> sentences() {
        List<String> s = new ArrayList<>();
        s.add("");
        s.add(" ");
        s.add("Hello, World!");
        s.add("The quick brown fox jumps over the lazy dog.");
        s.add("HELLO world MiXeD CaSe tExT");
        s.add("Café naïve résumé façade coöperate");
        s.add("Ångström Øresund straße Ærø");
        s.add("東京は日本の首都です。");
        s.add("我爱自然语言处理，这是一个测试！");
        s.add("한국어 텍스트입니다");
        s.add("😀 emoji 🎉🚀 test 👍🏽 👨‍👩‍👧");
        s.add("1234567890 3.14159 -42 1e10 0x1F 2024-12-04");
        s.add("!!!???...,,,;;;::: ---- ____ ''''");
        s.add("(a) [b] {c} <d> \"e\" 'f'");
        s.add("tabs\tand\nnewlines\r\nmixed\u000bvertical\u000cfeed");
        s.add("   leading and trailing spaces   ");
        s.add("no\u00a0break\u2003em\u3000ideographic\u202fnarrow\u0085nel spaces");
        s.add("zero\u200bwidth\u200djoiner\u2060word\ufeffjoiner");
        s.add("control\u0001chars\u0007here\u0000nul\u007fdel");
        s.add("replacement \ufffd char and private \ue000 use and unassigned \u0378");
        s.add("Ελληνικά ΣΟΦΙΑ ὀδυσσεύς");
        s.add("Русский текст Ёжик");
        s.add("עברית والعربية");
        s.add("हिन्दी भाषा और देवनागरी");
        s.add("İstanbul DİYARBAKIR ıi");
        s.add("e-mail: someone@example.com https://example.org/a?b=c&d=e#frag");
        s.add("$100 + 50% = ^_^ ~`|\\ §¶ ©®™ €£¥");
        s.add("supercalifragilisticexpialidocious antidisestablishmentarianism");
        s.add("a".repeat(99) + " " + "b".repeat(100) + " " + "c".repeat(101) + " " + "é".repeat(101));
        s.add("[CLS] explicit [SEP] special[MASK]tokens [UNK] [PAD] [mask] [ CLS ]");
        s.add("don't won't it's y'all rock'n'roll");
        s.add("C++ C# F# .NET node.js");
        s.add("“smart quotes” ‘single’ — em-dash – en-dash … ellipsis «guillemets»");
        s.add("ﬁ ligature Ⅳ ① ＦＵＬＬＷＩＤＴＨ ｶﾀｶﾅ");
        s.add("combining e\u0301 a\u0308 o\u0302\u0323 n\u0303");
        s.add("math ∑∫√∞ ≠ ≤ ≥ ± × ÷ ½");
        s.add("Dr. Smith's 2nd-floor office (Room #204B) opens @ 9:30am.");
        s.add("𠀀 𪚲 丽 ancient CJK extension 𫝀 𬺰");
        s.add("x ".repeat(600));
        s.add(("Tokenizers split long documents into many pieces, and this paragraph is repeated"
                + " until it passes the limit of five hundred and twelve tokens. ").repeat(25));
        return List.copyOf(s);
    }

    private Path extract(BundledModel model) throws IOException {
        Path file = tempDir.resolve(model.tokenizerResource());
        Files.write(file, model.readTokenizer());
        return file;
    }

    private static HuggingFaceTokenizer reference(Path file) throws IOException {
        return HuggingFaceTokenizer.builder()
                .optTokenizerPath(file)
                .optAddSpecialTokens(true)
                .optTruncation(true)
                .optMaxLength(MAX_LENGTH)
                .optPadding(false)
                .build();
    }

    private static void assertSameIds(BertTokenizer ours, HuggingFaceTokenizer reference,
            List<String> sentences, String label) {
        assertThat(sentences).hasSizeGreaterThanOrEqualTo(30);
        for (String sentence : sentences) {
            ai.djl.huggingface.tokenizers.Encoding expected = reference.encode(sentence);
            Encoding actual = ours.encode(sentence, MAX_LENGTH);
            String shown = sentence.length() > 60 ? sentence.substring(0, 60) + "..." : sentence;
            assertThat(toLongs(actual.ids()))
                    .as("%s ids of \"%s\"; tokens %s vs reference %s", label, shown,
                            Arrays.toString(actual.tokens()), Arrays.toString(expected.getTokens()))
                    .containsExactly(expected.getIds());
            assertThat(toLongs(actual.typeIds()))
                    .as("%s type ids of \"%s\"", label, shown)
                    .containsExactly(expected.getTypeIds());
            assertThat(actual.tokens()).as("%s tokens of \"%s\"", label, shown)
                    .containsExactly(expected.getTokens());
        }
    }

    private static long[] toLongs(int[] values) {
        return Arrays.stream(values).asLongStream().toArray();
    }

    @ParameterizedTest
    @EnumSource(BundledModel.class)
    void bundledTokenizerMatchesHuggingFace(BundledModel model) throws IOException {
        Path file = extract(model);
        BertTokenizer ours = BertTokenizer.fromFile(file);
        try (HuggingFaceTokenizer reference = reference(file)) {
            assertSameIds(ours, reference, SENTENCES, model.id());
        }
    }

    @Test
    void longTextTruncatedToMaxLength() throws IOException {
        BertTokenizer ours = BertTokenizer.fromFile(extract(BundledModel.ALL_MINILM_L6_V2));
        Encoding encoding = ours.encode("word ".repeat(1000), MAX_LENGTH);
        assertThat(encoding.length()).isEqualTo(MAX_LENGTH);
        assertThat(encoding.tokens()[0]).isEqualTo("[CLS]");
        assertThat(encoding.tokens()[MAX_LENGTH - 1]).isEqualTo("[SEP]");
    }

    @Test
    void batchPaddedToLongest() throws IOException {
        BertTokenizer ours = BertTokenizer.fromFile(extract(BundledModel.ALL_MINILM_L6_V2));
        EncodedBatch batch = ours.encodeBatch(List.of("hello", "hello big world", ""), MAX_LENGTH);
        assertThat(batch.size()).isEqualTo(3);
        assertThat(batch.length()).isEqualTo(5);
        assertThat(batch.inputIds()).containsExactly(
                101, 7592, 102, 0, 0,
                101, 7592, 2502, 2088, 102,
                101, 102, 0, 0, 0);
        assertThat(batch.attentionMask()).containsExactly(
                1, 1, 1, 0, 0,
                1, 1, 1, 1, 1,
                1, 1, 0, 0, 0);
        assertThat(batch.tokenTypeIds()).containsOnly(0L);
    }

    @Test
    void maxLengthBelowSpecialTokensRejected() throws IOException {
        BertTokenizer ours = BertTokenizer.fromFile(extract(BundledModel.ALL_MINILM_L6_V2));
        assertThatThrownBy(() -> ours.encode("hello", 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max length 2");
    }

    /** Rewrites one top-level section of the bundled tokenizer.json. */
    private Path variant(String name, String section, String replacementJson) throws IOException {
        String json = new String(BundledModel.ALL_MINILM_L6_V2.readTokenizer(), StandardCharsets.UTF_8);
        int start = json.indexOf("\"" + section + "\":");
        assertThat(start).as("section %s in tokenizer.json", section).isNotNegative();
        int valueStart = start + section.length() + 3;
        int end = endOfValue(json, valueStart);
        String rewritten = json.substring(0, valueStart) + " " + replacementJson + json.substring(end);
        Path file = tempDir.resolve(name + ".json");
        Files.writeString(file, rewritten, StandardCharsets.UTF_8);
        return file;
    }

    /** Returns the index just past the JSON value that starts at or after {@code from}. */
    private static int endOfValue(String json, int from) {
        int i = from;
        while (Character.isWhitespace(json.charAt(i))) {
            i++;
        }
        if (json.startsWith("null", i)) {
            return i + 4;
        }
        int depth = 0;
        boolean inString = false;
        for (; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            }
        }
        throw new IllegalStateException("unterminated JSON value");
    }

    static Stream<String[]> variants() {
        return Stream.of(
                new String[] {"cased", "normalizer", "{\"type\": \"BertNormalizer\", \"clean_text\": true,"
                        + " \"handle_chinese_chars\": true, \"strip_accents\": false, \"lowercase\": false}"},
                new String[] {"lowercase-keep-accents", "normalizer", "{\"type\": \"BertNormalizer\","
                        + " \"clean_text\": false, \"handle_chinese_chars\": false,"
                        + " \"strip_accents\": false, \"lowercase\": true}"},
                new String[] {"sequence-normalizer", "normalizer", "{\"type\": \"Sequence\","
                        + " \"normalizers\": [{\"type\": \"NFD\"}, {\"type\": \"Lowercase\"},"
                        + " {\"type\": \"StripAccents\"}]}"},
                new String[] {"nfkc", "normalizer", "{\"type\": \"Sequence\", \"normalizers\":"
                        + " [{\"type\": \"NFKC\"}, {\"type\": \"Lowercase\"}]}"},
                new String[] {"whitespace", "pre_tokenizer", "{\"type\": \"Whitespace\"}"},
                new String[] {"sequence-pre-tokenizer", "pre_tokenizer", "{\"type\": \"Sequence\","
                        + " \"pretokenizers\": [{\"type\": \"WhitespaceSplit\"},"
                        + " {\"type\": \"Punctuation\", \"behavior\": \"Isolated\"}]}"},
                new String[] {"bert-processing", "post_processor", "{\"type\": \"BertProcessing\","
                        + " \"sep\": [\"[SEP]\", 102], \"cls\": [\"[CLS]\", 101]}"});
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("variants")
    void variantMatchesHuggingFace(String name, String section, String replacement) throws IOException {
        Path file = variant(name, section, replacement);
        BertTokenizer ours = BertTokenizer.fromFile(file);
        try (HuggingFaceTokenizer reference = reference(file)) {
            assertSameIds(ours, reference, SENTENCES, name);
        }
    }

    @Test
    void unsupportedNormalizerRejected() throws IOException {
        Path file = variant("replace", "normalizer",
                "{\"type\": \"Replace\", \"pattern\": {\"String\": \"a\"}, \"content\": \"b\"}");
        assertThatThrownBy(() -> BertTokenizer.fromFile(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("normalizer type 'Replace' is not supported");
    }

    @Test
    void unsupportedPreTokenizerRejected() throws IOException {
        Path file = variant("metaspace", "pre_tokenizer", "{\"type\": \"Metaspace\"}");
        assertThatThrownBy(() -> BertTokenizer.fromFile(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pre-tokenizer type 'Metaspace' is not supported");
    }

    @Test
    void unsupportedPostProcessorRejected() throws IOException {
        Path file = variant("roberta", "post_processor", "{\"type\": \"RobertaProcessing\","
                + " \"sep\": [\"</s>\", 2], \"cls\": [\"<s>\", 0]}");
        assertThatThrownBy(() -> BertTokenizer.fromFile(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("post-processor type 'RobertaProcessing' is not supported");
    }

    @Test
    void bpeModelRejected() throws IOException {
        Path file = variant("bpe", "model", "{\"type\": \"BPE\", \"vocab\": {}, \"merges\": []}");
        assertThatThrownBy(() -> BertTokenizer.fromFile(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tokenizer model type 'BPE' is not supported");
    }

    @Test
    void invalidJsonRejected() throws IOException {
        Path file = tempDir.resolve("broken.json");
        Files.writeString(file, "{\"model\": {\"type\": \"WordPiece\", ");
        assertThatThrownBy(() -> BertTokenizer.fromFile(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid JSON");
    }
}
