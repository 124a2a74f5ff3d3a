package org.sipbastion.perf.detection;

/** What the once-a-second load samples of one phase of a run (learning, normal traffic) showed. */
final class PhaseStats {
    final RunningStats raised = new RunningStats();
    final RunningStats shadowRaised = new RunningStats();
    /** Cells raised only by exchanges the stage lost from its transaction table: raised - shadow. */
    final RunningStats leaked = new RunningStats();
    final RunningStats open = new RunningStats();
    final RunningStats openCurrent = new RunningStats();
    final RunningStats openOlder = new RunningStats();
    /** m (1 - e^(-k n / m)) per generation, summed, at each sample's own counts. */
    final RunningStats analytic = new RunningStats();
    /** The threshold each sample was compared with, once the baseline had learned. */
    final RunningStats threshold = new RunningStats();
    long alarmSamples;
    long alarmStarts;
    /** Samples where the stage had fewer raised cells than the shadow: impossible if the keys agree. */
    long belowShadow;
    int maxSaturated;

    void sample(int raisedCells, int shadowCells, OpenExchanges exchanges, double analyticCells,
                double thresholdUsed, boolean armed, boolean alarming, boolean alarmStart, int saturated) {
        raised.add(raisedCells);
        shadowRaised.add(shadowCells);
        leaked.add(raisedCells - shadowCells);
        open.add(exchanges.total());
        openCurrent.add(exchanges.current());
        openOlder.add(exchanges.older());
        analytic.add(analyticCells);
        if (armed) {
            threshold.add(thresholdUsed);
        }
        if (alarming) {
            alarmSamples++;
        }
        if (alarmStart) {
            alarmStarts++;
        }
        if (raisedCells < shadowCells) {
            belowShadow++;
        }
        maxSaturated = Math.max(maxSaturated, saturated);
    }
}
