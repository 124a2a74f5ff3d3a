package org.sipbastion.perf.detection;

import org.sipbastion.tier1.bloom.Baseline;

/** A baseline's learned figures at one moment. */
record BaselineState(double mean, double std, double threshold, long samples) {
    static BaselineState of(Baseline b) {
        return new BaselineState(b.mean(), b.std(), b.threshold(), b.samples());
    }
}
