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
        assertThat(ranges.get()).isEqualTo(2 * IntraOpPool.CHUNKS_PER_THREAD);
    }

    @Test
    void fewItemsGetOneRangeEach() {
        int count = 12;
        int[] lengths = new int[count];
        context(2).parallelFor(count, 1 << 20, (from, to) -> lengths[from] = to - from);
        assertThat(lengths).containsOnly(1);
    }

    @Test
    void manyItemsShareRanges() {
        int count = 2 * RunContext.RunControl.SINGLE_ITEM_CHUNKS + 1;
        AtomicInteger ranges = new AtomicInteger();
        context(2).parallelFor(count, 1 << 20, (from, to) -> ranges.incrementAndGet());
        assertThat(ranges.get()).isEqualTo(2 * IntraOpPool.CHUNKS_PER_THREAD);
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
        // Each outer range runs its inner loop as one range, whichever thread took it.
        assertThat(innerRanges.get()).isEqualTo(2);
    }

    @Test
    void spinningPoolRunsSplits() throws Exception {
        java.util.concurrent.ExecutorService spinning = IntraOpPool.create(1, Thread::new);
        try {
            RunContext ctx = new RunContext(null, new RunContext.RunControl(new AtomicBoolean(),
                    Long.MAX_VALUE, spinning, 2, null));
            long[] sums = new long[200];
            for (int round = 0; round < sums.length; round++) {
                java.util.concurrent.atomic.AtomicLong sum = new java.util.concurrent.atomic.AtomicLong();
                ctx.parallelFor(10_000, 100, (from, to) -> {
                    long local = 0;
                    for (int i = from; i < to; i++) {
                        local += i;
                    }
                    sum.addAndGet(local);
                });
                sums[round] = sum.get();
            }
            assertThat(sums).containsOnly(10_000L * 9_999 / 2);
        } finally {
            spinning.shutdownNow();
        }
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
