package org.sipbastion.perf.detection;

import java.util.SplittableRandom;

/**
 * The random delays of the traffic model, in nanoseconds. One seeded generator drives them all, so a
 * run is repeated exactly by its seed.
 */
final class Timing {
    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;
    private static final long ANSWER_MEAN = 5 * S;
    /** No caller waits longer than this for an answer (a typical no-answer timer). */
    private static final long ANSWER_CAP = 60 * S;
    private static final long HOLD_MEAN = 60 * S;

    private final SplittableRandom random;

    Timing(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Time to the next call of a Poisson stream of {@code perSecond} calls. */
    long arrivalGap(double perSecond) {
        return exponential(S / perSecond);
    }

    /** Ringing until the callee answers or declines, or until the caller gives up (CANCEL). */
    long answerDelay() {
        return Math.min(exponential(ANSWER_MEAN), ANSWER_CAP);
    }

    long holdTime() {
        return exponential(HOLD_MEAN);
    }

    /** A UA's turnaround on the same connection: ACK after a final response, a re-sent INVITE. */
    long fewMs() {
        return 2 * MS + random.nextLong(18 * MS);
    }

    /** A request's round trip through the proxy to the far end and back: a BYE's 200. */
    long someMs() {
        return 10 * MS + random.nextLong(90 * MS);
    }

    double uniform() {
        return random.nextDouble();
    }

    int below(int bound) {
        return random.nextInt(bound);
    }

    private long exponential(double mean) {
        return (long) (-mean * Math.log(1 - random.nextDouble()));
    }
}
