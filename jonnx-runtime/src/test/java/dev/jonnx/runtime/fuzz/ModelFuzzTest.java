package dev.jonnx.runtime.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jonnx.tensor.Value;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Feeds mutated backend-suite models to the session and checks that every outcome is a result
 * or a Jonnx exception. {@link #fixedSeedRun} is part of the build; {@link #fuzzModels} is the
 * coverage-guided run for longer campaigns:
 *
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw test -pl jonnx-format,jonnx-runtime -Dtest=ModelFuzzTest#fuzzModels \
 *     -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Djonnx.test.jvm.extra=-Djazzer.instrumentation_includes=dev.jonnx.**
 * </pre>
 *
 * <p>Without JAZZER_FUZZ the fuzz test runs once, on an empty input. A campaign stops after
 * {@code maxDuration}; findings are written under {@code src/test/resources} by Jazzer.
 *
 * <p>NOTE: Jazzer 0.24.0 cannot instrument Java 25 class files (its ASM rejects major version
 * 69), so the campaign gets no coverage feedback and mutates its inputs blindly.
 */
class ModelFuzzTest {
    /** Mutations per seed model in the build's fixed-seed run. */
    static final int MUTATIONS_PER_SEED = 12;

    static Path suite() {
        return Path.of(System.getProperty("jonnx.onnxTests", "../../shared/onnx-tests"))
                .toAbsolutePath().normalize().resolve("node");
    }

    private static List<FuzzHarness.Seed> seeds;

    static synchronized List<FuzzHarness.Seed> seeds() throws Exception {
        if (seeds == null) {
            seeds = FuzzHarness.seeds(suite(), 7);
        }
        return seeds;
    }

    @Test
    void fixedSeedRun() throws Exception {
        List<FuzzHarness.Seed> all = seeds();
        assertThat(all).as("seed models under " + suite()).hasSizeGreaterThan(100);
        Random random = new Random(20261204L);
        List<String> bugs = new ArrayList<>();
        int tried = 0;
        for (FuzzHarness.Seed seed : all) {
            for (int i = 0; i < MUTATIONS_PER_SEED; i++) {
                byte[] mutated = ModelMutator.mutate(seed.model(), random);
                Map<String, Value> feeds = random.nextInt(5) == 0 ? Map.of() : seed.feeds();
                String bug = FuzzHarness.check(mutated, feeds);
                tried++;
                if (bug != null && bugs.size() < 20) {
                    bugs.add(seed.name() + " mutation " + i + ": " + bug);
                }
            }
        }
        System.out.println("fuzz: " + tried + " mutated models tried, " + bugs.size() + " bugs");
        assertThat(bugs).as("inputs that crashed, hung or raised a non-Jonnx exception").isEmpty();
    }

    @FuzzTest(maxDuration = "10m")
    void fuzzModels(FuzzedDataProvider data) throws Exception {
        List<FuzzHarness.Seed> all = seeds();
        FuzzHarness.Seed seed = all.get(data.consumeInt(0, all.size() - 1));
        Random random = new Random(data.consumeLong());
        byte[] model = seed.model();
        int rounds = data.consumeInt(1, 4);
        for (int i = 0; i < rounds; i++) {
            model = ModelMutator.mutate(model, random);
        }
        String bug = FuzzHarness.check(model, data.consumeBoolean() ? seed.feeds() : Map.of());
        if (bug != null) {
            throw new AssertionError(seed.name() + ": " + bug);
        }
    }
}
