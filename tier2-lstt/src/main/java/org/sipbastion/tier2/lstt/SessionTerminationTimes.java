package org.sipbastion.tier2.lstt;

/**
 * The session-termination time (STT) of each proxy, the measure LSTT balances on (seed 004,
 * section 3.2): from forwarding a BYE to the proxy to receiving the BYE's final response. It takes
 * the proxy's queueing and processing and the far end's answer to the BYE, so it rises when the
 * proxy is loaded, and also when the callees behind it answer slowly.
 *
 * <p>The paper's formulas were lost; ours: per proxy a ring of the last {@code window} samples, each
 * with the time it was taken. The estimate is the mean over the samples no older than
 * {@code maxAgeNanos}: STT_i = C_i / n_i with C_i their sum and n_i their count. A new sample
 * replaces the oldest (the update rule). With no sample young enough the estimate is unknown (NaN),
 * and the caller falls back on another signal (OPTIONS round trip, reported workload).
 *
 * <p>Fixed arrays, no allocation per sample. Not thread-safe: one per event loop.
 */
public final class SessionTerminationTimes {
    private final int window;
    private final long maxAgeNanos;
    private final long[][] stt;
    private final long[][] takenAt;
    /** Where each proxy's next sample goes, and how many of its slots hold one. */
    private final int[] next;
    private final int[] filled;
    private final long[] total;

    /**
     * @param proxies     how many proxies (indexes 0 to proxies - 1)
     * @param window      K: samples kept per proxy
     * @param maxAgeNanos T: samples older than this do not count
     */
    public SessionTerminationTimes(int proxies, int window, long maxAgeNanos) {
        if (proxies < 1 || window < 1 || maxAgeNanos <= 0) {
            throw new IllegalArgumentException("need proxies >= 1, window >= 1, max age > 0");
        }
        this.window = window;
        this.maxAgeNanos = maxAgeNanos;
        this.stt = new long[proxies][window];
        this.takenAt = new long[proxies][window];
        this.next = new int[proxies];
        this.filled = new int[proxies];
        this.total = new long[proxies];
    }

    /** One BYE of proxy {@code proxy} took {@code nanos} to its final response, observed at {@code now}. */
    public void record(int proxy, long nanos, long now) {
        int i = next[proxy];
        stt[proxy][i] = Math.max(0, nanos);
        takenAt[proxy][i] = now;
        next[proxy] = (i + 1) % window;
        filled[proxy] = Math.min(filled[proxy] + 1, window);
        total[proxy]++;
    }

    /** STT_i = C_i / n_i over the samples no older than the maximum age, in nanoseconds; NaN without any. */
    public double mean(int proxy, long now) {
        long sum = 0;
        int n = 0;
        int kept = filled[proxy];
        for (int i = 0; i < kept; i++) {
            if (now - takenAt[proxy][i] <= maxAgeNanos) {
                sum += stt[proxy][i];
                n++;
            }
        }
        return n == 0 ? Double.NaN : (double) sum / n;
    }

    /** n_i: the samples the mean rests on now. */
    public int samples(int proxy, long now) {
        int n = 0;
        int kept = filled[proxy];
        for (int i = 0; i < kept; i++) {
            if (now - takenAt[proxy][i] <= maxAgeNanos) {
                n++;
            }
        }
        return n;
    }

    /** Samples ever taken for {@code proxy}. */
    public long total(int proxy) {
        return total[proxy];
    }

    public int proxies() {
        return next.length;
    }
}
