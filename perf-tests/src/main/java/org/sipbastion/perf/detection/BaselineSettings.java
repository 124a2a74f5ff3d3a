package org.sipbastion.perf.detection;

import org.sipbastion.tier1.bloom.Baseline;
import org.sipbastion.tier1.rules.Rules;

/**
 * The alarm settings the stage's {@link Baseline} is made with: the rule files' defaults
 * ({@code [call_rate]} sigmas, floor, learn, adapt), read from tier 1's own defaults so the
 * simulation cannot drift from what the gateway runs. It builds the stage and its baseline itself,
 * as the handler does.
 *
 * @param sigmas       alarm at mean + sigmas x std
 * @param floor        ... and at least mean + floor raised cells
 * @param learnSeconds samples (one a second) learned before the alarm is armed
 * @param adaptSeconds after learning, the baseline follows changes over about this long
 */
record BaselineSettings(double sigmas, double floor, long learnSeconds, long adaptSeconds) {
    static final BaselineSettings DEFAULT = of(Rules.defaults());

    private static BaselineSettings of(Rules r) {
        return new BaselineSettings(r.sigmas, r.floor, r.learnSeconds, r.adaptSeconds);
    }

    Baseline newBaseline() {
        return new Baseline(sigmas, floor, learnSeconds, adaptSeconds);
    }
}
