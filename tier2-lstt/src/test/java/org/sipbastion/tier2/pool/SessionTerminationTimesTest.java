package org.sipbastion.tier2.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SessionTerminationTimesTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    @Test
    void theMeanIsOverTheLastKSamplesNoOlderThanT() {
        SessionTerminationTimes t = new SessionTerminationTimes(2, 4, 10 * S);
        assertTrue(Double.isNaN(t.mean(0, 0)), "unknown before any sample");
        t.record(0, 10 * MS, S);
        t.record(0, 20 * MS, 2 * S);
        assertEquals(15 * MS, t.mean(0, 2 * S), 1e-6);
        assertTrue(Double.isNaN(t.mean(1, 2 * S)), "per proxy");
        // K = 4: the fifth sample replaces the first.
        t.record(0, 30 * MS, 3 * S);
        t.record(0, 40 * MS, 4 * S);
        t.record(0, 50 * MS, 5 * S);
        assertEquals(35 * MS, t.mean(0, 5 * S), 1e-6);
        assertEquals(4, t.samples(0, 5 * S));
        // T = 10 s: at 13.5 s only the samples of 4 and 5 s are young enough.
        assertEquals(45 * MS, t.mean(0, 13 * S + S / 2), 1e-6);
        assertEquals(2, t.samples(0, 13 * S + S / 2));
        assertTrue(Double.isNaN(t.mean(0, 60 * S)), "all too old");
        assertEquals(5, t.total(0));
    }

    @Test
    void pendingTransactionsCloseOnceOnTheirProxysFinalResponse() {
        Transactions p = new Transactions(64, 2);
        p.sent(42, 1, TransactionKind.BYE, S);
        p.sent(42, 1, TransactionKind.BYE, S + 300 * MS); // retransmission: the clock runs from the first send
        assertEquals(-1, p.completed(42, 0, 2 * S), "an answer from another proxy is not this BYE's");
        assertEquals(S, p.completed(42, 1, 2 * S));
        assertEquals(-1, p.completed(42, 1, 2 * S), "taken once");
        assertEquals(-1, p.completed(7, 1, 2 * S));
    }

    @Test
    void aRetransmissionBehindAnAnsweredSlotKeepsItsFirstClock() {
        Transactions p = new Transactions(8, 1);
        // Three keys in one probe run (same low bits), the first answered: a hole before the third.
        long a = 8;
        long b = 16;
        long c = 24;
        p.sent(a, 0, TransactionKind.BYE, S);
        p.sent(b, 0, TransactionKind.BYE, S);
        p.sent(c, 0, TransactionKind.BYE, S);
        assertEquals(S, p.completed(a, 0, 2 * S));
        p.sent(c, 0, TransactionKind.BYE, 3 * S);
        assertEquals(3 * S, p.completed(c, 0, 4 * S), "timed from the first send");
    }

    @Test
    void theRingKeepsWorkingPastItsSize() {
        SessionTerminationTimes t = new SessionTerminationTimes(1, 3, 100 * S);
        for (int i = 1; i <= 1000; i++) {
            t.record(0, i * MS, i);
        }
        assertEquals(999 * MS, t.mean(0, 1000), 1e-6);
        assertEquals(3, t.samples(0, 1000));
    }

    @Test
    void aFullTableForgetsTheOldestNotTheNewest() {
        Transactions p = new Transactions(8, 1);
        for (long k = 1; k <= 100; k++) {
            p.sent(k * 0x9E3779B97F4A7C15L, 0, TransactionKind.BYE, k * MS);
        }
        assertTrue(p.evicted() >= 92, "overwritten " + p.evicted());
        assertEquals(MS, p.completed(100 * 0x9E3779B97F4A7C15L, 0, 101 * MS), "the newest is there");
    }

    @Test
    void theFloorIsTheLeastYoungSample() {
        SessionTerminationTimes t = new SessionTerminationTimes(1, 4, 10 * S);
        assertEquals(-1, t.floor(0, 0));
        t.record(0, 5 * MS, S);
        t.record(0, 3 * MS, 2 * S);
        t.record(0, 9 * MS, 3 * S);
        assertEquals(3 * MS, t.floor(0, 3 * S));
        t.record(0, 4 * MS, 4 * S);
        t.record(0, 6 * MS, 5 * S); // K = 4: the 5 ms sample leaves, 3 ms stays
        assertEquals(3 * MS, t.floor(0, 5 * S));
        assertEquals(4 * MS, t.floor(0, 12 * S + S / 2), "the 3 ms sample aged out");
    }

    @Test
    void unansweredWorkIsWhatHasHadNoResponseYet() {
        Transactions p = new Transactions(64, 1);
        p.sent(1, 0, TransactionKind.INVITE, 0);
        p.sent(2, 0, TransactionKind.BYE, 0);
        assertEquals(2.75, p.unansweredWork(0));
        assertEquals(MS, p.provisional(1, 0, MS), "the first provisional response");
        assertEquals(-1, p.provisional(1, 0, 2 * MS), "a second one is not first");
        assertEquals(1.0, p.unansweredWork(0));
        assertEquals(2.75, p.work(0), "TLWL counts it until its final response");
        p.completed(1, 0, 3 * MS);
        p.completed(2, 0, 3 * MS);
        assertEquals(0.0, p.unansweredWork(0));
        p.sent(3, 0, TransactionKind.INVITE, 0);
        p.expire(1, null);
        assertEquals(0.0, p.unansweredWork(0), "expired: gone from every count");
        assertEquals(0, p.outstanding(0));
    }
}
