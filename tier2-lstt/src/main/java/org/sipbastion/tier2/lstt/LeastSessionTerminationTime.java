package org.sipbastion.tier2.lstt;

import org.sipbastion.tier2.pool.Balancer;
import org.sipbastion.tier2.pool.ProxyPool;
import org.sipbastion.tier2.pool.SessionTerminationTimes;

/**
 * LSTT (seed 004, section 3.2): a new call goes to the usable proxy with the least expected
 * session-termination time. The paper's formulas were lost; ours, in its M/M/1 view:
 *
 * <ul>
 *   <li><b>Measured</b>: the mean STT S_i = C_i / n_i over proxy i's window (see
 *       {@link SessionTerminationTimes}), and with it the mean arrival rate lambda_s seen when those
 *       samples were taken. Rates count work units a second: a BYE is 1, an INVITE 1.75.
 *   <li><b>Service rate</b>: inverting W = 1 / (mu - lambda) at the time of the samples,
 *       mu_i = lambda_s + 1 / S_i. With fewer than {@link #MIN_SAMPLES} young samples the proxy's
 *       own response time R_i stands in for S_i (OPTIONS probes and every answered transaction feed
 *       it); with neither, the configured capacity (calls a second x 2.75 units); with none of these,
 *       the mean of the measured proxies per unit of weight.
 *   <li><b>Expected STT now</b>: W_i = 1 / (mu_i - lambda_i) with lambda_i the arrival rate now,
 *       which every call sent raises at once: the calls sent since the last sample are counted, so
 *       the minimum does not herd a burst onto one proxy while its STT is stale.
 *   <li><b>Overload</b>: rho_i = lambda_i / mu_i >= 1, or S_i at or above T1 (500 ms: the client
 *       retransmits before the proxy answers). Overloaded proxies are passed over; when all are,
 *       the one with the least rho is chosen and the pool counts an overloaded choice (an alarm).
 *   <li><b>Ramp-up</b>: for {@link #RAMP_NANOS} after a proxy becomes usable its mu is scaled from
 *       10% to 100%, so a proxy that returns empty is not flooded because its queue looks short.
 * </ul>
 *
 * <p>STT includes the far end's answer to the BYE (network and callee), which is the same for
 * every proxy on average. Where it dominates, mu is underestimated for all proxies alike and LSTT
 * tends to spreading by arrival rate, which is right when the proxies are not the bottleneck.
 */
public final class LeastSessionTerminationTime implements Balancer {
    /** Young STT samples below which the response time stands in. */
    public static final int MIN_SAMPLES = 8;
    public static final long RAMP_NANOS = 30_000_000_000L;
    private static final double T1_NANOS = 500_000_000.0;
    /** Work units of one call: its INVITE (1.75) and its BYE (1). */
    private static final double UNITS_PER_CALL = 2.75;

    private int cursor;

    @Override
    public int select(ProxyPool pool, long keyHash, long now) {
        int priority = pool.bestPriority();
        if (priority < 0) {
            return -1;
        }
        // Service rate per unit of weight among measured candidates: the estimate for unmeasured ones.
        double measuredPerWeight = 0;
        int measured = 0;
        for (int i = 0; i < pool.size(); i++) {
            if (pool.candidate(i, priority)) {
                double m = measuredServiceRate(pool, i, now);
                if (!Double.isNaN(m)) {
                    measuredPerWeight += m / pool.spec(i).weight();
                    measured++;
                }
            }
        }
        measuredPerWeight = measured == 0 ? Double.NaN : measuredPerWeight / measured;

        int n = pool.size();
        int start = cursor++ % n;
        if (cursor < 0) {
            cursor = 0;
        }
        int best = -1;
        double bestW = Double.POSITIVE_INFINITY;
        int leastLoaded = -1;
        double leastRho = Double.POSITIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            int i = (start + k) % n;
            if (!pool.candidate(i, priority)) {
                continue;
            }
            double lambda = pool.rate(i, now);
            double m = measuredServiceRate(pool, i, now);
            if (Double.isNaN(m)) {
                m = Double.isNaN(measuredPerWeight) ? Double.NaN : measuredPerWeight * pool.spec(i).weight();
            }
            double rho;
            double w;
            if (Double.isNaN(m)) {
                // Nothing measured anywhere yet: spread by arrival rate per unit of weight.
                rho = 0;
                w = lambda / pool.spec(i).weight();
            } else {
                m *= ramp(pool, i, now);
                rho = lambda / m;
                w = rho < 1 ? 1 / (m - lambda) : Double.POSITIVE_INFINITY;
                if (sttAtLeastT1(pool, i, now)) {
                    rho = Math.max(rho, 1);
                    w = Double.POSITIVE_INFINITY;
                }
            }
            if (w < bestW) {
                best = i;
                bestW = w;
            }
            if (rho < leastRho || leastLoaded < 0) {
                leastLoaded = i;
                leastRho = rho;
            }
        }
        if (best >= 0) {
            return best;
        }
        pool.overloadedChoice();
        return leastLoaded;
    }

    /**
     * mu_i from proxy {@code i}'s own measures, work units a second (before ramp-up); NaN when it
     * has none yet.
     */
    public static double measuredServiceRate(ProxyPool pool, int i, long now) {
        SessionTerminationTimes stt = pool.stt();
        if (stt.samples(i, now) >= MIN_SAMPLES) {
            return stt.meanRate(i, now) + 1e9 / Math.max(1, stt.mean(i, now));
        }
        double r = pool.responseTime(i);
        if (!Double.isNaN(r)) {
            return pool.rate(i, now) + 1e9 / Math.max(1, r);
        }
        double capacity = pool.spec(i).capacity();
        return capacity > 0 ? capacity * UNITS_PER_CALL : Double.NaN;
    }

    /** Expected STT of proxy {@code i} now, in nanoseconds (infinite when overloaded, NaN when unknown). */
    public static double expected(ProxyPool pool, int i, long now) {
        double m = measuredServiceRate(pool, i, now);
        if (Double.isNaN(m)) {
            return Double.NaN;
        }
        m *= ramp(pool, i, now);
        double lambda = pool.rate(i, now);
        return lambda < m ? 1e9 / (m - lambda) : Double.POSITIVE_INFINITY;
    }

    private static boolean sttAtLeastT1(ProxyPool pool, int i, long now) {
        SessionTerminationTimes stt = pool.stt();
        return stt.samples(i, now) >= MIN_SAMPLES && stt.mean(i, now) >= T1_NANOS;
    }

    private static double ramp(ProxyPool pool, int i, long now) {
        long up = now - pool.usableSince(i);
        return up >= RAMP_NANOS ? 1 : 0.1 + 0.9 * Math.max(0, up) / RAMP_NANOS;
    }

    @Override
    public String name() {
        return "lstt";
    }
}
