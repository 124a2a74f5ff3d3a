package org.sipbastion.tier1.bloom;

import java.util.Arrays;

/**
 * The call-rate stage's counting Bloom filter (seed 004, section 3.1): m cells of 8-bit counters, k
 * cells per key. Opening an exchange (INVITE, BYE) adds 1 at the key's k cells; completing it (the
 * ACK, the BYE's final response) takes 1 away, so a completed exchange leaves its cells as they
 * were and the number of raised (non-zero) cells measures the exchanges left open.
 *
 * <p>Windowed by two generations: additions go to the current one, and every window the older one is
 * cleared and becomes current. A completion is taken from the generation its opening went to, or
 * dropped if that one was cleared meanwhile. So an exchange left open is forgotten after one to two
 * windows, and state cannot pile up.
 *
 * <p>Overflow: a counter stops at 255 and stays there (saturated) until its generation is cleared; a
 * saturated counter is never decremented, since its true count is unknown, so nothing wraps to a
 * small value and no key can hide behind a wrapped cell.
 *
 * <p>Not thread-safe: one per event loop.
 */
public final class CountingBloomFilter {
    public static final int COUNTER_MAX = 255;

    private final byte[][] cells;
    private final int[] raised = new int[2];
    private final int[] saturated = new int[2];
    private final int mask;
    private final int k;
    private long generation;

    /**
     * @param m cells per generation, a power of two
     * @param k cells per key
     */
    public CountingBloomFilter(int m, int k) {
        if (m < 64 || Integer.bitCount(m) != 1) {
            throw new IllegalArgumentException("cells must be a power of two of at least 64, not " + m);
        }
        if (k < 1 || k > 16) {
            throw new IllegalArgumentException("cells per key must be 1 to 16, not " + k);
        }
        this.cells = new byte[][] {new byte[m], new byte[m]};
        this.mask = m - 1;
        this.k = k;
    }

    /** Adds 1 at the key's cells in the current generation; returns that generation for {@link #remove}. */
    public long add(long key) {
        int g = (int) (generation & 1);
        byte[] c = cells[g];
        int h1 = (int) key;
        int h2 = (int) (key >>> 32) | 1;
        for (int i = 0; i < k; i++) {
            int idx = (h1 + i * h2) & mask;
            int v = c[idx] & 0xFF;
            if (v == COUNTER_MAX) {
                continue;
            }
            if (v == 0) {
                raised[g]++;
            }
            c[idx] = (byte) (v + 1);
            if (v + 1 == COUNTER_MAX) {
                saturated[g]++;
            }
        }
        return generation;
    }

    /** Takes back an {@link #add} of the same key made in generation {@code added}, if it still stands. */
    public void remove(long key, long added) {
        if (added != generation && added != generation - 1) {
            return;
        }
        int g = (int) (added & 1);
        byte[] c = cells[g];
        int h1 = (int) key;
        int h2 = (int) (key >>> 32) | 1;
        for (int i = 0; i < k; i++) {
            int idx = (h1 + i * h2) & mask;
            int v = c[idx] & 0xFF;
            if (v == 0 || v == COUNTER_MAX) {
                continue;
            }
            c[idx] = (byte) (v - 1);
            if (v == 1) {
                raised[g]--;
            }
        }
    }

    /** Ends a window: the older generation is cleared and receives the next additions. */
    public void rotate() {
        generation++;
        int g = (int) (generation & 1);
        Arrays.fill(cells[g], (byte) 0);
        raised[g] = 0;
        saturated[g] = 0;
    }

    /** Non-zero cells in both generations: the load the alarm watches. */
    public int raisedCells() {
        return raised[0] + raised[1];
    }

    public int saturatedCells() {
        return saturated[0] + saturated[1];
    }

    public int cells() {
        return mask + 1;
    }

    public int cellsPerKey() {
        return k;
    }

    public long generation() {
        return generation;
    }
}
