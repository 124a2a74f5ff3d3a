package org.sipbastion.tier2.pool;

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
 * and the caller falls back on another signal (response time, configured capacity).
 *
 * <p>C_i and n_i are kept as running sums: a sample is added when taken and subtracted when it
 * leaves the window (replaced, or too old), so a query costs O(1) however large K is. Samples must
 * be recorded in time order and queried with a clock that does not go back. Fixed arrays, no
 * allocation. Not thread-safe: one per event loop.
 */
public final class SessionTerminationTimes {
    private final int window;
    private final long maxAgeNanos;
    private final long[][] stt;
    private final long[][] takenAt;
    /** The proxy's arrival rate when each sample was taken (for the M/M/1 inversion). */
    private final double[][] rateAt;
    /** Where each proxy's next sample goes, and how many samples before it are still in the window. */
    private final int[] next;
    private final int[] young;
    private final long[] sum;
    private final double[] rateSum;
    private final long[] total;
    /** The least young sample, recomputed only after the window changed. */
    private final long[] floor;
    private final boolean[] floorStale;

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
        this.rateAt = new double[proxies][window];
        this.next = new int[proxies];
        this.young = new int[proxies];
        this.sum = new long[proxies];
        this.rateSum = new double[proxies];
        this.total = new long[proxies];
        this.floor = new long[proxies];
        this.floorStale = new boolean[proxies];
        java.util.Arrays.fill(floorStale, true);
    }

    /** One BYE of proxy {@code proxy} took {@code nanos} to its final response, observed at {@code now}. */
    public void record(int proxy, long nanos, long now) {
        record(proxy, nanos, now, 0);
    }

    /** As {@link #record(int, long, long)}, with the proxy's arrival rate at the time (work units a second). */
    public void record(int proxy, long nanos, long now, double rate) {
        age(proxy, now);
        int i = next[proxy];
        if (young[proxy] == window) {
            // The ring is full of young samples: the one overwritten leaves the sums.
            sum[proxy] -= stt[proxy][i];
            rateSum[proxy] -= rateAt[proxy][i];
            young[proxy]--;
            floorStale[proxy] = true;
        }
        long v = Math.max(0, nanos);
        stt[proxy][i] = v;
        takenAt[proxy][i] = now;
        rateAt[proxy][i] = rate;
        sum[proxy] += v;
        rateSum[proxy] += rate;
        young[proxy]++;
        next[proxy] = (i + 1) % window;
        total[proxy]++;
        floorStale[proxy] = true;
    }

    /** STT_i = C_i / n_i over the samples no older than the maximum age, in nanoseconds; NaN without any. */
    public double mean(int proxy, long now) {
        age(proxy, now);
        int n = young[proxy];
        return n == 0 ? Double.NaN : (double) sum[proxy] / n;
    }

    /** The mean arrival rate recorded with the samples the mean rests on; NaN without any. */
    public double meanRate(int proxy, long now) {
        age(proxy, now);
        int n = young[proxy];
        return n == 0 ? Double.NaN : Math.max(0, rateSum[proxy] / n);
    }

    /**
     * The least of the young samples, nanoseconds (-1 without any): the part of STT that no queue
     * adds, the network and the far end at their quickest. Recomputed (O(K)) only after the window
     * changed, so reading it is O(1) between samples.
     */
    public long floor(int proxy, long now) {
        age(proxy, now);
        if (floorStale[proxy]) {
            long min = -1;
            for (int k = 0, i = Math.floorMod(next[proxy] - young[proxy], window); k < young[proxy]; k++, i = (i + 1) % window) {
                if (min < 0 || stt[proxy][i] < min) {
                    min = stt[proxy][i];
                }
            }
            floor[proxy] = min;
            floorStale[proxy] = false;
        }
        return floor[proxy];
    }

    /** n_i: the samples the mean rests on now. */
    public int samples(int proxy, long now) {
        age(proxy, now);
        return young[proxy];
    }

    /** Samples ever taken for {@code proxy}. */
    public long total(int proxy) {
        return total[proxy];
    }

    /** Forgets every sample of {@code proxy}: its slot now holds another proxy. */
    public void clear(int proxy) {
        java.util.Arrays.fill(stt[proxy], 0);
        java.util.Arrays.fill(takenAt[proxy], 0);
        java.util.Arrays.fill(rateAt[proxy], 0);
        next[proxy] = 0;
        young[proxy] = 0;
        sum[proxy] = 0;
        rateSum[proxy] = 0;
        total[proxy] = 0;
        floor[proxy] = 0;
        floorStale[proxy] = true;
    }

    public int proxies() {
        return next.length;
    }

    /** Drops the oldest young samples that are now older than T. */
    private void age(int proxy, long now) {
        while (young[proxy] > 0) {
            int oldest = Math.floorMod(next[proxy] - young[proxy], window);
            if (now - takenAt[proxy][oldest] <= maxAgeNanos) {
                return;
            }
            sum[proxy] -= stt[proxy][oldest];
            rateSum[proxy] -= rateAt[proxy][oldest];
            young[proxy]--;
            floorStale[proxy] = true;
        }
        if (young[proxy] == 0) {
            rateSum[proxy] = 0; // no float residue carried into the next window
        }
    }
}
