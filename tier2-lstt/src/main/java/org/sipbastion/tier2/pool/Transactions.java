package org.sipbastion.tier2.pool;

/**
 * The transactions forwarded to proxies and not yet finally answered: which proxy, which kind, when
 * sent, whether a provisional response came. A fixed open-addressing table keyed by a transaction
 * key (Call-ID, CSeq number and method, hashed by the caller). It gives each proxy's outstanding
 * transactions and outstanding work, and both are kept by this table alone, on insert, answer,
 * eviction and expiry, so they always equal what the table holds: they cannot drift or go below zero
 * whatever the network repeats, reorders or loses.
 *
 * <p>When full, a new transaction takes the slot of the oldest in its probe run (counted as
 * evicted); a retransmission does not restart its clock; an answer from another proxy than the one
 * the transaction went to is not its answer. Not thread-safe: one per event loop.
 */
public final class Transactions {
    private static final int PROBES = 8;
    /**
     * The slots, one after another, {@link #WIDTH} longs each: the key (0: free), the time sent, and
     * the proxy index (low 32 bits), kind (next 8) and whether a provisional response came (bit 40).
     * One array instead of one per field: a probe run is a few adjacent cache lines, which the
     * lookup before an insert has already brought in.
     */
    private final long[] slots;
    private static final int WIDTH = 3;
    private static final int SENT = 1;
    private static final int META = 2;
    private static final long PROVISIONAL = 1L << 40;
    private final int[] outstanding;
    private final int[] work;
    /** Work of the transactions that have had no response at all yet (still in the proxy's queue). */
    private final int[] unanswered;
    private final int mask;
    private long evicted;

    /**
     * @param capacity slots, rounded up to a power of two
     * @param proxies  proxy indexes 0 to proxies - 1
     */
    public Transactions(int capacity, int proxies) {
        int n = Integer.highestOneBit(Math.max(PROBES, capacity) - 1) << 1;
        slots = new long[n * WIDTH];
        outstanding = new int[proxies];
        work = new int[proxies];
        unanswered = new int[proxies];
        mask = n - 1;
    }

    /** Transaction {@code key} of {@code k} forwarded to {@code proxyIndex} at {@code now}; false for a retransmission. */
    public boolean sent(long key, int proxyIndex, TransactionKind k, long now) {
        long id = key == 0 ? 1 : key;
        int base = slot(id);
        int victim = -1;
        for (int i = 0; i < PROBES; i++) {
            int s = (base + i) & mask;
            long at = slots[s * WIDTH];
            if (at == id) {
                return false; // answered slots leave holes: look at the whole run before taking one
            }
            if (at == 0) {
                if (victim < 0 || slots[victim * WIDTH] != 0) {
                    victim = s;
                }
            } else if (victim < 0 || slots[victim * WIDTH] != 0
                && slots[s * WIDTH + SENT] < slots[victim * WIDTH + SENT]) {
                victim = s;
            }
        }
        int v = victim * WIDTH;
        if (slots[v] != 0) {
            evicted++;
            release(victim);
        }
        slots[v] = id;
        slots[v + SENT] = now;
        slots[v + META] = (long) k.ordinal() << 32 | (proxyIndex & 0xFFFFFFFFL);
        outstanding[proxyIndex]++;
        work[proxyIndex] += k.quarters;
        unanswered[proxyIndex] += k.quarters;
        return true;
    }

    /**
     * The first provisional response of {@code key} from {@code proxyIndex}: the time since it was
     * sent, in nanoseconds; -1 for a later one, or when no such transaction is pending there.
     */
    public long provisional(long key, int proxyIndex, long now) {
        int s = find(key, proxyIndex);
        if (s < 0 || provisional(s)) {
            return -1;
        }
        slots[s * WIDTH + META] |= PROVISIONAL;
        unanswered[proxyIndex] -= kind(s).quarters;
        return now - slots[s * WIDTH + SENT];
    }

    /**
     * The final response of {@code key} from {@code proxyIndex}: the time since it was sent, in
     * nanoseconds, the transaction closed; -1 when no such transaction is pending there (a
     * retransmitted final response, a late one after expiry, or one from another proxy).
     */
    public long completed(long key, int proxyIndex, long now) {
        int s = find(key, proxyIndex);
        if (s < 0) {
            return -1;
        }
        long elapsed = now - slots[s * WIDTH + SENT];
        release(s);
        return elapsed;
    }

    /**
     * Closes every transaction sent before {@code sentBefore} (no final response within the
     * timeout), telling {@code timedOut} each one's proxy and kind; returns how many.
     */
    public int expire(long sentBefore, TimeoutListener timedOut) {
        int n = 0;
        for (int s = 0; s <= mask; s++) {
            if (slots[s * WIDTH] != 0 && slots[s * WIDTH + SENT] - sentBefore < 0) {
                int p = proxy(s);
                TransactionKind k = kind(s);
                release(s);
                n++;
                if (timedOut != null) {
                    timedOut.timedOut(p, k);
                }
            }
        }
        return n;
    }

    /** Whether pending transaction {@code key} of {@code proxyIndex} has had a provisional response. */
    public boolean hadProvisional(long key, int proxyIndex) {
        int s = find(key, proxyIndex);
        return s >= 0 && provisional(s);
    }

    /** The proxy transaction {@code key} was sent to while it awaits its final response, or -1. */
    public int proxyOf(long key) {
        long id = key == 0 ? 1 : key;
        int base = slot(id);
        for (int i = 0; i < PROBES; i++) {
            int s = (base + i) & mask;
            if (slots[s * WIDTH] == id) {
                return proxy(s);
            }
        }
        return -1;
    }

    /** Transactions of {@code proxyIndex} awaiting their final response. */
    public int outstanding(int proxyIndex) {
        return outstanding[proxyIndex];
    }

    /** Their work, in BYE-equivalents (an INVITE counts {@link TransactionKind#INVITE}'s weight). */
    public double work(int proxyIndex) {
        return work[proxyIndex] / 4.0;
    }

    /**
     * The work of {@code proxyIndex}'s transactions with no response at all yet, in BYE-equivalents:
     * what waits in its queue (a proxy answers 100 Trying when it takes an INVITE up).
     */
    public double unansweredWork(int proxyIndex) {
        return unanswered[proxyIndex] / 4.0;
    }

    /** Transactions forgotten because the table was full around them. */
    public long evicted() {
        return evicted;
    }

    private int proxy(int s) {
        return (int) slots[s * WIDTH + META];
    }

    private TransactionKind kind(int s) {
        return TransactionKind.VALUES[(int) (slots[s * WIDTH + META] >>> 32) & 0xFF];
    }

    private boolean provisional(int s) {
        return (slots[s * WIDTH + META] & PROVISIONAL) != 0;
    }

    private void release(int s) {
        int p = proxy(s);
        int q = kind(s).quarters;
        outstanding[p]--;
        work[p] -= q;
        if (!provisional(s)) {
            unanswered[p] -= q;
        }
        slots[s * WIDTH] = 0;
    }

    private int find(long key, int proxyIndex) {
        long id = key == 0 ? 1 : key;
        int base = slot(id);
        for (int i = 0; i < PROBES; i++) {
            int s = (base + i) & mask;
            if (slots[s * WIDTH] == id) {
                return proxy(s) == proxyIndex ? s : -1;
            }
        }
        return -1;
    }

    private int slot(long id) {
        return (int) (id ^ (id >>> 32)) & mask;
    }

    /** Told of each transaction that expired unanswered. */
    @FunctionalInterface
    public interface TimeoutListener {
        void timedOut(int proxyIndex, TransactionKind kind);
    }
}
