package dev.jonnx.runtime.graph;

import java.util.ArrayDeque;

/**
 * The idle {@link BufferArena}s of a session. Each run borrows one, so concurrent runs never
 * share an arena, and gives it back when it ends; at most {@code maxIdle} arenas are kept, so
 * the memory held between runs stays bounded after a burst of concurrent runs.
 */
public final class ArenaPool {
    private final int maxIdle;
    private final ArrayDeque<BufferArena> idle = new ArrayDeque<>();

    /**
     * @throws IllegalArgumentException if {@code maxIdle} is negative
     */
    public ArenaPool(int maxIdle) {
        if (maxIdle < 0) {
            throw new IllegalArgumentException("maxIdle must not be negative, got " + maxIdle);
        }
        this.maxIdle = maxIdle;
    }

    /** Returns the most recently used idle arena, or a new one when none is idle. */
    public BufferArena borrow() {
        synchronized (idle) {
            BufferArena arena = idle.pollFirst();
            if (arena != null) {
                return arena;
            }
        }
        return new BufferArena();
    }

    /** Ends the arena's run and keeps it for the next borrower unless the pool is full. */
    public void giveBack(BufferArena arena) {
        arena.endRun();
        synchronized (idle) {
            if (idle.size() < maxIdle) {
                idle.addFirst(arena);
            }
        }
    }

    /** Returns the number of arenas waiting to be borrowed. */
    public int idleCount() {
        synchronized (idle) {
            return idle.size();
        }
    }

    /** Returns the bytes in the free lists of the idle arenas. */
    public long idleBytes() {
        synchronized (idle) {
            long total = 0;
            for (BufferArena arena : idle) {
                total += arena.freeBytes();
            }
            return total;
        }
    }

    /** Drops every idle arena, so their buffers can be garbage collected. */
    public void clear() {
        synchronized (idle) {
            idle.clear();
        }
    }
}
