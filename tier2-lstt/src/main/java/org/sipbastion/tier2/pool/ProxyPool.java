package org.sipbastion.tier2.pool;

import java.util.List;

/**
 * The proxies behind the gateway and everything measured about them, for the balancers to choose
 * from: whether each may take new work (health, drain), its SRV priority and weight, its active
 * dialogs, its outstanding transactions and their work, its arrival rate, its response time and its
 * session-termination time (STT). The data path reports what it forwards and what comes back; the
 * pool turns that into measures with fixed arrays and no allocation.
 *
 * <p>Times are nanoseconds on one monotonic clock. Not thread-safe: one per event loop.
 */
public final class ProxyPool {
    /** An unanswered transaction is given up after 64 x T1 = 32 s (RFC 3261 Timers B and F). */
    public static final long TIMEOUT_NANOS = 32_000_000_000L;
    /**
     * A workload report counts this long: three of the agents' default 5 s periods, so one lost
     * NOTIFY does not blind the gateway and a silent agent is not believed for long.
     */
    public static final long WORKLOAD_MAX_AGE_NANOS = 15_000_000_000L;
    /** K and T of the STT estimate: the last 256 BYEs of a proxy, none older than 60 s. */
    public static final int STT_WINDOW = 256;
    public static final long STT_MAX_AGE_NANOS = 60_000_000_000L;
    /** Time constant of the arrival-rate estimate: long enough to smooth, short enough to follow a shift. */
    public static final long RATE_TAU_NANOS = 2_000_000_000L;
    /** Weight of a new sample in the response-time average (as TCP's smoothed RTT). */
    private static final double RESPONSE_ALPHA = 0.125;

    private final ProxySpec[] specs;
    /** Slots in use (some perhaps removed and draining); slots at and above it are empty. */
    private int used;
    /** Gone from discovery: draining, and its slot reusable once nothing of it remains. */
    private final boolean[] removed;
    private final ProxyState[] state;
    private final long[] usableSince;
    private final int[] activeDialogs;
    private final double[] rate;
    private final long[] rateAt;
    private final double[] responseTime;
    private final long[] responseTimeAt;
    private final double[] probeRoundTrip;
    private final long[] probeRoundTripAt;
    private final long[] timeouts;
    /** The last accepted workload report of each proxy's agent (null: none), and when it arrived. */
    private final org.sipbastion.tier2.workload.WorkloadReport[] reports;
    private final long[] reportedAt;
    /** Timeouts and 503s of the proxy's transactions (health's passive failures). */
    private final long[] failures;
    /** When the proxy last answered anything but a 503 (health's passive success); Long.MIN_VALUE: never. */
    private final long[] lastAnswered;
    private final long[] sentTotal;
    private final long[] lastSent;
    private final Transactions transactions;
    private final SessionTerminationTimes stt;
    private final Transactions.TimeoutListener onTimeout;
    private long overloadedChoices;

    /**
     * @param specs              the proxies, indexes in this order; all usable from {@code now}
     * @param pendingTransactions transactions awaiting a final response that can be remembered
     */
    public ProxyPool(List<ProxySpec> specs, int pendingTransactions, long now) {
        this(specs, specs.size(), pendingTransactions, now);
    }

    /**
     * A pool with room for {@code slots} proxies, of which {@code specs} are there from the start
     * (indexes in this order, usable from {@code now}); the others are {@link #assign}ed when
     * discovery finds more. An index stays a proxy's for its lifetime in the pool, so the tables
     * indexed by it need no remapping; a {@link #remove}d proxy's index is free for another once
     * nothing of its remains (no dialog, no pending transaction).
     */
    public ProxyPool(List<ProxySpec> specs, int slots, int pendingTransactions, long now) {
        if (specs.isEmpty() && slots < 1) {
            throw new IllegalArgumentException("at least one proxy is needed");
        }
        if (slots < specs.size()) {
            throw new IllegalArgumentException(specs.size() + " proxies do not fit in " + slots + " slots");
        }
        int n = slots;
        this.used = specs.size();
        this.specs = java.util.Arrays.copyOf(specs.toArray(new ProxySpec[0]), n);
        this.removed = new boolean[n];
        this.state = new ProxyState[n];
        this.usableSince = new long[n];
        this.activeDialogs = new int[n];
        this.rate = new double[n];
        this.rateAt = new long[n];
        this.responseTime = new double[n];
        this.responseTimeAt = new long[n];
        this.probeRoundTrip = new double[n];
        this.probeRoundTripAt = new long[n];
        this.timeouts = new long[n];
        this.reports = new org.sipbastion.tier2.workload.WorkloadReport[n];
        this.reportedAt = new long[n];
        this.failures = new long[n];
        this.lastAnswered = new long[n];
        java.util.Arrays.fill(lastAnswered, Long.MIN_VALUE);
        this.onTimeout = (p, k) -> {
            timeouts[p]++;
            failures[p]++;
        };
        this.sentTotal = new long[n];
        this.lastSent = new long[n];
        this.transactions = new Transactions(pendingTransactions, n);
        this.stt = new SessionTerminationTimes(n, STT_WINDOW, STT_MAX_AGE_NANOS);
        java.util.Arrays.fill(state, ProxyState.UP);
        for (int i = used; i < n; i++) {
            state[i] = ProxyState.DRAINING;
            removed[i] = true;
        }
        java.util.Arrays.fill(usableSince, now);
        java.util.Arrays.fill(rateAt, now);
        java.util.Arrays.fill(lastSent, now);
        java.util.Arrays.fill(responseTime, Double.NaN);
        java.util.Arrays.fill(probeRoundTrip, Double.NaN);
    }

    /** Slots in use: indexes of proxies run from 0 to this, exclusive (removed ones included). */
    public int size() {
        return used;
    }

    /** Proxies the pool has room for. */
    public int slots() {
        return specs.length;
    }

    /**
     * Puts a proxy found by discovery in a free slot, as new: no measurement, usable from
     * {@code now} with its ramp-up. Returns its index, or -1 when every slot holds a proxy or what
     * remains of a removed one.
     */
    public int assign(ProxySpec spec, long now) {
        for (int i = 0; i < specs.length; i++) {
            if (i >= used || (removed[i] && drained(i))) {
                clear(i, spec, now);
                used = Math.max(used, i + 1);
                return i;
            }
        }
        return -1;
    }

    private void clear(int i, ProxySpec spec, long now) {
        specs[i] = spec;
        removed[i] = false;
        state[i] = ProxyState.UP;
        usableSince[i] = now;
        activeDialogs[i] = 0;
        rate[i] = 0;
        rateAt[i] = now;
        responseTime[i] = Double.NaN;
        responseTimeAt[i] = 0;
        probeRoundTrip[i] = Double.NaN;
        probeRoundTripAt[i] = 0;
        timeouts[i] = 0;
        failures[i] = 0;
        lastAnswered[i] = Long.MIN_VALUE;
        reports[i] = null;
        sentTotal[i] = 0;
        lastSent[i] = now;
        stt.clear(i);
    }

    /**
     * Discovery no longer lists proxy {@code i}: no new work, its dialogs and transactions finish
     * there ({@link ProxyState#DRAINING}); its slot is reused once they have.
     */
    public void remove(int i) {
        removed[i] = true;
        state[i] = ProxyState.DRAINING;
    }

    /** Whether proxy {@code i} was removed by discovery (and is draining, or gone). */
    public boolean removed(int i) {
        return removed[i];
    }

    /** Whether nothing of proxy {@code i} remains: no active dialog, no transaction awaiting an answer. */
    public boolean drained(int i) {
        return activeDialogs[i] == 0 && transactions.outstanding(i) == 0;
    }

    /**
     * Discovery lists proxy {@code i} again, perhaps with another priority or weight: a removed one
     * comes back as it was before (an operator's drain or a failed health check stays as it is).
     */
    public void respec(int i, ProxySpec spec, long now) {
        specs[i] = spec;
        if (removed[i]) {
            removed[i] = false;
            setState(i, ProxyState.UP, now);
        }
    }

    public ProxySpec spec(int i) {
        return specs[i];
    }

    // ---- health and administration -------------------------------------------------------------

    /** Whether proxy {@code i} may take new work (up, not draining or down). */
    public boolean usable(int i) {
        return state[i] == ProxyState.UP;
    }

    /** Whether proxy {@code i} still takes the requests of its dialogs (up or draining). */
    public boolean reachable(int i) {
        return state[i] != ProxyState.DOWN;
    }

    public ProxyState state(int i) {
        return state[i];
    }

    /**
     * Health or an operator sets proxy {@code i}'s state; a return to UP starts its ramp-up. A proxy
     * removed by discovery stays draining whatever health finds.
     */
    public void setState(int i, ProxyState value, long now) {
        if (removed[i] && value == ProxyState.UP) {
            return;
        }
        if (value == ProxyState.UP && state[i] != ProxyState.UP) {
            usableSince[i] = now;
        }
        state[i] = value;
    }

    /** Up, or down (the simulation's and tests' shorthand for {@link #setState}). */
    public void setUsable(int i, boolean value, long now) {
        setState(i, value ? ProxyState.UP : ProxyState.DOWN, now);
    }

    /** Since when proxy {@code i} has been usable (meaningless while it is not). */
    public long usableSince(int i) {
        return usableSince[i];
    }

    /**
     * The SRV priority group new work goes to: the lowest priority value among usable proxies
     * (RFC 2782), or -1 when none is usable.
     */
    public int bestPriority() {
        int best = -1;
        for (int i = 0; i < used; i++) {
            if (state[i] == ProxyState.UP && (best < 0 || specs[i].priority() < best)) {
                best = specs[i].priority();
            }
        }
        return best;
    }

    /** Whether proxy {@code i} is a candidate for new work in priority group {@code priority}. */
    public boolean candidate(int i, int priority) {
        return state[i] == ProxyState.UP && specs[i].priority() == priority;
    }

    // ---- what the data path reports -------------------------------------------------------------

    /** A request of transaction {@code key} forwarded to proxy {@code i}. */
    public void sent(int i, TransactionKind kind, long key, long now) {
        if (!transactions.sent(key, i, kind, now)) {
            return; // a retransmission is no new work
        }
        rate[i] = rate(i, now) + kind.weight() * 1e9 / RATE_TAU_NANOS;
        rateAt[i] = now;
        sentTotal[i]++;
        lastSent[i] = now;
    }

    /** A response with {@code status} to transaction {@code key} of {@code kind}, from proxy {@code i}. */
    public void responded(int i, TransactionKind kind, long key, int status, long now) {
        if (status == 503) {
            failures[i]++;
        } else {
            lastAnswered[i] = now;
        }
        if (status < 200) {
            long first = transactions.provisional(key, i, now);
            if (first >= 0 && kind == TransactionKind.INVITE) {
                respondedIn(i, first, now);
            }
            return;
        }
        // An INVITE refused at once (a 407 challenge, a 503) with no provisional before it: that answer
        // is the proxy's own, as a first response would be.
        boolean refusedAtOnce = kind == TransactionKind.INVITE && status >= 300 && !transactions.hadProvisional(key, i);
        long elapsed = transactions.completed(key, i, now);
        if (elapsed < 0) {
            return;
        }
        if (refusedAtOnce) {
            respondedIn(i, elapsed, now);
        }
        if (kind == TransactionKind.BYE) {
            stt.record(i, elapsed, now, rate(i, now));
        }
        // An INVITE's final answer waits for a person; its first response (when there is one) is the
        // proxy's own, taken above. Every other transaction's final response is the proxy's.
        if (kind != TransactionKind.INVITE) {
            respondedIn(i, elapsed, now);
        }
    }

    /**
     * The gateway's own OPTIONS to proxy {@code i} was answered after {@code nanos}. Kept apart from
     * the response times of calls: an OPTIONS answered statelessly is cheaper than an INVITE's first
     * response, and mixing the two would rank a proxy by how much of each it happened to get.
     */
    public void probed(int i, long nanos, long now) {
        double r = Double.isNaN(probeRoundTrip(i, now)) ? Double.NaN : probeRoundTrip[i];
        probeRoundTrip[i] = Double.isNaN(r) ? nanos : r + RESPONSE_ALPHA * (nanos - r);
        probeRoundTripAt[i] = now;
    }

    /** Smoothed round trip of the OPTIONS probes to proxy {@code i}, NaN when none answered for {@link #STT_MAX_AGE_NANOS}. */
    public double probeRoundTrip(int i, long now) {
        return now - probeRoundTripAt[i] > STT_MAX_AGE_NANOS ? Double.NaN : probeRoundTrip[i];
    }

    private void respondedIn(int i, long nanos, long now) {
        double r = Double.isNaN(responseTime(i, now)) ? Double.NaN : responseTime[i];
        responseTime[i] = Double.isNaN(r) ? nanos : r + RESPONSE_ALPHA * (nanos - r);
        responseTimeAt[i] = now;
    }

    /** Gives up on transactions unanswered for {@link #TIMEOUT_NANOS}: each counts as a timeout of its proxy. */
    public int expire(long now) {
        return transactions.expire(now - TIMEOUT_NANOS, onTimeout);
    }

    /** A dialog of proxy {@code i} began (the dialog table calls this on its transitions). */
    public void dialogOpened(int i) {
        activeDialogs[i]++;
    }

    /** A dialog of proxy {@code i} ended; never below zero. */
    public void dialogClosed(int i) {
        if (activeDialogs[i] > 0) {
            activeDialogs[i]--;
        }
    }

    /** Sets proxy {@code i}'s dialog count from a recount (the dialog table, after a restart). */
    public void setActiveDialogs(int i, int count) {
        activeDialogs[i] = Math.max(0, count);
    }

    /** A balancer found every candidate overloaded and chose the least overloaded (an alarm). */
    public void overloadedChoice() {
        overloadedChoices++;
    }

    // ---- measures --------------------------------------------------------------------------------

    /** Proxy {@code i}'s arrival rate at {@code now}: new work units a second, decaying with {@link #RATE_TAU_NANOS}. */
    public double rate(int i, long now) {
        long dt = now - rateAt[i];
        if (dt <= 0) {
            return rate[i];
        }
        double x = (double) dt / RATE_TAU_NANOS;
        // Decisions come microseconds apart: for a small step, e^-x to the third order (error below
        // 1e-8 for x < 1/64) spares the exponential on the hot path.
        return rate[i] * (x < 1.0 / 64 ? 1 - x * (1 - x * (0.5 - x / 6)) : Math.exp(-x));
    }

    public int activeDialogs(int i) {
        return activeDialogs[i];
    }

    /** Transactions of proxy {@code i} awaiting their final response. */
    public int outstanding(int i) {
        return transactions.outstanding(i);
    }

    /** Their work in BYE-equivalents (TLWL's measure). */
    public double outstandingWork(int i) {
        return transactions.work(i);
    }

    /** Work sent to proxy {@code i} with no response yet, in BYE-equivalents: its queue as we see it. */
    public double unansweredWork(int i) {
        return transactions.unansweredWork(i);
    }

    /** Smoothed time of the proxy's own answers (non-INVITE final, INVITE first response), ns; NaN before any. */
    public double responseTime(int i) {
        return responseTime[i];
    }

    /**
     * As {@link #responseTime(int)}, but NaN once no answer has come for {@link #STT_MAX_AGE_NANOS}:
     * a proxy that looked slow once and then got no work must not look slow for ever.
     */
    public double responseTime(int i, long now) {
        return now - responseTimeAt[i] > STT_MAX_AGE_NANOS ? Double.NaN : responseTime[i];
    }

    public SessionTerminationTimes stt() {
        return stt;
    }

    public long timeouts(int i) {
        return timeouts[i];
    }

    /**
     * A workload report of proxy {@code i}'s agent, verified and admitted (signature, order,
     * freshness), arrived at {@code now}. It counts for {@link #WORKLOAD_MAX_AGE_NANOS}.
     */
    public void reported(int i, org.sipbastion.tier2.workload.WorkloadReport report, long now) {
        reports[i] = report;
        reportedAt[i] = now;
    }

    /** When proxy {@code i}'s last report arrived; Long.MIN_VALUE if none did. */
    public long reportedAt(int i) {
        return reports[i] == null ? Long.MIN_VALUE : reportedAt[i];
    }

    /** Proxy {@code i}'s last report if it is younger than {@link #WORKLOAD_MAX_AGE_NANOS}, else null. */
    public org.sipbastion.tier2.workload.WorkloadReport workload(int i, long now) {
        org.sipbastion.tier2.workload.WorkloadReport r = reports[i];
        return r == null || now - reportedAt[i] > WORKLOAD_MAX_AGE_NANOS ? null : r;
    }

    /**
     * The seed's availability A_i, from 0 to the proxy's weight (A_max): the weight scaled by the
     * CPU and memory the proxy has left and by its free session room (when it says how many it can
     * hold), from its agent's last report. Without a fresh report: half the weight, a proxy of
     * unknown load neither preferred nor shunned.
     */
    public double availability(int i, long now) {
        org.sipbastion.tier2.workload.WorkloadReport r = workload(i, now);
        double w = specs[i].weight();
        if (r == null) {
            return w / 2;
        }
        double sessions = r.maxSessions() > 0 ? Math.max(0, 1 - (double) r.sessions() / r.maxSessions()) : 1;
        return w * (1 - r.cpu()) * (1 - r.memory()) * sessions;
    }

    /**
     * mu_i as the agent's report implies it, transactions a second: what it handled (tps) over the
     * CPU share that took (cpu), M/M/1 with the CPU as the server. NaN without a fresh report, or
     * one too idle to tell (no transactions, or under 1 % CPU).
     */
    public double reportedServiceRate(int i, long now) {
        org.sipbastion.tier2.workload.WorkloadReport r = workload(i, now);
        if (r == null || r.tps() <= 0 || r.cpu() < 0.01) {
            return Double.NaN;
        }
        return r.tps() / r.cpu();
    }

    /** Transactions of proxy {@code i} that timed out or were answered 503, ever. */
    public long failures(int i) {
        return failures[i];
    }

    /** When proxy {@code i} last answered a transaction with anything but 503; Long.MIN_VALUE if never. */
    public long lastAnswered(int i) {
        return lastAnswered[i];
    }

    /** New transactions ever sent to proxy {@code i}. */
    public long sentTotal(int i) {
        return sentTotal[i];
    }

    /** When new work was last sent to proxy {@code i} (or when the pool began). */
    public long lastSent(int i) {
        return lastSent[i];
    }

    public long overloadedChoices() {
        return overloadedChoices;
    }

    public Transactions transactions() {
        return transactions;
    }
}
