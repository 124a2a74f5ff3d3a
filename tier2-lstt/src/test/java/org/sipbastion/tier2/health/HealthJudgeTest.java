package org.sipbastion.tier2.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipbastion.tier2.pool.ProxyPool;
import org.sipbastion.tier2.pool.ProxySpec;
import org.sipbastion.tier2.pool.ProxyState;
import org.sipbastion.tier2.pool.TransactionKind;

/** Each case of {@link HealthJudge}'s precedence: probes and calls must agree before a proxy goes down. */
class HealthJudgeTest {
    private static final long S = 1_000_000_000L;
    private final ProxyPool pool = new ProxyPool(List.of(ProxySpec.of("a"), ProxySpec.of("b")), 1 << 10, 0);
    private final List<String> changes = new ArrayList<>();
    private final HealthJudge judge = new HealthJudge(pool, 3, 2, (i, to, why) -> changes.add(i + " " + to + ": " + why));
    private long now = 10 * S;
    private long key;

    private void tick() {
        now += S;
    }

    /** A call to proxy 0 answered with {@code status}, or timed out when status is 0. */
    private void call(int status) {
        long k = ++key;
        pool.sent(0, TransactionKind.OTHER, k, now);
        if (status == 0) {
            pool.expire(now + ProxyPool.TIMEOUT_NANOS + 1);
        } else {
            pool.responded(0, TransactionKind.OTHER, k, status, now);
        }
    }

    @Test
    void downAfterNMissesWithNoTrafficAndUpAfterMAnswers() {
        judge.missed(0, now);
        tick();
        judge.missed(0, now);
        assertEquals(ProxyState.UP, pool.state(0), "two misses: a blip");
        tick();
        judge.missed(0, now);
        assertEquals(ProxyState.DOWN, pool.state(0));
        assertTrue(changes.get(0).startsWith("0 DOWN: 3 OPTIONS unanswered in a row"), changes.toString());

        tick();
        judge.answered(0, 200, now);
        assertEquals(ProxyState.DOWN, pool.state(0), "one answer does not bring it back");
        tick();
        judge.answered(0, 405, now);
        assertEquals(ProxyState.UP, pool.state(0), "two in a row do; any final answer but 503 counts");
        assertEquals(now, pool.usableSince(0), "back with its ramp-up");
        assertEquals(ProxyState.UP, pool.state(1), "the other proxy untouched");
    }

    @Test
    void answeredCallsVetoTheProbes() {
        for (int k = 0; k < 6; k++) {
            judge.missed(0, now);
            call(200);
            tick();
        }
        assertEquals(ProxyState.UP, pool.state(0), "calls answered since the first miss: OPTIONS alone is not believed");
        assertTrue(changes.isEmpty());
    }

    @Test
    void failingCallsHastenItAndA503ProbeIsAMiss() {
        judge.answered(0, 503, now);
        call(503);
        call(0);
        call(503);
        tick();
        judge.missed(0, now);
        assertEquals(ProxyState.DOWN, pool.state(0), "two probes missed (one refused 503) and three calls failed");
        assertTrue(changes.get(0).contains("3 calls timed out or refused 503"), changes.toString());
    }

    @Test
    void aProbeAnswerResetsTheCount() {
        judge.missed(0, now);
        judge.missed(0, now);
        judge.answered(0, 200, now);
        judge.missed(0, now);
        judge.missed(0, now);
        assertEquals(ProxyState.UP, pool.state(0));
    }

    @Test
    void anOperatorsDrainIsNotHealthsToUndo() {
        pool.setState(0, ProxyState.DRAINING, now);
        for (int k = 0; k < 5; k++) {
            judge.missed(0, now);
        }
        assertEquals(ProxyState.DRAINING, pool.state(0));
        for (int k = 0; k < 5; k++) {
            judge.answered(0, 200, now);
        }
        assertEquals(ProxyState.DRAINING, pool.state(0));
    }

    @Test
    void aSilentAgentTakesItsProxyDownAndAFreshReportBringsItBack() {
        judge.expectReports(now);
        org.sipbastion.tier2.workload.WorkloadReport report = new org.sipbastion.tier2.workload.WorkloadReport(
            "a", 1, 1, 1, 0.2, 0.2, 0, 0, 1, -1);
        for (int k = 0; k < 14; k++) {
            tick();
            judge.answered(0, 200, now);
        }
        assertEquals(ProxyState.UP, pool.state(0), "14 s without a report: within the first window");
        pool.reported(1, report, now); // proxy 1's agent reports, proxy 0's never does
        tick();
        tick();
        judge.answered(0, 200, now);
        judge.answered(1, 200, now);
        assertEquals(ProxyState.DOWN, pool.state(0));
        assertTrue(changes.get(0).startsWith("0 DOWN: no valid workload report for 16 s"), changes.toString());
        assertEquals(ProxyState.UP, pool.state(1));

        tick();
        judge.answered(0, 200, now);
        judge.answered(0, 200, now);
        assertEquals(ProxyState.DOWN, pool.state(0), "probes alone do not bring it back");
        pool.reported(0, report, now);
        judge.answered(0, 200, now);
        assertEquals(ProxyState.UP, pool.state(0), "a fresh report and answered probes do");
    }

    @Test
    void failedCallThroughProbesWinOverAnsweredOptionsAndCalls() {
        judge.answered(0, 200, now);
        call(404); // the proxy answers calls, failing them
        judge.callProbed(0, false, "INVITE answered 404", now);
        assertEquals(ProxyState.UP, pool.state(0), "one failure may be the callee's");
        judge.callProbed(0, false, "INVITE answered 404", now);
        assertEquals(ProxyState.DOWN, pool.state(0));
        assertTrue(changes.get(0).contains("2 call-through probes failed in a row (last: INVITE answered 404)"), changes.toString());
        judge.answered(0, 200, now);
        judge.answered(0, 200, now);
        assertEquals(ProxyState.DOWN, pool.state(0), "OPTIONS alone do not bring it back");
        judge.callProbed(0, true, null, now);
        judge.answered(0, 200, now);
        assertEquals(ProxyState.UP, pool.state(0), "a passed call probe and answered OPTIONS do");
    }
}
