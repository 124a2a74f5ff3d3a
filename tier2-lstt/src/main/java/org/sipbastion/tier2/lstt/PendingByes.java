package org.sipbastion.tier2.lstt;

/**
 * The BYEs forwarded and not yet answered: which proxy each went to and when, keyed by the BYE
 * transaction (a hash of its Call-ID and CSeq number, computed by the caller), so that its final
 * response gives one session-termination time. A fixed open-addressing table: when full, a new BYE
 * takes the slot of the oldest in its probe run, and an answer that finds nothing gives no sample;
 * a retransmitted BYE does not restart its clock. Not thread-safe: one per event loop.
 */
public final class PendingByes {
    private static final int PROBES = 8;
    private final long[] keys;
    private final int[] proxy;
    private final long[] sentAt;
    private final int mask;
    private long overwritten;

    /** @param capacity slots, rounded up to a power of two */
    public PendingByes(int capacity) {
        int n = Integer.highestOneBit(Math.max(PROBES, capacity) - 1) << 1;
        keys = new long[n];
        proxy = new int[n];
        sentAt = new long[n];
        mask = n - 1;
    }

    /** A BYE with transaction key {@code key} forwarded to {@code proxyIndex} at {@code now}. */
    public void sent(long key, int proxyIndex, long now) {
        long k = key == 0 ? 1 : key;
        int base = (int) (k ^ (k >>> 32)) & mask;
        int victim = -1;
        for (int i = 0; i < PROBES; i++) {
            int s = (base + i) & mask;
            if (keys[s] == k) {
                return; // a retransmission: the first send is the start (answered slots leave holes: look at all)
            }
            if (keys[s] == 0) {
                if (victim < 0 || keys[victim] != 0) {
                    victim = s;
                }
            } else if (victim < 0 || keys[victim] != 0 && sentAt[s] < sentAt[victim]) {
                victim = s;
            }
        }
        if (keys[victim] != 0) {
            overwritten++;
        }
        keys[victim] = k;
        proxy[victim] = proxyIndex;
        sentAt[victim] = now;
    }

    /**
     * The final response of BYE {@code key} arrived from proxy {@code proxyIndex} at {@code now}: its
     * STT in nanoseconds, the entry removed; -1 when no such BYE is pending for that proxy.
     */
    public long answered(long key, int proxyIndex, long now) {
        long k = key == 0 ? 1 : key;
        int base = (int) (k ^ (k >>> 32)) & mask;
        for (int i = 0; i < PROBES; i++) {
            int s = (base + i) & mask;
            if (keys[s] == k) {
                if (proxy[s] != proxyIndex) {
                    return -1;
                }
                keys[s] = 0;
                return now - sentAt[s];
            }
        }
        return -1;
    }

    /** BYEs forgotten because the table was full around them. */
    public long overwritten() {
        return overwritten;
    }
}
