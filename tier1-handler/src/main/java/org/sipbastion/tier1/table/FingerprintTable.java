package org.sipbastion.tier1.table;

/**
 * A fixed-capacity index from 64-bit fingerprints to slot numbers. The owner keeps the state of each
 * entry (per source, per transaction, per dialog) in its own arrays indexed by slot, so an entry is a
 * row of primitives, not an object.
 *
 * <p>Set-associative: a fingerprint lives in one of {@link #WAYS} slots of its bucket. When they are
 * all taken, the slot of lowest rank used least recently is handed to the newcomer: an attacker with
 * endless source addresses churns the table but cannot grow it, the entries that keep being used
 * (real users, active offenders) stay, and so do entries the owner ranked higher (a confirmed dialog
 * is idle for minutes, yet must outlive a flood of INVITEs that will never be answered).
 *
 * <p>Fingerprint 0 marks a free slot; callers' fingerprints are remapped so 0 never collides. Times
 * are the caller's clock (capture time in replay). Not thread-safe: one per event loop.
 */
public final class FingerprintTable {
    public static final int WAYS = 8;

    private final long[] keys;
    private final long[] lastUsed;
    private final byte[] rank;
    private final int bucketMask;
    private long evictions;

    /** @param capacity entries; rounded up to a power of two, at least {@link #WAYS} */
    public FingerprintTable(int capacity) {
        if (capacity < 1 || capacity > (1 << 28)) {
            throw new IllegalArgumentException("table capacity must be 1 to 2^28, not " + capacity);
        }
        int slots = Math.max(WAYS, Integer.highestOneBit(capacity - 1) << 1);
        keys = new long[slots];
        lastUsed = new long[slots];
        rank = new byte[slots];
        bucketMask = slots / WAYS - 1;
    }

    public int capacity() {
        return keys.length;
    }

    /** The slot holding {@code fingerprint}, or -1; a hit counts as a use at {@code now}. */
    public int find(long fingerprint, long now) {
        long k = nonZero(fingerprint);
        int base = bucket(k);
        for (int i = base; i < base + WAYS; i++) {
            if (keys[i] == k) {
                lastUsed[i] = now;
                return i;
            }
        }
        return -1;
    }

    /**
     * A slot for a fingerprint that {@link #find} did not find: a free one of its bucket, else the
     * one of lowest rank used least recently (its previous entry is gone; the owner overwrites its
     * state). The new entry has rank 0.
     */
    public int insert(long fingerprint, long now) {
        long k = nonZero(fingerprint);
        int base = bucket(k);
        int victim = base;
        for (int i = base; i < base + WAYS; i++) {
            if (keys[i] == 0) {
                victim = i;
                break;
            }
            if (rank[i] < rank[victim] || rank[i] == rank[victim] && lastUsed[i] < lastUsed[victim]) {
                victim = i;
            }
        }
        if (keys[victim] != 0) {
            evictions++;
        }
        keys[victim] = k;
        lastUsed[victim] = now;
        rank[victim] = 0;
        return victim;
    }

    /** Entries of higher rank are evicted only when a bucket holds nothing of lower rank. */
    public void rank(int slot, int value) {
        rank[slot] = (byte) value;
    }

    /** Frees a slot (its state is dead; the owner need not clear it, insert hands it out fresh). */
    public void remove(int slot) {
        keys[slot] = 0;
        lastUsed[slot] = 0;
        rank[slot] = 0;
    }

    /** Empties the table (its arrays stay). */
    public void clear() {
        java.util.Arrays.fill(keys, 0);
        java.util.Arrays.fill(lastUsed, 0);
        java.util.Arrays.fill(rank, (byte) 0);
    }

    public boolean occupied(int slot) {
        return keys[slot] != 0;
    }

    /** When the slot was last found or inserted. */
    public long lastUsed(int slot) {
        return lastUsed[slot];
    }

    /** Entries pushed out by newcomers since creation: a table under pressure shows here. */
    public long evictions() {
        return evictions;
    }

    /** Occupied slots (a full scan: for reports, not the hot path). */
    public int size() {
        int n = 0;
        for (long k : keys) {
            if (k != 0) {
                n++;
            }
        }
        return n;
    }

    private int bucket(long k) {
        // High bits pick the bucket: callers' fingerprints are mixed, and low bits stay free for them.
        return ((int) (k >>> 32) & bucketMask) * WAYS;
    }

    private static long nonZero(long fingerprint) {
        return fingerprint == 0 ? 0x5bd1e9955bd1e995L : fingerprint;
    }
}
