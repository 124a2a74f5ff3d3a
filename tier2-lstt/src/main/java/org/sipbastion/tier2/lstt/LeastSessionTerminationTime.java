package org.sipbastion.tier2.lstt;

import org.sipbastion.tier2.pool.Balancer;
import org.sipbastion.tier2.pool.ProxyPool;
import org.sipbastion.tier2.pool.Rotation;
import org.sipbastion.tier2.pool.SessionTerminationTimes;

/**
 * LSTT (seed 004, section 3.2): a new call goes to the usable proxy with the least expected
 * session-termination time. The paper's formulas were lost; ours, in its M/M/1 view:
 *
 * <ul>
 *   <li><b>Measured</b>: the mean STT S_i = C_i / n_i over proxy i's window (see
 *       {@link SessionTerminationTimes}), its floor F_i (the least sample: network and far end at
 *       their quickest, which no queue adds), and the mean arrival rate lambda_s seen when those
 *       samples were taken. Work is counted in BYE units: a BYE is 1, an INVITE 1.75.
 *   <li><b>Service rate</b>: inverting the M/M/1 mean W = 1 / (mu - lambda) at the time of the
 *       samples, on the part of STT a queue makes: mu_i = lambda_s + 1 / (S_i - F_i) (the excess
 *       taken as at least S_i / 8). Proxies are compared like with like: one with fewer than
 *       {@link #MIN_SAMPLES} young STT samples, while others have them, is given its configured
 *       capacity (calls a second x 2.75 units), or else the mean spare rate of the measured ones per
 *       unit of weight (the benefit of the doubt: it gets calls, and with them samples). With no STT
 *       anywhere (start-up), response times R_i stand in (1 / R_i; forgotten after 60 s without an
 *       answer, so a proxy that once looked slow is tried again); with nothing at all, the least
 *       queued work per unit of weight.
 *   <li><b>Expected STT of a new call</b>: W_i = (Q_i + 1.75) / (mu_i - lambda_s): the work ahead
 *       of it (Q_i, sent to the proxy with no response yet: its queue as we see it) and its own, at
 *       the rate the proxy was seen to have to spare, 1 / (S_i - F_i). Q_i grows with every call
 *       sent and shrinks with every first response, so the calls sent since the last STT sample
 *       count at once and a burst is not herded onto the proxy whose STT was least a moment ago.
 *       Ranking by the spare rate rather than by mu matters when the far end's answer time is large
 *       and variable: S_i - F_i is then alike for all proxies and the rule tends to the least queued
 *       work, where mu = lambda_s + 1 / (S_i - F_i) would favour whichever proxy is busiest.
 *   <li><b>Overload</b>: rho_i = lambda_i / mu_i >= 1 (lambda_i the arrival rate now), or S_i at
 *       or above T1 (500 ms: clients retransmit before the proxy answers). Overloaded proxies are
 *       passed over; when all are, the one with the least rho is chosen and the pool counts an
 *       overloaded choice (an alarm).
 *   <li><b>Probe</b>: a usable proxy that is not overloaded and has had no new work for
 *       {@link #PROBE_NANOS} gets the next call, so its measures stay fresh (one call in 10 s to a
 *       proxy the rule otherwise passes over: on real proxies under CPU quotas, one a second put
 *       enough calls on throttled proxies to set the p99).
 *   <li><b>Ramp-up</b>: for {@link #RAMP_NANOS} after a proxy becomes usable its mu is scaled from
 *       10% to 100%, so a proxy that returns empty is not flooded because its queue looks short.
 * </ul>
 *
 * <p>The first version predicted with the M/M/1 mean, 1 / (mu - lambda) with lambda a 2 s moving
 * rate, and inverted on all of S: the simulation (docs/balancing.md) showed it blind to queues that
 * build within the rate's time constant and biased by the fixed round trip. Hence Q_i, F_i and the
 * spare rate.
 */
public final class LeastSessionTerminationTime implements Balancer {
    /** Young STT samples below which the response time stands in. */
    public static final int MIN_SAMPLES = 8;
    public static final long RAMP_NANOS = 30_000_000_000L;
    /**
     * A usable proxy that has had no new work for this long gets the next call, unless it is
     * overloaded: its measures stay fresh, so one that looked slow once can be seen to have recovered.
     */
    public static final long PROBE_NANOS = 10_000_000_000L;
    private static final double T1_NANOS = 500_000_000.0;
    /** Work units of one call: its INVITE (1.75) and its BYE (1). */
    private static final double UNITS_PER_CALL = 2.75;

    private final Rotation rotation = new Rotation();

    /** Work of the new call itself: an INVITE. */
    private static final double NEW_CALL_WORK = 1.75;

    /** Per proxy, this decision's spare rate and service rate (scratch, reused). */
    private double[] spare = new double[0];
    private double[] service = new double[0];

    @Override
    public int select(ProxyPool pool, long keyHash, long now) {
        int priority = pool.bestPriority();
        if (priority < 0) {
            return -1;
        }
        int n = pool.size();
        if (spare.length != n) {
            spare = new double[n];
            service = new double[n];
        }
        estimate(pool, priority, now);
        int start = rotation.start(n);
        int best = -1;
        double bestW = Double.POSITIVE_INFINITY;
        int probe = -1;
        int leastLoaded = -1;
        double leastRho = Double.POSITIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            int i = (start + k) % n;
            if (!pool.candidate(i, priority)) {
                continue;
            }
            double queued = pool.unansweredWork(i) + NEW_CALL_WORK;
            double rho;
            double w;
            if (Double.isNaN(spare[i])) {
                // Nothing measured anywhere yet: the least queued work per unit of weight.
                rho = 0;
                w = queued / pool.spec(i).weight();
            } else {
                double r = ramp(pool, i, now);
                rho = pool.rate(i, now) / (service[i] * r);
                w = rho < 1 && !sttAtLeastT1(pool, i, now) ? queued / (spare[i] * r) : Double.POSITIVE_INFINITY;
                if (w == Double.POSITIVE_INFINITY) {
                    rho = Math.max(rho, 1);
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
            if (probe < 0 && w < Double.POSITIVE_INFINITY && now - pool.lastSent(i) >= PROBE_NANOS) {
                probe = i;
            }
        }
        if (probe >= 0) {
            return probe;
        }
        if (best >= 0) {
            return best;
        }
        pool.overloadedChoice();
        return leastLoaded;
    }

    /**
     * Fills {@link #spare} and {@link #service} for the candidates, comparing like with like: a
     * proxy with enough STT samples is judged by its STT; one without, while others have STT, by its
     * configured capacity or else by the mean of theirs per unit of weight (the benefit of the doubt,
     * so it gets calls and samples, rather than a response time that no floor corrects); with no STT
     * anywhere, by response times, the proxies without one getting the mean of the others'; with no
     * response time anywhere either (start-up, or a minute without answers), by the load the agents
     * report (mu = tps / cpu, spare = mu (1 - cpu)); without reports, by the round trips of the
     * gateway's OPTIONS probes, the same way.
     */
    private void estimate(ProxyPool pool, int priority, long now) {
        SessionTerminationTimes stt = pool.stt();
        double sttSum = 0;
        int sttCount = 0;
        double rSum = 0;
        int rCount = 0;
        double pSum = 0;
        int pCount = 0;
        double wSum = 0;
        int wCount = 0;
        double capacitySum = 0;
        int capacityCount = 0;
        for (int i = 0; i < pool.size(); i++) {
            spare[i] = Double.NaN;
            service[i] = Double.NaN;
            if (!pool.candidate(i, priority)) {
                continue;
            }
            if (pool.spec(i).capacity() > 0) {
                capacitySum += pool.spec(i).capacity() * UNITS_PER_CALL / pool.spec(i).weight();
                capacityCount++;
            }
            if (stt.samples(i, now) >= MIN_SAMPLES) {
                spare[i] = sttSpareRate(stt, i, now);
                service[i] = stt.meanRate(i, now) + spare[i];
                sttSum += spare[i] / pool.spec(i).weight();
                sttCount++;
            } else if (!Double.isNaN(pool.responseTime(i, now))) {
                rSum += 1e9 / Math.max(1, pool.responseTime(i, now)) / pool.spec(i).weight();
                rCount++;
            } else if (!Double.isNaN(pool.reportedServiceRate(i, now))) {
                wSum += reportedSpare(pool, i, now) / pool.spec(i).weight();
                wCount++;
            } else if (!Double.isNaN(pool.probeRoundTrip(i, now))) {
                pSum += 1e9 / Math.max(1, pool.probeRoundTrip(i, now)) / pool.spec(i).weight();
                pCount++;
            }
        }
        for (int i = 0; i < pool.size(); i++) {
            if (!pool.candidate(i, priority) || !Double.isNaN(spare[i])) {
                continue;
            }
            double weight = pool.spec(i).weight();
            double capacity = pool.spec(i).capacity() * UNITS_PER_CALL;
            double lambda = pool.rate(i, now);
            if (capacity > 0) {
                service[i] = capacity;
                spare[i] = Math.max(capacity - lambda, 0.05 * capacity);
            } else if (sttCount > 0) {
                spare[i] = sttSum / sttCount * weight;
                service[i] = lambda + spare[i];
            } else if (rCount > 0) {
                double r = pool.responseTime(i, now);
                spare[i] = Double.isNaN(r) ? rSum / rCount * weight : 1e9 / Math.max(1, r);
                service[i] = lambda + spare[i];
            } else if (wCount > 0) {
                double m = pool.reportedServiceRate(i, now);
                spare[i] = Double.isNaN(m) ? wSum / wCount * weight : reportedSpare(pool, i, now);
                service[i] = Double.isNaN(m) ? lambda + spare[i] : m;
            } else if (pCount > 0) {
                double p = pool.probeRoundTrip(i, now);
                spare[i] = Double.isNaN(p) ? pSum / pCount * weight : 1e9 / Math.max(1, p);
                service[i] = lambda + spare[i];
            } else if (capacityCount > 0) {
                // Others have a configured capacity and this one has none: theirs, per unit of weight,
                // so that all are scored on one scale.
                service[i] = capacitySum / capacityCount * weight;
                spare[i] = Math.max(service[i] - lambda, 0.05 * service[i]);
            }
        }
    }

    /**
     * mu_i from proxy {@code i}'s own measures, work units a second (before ramp-up); NaN when it
     * has none yet.
     */
    public static double measuredServiceRate(ProxyPool pool, int i, long now) {
        SessionTerminationTimes stt = pool.stt();
        if (stt.samples(i, now) >= MIN_SAMPLES) {
            return stt.meanRate(i, now) + sttSpareRate(stt, i, now);
        }
        double r = pool.responseTime(i, now);
        if (!Double.isNaN(r)) {
            return pool.rate(i, now) + 1e9 / Math.max(1, r);
        }
        double capacity = pool.spec(i).capacity();
        if (capacity > 0) {
            return capacity * UNITS_PER_CALL;
        }
        double reported = pool.reportedServiceRate(i, now);
        if (!Double.isNaN(reported)) {
            return reported;
        }
        double p = pool.probeRoundTrip(i, now);
        return Double.isNaN(p) ? Double.NaN : pool.rate(i, now) + 1e9 / Math.max(1, p);
    }

    /** The spare rate a report implies: mu_i less what it handles (tps), at least 5 % of mu_i. */
    private static double reportedSpare(ProxyPool pool, int i, long now) {
        double mu = pool.reportedServiceRate(i, now);
        return Math.max(mu * (1 - pool.workload(i, now).cpu()), 0.05 * mu);
    }

    /**
     * What proxy {@code i} can still take, work units a second: 1 / (S_i - F_i), M/M/1's mu - lambda
     * at the time of the samples, from STT; else {@code mu} less the arrival rate now (at least 5% of mu).
     */
    static double spareRate(ProxyPool pool, int i, long now, double mu) {
        // mu is only needed when the proxy has too few STT samples.
        SessionTerminationTimes stt = pool.stt();
        if (stt.samples(i, now) >= MIN_SAMPLES) {
            return sttSpareRate(stt, i, now);
        }
        return Math.max(mu - pool.rate(i, now), 0.05 * mu);
    }

    /** 1 / (S_i - F_i) in work units a second, the excess taken as at least S_i / 8; the caller checked the samples. */
    private static double sttSpareRate(SessionTerminationTimes stt, int i, long now) {
        double mean = stt.mean(i, now);
        return 1e9 / Math.max(1, Math.max(mean - stt.floor(i, now), mean / 8));
    }

    /** Expected STT of a new call on proxy {@code i} now, in nanoseconds (NaN when unknown). */
    public static double expected(ProxyPool pool, int i, long now) {
        double m = measuredServiceRate(pool, i, now);
        if (Double.isNaN(m)) {
            return Double.NaN;
        }
        return 1e9 * (pool.unansweredWork(i) + NEW_CALL_WORK) / (spareRate(pool, i, now, m) * ramp(pool, i, now));
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
