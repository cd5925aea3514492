package dev.jonnx.runtime.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelForTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private RunContext context(int threads) {
        return new RunContext(null, new RunContext.RunControl(new AtomicBoolean(), Long.MAX_VALUE, pool,
                threads, null));
    }

    @Test
    void visitsEveryIndexOnce() {
        int[] hits = new int[10_007];
        AtomicInteger ranges = new AtomicInteger();
        context(2).parallelFor(hits.length, 1000, (from, to) -> {
            ranges.incrementAndGet();
            for (int i = from; i < to; i++) {
                hits[i]++;
            }
        });
        assertThat(hits).containsOnly(1);
        assertThat(ranges.get()).isEqualTo(2);
    }

    @Test
    void smallWorkStaysInOneRange() {
        AtomicInteger ranges = new AtomicInteger();
        context(2).parallelFor(100, 1, (from, to) -> {
            ranges.incrementAndGet();
            assertThat(from).isZero();
            assertThat(to).isEqualTo(100);
        });
        assertThat(ranges.get()).isEqualTo(1);
    }

    @Test
    void nestedCallsRunOnTheirThread() {
        RunContext ctx = context(2);
        AtomicInteger innerRanges = new AtomicInteger();
        ctx.parallelFor(2, 1 << 20, (from, to) -> ctx.parallelFor(1000, 1 << 20, (a, b) -> innerRanges.incrementAndGet()));
        // The caller's range may split (it is not a pool task); the pool task's range may not.
        assertThat(innerRanges.get()).isEqualTo(3);
    }

    @Test
    void failureInAPoolRangeReachesTheCaller() {
        assertThatThrownBy(() -> context(2).parallelFor(1000, 1 << 20, (from, to) -> {
            if (from == 0) {
                throw new IllegalArgumentException("range at zero failed");
            }
        })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("range at zero failed");
    }
}
