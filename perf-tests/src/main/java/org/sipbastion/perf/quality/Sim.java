package org.sipbastion.perf.quality;

import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Simulated time for one run: a clock in nanoseconds and the actions due at future times. Equal
 * times run in the order they were scheduled, so a seed repeats a run exactly.
 */
final class Sim {
    static final long MS = 1_000_000L;
    static final long S = 1_000_000_000L;

    private record Due(long time, long order, Runnable action) implements Comparable<Due> {
        @Override
        public int compareTo(Due o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }

    private final PriorityQueue<Due> queue = new PriorityQueue<>();
    final SplittableRandom random;
    private long now;
    private long scheduled;

    Sim(long seed) {
        this.random = new SplittableRandom(seed);
    }

    long now() {
        return now;
    }

    void at(long time, Runnable action) {
        queue.add(new Due(Math.max(time, now), scheduled++, action));
    }

    void after(long delay, Runnable action) {
        at(now + delay, action);
    }

    /** Runs everything due up to {@code end}; the clock then stands at {@code end}. */
    void runUntil(long end) {
        while (!queue.isEmpty() && queue.peek().time <= end) {
            Due d = queue.poll();
            now = d.time;
            d.action.run();
        }
        now = end;
    }

    /** An exponential delay of mean {@code mean} nanoseconds (Poisson arrivals). */
    long exponential(double mean) {
        return (long) (-mean * Math.log(1 - random.nextDouble()));
    }

    double uniform() {
        return random.nextDouble();
    }

    boolean chance(double p) {
        return random.nextDouble() < p;
    }

    int below(int bound) {
        return random.nextInt(bound);
    }
}
