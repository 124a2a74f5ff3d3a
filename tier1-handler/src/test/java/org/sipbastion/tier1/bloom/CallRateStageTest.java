package org.sipbastion.tier1.bloom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipbastion.tier1.event.Offender;
import org.sipbastion.tier1.Sip;

/** The pairing rule on every normal call flow the issue names: each returns the cells to zero. */
class CallRateStageTest {
    private static final long S = 1_000_000_000L;
    private static final InetAddress ALICE = Sip.ip("198.51.100.7");

    /** A 1 s window: the filter is warm, and the baseline learns, from 2 s on. */
    private final CallRateStage stage = new CallRateStage(
        new CallRateStage.Settings(1 << 16, 4, S, 1 << 12, 3), new Baseline(3, 20, 5, 100), 12345);
    private long now = 1;

    private void req(org.sipbastion.parser.SipMessage m) {
        stage.request(m, ALICE, now++);
    }

    private void resp(org.sipbastion.parser.SipMessage m) {
        stage.response(m, now++);
    }

    private int raised() {
        return stage.filter().raisedCells();
    }

    @Test
    void answeredCallWithRetransmissionsAndBye() {
        Sip c = Sip.call("basic@a");
        req(c.invite(1, null));
        assertTrue(raised() > 0);
        req(c.invite(1, null)); // retransmission
        resp(c.response(100, "INVITE", 1, null));
        resp(c.response(180, "INVITE", 1, "t1"));
        resp(c.response(200, "INVITE", 1, "t1"));
        resp(c.response(200, "INVITE", 1, "t1")); // 200 retransmitted until the ACK
        req(c.ack(1, "t1", true));
        assertEquals(0, raised(), "INVITE-200-ACK closes the set-up exchange");
        req(c.ack(1, "t1", true)); // ACK retransmission: already counted
        req(c.bye(2, "t1"));
        assertTrue(raised() > 0);
        req(c.bye(2, "t1"));
        resp(c.response(200, "BYE", 2, "t1"));
        resp(c.response(200, "BYE", 2, "t1"));
        assertEquals(0, raised(), "BYE answered by 200, no ACK");
    }

    @Test
    void theAlarmStartsAsTheLoadCrossesTheThresholdNotAtTheNextSample() {
        CallRateStage s = new CallRateStage(new CallRateStage.Settings(1 << 16, 4, 10 * S, 1 << 12, 3),
            Baseline.fixed(0, 0, 3, 20), 7);
        s.tick(0);
        s.tick(21 * S);
        assertFalse(s.alarming());
        long t = 21 * S + 1;
        int i = 0;
        boolean started = false;
        while (!started) {
            s.request(Sip.call("flood-" + i++ + "@x").invite(1, null), ALICE, t);
            started = s.tick(t);
            t += S / 100;
        }
        assertTrue(t < 22 * S, "alarm at " + (t - 21 * S) / 1e9 + " s, before the next sample");
        assertTrue(s.load() > 20, "the alarm reports the load that crossed: " + s.load());
        assertTrue(i >= 5 && i <= 7, i + " open exchanges of 4 cells cross mean 0 + floor 20");
    }

    @Test
    void onlyTheCallerAcknowledgingTheAnswerItGotMakesItKnown() {
        org.sipbastion.tier1.admission.KnownSources known = new org.sipbastion.tier1.admission.KnownSources(1024, 3600 * S, 5);
        stage.vouchInto(known);
        InetAddress mallory = Sip.ip("203.0.113.66");
        Sip spoofed = Sip.call("spoofed-ack@a");
        req(spoofed.invite(1, null));
        resp(spoofed.response(200, "INVITE", 1, "t1"));
        stage.request(spoofed.ack(1, "t1", true), mallory, now++);
        assertFalse(known.known(ALICE, now), "an ACK from another address vouches for nobody");
        Sip guessed = Sip.call("guessed-tag@a");
        req(guessed.invite(1, null));
        resp(guessed.response(200, "INVITE", 1, "t1"));
        req(guessed.ack(1, "not-the-tag", true));
        assertFalse(known.known(ALICE, now), "nor one without the answer's To tag");
        Sip real = Sip.call("real@a");
        req(real.invite(1, null));
        resp(real.response(200, "INVITE", 1, "t7"));
        req(real.ack(1, "t7", true));
        assertTrue(known.known(ALICE, now));
    }

    /**
     * After a flood is over the load may stay above the mean (more calls than learned): the alarm
     * holds for two windows at most, then lasts only above the threshold, so the baseline can learn.
     */
    @Test
    void theHysteresisLastsTwoWindowsAtMost() {
        CallRateStage s = new CallRateStage(new CallRateStage.Settings(1 << 16, 4, 100 * S, 1 << 12, 3),
            Baseline.fixed(40, 0, 3, 50), 9);
        // Threshold: 40 + max(3 x sqrt(4 x 40), 50) = 90 raised cells. Steady calls: 4 a second, each
        // open for 4 s, so 16 open exchanges (64 cells), above the mean and under the threshold.
        java.util.ArrayDeque<Sip> steady = new java.util.ArrayDeque<>();
        int made = 0;
        s.tick(0);
        long alarmFrom = -1;
        boolean heldAt150 = false;
        boolean heldAt190 = false;
        for (long t = 1; t <= 500; t++) {
            long now = t * S;
            while (steady.size() >= 16) {
                s.request(steady.pollFirst().ack(1, "t", false), ALICE, now);
            }
            for (int i = 0; i < 4; i++) {
                Sip c = Sip.call("steady-" + made++ + "@x");
                s.request(c.invite(1, null), ALICE, now);
                steady.addLast(c);
            }
            if (t == 250) {
                // A flood of 20 INVITEs starts the alarm; it ends at once (its exchanges close).
                Sip[] flood = new Sip[20];
                for (int i = 0; i < flood.length; i++) {
                    flood[i] = Sip.call("flood-" + i + "@x");
                    s.request(flood[i].invite(1, null), ALICE, now);
                }
                s.tick(now);
                assertTrue(s.alarming(), "the flood starts the alarm at once");
                alarmFrom = now;
                for (Sip f : flood) {
                    s.request(f.ack(1, "t", false), ALICE, now);
                }
            }
            s.tick(now);
            if (alarmFrom > 0 && now - alarmFrom == 150 * S) {
                heldAt150 = s.alarming();
            }
            if (alarmFrom > 0 && now - alarmFrom == 190 * S) {
                heldAt190 = s.alarming();
            }
        }
        assertTrue(heldAt150 && heldAt190, "held while the load stays above the mean, within two windows");
        assertFalse(s.alarming(), "ended after two windows under the threshold");
    }

    @Test
    void challengedInviteIsTwoExchangesBothClosed() {
        Sip c = Sip.call("auth@a");
        req(c.invite(1, null));
        resp(c.response(407, "INVITE", 1, "p1"));
        req(c.ack(1, "p1", false));
        assertEquals(0, raised());
        req(c.invite(2, null)); // re-sent with credentials: new CSeq
        resp(c.response(200, "INVITE", 2, "t1"));
        req(c.ack(2, "t1", true));
        assertEquals(0, raised());
    }

    @Test
    void cancelledAndRejectedCalls() {
        Sip c = Sip.call("cancel@a");
        req(c.invite(1, null));
        req(c.cancel(1));
        resp(c.response(200, "CANCEL", 1, "t1"));
        resp(c.response(487, "INVITE", 1, "t1"));
        req(c.ack(1, "t1", false));
        assertEquals(0, raised(), "CANCEL, 487 and its ACK");
        for (int code : new int[] {486, 603}) {
            Sip r = Sip.call("reject" + code + "@a");
            req(r.invite(1, null));
            resp(r.response(code, "INVITE", 1, "t1"));
            req(r.ack(1, "t1", false));
            assertEquals(0, raised(), code + " and its ACK");
        }
    }

    @Test
    void forkedTwoHundredsCloseTheExchangeOnce() {
        Sip c = Sip.call("fork@a");
        Sip other = Sip.call("other@a");
        req(other.invite(1, null)); // another call left open shares nothing with this one
        int background = raised();
        req(c.invite(1, null));
        resp(c.response(200, "INVITE", 1, "ta"));
        resp(c.response(200, "INVITE", 1, "tb"));
        req(c.ack(1, "ta", true));
        req(c.ack(1, "tb", true)); // must not take a second 1 off cells it may share with "other"
        assertEquals(background, raised());
        req(c.bye(2, "tb"));
        int withBye = raised();
        assertTrue(withBye > background);
        // Late ACK retransmissions share the BYE's cells (same session): they must not take them down.
        req(c.ack(1, "ta", true));
        req(c.ack(1, "tb", true));
        assertEquals(withBye, raised());
        resp(c.response(200, "BYE", 2, "tb"));
        assertEquals(background, raised());
    }

    @Test
    void reInviteIsItsOwnExchange() {
        Sip c = Sip.call("reinvite@a");
        req(c.invite(1, null));
        resp(c.response(200, "INVITE", 1, "t1"));
        req(c.ack(1, "t1", true));
        req(c.invite(2, "t1"));
        assertTrue(raised() > 0);
        resp(c.response(200, "INVITE", 2, "t1"));
        req(c.ack(2, "t1", true));
        assertEquals(0, raised());
    }

    @Test
    void unansweredFloodRaisesTheLoadAndNamesItsSource() {
        // Learn a quiet baseline: a few calls, all completed (2 s of warm-up, then 5 samples).
        for (int second = 0; second < 8; second++) {
            Sip c = Sip.call("normal" + second + "@a");
            stage.request(c.invite(1, null), ALICE, second * S);
            stage.response(c.response(200, "INVITE", 1, "t"), second * S + 1);
            stage.request(c.ack(1, "t", true), ALICE, second * S + 2);
            assertFalse(stage.tick(second * S + 3));
        }
        assertTrue(stage.baseline().learned());
        InetAddress attacker = Sip.ip("203.0.113.66");
        boolean alarm = false;
        for (int i = 0; i < 400; i++) {
            long t = 8 * S + i * (S / 100);
            stage.request(Sip.call("flood" + i + "@x").invite(1, null), attacker, t);
            alarm |= stage.tick(t);
        }
        assertTrue(alarm, "raised cells " + stage.load() + " vs threshold " + stage.baseline().threshold());
        assertTrue(stage.alarming());
        List<Offender> offenders = stage.offenders(5);
        assertEquals(attacker, offenders.get(0).source());
        // With a 1 s window only the last one to two seconds of the flood still stand.
        assertTrue(offenders.get(0).count() >= 100 && offenders.get(0).count() <= 200, offenders.toString());
        assertEquals(1, offenders.size(), "a source with completed calls is not an offender");
    }

    @Test
    void exchangesTheWindowForgotAreNoLongerBlamedOnTheirSource() {
        InetAddress attacker = Sip.ip("203.0.113.66");
        stage.tick(0);
        for (int i = 0; i < 100; i++) {
            stage.request(Sip.call("old" + i + "@x").invite(1, null), attacker, S / 2);
        }
        assertEquals(100, stage.offenders(5).get(0).count());
        for (int s = 1; s <= 4; s++) {
            stage.tick(s * S); // two rotations
        }
        assertEquals(0, raised());
        assertTrue(stage.offenders(5).isEmpty(), "forgotten by the filter, forgotten by the report");
    }

    @Test
    void aBusyTableMakesRoomWithClosedTransactionsNotWithOpenOnes() {
        CallRateStage small = new CallRateStage(new CallRateStage.Settings(1 << 16, 4, 60 * S, 8, 3),
            new Baseline(3, 20, 5, 100), 1);
        Sip waiting = Sip.call("ringing@x");
        small.request(waiting.invite(1, null), ALICE, 1);
        for (int i = 0; i < 1000; i++) {
            Sip c = Sip.call("quick" + i + "@x");
            small.request(c.invite(1, null), ALICE, 2 + 2 * i);
            small.request(c.ack(1, "t", true), ALICE, 3 + 2 * i);
        }
        assertTrue(small.filter().raisedCells() > 0);
        small.request(waiting.ack(1, "t", true), ALICE, 5000);
        assertEquals(0, small.filter().raisedCells(), "the long-ringing call was still there to close");
    }

    @Test
    void answersFromAProxyCloseNothingTheyDoNotMatch() {
        Sip c = Sip.call("stray@a");
        resp(c.response(200, "BYE", 9, "t1")); // a BYE response for a BYE never seen
        req(c.ack(4, "t1", true)); // an ACK for an INVITE never seen
        assertEquals(0, raised());
        assertEquals(0, stage.filter().saturatedCells());
    }

    /** Transparent forwarding: INVITE then ACK closes the set-up, a BYE opens nothing, and only a proven ACK vouches. */
    @Test
    void withoutResponsesTheAckClosesTheInviteAndOnlyAProvenOneVouches() {
        org.sipbastion.tier1.admission.KnownSources known = new org.sipbastion.tier1.admission.KnownSources(1024, 3600 * S, 5);
        stage.vouchInto(known);
        stage.responsesUnseen(true);
        Sip c = Sip.call("blind@a");
        req(c.invite(1, null));
        assertTrue(raised() > 0);
        req(c.ack(1, "t1", true));
        assertEquals(0, raised(), "the ACK closes the set-up exchange");
        assertFalse(known.known(ALICE, now), "an ACK without our route token vouches for nobody");
        req(c.bye(2, "t1"));
        assertEquals(0, raised(), "a BYE opens nothing: no final response would close it");
        Sip proven = Sip.call("blind-proven@a");
        req(proven.invite(1, null));
        stage.request(proven.ack(1, "t1", true), ALICE, now++, true);
        assertEquals(0, raised());
        assertTrue(known.known(ALICE, now), "an ACK through our Record-Route: the caller had the real 2xx");
    }
}
