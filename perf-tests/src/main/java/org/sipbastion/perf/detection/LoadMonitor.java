package org.sipbastion.perf.detection;

import org.sipbastion.tier1.bloom.Baseline;
import org.sipbastion.tier1.bloom.CallRateStage;

/**
 * Advances the stage's clock and records each load sample it takes.
 *
 * <p>{@link CallRateStage#tick} only says when an alarm starts, not when it sampled, so the monitor
 * keeps the stage's own schedule beside it (the first tick arms it, then a sample is due one second
 * after the previous one) and checks that nothing changes between due samples. The baseline's
 * threshold is read just before a due sample, because the sample is judged against the threshold as
 * it was, and may move it.
 */
final class LoadMonitor {
    static final long SECOND = 1_000_000_000L;

    private final CallRateStage stage;
    private final OpenExchanges exchanges;
    private final int cells;
    private final int cellsPerKey;
    private PhaseStats phase = new PhaseStats();
    private boolean started;
    private long nextSample;
    private long lastAlarmStart = Long.MIN_VALUE;
    private long lastAlarmEnd = Long.MIN_VALUE;
    private boolean wasAlarming;

    LoadMonitor(CallRateStage stage, OpenExchanges exchanges) {
        this.stage = stage;
        this.exchanges = exchanges;
        this.cells = stage.filter().cells();
        this.cellsPerKey = stage.filter().cellsPerKey();
    }

    /** Samples from now on go to {@code next}. */
    void recordInto(PhaseStats next) {
        phase = next;
    }

    /** Ticks the stage at {@code now}, as the gateway does after every message and from its timer. */
    void tick(long now) {
        boolean due = started && now >= nextSample;
        if (!started || due) {
            started = true;
            nextSample = now + SECOND;
        }
        Baseline baseline = stage.baseline();
        boolean armed = baseline.learned();
        double threshold = due ? baseline.threshold() : 0;
        int before = stage.load();
        boolean alarmStart = stage.tick(now);
        exchanges.follow(stage.filter().generation());
        if (!due) {
            // Between samples the stage may only start an alarm (the load crossed the threshold);
            // it reports the load that crossed. Anything else would be a sample off schedule.
            if (alarmStart) {
                lastAlarmStart = now;
                wasAlarming = true;
                phase.alarmStarts++;
            } else if (stage.load() != before) {
                throw new IllegalStateException("the stage sampled off the expected schedule at " + now);
            }
            return;
        }
        if (alarmStart) {
            lastAlarmStart = now;
        }
        if (wasAlarming && !stage.alarming()) {
            lastAlarmEnd = now;
        }
        wasAlarming = stage.alarming();
        double analytic = Analytic.raisedCells(cells, cellsPerKey, exchanges.current())
            + Analytic.raisedCells(cells, cellsPerKey, exchanges.older());
        phase.sample(stage.load(), exchanges.shadowRaised(), exchanges, analytic, threshold, armed,
            stage.alarming(), alarmStart, stage.filter().saturatedCells());
    }

    /** When the latest alarm started (tick returned true), or {@link Long#MIN_VALUE}. */
    long lastAlarmStart() {
        return lastAlarmStart;
    }

    /**
     * The latest sample that was under the threshold again after an alarm (the end of that alarm), or
     * {@link Long#MIN_VALUE}.
     */
    long lastAlarmEnd() {
        return lastAlarmEnd;
    }
}
