package org.sipbastion.tier2.balance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipbastion.tier2.lstt.LeastSessionTerminationTime;
import org.sipbastion.tier2.pool.Balancer;
import org.sipbastion.tier2.pool.ProxyPool;
import org.sipbastion.tier2.pool.ProxySpec;
import org.sipbastion.tier2.pool.ProxyState;
import org.sipbastion.tier2.pool.TransactionKind;

class BalancersTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;

    private static ProxyPool pool(ProxySpec... specs) {
        return new ProxyPool(List.of(specs), 1 << 12, 0);
    }

    private static int[] split(Balancer b, ProxyPool p, int calls, long now) {
        int[] n = new int[p.size()];
        for (int c = 0; c < calls; c++) {
            int i = b.select(p, c, now);
            if (i >= 0) {
                n[i]++;
            }
        }
        return n;
    }

    @Test
    void everyAlgorithmUsesOnlyTheBestPriorityGroupAndNoProxyThatIsNotUp() {
        for (Algorithm a : Algorithm.values()) {
            ProxyPool p = pool(new ProxySpec("a", 10, 1, 0), new ProxySpec("b", 10, 1, 0), new ProxySpec("backup", 20, 1, 0));
            Balancer b = a.create(1);
            int[] n = split(b, p, 100, 0);
            assertEquals(0, n[2], a + ": the backup is idle while the primaries are up");
            assertTrue(n[0] > 0 && n[1] > 0, a + " uses both primaries: " + n[0] + "/" + n[1]);
            p.setState(0, ProxyState.DOWN, 0);
            p.setState(1, ProxyState.DRAINING, 0);
            assertEquals(2, b.select(p, 7, 0), a + ": the backup once no primary is up");
            p.setState(2, ProxyState.DOWN, 0);
            assertEquals(-1, b.select(p, 7, 0), a + ": none");
        }
    }

    @Test
    void srvWeightedRandomFollowsTheWeights() {
        ProxyPool p = pool(new ProxySpec("a", 0, 60, 0), new ProxySpec("b", 0, 20, 0), new ProxySpec("c", 0, 10, 0),
            new ProxySpec("d", 0, 10, 0));
        int[] n = split(new SrvWeightedRandom(3), p, 100_000, 0);
        assertEquals(60_000, n[0], 1_000);
        assertEquals(20_000, n[1], 1_000);
        assertEquals(10_000, n[2], 1_000);
        assertEquals(10_000, n[3], 1_000);
    }

    @Test
    void tlwlWeighsAnInviteAsOneAndThreeQuarterByes() {
        ProxyPool p = pool(ProxySpec.of("a"), ProxySpec.of("b"));
        p.sent(0, TransactionKind.INVITE, 1, 0); // a: 1.75
        p.sent(1, TransactionKind.BYE, 2, 0); // b: 1
        assertEquals(1, new TransactionLeastWorkLeft().select(p, 0, 0));
        p.sent(1, TransactionKind.BYE, 3, 0); // b: 2
        assertEquals(0, new TransactionLeastWorkLeft().select(p, 0, 0));
        p.responded(0, TransactionKind.INVITE, 1, 100, 0);
        assertEquals(1.75, p.outstandingWork(0), "a provisional answer leaves the INVITE outstanding");
        p.responded(0, TransactionKind.INVITE, 1, 200, 0);
        p.responded(0, TransactionKind.INVITE, 1, 200, 0); // retransmitted: nothing more to take off
        assertEquals(0, p.outstandingWork(0));
        assertEquals(0, p.outstanding(0));
    }

    @Test
    void leastCallsDividesByWeight() {
        ProxyPool p = pool(new ProxySpec("a", 0, 1, 0), new ProxySpec("b", 0, 3, 0));
        p.dialogOpened(0);
        p.dialogOpened(1);
        p.dialogOpened(1);
        assertEquals(1, new LeastActiveCalls().select(p, 0, 0), "2/3 < 1/1");
        p.dialogClosed(0);
        p.dialogClosed(0);
        assertEquals(0, p.activeDialogs(0), "never below zero");
    }

    /** Feeds proxy {@code i} with STT samples of {@code stt} at a low arrival rate. */
    private static void measure(ProxyPool p, int i, long stt, long from, int samples) {
        for (int k = 0; k < samples; k++) {
            long key = (long) i << 32 | (from / MS + k);
            long t = from + k * 10 * MS;
            p.sent(i, TransactionKind.BYE, key, t);
            p.responded(i, TransactionKind.BYE, key, 200, t + stt);
        }
    }

    @Test
    void lsttPrefersTheProxyWithTheShorterTerminationTime() {
        ProxyPool p = pool(ProxySpec.of("slow"), ProxySpec.of("fast"));
        measure(p, 0, 8 * MS, 0, 20);
        measure(p, 1, 2 * MS, 0, 20);
        long now = 500 * MS; // both had work in the last second: no probe
        LeastSessionTerminationTime lstt = new LeastSessionTerminationTime();
        assertEquals(1, lstt.select(p, 0, now));
        assertTrue(LeastSessionTerminationTime.expected(p, 0, now) > LeastSessionTerminationTime.expected(p, 1, now));
    }

    /** 300 new calls within 100 ms, no STT sample coming back meanwhile: the split. */
    private static int[] burst(ProxyPool p, long now) {
        LeastSessionTerminationTime lstt = new LeastSessionTerminationTime();
        int[] n = new int[p.size()];
        for (int c = 0; c < 300; c++) {
            long t = now + c * 100 * MS / 300;
            int i = lstt.select(p, c, t);
            n[i]++;
            p.sent(i, TransactionKind.INVITE, 1_000_000 + c, t);
        }
        return n;
    }

    @Test
    void lsttCountsTheCallsItSentSinceItsLastSampleSoABurstDoesNotHerd() {
        ProxyPool p = pool(ProxySpec.of("a"), ProxySpec.of("b"), ProxySpec.of("c"));
        for (int i = 0; i < 3; i++) {
            measure(p, i, 2 * MS + i * 10_000, 0, 20); // a is the fastest, by a hair
        }
        int[] n = burst(p, 31 * S);
        for (int i = 0; i < 3; i++) {
            assertEquals(100, n[i], 5, "equal proxies share a burst: " + n[0] + "/" + n[1] + "/" + n[2]);
        }
    }

    @Test
    void lsttSplitsABurstByWhatEachProxyCanTake() {
        ProxyPool p = pool(ProxySpec.of("a"), ProxySpec.of("b"), ProxySpec.of("c"));
        for (int i = 0; i < 3; i++) {
            measure(p, i, (2 + i) * MS, 0, 20); // mu = 500, 333, 250 work units a second
        }
        long now = 31 * S;
        int[] n = burst(p, now);
        assertTrue(n[0] > n[1] && n[1] >= n[2], "in order of service rate: " + n[0] + "/" + n[1] + "/" + n[2]);
        assertTrue(n[0] < 290, "not all on the fastest: " + n[0]);
        for (int i = 0; i < 3; i++) {
            assertTrue(p.rate(i, now + 100 * MS) < LeastSessionTerminationTime.measuredServiceRate(p, i, now + 100 * MS),
                "no proxy pushed past its service rate: " + i);
        }
    }

    @Test
    void whenEveryProxyIsOverloadedLsttPicksTheLeastOverloadedAndSaysSo() {
        ProxyPool p = pool(ProxySpec.of("a"), ProxySpec.of("b"));
        // STTs above T1: both overloaded; b less so (its rate is lower).
        measure(p, 0, 900 * MS, 0, 20);
        measure(p, 1, 700 * MS, 0, 20);
        long now = 40 * S;
        LeastSessionTerminationTime lstt = new LeastSessionTerminationTime();
        int chosen = lstt.select(p, 0, now);
        assertTrue(chosen >= 0);
        assertEquals(1, p.overloadedChoices());
    }

    @Test
    void aProxyBackFromDownIsRampedUp() {
        ProxyPool p = pool(ProxySpec.of("a"), ProxySpec.of("b"));
        measure(p, 0, 2 * MS, 35 * S, 20);
        measure(p, 1, 2 * MS, 35 * S, 20); // young for the whole ramp below
        long now = 40 * S;
        p.setState(1, ProxyState.DOWN, now);
        p.setState(1, ProxyState.UP, now + S);
        long back = now + S;
        double early = LeastSessionTerminationTime.expected(p, 1, back);
        double settled = LeastSessionTerminationTime.expected(p, 1, back + LeastSessionTerminationTime.RAMP_NANOS);
        assertTrue(early > 5 * settled, "ramping: " + early + " vs " + settled);
    }

    @Test
    void withNothingMeasuredLsttUsesTheConfiguredCapacity() {
        ProxyPool p = pool(new ProxySpec("small", 0, 1, 100), new ProxySpec("big", 0, 1, 900));
        int[] n = split(new LeastSessionTerminationTime(), p, 10, 500 * MS);
        assertEquals(10, n[1], "the bigger one while idle");
    }

    private static org.sipbastion.tier2.workload.WorkloadReport load(double cpu, double memory, long sessions,
                                                                   long maxSessions, double tps) {
        return new org.sipbastion.tier2.workload.WorkloadReport("agent", 1, 1, 1, cpu, memory, sessions, maxSessions, tps, -1);
    }

    @Test
    void availabilityFollowsTheReportedLoad() {
        ProxyPool p = pool(ProxySpec.of("a"), ProxySpec.of("b"));
        Balancer b = Algorithm.AVAILABILITY.create(3);
        int[] n = split(b, p, 4000, 0);
        assertTrue(Math.abs(n[0] - n[1]) < 300, "no reports: by weight, " + n[0] + "/" + n[1]);

        p.reported(0, load(0.8, 0.5, 0, 0, 50), 0); // A = 0.2 * 0.5 = 0.1
        p.reported(1, load(0.1, 0.0, 0, 0, 5), 0); // A = 0.9
        n = split(b, p, 4000, 1);
        assertEquals(0.1, (double) n[0] / 4000, 0.03, "A_i / sum A: " + n[0] + "/" + n[1]);
        assertEquals(0.1, p.availability(0, 1), 1e-9);

        p.reported(1, load(0.1, 0.0, 5000, 5000, 5), 2); // full of calls: A = 0
        n = split(b, p, 200, 3);
        assertEquals(200, n[0], "all to the proxy with room");

        p.reported(0, load(1.0, 0.5, 0, 0, 50), 4);
        long overloaded = p.overloadedChoices();
        assertTrue(b.select(p, 1, 5) >= 0, "all full: still a choice");
        assertTrue(p.overloadedChoices() > overloaded, "counted as overloaded");

        long later = 5 + ProxyPool.WORKLOAD_MAX_AGE_NANOS + 1;
        assertEquals(0.5, p.availability(0, later), 1e-9, "a stale report counts as none: half the weight");
    }

    @Test
    void lsttFallsBackOnReportedLoadBeforeProbes() {
        ProxyPool p = pool(ProxySpec.of("busy"), ProxySpec.of("idle"));
        long t0 = 60_000_000_000L; // past the ramp-up
        // Nothing measured by the gateway but probes, which say the busy one answers faster.
        p.probed(0, 1_000_000, t0);
        p.probed(1, 5_000_000, t0);
        // The agents: busy does 90 tps at 90 % CPU (mu 100, spare 10); idle 10 tps at 10 % (mu 100, spare 90).
        p.reported(0, load(0.9, 0.2, 0, 0, 90), t0);
        p.reported(1, load(0.1, 0.2, 0, 0, 10), t0);
        Balancer lstt = Algorithm.LSTT.create(1);
        int[] n = new int[2];
        for (int c = 0; c < 50; c++) {
            long now = t0 + c * 20_000_000L;
            int i = lstt.select(p, c, now);
            n[i]++;
            p.sent(i, org.sipbastion.tier2.pool.TransactionKind.INVITE, c, now); // unanswered: its queue grows
        }
        assertTrue(n[1] > n[0] * 3, "the reports win over the probes: " + n[0] + "/" + n[1]);
        assertEquals(100, org.sipbastion.tier2.lstt.LeastSessionTerminationTime.measuredServiceRate(p, 0, t0), 1e-6);
    }

    @Test
    void algorithmsAreNamedInConfiguration() {
        assertEquals(Algorithm.TLWL, Algorithm.named(" TLWL "));
        assertEquals("lstt", Algorithm.named("lstt").create(0).name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Algorithm.named("random"));
        assertTrue(e.getMessage().contains("round-robin"), e.getMessage());
        for (Algorithm a : Algorithm.values()) {
            assertEquals(a.configName, a.create(0).name());
        }
    }

    @Test
    void aProxyPassedOverIsProbedOnceASecondAndItsOldMeasuresForgotten() {
        ProxyPool p = pool(ProxySpec.of("slow-once"), ProxySpec.of("fast"));
        // One slow answer from the first, quick ones from the second, which gets all the work.
        p.sent(0, TransactionKind.OTHER, 1, 0);
        p.responded(0, TransactionKind.OTHER, 1, 200, 80 * MS);
        LeastSessionTerminationTime lstt = new LeastSessionTerminationTime();
        long t = 31 * S;
        for (int k = 0; k < 50; k++, t += 100 * MS) {
            p.sent(1, TransactionKind.OTHER, 100 + k, t);
            p.responded(1, TransactionKind.OTHER, 100 + k, 200, t + 2 * MS);
        }
        assertEquals(0, lstt.select(p, 0, t), "idle for more than a second: probed");
        p.sent(0, TransactionKind.INVITE, 999, t);
        assertEquals(1, lstt.select(p, 0, t + MS), "then the fast one again");
        assertTrue(Double.isNaN(p.responseTime(0, 80 * MS + ProxyPool.STT_MAX_AGE_NANOS + S)),
            "a minute without an answer: its response time is forgotten");
    }

    @Test
    void aProxyWithoutConfiguredCapacityIsScoredOnTheSameScaleAsThoseWithOne() {
        ProxyPool p = pool(new ProxySpec("known", 0, 1, 100), ProxySpec.of("unknown"));
        int[] n = new int[2];
        LeastSessionTerminationTime lstt = new LeastSessionTerminationTime();
        for (int c = 0; c < 20; c++) {
            int i = lstt.select(p, c, 500 * MS);
            n[i]++;
            p.sent(i, TransactionKind.INVITE, 5_000 + c, 500 * MS);
        }
        assertEquals(10, n[0], 1, "equal footing: " + n[0] + "/" + n[1]);
    }

    @Test
    void anInviteChallengedAtOnceTellsTheProxysResponseTime() {
        ProxyPool p = pool(ProxySpec.of("a"));
        p.sent(0, TransactionKind.INVITE, 1, 0);
        p.responded(0, TransactionKind.INVITE, 1, 407, 3 * MS);
        assertEquals(3 * MS, p.responseTime(0), 1);
        p.sent(0, TransactionKind.INVITE, 2, 10 * MS);
        p.responded(0, TransactionKind.INVITE, 2, 180, 11 * MS);
        p.responded(0, TransactionKind.INVITE, 2, 486, 4_000 * MS); // after ringing: the callee's, not the proxy's
        assertTrue(p.responseTime(0) < 4 * MS, "the 180 counted, not the late 486: " + p.responseTime(0));
    }

    /**
     * No call has been answered yet (start-up), so no STT and no response time: the gateway's OPTIONS
     * round trips rank the proxies, and a proxy whose probes take 20 times longer gets no new call
     * while the other is quick. Once calls are answered, their response times take over.
     */
    @Test
    void withNothingElseMeasuredTheProbesRoundTripsRankTheProxies() {
        ProxyPool p = pool(ProxySpec.of("slow-probes"), ProxySpec.of("quick-probes"));
        long t = 5 * S; // within 10 s of start: no proxy is due an LSTT probe call yet
        for (int k = 0; k < 5; k++) {
            p.probed(0, 20 * MS, t);
            p.probed(1, MS, t);
        }
        LeastSessionTerminationTime lstt = new LeastSessionTerminationTime();
        assertEquals(1, lstt.select(p, 0, t), "the quick one");
        assertEquals(1_000, LeastSessionTerminationTime.measuredServiceRate(p, 1, t), 20,
            "and its service rate is 1/RTT: 1,000 work units a second");
        assertTrue(Double.isNaN(p.probeRoundTrip(0, t + ProxyPool.STT_MAX_AGE_NANOS + S)), "forgotten after a minute");
        // A call answered: response times now, which the probes do not mix into.
        p.sent(0, TransactionKind.OTHER, 1, t);
        p.responded(0, TransactionKind.OTHER, 1, 200, t + 3 * MS);
        assertEquals(3 * MS, p.responseTime(0), 1);
    }
}
