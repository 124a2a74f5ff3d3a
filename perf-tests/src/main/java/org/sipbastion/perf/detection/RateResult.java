package org.sipbastion.perf.detection;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything one load's run measured.
 *
 * @param normalSeconds       simulated seconds of normal traffic after learning
 * @param learning            samples of the learning period (the stage starts empty, like a gateway)
 * @param normal              samples of the normal traffic after learning: the figures to document
 * @param learned             the baseline when learning ended
 * @param afterNormal         the baseline at the end of the normal traffic
 * @param evictions           transaction-table evictions during the normal traffic
 * @param tableOccupied       transaction-table slots in use at the end of the normal traffic
 * @param tableCapacity       transaction-table slots
 * @param completions         during the normal traffic, ACKs and BYE answers that should close an exchange
 * @param completionsWithoutEffect of those, the ones that lowered no raised cell
 * @param calls               normal calls started, whole run
 * @param messages            messages fed to the stage, whole run
 * @param normalWallNanos     wall time of learning plus normal traffic
 * @param floodWallNanos      wall time of the flood trials
 * @param allocatedBytes      bytes this thread allocated during the run
 * @param heapPeakBytes       peak heap use during the run (sum of the heap pools' peaks)
 * @param heapLiveBytes       heap in use after a collection at the end, the run's state still reachable
 * @param replays             runs merged into this result (one per flood), each replaying the normal traffic
 * @param replaysAgree        whether every replay's learning and normal traffic measured the same
 */
record RateResult(int callsPerSecond, long normalSeconds, PhaseStats learning, PhaseStats normal,
                  BaselineState learned, BaselineState afterNormal, long evictions, int tableOccupied,
                  int tableCapacity, long completions, long completionsWithoutEffect, long calls, long messages,
                  List<FloodResult> floods, long normalWallNanos, long floodWallNanos, long allocatedBytes,
                  long heapPeakBytes, long heapLiveBytes, int replays, boolean replaysAgree) {

    /**
     * One result from the runs of one load, one flood each: the first run's normal figures, every
     * run's flood, the largest heap. The replays must agree on the normal traffic (same seed, same
     * simulation), which is checked here rather than assumed.
     */
    static RateResult merge(List<RateResult> runs) {
        RateResult first = runs.get(0);
        List<FloodResult> floods = new ArrayList<>();
        boolean agree = true;
        long peak = 0;
        long live = 0;
        for (RateResult r : runs) {
            floods.addAll(r.floods());
            agree &= r.learned().equals(first.learned()) && r.afterNormal().equals(first.afterNormal())
                && r.evictions() == first.evictions()
                && r.normal().raised.mean() == first.normal().raised.mean()
                && r.normal().raised.max() == first.normal().raised.max()
                && r.normal().open.mean() == first.normal().open.mean();
            peak = Math.max(peak, r.heapPeakBytes());
            live = Math.max(live, r.heapLiveBytes());
        }
        return new RateResult(first.callsPerSecond(), first.normalSeconds(), first.learning(), first.normal(),
            first.learned(), first.afterNormal(), first.evictions(), first.tableOccupied(), first.tableCapacity(),
            first.completions(), first.completionsWithoutEffect(), first.calls(), first.messages(), floods,
            first.normalWallNanos(), first.floodWallNanos(), first.allocatedBytes(), peak, live, runs.size(), agree);
    }
}
