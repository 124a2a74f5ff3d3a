package org.sipbastion.tier1.dialog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier1.Sip;

class DialogFilterTest {
    private static final long S = 1_000_000_000L;
    private static final InetAddress ALICE = Sip.ip("198.51.100.7");
    private static final InetAddress PROXY = Sip.ip("10.0.0.2");
    private static final InetAddress MALLORY = Sip.ip("203.0.113.66");

    /** No grace: these tests start from a filter that has been running. */
    private final DialogFilter filter = new DialogFilter(new DialogFilter.Settings(1 << 10, 0), 3);
    private long now = S;

    private Detector req(org.sipbastion.parser.SipMessage m, InetAddress from) {
        return filter.request(m, from, now++);
    }

    private void answer(Sip c, int code, int cseq, String toTag) {
        filter.response(c.response(code, "INVITE", cseq, toTag), PROXY, now++);
    }

    @Test
    void aByeForADialogNeverAnsweredIsFake() {
        assertEquals(Detector.FAKE_BYE, req(Sip.call("never@x").bye(2, "t"), MALLORY));
        Sip c = Sip.call("ringing@x");
        req(c.invite(1, null), ALICE);
        assertEquals(Detector.FAKE_BYE, req(c.bye(2, "t"), ALICE), "INVITE seen, no 2xx yet");
    }

    @Test
    void aRouteTokenProvesADialogThisFilterDoesNotKnowButNotTheSenderOfOneItKnows() {
        // Set up before a restart: this filter never saw it; the gateway found our token on the BYE.
        assertEquals(Detector.NONE, filter.request(Sip.call("before-restart@x").bye(2, "t"), ALICE, now++, true));
        assertEquals(Detector.FAKE_BYE, filter.request(Sip.call("before-restart@x").bye(2, "t"), ALICE, now++, false));
        // A dialog it knows stays held to its parties: a copied Route does not make Mallory one.
        Sip c = Sip.call("known@x");
        req(c.invite(1, null), ALICE);
        answer(c, 200, 1, "t");
        assertEquals(Detector.FAKE_BYE, filter.request(c.bye(2, "t"), MALLORY, now++, true));
        assertEquals(Detector.NONE, filter.request(c.bye(2, "t"), ALICE, now++, true));
    }

    @Test
    void aByeFromAThirdAddressIsFakeAndThePartiesPass() {
        Sip c = Sip.call("call@x");
        req(c.invite(1, null), ALICE);
        answer(c, 180, 1, "t");
        answer(c, 200, 1, "t");
        req(c.ack(1, "t", true), ALICE);
        assertEquals(Detector.FAKE_BYE, req(c.bye(2, "t"), MALLORY));
        assertEquals(Detector.NONE, req(c.bye(2, "t"), ALICE), "the caller");
        assertEquals(Detector.NONE, req(c.bye(2, "t"), ALICE), "its retransmission");
        Sip callee = new Sip("call@x", "bob", "t");
        assertEquals(Detector.NONE, req(callee.bye(7, c.fromTag()), PROXY), "the callee, through the proxy");
    }

    @Test
    void reInvitesForksAndRetransmissionsDoNotTripIt() {
        Sip c = Sip.call("fork@x");
        req(c.invite(1, null), ALICE);
        req(c.invite(1, null), ALICE);
        answer(c, 200, 1, "ta");
        answer(c, 200, 1, "tb");
        req(c.ack(1, "ta", true), ALICE);
        req(c.ack(1, "tb", true), ALICE);
        req(c.invite(2, "ta"), ALICE); // re-INVITE: no reset
        answer(c, 200, 2, "ta");
        assertEquals(Detector.NONE, req(c.bye(3, "tb"), ALICE));
        filter.response(c.response(200, "BYE", 3, "tb"), PROXY, now++);
        assertEquals(Detector.NONE, req(c.bye(3, "tb"), ALICE), "a late retransmission of the BYE");
    }

    @Test
    void cancelMustFollowAnInviteFromTheSameAddress() {
        assertEquals(Detector.FAKE_CANCEL, req(Sip.call("none@x").cancel(1), MALLORY));
        Sip c = Sip.call("cancel@x");
        req(c.invite(1, null), ALICE);
        assertEquals(Detector.FAKE_CANCEL, req(c.cancel(1), MALLORY));
        assertEquals(Detector.NONE, req(c.cancel(1), ALICE));
    }

    @Test
    void afterARestartUnknownDialogsPassDuringTheGracePeriod() {
        DialogFilter restarted = new DialogFilter(new DialogFilter.Settings(1 << 10, 60 * S), 3);
        assertEquals(Detector.NONE, restarted.request(Sip.call("old@x").bye(5, "t"), ALICE, S));
        assertEquals(Detector.NONE, restarted.request(Sip.call("old2@x").bye(5, "t"), ALICE, 60 * S));
        assertEquals(Detector.FAKE_BYE, restarted.request(Sip.call("old3@x").bye(5, "t"), ALICE, 61 * S + 1));
        assertEquals(2, restarted.unknownInGrace());
    }

    @Test
    void confirmedCallsOutliveAFloodOfUnansweredInvites() {
        DialogFilter small = new DialogFilter(new DialogFilter.Settings(1 << 8, 0), 3);
        Sip c = Sip.call("kept@x");
        small.request(c.invite(1, null), ALICE, 1);
        small.response(c.response(200, "INVITE", 1, "t"), PROXY, 2);
        for (int i = 0; i < 100_000; i++) {
            small.request(Sip.call("flood" + i + "@x").invite(1, null), MALLORY, 3 + i);
        }
        assertEquals(Detector.NONE, small.request(c.bye(2, "t"), ALICE, 200_000));
    }

    /** Transparent forwarding: no response ever comes; the caller's ACK stands for the answer. */
    @Test
    void withoutResponsesTheCallersAckAnswersAndTheByeEnds() {
        filter.responsesUnseen(true);
        Sip c = Sip.call("blind@x");
        req(c.invite(1, null), ALICE);
        assertEquals(Detector.FAKE_BYE, req(c.bye(2, "t"), ALICE), "no ACK yet: not answered");
        req(c.ack(1, "t", true), MALLORY);
        assertEquals(Detector.FAKE_BYE, req(c.bye(2, "t"), ALICE), "an ACK from another address answers nothing");
        req(c.ack(1, "t", true), ALICE);
        assertEquals(Detector.FAKE_BYE, req(c.bye(2, "t"), MALLORY), "still held to its parties");
        Sip callee = new Sip("blind@x", "bob", "t");
        assertEquals(Detector.NONE, filter.request(callee.bye(7, c.fromTag()), PROXY, now++, false, true),
            "the callee's BYE through one of our proxies");
        assertEquals(Detector.NONE, req(c.bye(2, "t"), ALICE), "a retransmitted BYE still finds its dialog");
        Sip other = Sip.call("blind-2@x");
        req(other.invite(1, null), ALICE);
        req(other.ack(1, "t", true), ALICE);
        assertEquals(Detector.FAKE_BYE, filter.request(other.bye(2, "t"), MALLORY, now++, false, false),
            "a third address that is not a proxy");
    }
}
