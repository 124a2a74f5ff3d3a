package org.sipbastion.perf.detection;

/**
 * One flood on top of the normal load.
 *
 * @param perSecond            the flood's INVITE rate
 * @param alarmingBefore       whether the stage was already alarming when the flood began (it must not be)
 * @param secondsToAlarm       from the first flood INVITE to the tick that started the alarm; NaN if none
 * @param sent                 flood INVITEs sent until the alarm (or the end of the trial)
 * @param raisedAtAlarm        the sample that started the alarm
 * @param thresholdAtAlarm     the threshold it crossed
 * @param firstOffenderIsFlood whether offenders(5), asked at the alarm, names the flooding source first
 * @param floodOpen            the flooding source's open exchanges in that list (0 if absent)
 * @param offendersListed      how many sources offenders(5) named
 * @param secondsToClear       from the flood's stop to the last end of the alarm; NaN if still alarming at the cap
 * @param alarmStartsAfterStop alarms that started again after the flood stopped (the load hovering at the threshold)
 * @param thresholdAfter       the threshold once the flood's cells were gone and the alarm over
 * @param wallNanos            wall time of this trial's whole run, normal traffic included
 */
record FloodResult(int perSecond, boolean alarmingBefore, double secondsToAlarm, long sent, int raisedAtAlarm,
                   double thresholdAtAlarm, boolean firstOffenderIsFlood, int floodOpen, int offendersListed,
                   double secondsToClear, long alarmStartsAfterStop, double thresholdAfter, long wallNanos) {
}
