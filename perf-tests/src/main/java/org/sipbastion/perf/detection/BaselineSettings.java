package org.sipbastion.perf.detection;

import org.sipbastion.tier1.bloom.Baseline;

/**
 * The alarm settings the stage's {@link Baseline} is made with: the rule files' defaults
 * ({@code RuleKey} call_rate sigmas, floor, learn, adapt). They are written out
 * here rather than read from the rule parser so that the simulation needs nothing of tier 1 but the
 * stage it measures; it builds the stage and its baseline itself, as the handler does.
 *
 * @param sigmas       alarm at mean + sigmas x std
 * @param floor        ... and at least mean + floor raised cells
 * @param learnSeconds samples (one a second) learned before the alarm is armed
 * @param adaptSeconds after learning, the baseline follows changes over about this long
 */
record BaselineSettings(double sigmas, double floor, long learnSeconds, long adaptSeconds) {
    static final BaselineSettings DEFAULT = new BaselineSettings(5.0, 400, 300, 3600);

    Baseline newBaseline() {
        return new Baseline(sigmas, floor, learnSeconds, adaptSeconds);
    }
}
