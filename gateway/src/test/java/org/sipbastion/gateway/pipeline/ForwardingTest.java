package org.sipbastion.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipbastion.gateway.pipeline.Sip.CLIENT;
import static org.sipbastion.gateway.pipeline.Sip.CONFIG;
import static org.sipbastion.gateway.pipeline.Sip.GATEWAY;
import static org.sipbastion.gateway.pipeline.Sip.PROXY_A;
import static org.sipbastion.gateway.pipeline.Sip.PROXY_B;
import static org.sipbastion.gateway.pipeline.Sip.datagram;
import static org.sipbastion.gateway.pipeline.Sip.lines;
import static org.sipbastion.gateway.pipeline.Sip.request;
import static org.sipbastion.gateway.pipeline.Sip.sent;

import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sipbastion.gateway.Gateway;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.parser.HeaderName;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.event.Detector;

/** The whole gateway pipeline on an EmbeddedChannel: what goes out, where, and with which edits. */
class ForwardingTest {
    private final GatewayCounters counters = new GatewayCounters();
    private final EmbeddedChannel ch = new EmbeddedChannel();
    private final List<Alarm> alarms = new ArrayList<>();

    ForwardingTest() {
        Gateway.pipeline(ch.pipeline(), CONFIG, counters, GATEWAY, alarms::add);
    }

    private Sip.Sent one(String text, InetSocketAddress from) {
        ch.writeInbound(datagram(text, from));
        List<Sip.Sent> out = sent(ch);
        assertEquals(1, out.size(), "expected exactly one datagram out, counters: " + counters.summary());
        return out.get(0);
    }

    @Test
    void initialInviteIsRecordRoutedViaPushedAndSourceStamped() {
        Sip.Sent out = one(request("INVITE", "call-1@x", "INVITE"), CLIENT);
        assertTrue(out.to().equals(PROXY_A) || out.to().equals(PROXY_B));
        SipMessage m = out.parsed();
        // Our Record-Route carries the route token, which names the proxy by a keyed hash.
        String rr = m.string(m.firstRecordRoute());
        assertTrue(rr.matches("sip:127\\.0\\.0\\.1:5060;lr;bt=[a-z2-7]{8}-a[a-z2-7]{16}"), rr);
        assertEquals(2, m.viaCount());
        assertEquals("127.0.0.1", m.string(m.via(0).host()));
        assertEquals(5060, m.via(0).port());
        assertTrue(m.string(m.via(0).branch()).startsWith("z9hG4bKsp"), "bound to the proxy");
        assertEquals("127.0.0.1", m.string(m.via(1).received()), "sent-by 10.1.1.1 differs from the source");
        assertEquals(40000, m.via(1).rport());
        assertEquals(69, m.maxForwards());
        assertEquals(1, counters.requestsForwarded.sum());
    }

    @Test
    void everyMessageOfACallGoesToTheSameProxyAndCallsSpread() {
        Set<InetSocketAddress> used = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            String callId = "spread-" + i + "@x";
            Sip.Sent invite = one(request("INVITE", callId, "INVITE"), CLIENT);
            InetSocketAddress first = invite.to();
            used.add(first);
            // Answered, so that tier 1 knows the dialog its BYE ends.
            assertEquals(CLIENT, one(responseTo(invite.parsed(), 200, "OK"), first).to());
            assertEquals(first, one(request("ACK", callId, "ACK"), CLIENT).to());
            assertEquals(first, one(request("BYE", callId, "BYE"), CLIENT).to());
        }
        assertEquals(Set.of(PROXY_A, PROXY_B), used);
    }

    @Test
    void cancelAndNon2xxAckShareTheInvitesBranchA2xxAckDoesNot() {
        String invite = request("INVITE", "branch@x", "INVITE");
        String branch = branchOf(one(invite, CLIENT));
        assertEquals(branch, branchOf(one(invite, CLIENT)), "retransmission");
        assertEquals(branch, branchOf(one(request("CANCEL", "branch@x", "CANCEL"), CLIENT)));
        assertEquals(branch, branchOf(one(request("ACK", "branch@x", "ACK"), CLIENT)), "ACK for a non-2xx");
        String ack2xx = request("ACK", "branch@x", "ACK").replace("z9hG4bKclient1", "z9hG4bKclient2");
        assertNotEquals(branch, branchOf(one(ack2xx, CLIENT)));
    }

    private static String branchOf(Sip.Sent s) {
        SipMessage m = s.parsed();
        return m.string(m.via(0).branch());
    }

    @Test
    void responseWithOurBranchIsPoppedAndSentToTheClient() {
        Sip.Sent sent = one(request("INVITE", "resp@x", "INVITE"), CLIENT);
        String response = responseTo(sent.parsed(), 200, "OK");
        Sip.Sent back = one(response, sent.to());
        assertEquals(CLIENT, back.to(), "received + rport of the client's Via");
        SipMessage m = back.parsed();
        assertEquals(1, m.viaCount());
        assertEquals("z9hG4bKclient1", m.string(m.via(0).branch()));
        assertEquals(1, counters.responsesForwarded.sum());
    }

    @Test
    void responseWeNeverCausedIsDropped() {
        SipMessage fwd = one(request("INVITE", "forged@x", "INVITE"), CLIENT).parsed();
        String genuine = responseTo(fwd, 486, "Busy Here");
        String forged = genuine.replace(fwd.string(fwd.via(0).branch()), "z9hG4bKsbaaaaaaaaaaaaaaaaa");
        ch.writeInbound(datagram(forged, PROXY_A));
        assertTrue(sent(ch).isEmpty());
        String otherCall = genuine.replace("Call-ID: forged@x", "Call-ID: other@x");
        ch.writeInbound(datagram(otherCall, PROXY_A));
        assertTrue(sent(ch).isEmpty(), "a branch is bound to its call: replaying it on another call fails");
        assertEquals(2, counters.dropped.count(Detector.FAKE_RESPONSE));
    }

    @Test
    void aGenuineBranchFromAnotherAddressThanTheProxyIsAFakeResponse() {
        Sip.Sent fwd = one(request("INVITE", "busy@x", "INVITE"), CLIENT);
        String busy = responseTo(fwd.parsed(), 486, "Busy Here");
        // The attacker saw the INVITE go by and answers it with the right branch, from elsewhere.
        ch.writeInbound(datagram(busy, new InetSocketAddress("127.0.0.66", fwd.to().getPort())));
        assertTrue(sent(ch).isEmpty());
        assertEquals(1, counters.dropped.count(Detector.FAKE_RESPONSE));
        assertEquals(CLIENT, one(busy, fwd.to()).to(), "from the proxy it went to, it passes");
    }

    @Test
    void aViaNamingBroadcastIsRefusedAtTheEdge() {
        String req = request("INVITE", "bcast@x", "INVITE")
            .replace("10.1.1.1:5062;branch=z9hG4bKclient1;rport", "10.1.1.1;branch=z9hG4bKclient1;received=255.255.255.255");
        ch.writeInbound(datagram(req, CLIENT));
        assertTrue(sent(ch).isEmpty());
        assertEquals(1, counters.refused.count(org.sipbastion.tier1.sanity.PolicyViolation.BROADCAST_VIA));
    }

    @Test
    void aResponseIsNeverSentBackToUs() {
        String req = request("INVITE", "loop@x", "INVITE")
            .replace("10.1.1.1:5062;branch=z9hG4bKclient1;rport", "10.1.1.1;branch=z9hG4bKclient1;received=127.0.0.1;rport=5060");
        SipMessage fwd = one(req, CLIENT).parsed();
        ch.writeInbound(datagram(responseTo(fwd, 200, "OK"), PROXY_A));
        assertTrue(sent(ch).isEmpty());
        assertEquals(1, counters.unroutable.sum());
    }

    @Test
    void inDialogRequestLosesOurRouteEntry() {
        Sip.Sent invite = one(request("INVITE", "dialog@x", "INVITE"), CLIENT);
        one(responseTo(invite.parsed(), 200, "OK"), invite.to());
        String ours = invite.parsed().string(invite.parsed().firstRecordRoute());
        String bye = request("BYE", "dialog@x", "BYE", "Route: <" + ours + ">, <sip:proxy.example.com;lr>")
            .replace("To: <sip:bob@example.com>", "To: <sip:bob@example.com>;tag=callee1");
        SipMessage m = one(bye, CLIENT).parsed();
        assertEquals(1, m.routeCount());
        assertEquals("sip:proxy.example.com;lr", m.string(m.firstRoute()));
        assertEquals(0, m.recordRouteCount(), "no Record-Route inside a dialog");
    }

    @Test
    void requestFromAProxyGoesToItsRequestUri() {
        String bye = lines(
            "BYE sip:alice@127.0.0.1:40000 SIP/2.0",
            "Via: SIP/2.0/UDP 127.0.0.1:5071;branch=z9hG4bKproxy1",
            "Route: <sip:127.0.0.1:5060;lr>",
            "Max-Forwards: 69",
            "From: <sip:bob@example.com>;tag=callee1",
            "To: <sip:alice@example.com>;tag=fromtag1",
            "Call-ID: reverse@x",
            "CSeq: 7 BYE",
            "Content-Length: 0",
            "");
        Sip.Sent out = one(bye, PROXY_A);
        assertEquals(CLIENT, out.to());
        SipMessage m = out.parsed();
        assertEquals(0, m.routeCount());
        // Topology hiding (on by default): the proxy's Via travels sealed inside ours.
        assertEquals(1, m.viaCount());
        assertEquals("127.0.0.1", m.string(m.via(0).host()));
        assertEquals(5060, m.via(0).port());
        assertFalse(out.text().contains("z9hG4bKproxy1"), out.text());
    }

    @Test
    void malformedAndRefusedMessagesNeverLeave() {
        ch.writeInbound(datagram("garbage\r\n\r\n", CLIENT));
        ch.writeInbound(datagram(request("INVITE", "x@x", "INVITE").replace("CSeq: 1 INVITE", "CSeq: 1 BYE"), CLIENT));
        assertTrue(sent(ch).isEmpty());
        assertEquals(2, counters.malformed.total());
        assertFalse(ch.finish());
    }

    /** What a proxy (UAS) would answer to the forwarded request: same Vias, To tag added. */
    static String responseTo(SipMessage fwd, int status, String reason) {
        StringBuilder b = new StringBuilder("SIP/2.0 " + status + " " + reason + "\r\n");
        for (int h = 0; h < fwd.headerCount(); h++) {
            HeaderName n = fwd.headerName(h);
            if (n == HeaderName.VIA || n == HeaderName.FROM || n == HeaderName.CALL_ID || n == HeaderName.CSEQ
                || n == HeaderName.RECORD_ROUTE) {
                b.append(fwd.string(fwd.headerLine(h)));
            } else if (n == HeaderName.TO) {
                b.append("To: ").append(fwd.string(fwd.headerValue(h))).append(";tag=uas1\r\n");
            }
        }
        return b.append("Content-Length: 0\r\n\r\n").toString();
    }
}
