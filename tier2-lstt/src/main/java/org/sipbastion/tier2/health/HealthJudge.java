package org.sipbastion.tier2.health;

import org.sipbastion.tier2.pool.ProxyPool;
import org.sipbastion.tier2.pool.ProxyState;

/**
 * Decides when a proxy is down and when it is back, from the gateway's OPTIONS probes (active) and
 * what the calls themselves show (passive: answers, transaction timeouts, 503s), with hysteresis so
 * that a blip does not flap it.
 *
 * <p>Precedence, highest first:
 * <ol>
 *   <li>An operator's drain, and DNS no longer listing the proxy, are not health's to undo: health
 *       moves a proxy only between {@link ProxyState#UP} and {@link ProxyState#DOWN}.</li>
 *   <li>Down takes both kinds of signal agreeing: {@code missesToDown} probes in a row unanswered
 *       (a 503 to a probe counts as unanswered), and no call answered by the proxy since the first
 *       of those misses. A proxy that answers calls but not OPTIONS (a firewall rule, a lost
 *       datagram or two) stays up; so does one that answers OPTIONS while its calls time out (that
 *       is for the balancer's measures and the call-through probe, not for OPTIONS to judge).</li>
 *   <li>Failing calls hasten it: {@code missesToDown} timeouts or 503s of calls since the first
 *       miss, with at least one probe missed and no call answered, are as good as the misses.</li>
 *   <li>When workload reports are expected ({@link #expectReports}), a proxy whose agent has sent
 *       no valid report for {@link ProxyPool#WORKLOAD_MAX_AGE_NANOS} (three periods) is down
 *       whatever its probes say: its load is unknown, and an agent that cannot report may sit on a
 *       host in trouble. Judged at each probe round.</li>
 *   <li>When call-through probes run ({@link #callProbed}), {@link #CALL_FAILURES_TO_DOWN} failed
 *       in a row take a proxy down whatever OPTIONS and calls say: a proxy whose registrar or
 *       database is broken answers OPTIONS, and its failing calls are answered too (404, 500).</li>
 *   <li>Up again after {@code answersToUp} probes in a row answered (not 503), and, when reports
 *       are expected, a fresh one, and, when call-through probes run, the last one passed; it then
 *       takes new calls with its ramp-up.</li>
 * </ol>
 *
 * <p>Fixed arrays per proxy index, grown when the pool grows; not thread-safe: the event loop that
 * owns the pool.
 */
public final class HealthJudge {
    /** Kamailio's dispatcher takes a destination down after 3 failed probes (ds_probing_threshold). */
    public static final int DEFAULT_MISSES_TO_DOWN = 3;
    /** And back up after 1 (ds_inactive_threshold); two in a row keep a flapping proxy out longer. */
    public static final int DEFAULT_ANSWERS_TO_UP = 2;
    /** Call-through probes failed in a row that take a proxy down (one may meet a callee's hiccup). */
    public static final int CALL_FAILURES_TO_DOWN = 2;

    private final ProxyPool pool;
    private final int missesToDown;
    private final int answersToUp;
    private final Listener listener;
    private int[] misses = new int[0];
    private int[] answers = new int[0];
    private long[] firstMissAt = new long[0];
    private long[] failuresAtFirstMiss = new long[0];
    /** Since when reports are expected of each proxy (Long.MIN_VALUE: not expected). */
    private long[] expectedSince = new long[0];
    private boolean reportsExpected;
    private int[] callFailures = new int[0];

    public HealthJudge(ProxyPool pool, int missesToDown, int answersToUp, Listener listener) {
        if (missesToDown < 1 || answersToUp < 1) {
            throw new IllegalArgumentException("at least one miss to go down and one answer to come back");
        }
        this.pool = pool;
        this.missesToDown = missesToDown;
        this.answersToUp = answersToUp;
        this.listener = listener == null ? (i, to, why) -> { } : listener;
    }

    /** The probe of proxy {@code i} was answered with {@code status}. */
    public void answered(int i, int status, long now) {
        if (status == 503) {
            missed(i, now);
            return;
        }
        grow(i);
        misses[i] = 0;
        answers[i]++;
        if (silent(i, now) || callFailures[i] > 0) {
            return;
        }
        if (pool.state(i) == ProxyState.DOWN && answers[i] >= answersToUp) {
            pool.setState(i, ProxyState.UP, now);
            listener.changed(i, ProxyState.UP, answers[i] + " OPTIONS answered in a row");
        }
    }

    /** The probe of proxy {@code i} went unanswered (or was answered 503). */
    public void missed(int i, long now) {
        grow(i);
        answers[i] = 0;
        if (misses[i]++ == 0) {
            firstMissAt[i] = now;
            failuresAtFirstMiss[i] = pool.failures(i);
        }
        if (pool.state(i) != ProxyState.UP || silent(i, now)) {
            return;
        }
        long last = pool.lastAnswered(i);
        if (last != Long.MIN_VALUE && last - firstMissAt[i] >= 0) {
            return; // calls are answered: the probes alone do not take it down
        }
        long failures = pool.failures(i) - failuresAtFirstMiss[i];
        if (misses[i] >= missesToDown || failures >= missesToDown) {
            pool.setState(i, ProxyState.DOWN, now);
            listener.changed(i, ProxyState.DOWN, misses[i] + " OPTIONS unanswered in a row"
                + (failures > 0 ? ", " + failures + " calls timed out or refused 503" : "") + ", no call answered since");
        }
    }

    /**
     * From {@code now} on, every proxy's agent is expected to report (the gateway subscribes to them):
     * a proxy whose reports stop is down. Each proxy gets a full {@link ProxyPool#WORKLOAD_MAX_AGE_NANOS}
     * from now (or from when it joined) for its first.
     */
    public void expectReports(long now) {
        reportsExpected = true;
        grow(pool.slots() - 1);
        java.util.Arrays.fill(expectedSince, now);
    }

    /**
     * Whether proxy {@code i}'s agent has been silent too long (no valid report for the freshness
     * window, counted from when reports were first expected of it); if so, and it is up, it goes down.
     */
    private boolean silent(int i, long now) {
        if (!reportsExpected) {
            return false;
        }
        long at = pool.reportedAt(i);
        long since = at == Long.MIN_VALUE ? expectedSince[i] : Math.max(at, expectedSince[i]);
        if (now - since <= ProxyPool.WORKLOAD_MAX_AGE_NANOS) {
            return false;
        }
        if (pool.state(i) == ProxyState.UP) {
            pool.setState(i, ProxyState.DOWN, now);
            listener.changed(i, ProxyState.DOWN, "no valid workload report for " + (now - since) / 1_000_000_000L + " s");
        }
        return true;
    }

    /**
     * A call-through probe of proxy {@code i} ended: passed, or failed for {@code why}.
     */
    public void callProbed(int i, boolean passed, String why, long now) {
        grow(i);
        if (passed) {
            callFailures[i] = 0;
            return;
        }
        callFailures[i]++;
        if (callFailures[i] >= CALL_FAILURES_TO_DOWN && pool.state(i) == ProxyState.UP) {
            pool.setState(i, ProxyState.DOWN, now);
            listener.changed(i, ProxyState.DOWN, callFailures[i] + " call-through probes failed in a row (last: " + why + ")");
        }
    }

    /** Proxy {@code i} is a new one in a reused slot: nothing judged of the last one carries over. */
    public void forget(int i, long now) {
        grow(i);
        misses[i] = 0;
        answers[i] = 0;
        callFailures[i] = 0;
        expectedSince[i] = now;
    }

    private void grow(int i) {
        if (i >= misses.length) {
            int n = Math.max(i + 1, pool.slots());
            misses = java.util.Arrays.copyOf(misses, n);
            answers = java.util.Arrays.copyOf(answers, n);
            firstMissAt = java.util.Arrays.copyOf(firstMissAt, n);
            failuresAtFirstMiss = java.util.Arrays.copyOf(failuresAtFirstMiss, n);
            expectedSince = java.util.Arrays.copyOf(expectedSince, n);
            callFailures = java.util.Arrays.copyOf(callFailures, n);
        }
    }

    /** Told of each change health makes, with why (for the log and the counters). */
    @FunctionalInterface
    public interface Listener {
        void changed(int proxy, ProxyState to, String why);
    }
}
