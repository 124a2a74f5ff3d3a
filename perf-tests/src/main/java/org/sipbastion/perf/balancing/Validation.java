package org.sipbastion.perf.balancing;

import org.sipbastion.perf.sim.EventQueue;

import java.util.Locale;
import java.util.SplittableRandom;
import org.sipbastion.tier2.balance.Algorithm;

/**
 * Checks of the simulator against queueing theory.
 *
 * <ul>
 *   <li>{@link #mm1}: the event queue, the FIFO server and the exponential draws alone: Poisson jobs
 *       at lambda into one server of exponential service at mu; the mean sojourn must be
 *       1 / (mu - lambda).
 *   <li>{@link #singleProxy}: the whole call model through the gateway and the real pool with one
 *       proxy: INVITEs arrive as a Poisson process and BYEs, displaced from them by exponential
 *       hold times, are (in steady state) another Poisson stream of the same rate, so the proxy is an
 *       M/G/1 queue whose service time is INVITE or BYE with equal odds. Pollaczek-Khinchine gives
 *       the mean wait, W_q = Lambda E[S^2] / (2 (1 - rho)) with Lambda = 2 lambda, and the mean INVITE
 *       response is W_q + E[S_INVITE] + the round-trip network delay.
 * </ul>
 */
final class Validation {
    private Validation() {
    }

    /** What was simulated and what theory says, in seconds. */
    record Outcome(String what, double simulated, double expected, long samples) {
        double relativeError() {
            return (simulated - expected) / expected;
        }

        String line() {
            return String.format(Locale.ROOT, "%-44s simulated %10.4f ms  theory %10.4f ms  error %+.2f %%  (%,d samples)",
                what, simulated * 1e3, expected * 1e3, relativeError() * 100, samples);
        }
    }

    /**
     * M/M/1 with arrival rate {@code lambda} and service rate {@code mu} (per second): the mean
     * sojourn of {@code jobs} jobs after the first {@code jobs / 10} (discarded as warm-up).
     * {@code expectedMu} is the service rate theory is told (normally {@code mu}).
     */
    static Outcome mm1(double lambda, double mu, double expectedMu, long jobs, long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom arrivals = root.split();
        SplittableRandom services = root.split();
        long meanGap = Math.round(1e9 / lambda);
        long meanService = Math.round(1e9 / mu);
        EventQueue queue = new EventQueue(1 << 12);
        FifoServer server = new FifoServer();
        final int arrival = 0;
        final int done = 1;
        long skip = jobs / 10;
        long arrived = 0;
        long completed = 0;
        double sum = 0;
        long counted = 0;
        queue.add(CallSimulation.exponential(arrivals, meanGap), EventQueue.event(arrival, 0));
        while (completed < skip + jobs) {
            long now = queue.nextTime();
            long event = queue.poll();
            if (EventQueue.kind(event) == arrival) {
                arrived++;
                // The job is its arrival time.
                if (server.arrive(now)) {
                    queue.add(now + CallSimulation.exponential(services, meanService), EventQueue.event(done, 0));
                }
                queue.add(now + CallSimulation.exponential(arrivals, meanGap), EventQueue.event(arrival, 0));
            } else {
                long job = server.current();
                if (completed >= skip) {
                    sum += now - job;
                    counted++;
                }
                completed++;
                if (server.finish() >= 0) {
                    queue.add(now + CallSimulation.exponential(services, meanService), EventQueue.event(done, 0));
                }
            }
        }
        return new Outcome(String.format(Locale.ROOT, "M/M/1 rho %.2f (mu %.0f/s)", lambda / mu, mu),
            sum / counted / 1e9, 1 / (expectedMu - lambda), counted);
    }

    /**
     * One proxy of {@code capacity} calls/s offered {@code offered} calls/s through the full model
     * (round-robin over one proxy, no queue limit): the simulated mean INVITE response time against
     * Pollaczek-Khinchine.
     */
    static Outcome singleProxy(double capacity, double offered, double warmupSeconds, double measureSeconds,
                               long seed) {
        Farm farm = new Farm("single", new double[] {capacity}, new double[] {1}, new int[] {1});
        Settings settings = Settings.FULL.withTimes(warmupSeconds, measureSeconds).withQueueLimit(Integer.MAX_VALUE);
        Result r = new CallSimulation(Algorithm.ROUND_ROBIN, farm, offered, settings, seed).run();
        double a = farm.inviteSeconds(0);
        double b = farm.byeSeconds(0);
        double jobRate = 2 * offered;
        double rho = offered * (a + b);
        double secondMoment = (2 * a * a + 2 * b * b) / 2; // E[S^2] of an exponential is 2 mean^2
        double wait = jobRate * secondMoment / (2 * (1 - rho));
        double expected = wait + a + 2 * settings.delayNanos() / 1e9;
        return new Outcome(String.format(Locale.ROOT, "one proxy, M/G/1 rho %.2f (%.0f of %.0f calls/s)", rho,
            offered, capacity), r.meanMillis() / 1e3, expected, r.calls() - r.rejected() - r.timeouts());
    }
}
