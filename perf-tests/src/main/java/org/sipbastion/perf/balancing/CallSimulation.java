package org.sipbastion.perf.balancing;

import org.sipbastion.perf.sim.EventQueue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.sipbastion.tier2.balance.Algorithm;
import org.sipbastion.tier2.lstt.LeastSessionTerminationTime;
import org.sipbastion.tier2.pool.Balancer;
import org.sipbastion.tier2.pool.ProxyPool;
import org.sipbastion.tier2.pool.TransactionKind;

/**
 * One run of the model: Poisson calls at the offered rate through a simulated gateway that chooses
 * each call's proxy with a real tier-2 {@link Balancer} over a real {@link ProxyPool}, and reports to
 * the pool what the gateway's data path reports, in simulated nanoseconds:
 *
 * <ul>
 *   <li>{@code sent} when it forwards a request (INVITE, BYE) to a proxy;
 *   <li>{@code responded} with 100 when the proxy's 100 Trying comes back (the proxy sends it when it
 *       starts processing the INVITE, so it carries the queueing delay), and with 200 or 503 when the
 *       final response comes back;
 *   <li>{@code dialogOpened} when an INVITE's 200 comes back, {@code dialogClosed} when the BYE's 200
 *       does;
 *   <li>{@code expire} once a simulated second.
 * </ul>
 *
 * <p>Transaction keys: call id x 4 + 1 for the INVITE, + 2 for the BYE. ACK is free and not sent.
 * Random streams are split from the seed per purpose (arrivals and hold times, each proxy's service
 * times, the balancer's own), so every algorithm sees the same calls with the same hold times.
 */
final class CallSimulation {
    private static final int ARRIVAL = 0;
    private static final int AT_PROXY = 1;
    private static final int DONE = 2;
    private static final int TRYING = 3;
    private static final int OK = 4;
    private static final int REJECTED = 5;
    private static final int BYE = 6;
    private static final int EXPIRE = 7;

    private final String algorithmName;
    private final Farm farm;
    private final double offered;
    private final Settings settings;
    private final ProxyPool pool;
    private final Balancer balancer;
    private final SplittableRandom arrivals;
    private final SplittableRandom[] service;
    private final FifoServer[] servers;
    private final long[] inviteMean;
    private final long[] byeMean;
    private final long delay;
    private final long farEndMean;
    private final java.util.SplittableRandom farEndRandom;
    private final EventQueue queue = new EventQueue(1 << 12);

    // Per call, indexed by call id.
    private int[] proxyOf;
    private long[] sentAt;
    private long[] holdNanos;

    private final LogHistogram histogram = new LogHistogram();
    private final long[] sharePerProxy;
    private final double[] responseSumPerProxy;
    private final long[] answeredPerProxy;
    private long nextCall;
    private long measuredFrom = -1;
    private long measuredTo = -1;
    private long onTime;
    private long rejected;
    private long overloadedBefore;
    private long overloadedChoices;
    /** LSTT's service-rate estimate of each proxy (work units a second), summed once a measured second. */
    private final double[] estimateSum;
    private final long[] estimateCount;

    CallSimulation(Algorithm algorithm, Farm farm, double offered, Settings settings, long seed) {
        this.farm = farm;
        this.settings = settings;
        this.pool = new ProxyPool(farm.specs(), settings.pendingTransactions(), 0);
        SplittableRandom root = new SplittableRandom(seed);
        this.arrivals = root.split();
        int n = farm.size();
        this.service = new SplittableRandom[n];
        for (int i = 0; i < n; i++) {
            service[i] = root.split();
        }
        this.balancer = algorithm.create(root.nextLong());
        this.servers = new FifoServer[n];
        this.inviteMean = new long[n];
        this.byeMean = new long[n];
        for (int i = 0; i < n; i++) {
            servers[i] = new FifoServer();
            inviteMean[i] = Math.round(farm.inviteSeconds(i) * 1e9);
            byeMean[i] = Math.round(farm.byeSeconds(i) * 1e9);
        }
        this.delay = settings.delayNanos();
        this.farEndMean = Math.round(settings.farEndMillis() * 1e6);
        this.farEndRandom = new java.util.SplittableRandom(0xFA12E5DL);
        this.sharePerProxy = new long[n];
        this.responseSumPerProxy = new double[n];
        this.answeredPerProxy = new long[n];
        this.estimateSum = new double[n];
        this.estimateCount = new long[n];
        int expected = (int) Math.min(Integer.MAX_VALUE - 8,
            offered * (settings.warmupSeconds() + settings.measureSeconds() + 40) * 1.05 + 1024);
        proxyOf = new int[expected];
        sentAt = new long[expected];
        holdNanos = new long[expected];
        this.offered = offered;
        this.algorithmName = algorithm.configName;
    }

    /** Runs warm-up, the measured period, and Timer B + 1 s more so every measured call is settled. */
    Result run() {
        long measureStart = settings.warmupNanos();
        long measureEnd = measureStart + settings.measureNanos();
        long end = measureEnd + Settings.TIMER_B_NANOS + 1_000_000_000L;
        long meanGap = Math.round(1e9 / offered);
        queue.add(exponential(arrivals, meanGap), EventQueue.event(ARRIVAL, 0));
        queue.add(1_000_000_000L, EventQueue.event(EXPIRE, 0));
        while (queue.nextTime() <= end) {
            long now = queue.nextTime();
            long event = queue.poll();
            long subject = EventQueue.subject(event);
            switch (EventQueue.kind(event)) {
                case ARRIVAL -> {
                    if (now >= measureStart && measuredFrom < 0) {
                        measuredFrom = nextCall;
                        overloadedBefore = pool.overloadedChoices();
                    }
                    if (now >= measureEnd && measuredTo < 0) {
                        measuredTo = nextCall;
                        overloadedChoices = pool.overloadedChoices() - overloadedBefore;
                    }
                    arrive(now);
                    queue.add(now + exponential(arrivals, meanGap), EventQueue.event(ARRIVAL, 0));
                }
                case AT_PROXY -> atProxy(subject, now);
                case DONE -> done((int) subject, now);
                case TRYING -> pool.responded(proxyOf[call(subject)], TransactionKind.INVITE, subject, 100, now);
                case OK -> ok(subject, now);
                case REJECTED -> {
                    long call = call(subject);
                    pool.responded(proxyOf[(int) call], TransactionKind.INVITE, subject, 503, now);
                    if (measured(call)) {
                        rejected++;
                    }
                }
                case BYE -> {
                    pool.sent(proxyOf[call(subject)], TransactionKind.BYE, subject, now);
                    queue.add(now + delay, EventQueue.event(AT_PROXY, subject));
                }
                case EXPIRE -> {
                    pool.expire(now);
                    if (now >= measureStart && now < measureEnd) {
                        sampleEstimates(now);
                    }
                    queue.add(now + 1_000_000_000L, EventQueue.event(EXPIRE, 0));
                }
                default -> throw new IllegalStateException("event " + event);
            }
        }
        if (measuredTo < 0) {
            measuredTo = nextCall;
            overloadedChoices = pool.overloadedChoices() - overloadedBefore;
        }
        long calls = measuredFrom < 0 ? 0 : measuredTo - measuredFrom;
        long answered = histogram.count();
        long late = answered - onTime;
        long unanswered = calls - answered - rejected;
        double[] share = new double[farm.size()];
        double[] proxyMean = new double[farm.size()];
        double[] estimated = new double[farm.size()];
        for (int i = 0; i < share.length; i++) {
            estimated[i] = estimateCount[i] == 0 ? Double.NaN : estimateSum[i] / estimateCount[i] / Farm.UNITS_PER_CALL;
            share[i] = calls == 0 ? 0 : (double) sharePerProxy[i] / calls;
            proxyMean[i] = answeredPerProxy[i] == 0 ? Double.NaN : responseSumPerProxy[i] / answeredPerProxy[i] / 1e6;
        }
        return new Result(algorithmName, farm.scenario(), farm.weightsName(), offered, calls,
            histogram.meanMillis(), histogram.quantileMillis(0.99), onTime / settings.measureSeconds(), rejected,
            late + unanswered, share, proxyMean, estimated, overloadedChoices, pool.transactions().evicted());
    }

    /**
     * What LSTT believes each proxy can take ({@link LeastSessionTerminationTime#measuredServiceRate},
     * the pool's measures whichever algorithm runs), for the report: compared with the truth, it shows
     * how well the estimator works in the model.
     */
    private void sampleEstimates(long now) {
        for (int i = 0; i < farm.size(); i++) {
            double m = LeastSessionTerminationTime.measuredServiceRate(pool, i, now);
            if (Double.isFinite(m)) {
                estimateSum[i] += m;
                estimateCount[i]++;
            }
        }
    }

    private void arrive(long now) {
        int call = (int) nextCall++;
        if (call == proxyOf.length) {
            int bigger = call + (call >> 1);
            proxyOf = Arrays.copyOf(proxyOf, bigger);
            sentAt = Arrays.copyOf(sentAt, bigger);
            holdNanos = Arrays.copyOf(holdNanos, bigger);
        }
        holdNanos[call] = exponential(arrivals, Math.round(settings.holdSeconds() * 1e9));
        int p = balancer.select(pool, mix(call), now);
        proxyOf[call] = p;
        if (p < 0) {
            if (measured(call)) {
                rejected++; // the gateway answers 503 itself
            }
            return;
        }
        if (measured(call)) {
            sharePerProxy[p]++;
        }
        long key = (long) call * 4 + 1;
        sentAt[call] = now;
        pool.sent(p, TransactionKind.INVITE, key, now);
        queue.add(now + delay, EventQueue.event(AT_PROXY, key));
    }

    private void atProxy(long key, long now) {
        int p = proxyOf[call(key)];
        boolean invite = (key & 3) == 1;
        if (invite && servers[p].size() >= settings.queueLimit()) {
            queue.add(now + delay, EventQueue.event(REJECTED, key));
            return;
        }
        if (servers[p].arrive(key)) {
            start(p, key, now);
        }
    }

    private void start(int p, long key, long now) {
        boolean invite = (key & 3) == 1;
        queue.add(now + exponential(service[p], invite ? inviteMean[p] : byeMean[p]), EventQueue.event(DONE, p));
        if (invite && settings.trying()) {
            queue.add(now + delay, EventQueue.event(TRYING, key));
        }
    }

    private void done(int p, long now) {
        long key = servers[p].current();
        // A BYE's 200 comes from the callee: the far end's answer time is part of the STT, not the proxy's.
        long farEnd = (key & 3) == 2 && farEndMean > 0 ? exponential(farEndRandom, farEndMean) : 0;
        queue.add(now + delay + farEnd, EventQueue.event(OK, key));
        long next = servers[p].finish();
        if (next >= 0) {
            start(p, next, now);
        }
    }

    private void ok(long key, long now) {
        int call = call(key);
        int p = proxyOf[call];
        if ((key & 3) == 1) {
            pool.responded(p, TransactionKind.INVITE, key, 200, now);
            pool.dialogOpened(p);
            long elapsed = now - sentAt[call];
            if (measured(call)) {
                histogram.recordNanos(elapsed);
                responseSumPerProxy[p] += elapsed;
                answeredPerProxy[p]++;
                if (elapsed <= Settings.TIMER_B_NANOS) {
                    onTime++;
                }
            }
            // A caller that gave up (Timer B) ACKs a late 200 and hangs up at once (RFC 3261 15).
            long hangUp = elapsed <= Settings.TIMER_B_NANOS ? now + holdNanos[call] : now;
            queue.add(hangUp, EventQueue.event(BYE, key + 1));
        } else {
            pool.responded(p, TransactionKind.BYE, key, 200, now);
            pool.dialogClosed(p);
        }
    }

    private boolean measured(long call) {
        return measuredFrom >= 0 && call >= measuredFrom && (measuredTo < 0 || call < measuredTo);
    }

    private static int call(long key) {
        return (int) (key >>> 2);
    }

    /** An exponential variate of mean {@code meanNanos}. */
    static long exponential(SplittableRandom random, long meanNanos) {
        return Math.round(-Math.log(1 - random.nextDouble()) * meanNanos);
    }

    /** The Call-ID's hash (SplitMix64's finaliser). */
    private static long mix(long x) {
        x = (x ^ (x >>> 30)) * 0xbf58476d1ce4e5b9L;
        x = (x ^ (x >>> 27)) * 0x94d049bb133111ebL;
        return x ^ (x >>> 31);
    }
}
