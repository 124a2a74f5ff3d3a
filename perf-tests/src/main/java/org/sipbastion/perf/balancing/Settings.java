package org.sipbastion.perf.balancing;

/**
 * How a run is simulated, apart from the farm, the algorithm and the offered rate.
 *
 * @param warmupSeconds       simulated time before measuring (active dialogs build up with the
 *                            60 s hold time: 98 % of steady state after 240 s)
 * @param measureSeconds      the measured period: calls arriving in it are the ones counted
 * @param holdSeconds         mean call hold time (exponential)
 * @param queueLimit          a proxy answers a new INVITE 503 at once when it holds this many jobs
 *                            (in service and waiting); BYEs are always queued
 * @param oneWayDelayMillis   constant network delay gateway to proxy, and back
 * @param trying              whether a proxy's 100 Trying reaches the gateway when it starts an INVITE
 * @param pendingTransactions size of the pool's transaction table
 * @param farEndMillis        mean of the far end's answer to a BYE (exponential), added to its STT; 0: at once
 */
record Settings(double warmupSeconds, double measureSeconds, double holdSeconds, int queueLimit,
                double oneWayDelayMillis, boolean trying, int pendingTransactions, double farEndMillis) {
    /** RFC 3261 Timer B (64 x T1): the caller gives up on an INVITE unanswered this long. */
    static final long TIMER_B_NANOS = 32_000_000_000L;

    /**
     * Outstanding transactions are at most every transaction sent within Timer B: 1,500 calls/s x 2
     * transactions x 32 s = 96,000; the table gets 2.7x that, a power of two, so its 8-slot probe
     * runs stay short and nothing is evicted.
     */
    static final int PENDING = 1 << 18;

    static final Settings FULL = new Settings(240, 300, 60, 1000, 0.5, true, PENDING, 0);
    static final Settings QUICK = new Settings(90, 60, 60, 1000, 0.5, true, PENDING, 0);

    long warmupNanos() {
        return (long) (warmupSeconds * 1e9);
    }

    long measureNanos() {
        return (long) (measureSeconds * 1e9);
    }

    long delayNanos() {
        return (long) (oneWayDelayMillis * 1e6);
    }

    Settings withTimes(double warmup, double measure) {
        return new Settings(warmup, measure, holdSeconds, queueLimit, oneWayDelayMillis, trying, pendingTransactions,
            farEndMillis);
    }

    Settings withQueueLimit(int limit) {
        return new Settings(warmupSeconds, measureSeconds, holdSeconds, limit, oneWayDelayMillis, trying,
            pendingTransactions, farEndMillis);
    }

    Settings withTrying(boolean value) {
        return new Settings(warmupSeconds, measureSeconds, holdSeconds, queueLimit, oneWayDelayMillis, value,
            pendingTransactions, farEndMillis);
    }

    Settings withFarEnd(double millis) {
        return new Settings(warmupSeconds, measureSeconds, holdSeconds, queueLimit, oneWayDelayMillis, trying,
            pendingTransactions, millis);
    }
}
