package org.sipbastion.perf.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The harness's targets as checks, on a short run of each attack at the lowest rate the issue names
 * (50 messages/s, where detection is hardest): after the first drop, at least 99 % of the attack is
 * dropped, within the time bound; and the normal traffic around it loses at most 0.1 % of its
 * messages. The full tables (all rates and timings, the sweep) are docs/detection.md's, from
 * {@link DetectionQuality}.
 */
class DetectionQualityTest {
    /** The two extremes (jitter lies between them, in docs/detection.md), to keep the build short. */
    private static final QualityRun.Timing[] TIMINGS = {QualityRun.Timing.CONSTANT, QualityRun.Timing.POISSON};
    private static final QualityRun RUN = new QualityRun(SiteRules.of(Double.NaN), Phones.Mix.DEFAULT, 1, Double.NaN);

    @Test
    void normalTrafficPassesUntouched() {
        QualityRun.Result r = RUN.run(null, 0, QualityRun.Timing.POISSON, 60 * Sim.S);
        assertTrue(r.normalSent() > 50_000, "the run carried " + r.normalSent() + " normal messages");
        assertTrue(r.normalCalls() > 5_000, "calls and registrations: " + r.normalCalls());
        assertEquals(0, r.normalDropped(), "normal messages dropped by " + r.normalDetectors() + ": " + r.normalDroppedKinds());
        assertEquals(0, r.hurtCalls());
        assertTrue(r.alarms().isEmpty(), "alarms on normal traffic: " + r.alarms());
    }

    /**
     * Spread over 500 addresses and users, each far below every per-source limit: only the call-rate
     * stage sees it, as the raised cells cross the threshold (checked on every message); from then on
     * unknown callers are shed until the load is back to the mean.
     */
    @Test
    void aDistributedFloodIsShedOnceTheCallRateAlarmStarts() {
        for (QualityRun.Timing timing : TIMINGS) {
            QualityRun.Result r = RUN.run(Attack.named("distributed-flood"), 50, timing, QualityRun.NORMAL_BEFORE);
            String what = String.format(Locale.ROOT, "%s: %d sent, %d dropped by %s, detected after %.2f s", timing,
                r.attackSent(), r.attackDropped(), r.attackDetectors(), r.detectSeconds());
            assertTrue(r.detectSeconds() <= 1.0, what);
            assertTrue(r.droppedOnceDetected() >= 0.99, what);
            assertEquals(Set.of("call_rate"), r.attackDetectors().keySet(), what);
            assertTrue(r.falseDropRate() <= 0.001, what + "; normal drops " + r.normalDetectors());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"invite-flood", "invite-flood-nat", "register-flood", "register-flood-sipsak", "options-flood",
        "password-guessing", "scanner-sweep", "password-guessing-disguised", "scanner-sweep-disguised", "fake-bye",
        "fake-bye-live", "fake-cancel", "fake-response", "fake-response-spoofed", "malformed"})
    void attackIsDroppedOnceDetectedAndNormalCallsSurvive(String name) {
        for (QualityRun.Timing timing : TIMINGS) {
            QualityRun.Result r = RUN.run(Attack.named(name), 50, timing, QualityRun.NORMAL_BEFORE);
            String what = String.format(Locale.ROOT, "%s %s: %d sent, %d dropped by %s, detected after %.2f s", name, timing,
                r.attackSent(), r.attackDropped(), r.attackDetectors(), r.detectSeconds());
            assertTrue(r.attackSent() >= 2_900, what);
            assertTrue(r.detectSeconds() <= 1.0, what);
            assertTrue(r.droppedOnceDetected() >= 0.99, what);
            assertTrue(r.falseDropRate() <= 0.001, what + "; normal drops " + r.normalDetectors() + " " + r.normalDroppedKinds());
        }
    }
}
