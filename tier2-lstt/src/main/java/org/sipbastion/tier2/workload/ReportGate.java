package org.sipbastion.tier2.workload;

/**
 * Lets through each agent's reports once and in order. A report's identity is (boot, seq): the
 * agent's start time and its count of reports since, so a restarted agent, which counts from 1
 * again with a later boot, is not taken for a replay, while a copy of any earlier report is, even
 * one captured before the agent restarted. Reports whose time is too far from the gateway's clock
 * are refused too: a copy taken long ago, or an agent whose clock is wrong (its times would
 * mislead the freshness checks).
 *
 * <p>One per agent; not thread-safe (the subscription's event loop).
 */
public final class ReportGate {
    /** Why a report was refused; each counted and alarmed apart. */
    public enum Verdict {
        ACCEPTED,
        /** Seen already: same boot and sequence, or from a boot before the current one. */
        REPLAYED,
        /** An older sequence of the current boot than one already taken: it arrived late. */
        OUT_OF_ORDER,
        /** Its time is older than the window allows. */
        STALE,
        /** Its time (or boot) is ahead of the gateway's clock by more than the window. */
        FUTURE
    }

    private final long windowMillis;
    private long boot;
    private long seq;

    /** @param windowMillis how far a report's time may be from the gateway's clock */
    public ReportGate(long windowMillis) {
        if (windowMillis < 1) {
            throw new IllegalArgumentException("a window of at least 1 ms");
        }
        this.windowMillis = windowMillis;
    }

    /** Judges {@code r} at wall-clock {@code nowMillis}; an accepted report moves the gate on. */
    public Verdict admit(WorkloadReport r, long nowMillis) {
        if (r.timeMillis() - nowMillis > windowMillis || r.bootMillis() - nowMillis > windowMillis) {
            return Verdict.FUTURE;
        }
        if (nowMillis - r.timeMillis() > windowMillis) {
            return Verdict.STALE;
        }
        if (r.bootMillis() < boot) {
            return Verdict.REPLAYED;
        }
        if (r.bootMillis() == boot) {
            if (r.seq() == seq) {
                return Verdict.REPLAYED;
            }
            if (r.seq() < seq) {
                return Verdict.OUT_OF_ORDER;
            }
        }
        boot = r.bootMillis();
        seq = r.seq();
        return Verdict.ACCEPTED;
    }
}
