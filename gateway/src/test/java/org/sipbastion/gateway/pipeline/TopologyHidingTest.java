package org.sipbastion.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipbastion.gateway.pipeline.Sip.CLIENT;
import static org.sipbastion.gateway.pipeline.Sip.CONFIG;
import static org.sipbastion.gateway.pipeline.Sip.GATEWAY;
import static org.sipbastion.gateway.pipeline.Sip.PROXY_A;
import static org.sipbastion.gateway.pipeline.Sip.datagram;
import static org.sipbastion.gateway.pipeline.Sip.lines;
import static org.sipbastion.gateway.pipeline.Sip.request;
import static org.sipbastion.gateway.pipeline.Sip.sent;

import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.sipbastion.gateway.Gateway;
import org.sipbastion.gateway.GatewayConfig;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.parser.HeaderName;
import org.sipbastion.parser.SipMessage;

/**
 * Topology hiding on the whole pipeline: what a client receives names no proxy (their Via,
 * Record-Route and B2BUA Contact are sealed into ours), and what it sends back reaches the proxy
 * with every entry restored, in the order the proxies wrote it. The proxies are 127.0.0.1:5071
 * and :5072, the gateway 127.0.0.1:5060: "507" must never reach a client.
 */
class TopologyHidingTest {
    private static final InetSocketAddress CALLEE = new InetSocketAddress("127.0.0.1", 40002);
    private static final String PROXY_VIA = "SIP/2.0/UDP 127.0.0.1:5071;branch=z9hG4bKprx1";
    private static final String PROXY_RR = "<sip:127.0.0.1:5071;lr;ftag=fromtag1>";
    private static final Pattern RR = Pattern.compile("Record-Route: <(sip:[^>]*)>");
    private final GatewayCounters counters = new GatewayCounters();
    private final EmbeddedChannel ch = gateway(CONFIG, counters);

    private static EmbeddedChannel gateway(GatewayConfig config, GatewayCounters counters) {
        EmbeddedChannel ch = new EmbeddedChannel();
        Gateway.pipeline(ch.pipeline(), config, counters, GATEWAY, a -> { });
        return ch;
    }

    private Sip.Sent one(String text, InetSocketAddress from) {
        return one(ch, counters, text, from);
    }

    private static Sip.Sent one(EmbeddedChannel ch, GatewayCounters counters, String text, InetSocketAddress from) {
        ch.writeInbound(datagram(text, from));
        List<Sip.Sent> out = sent(ch);
        assertEquals(1, out.size(), "expected one datagram out, counters: " + counters.summary());
        return out.get(0);
    }

    private static String ourRecordRoute(String text) {
        Matcher m = RR.matcher(text);
        assertTrue(m.find(), text);
        String uri = m.group(1);
        assertFalse(m.find(), "one Record-Route entry only: " + text);
        return uri;
    }

    /** A caller's call through proxy A, which record-routes: the 200 OK the caller gets names only us. */
    @Test
    void theCallerSeesOnlyOurRecordRouteAndItsRequestsGetTheProxysBack() {
        Sip.Sent invite = one(request("INVITE", "hide-1@x", "INVITE", "Contact: <sip:alice@10.1.1.1:5062>"), CLIENT);
        SipMessage fwd = invite.parsed();
        String ours = fwd.string(fwd.headerValue(fwd.first(HeaderName.RECORD_ROUTE)));
        // The proxy adds its own Record-Route above ours, and the callee copies both into its answer.
        StringBuilder ok = new StringBuilder("SIP/2.0 200 OK\r\n");
        for (int h = 0; h < fwd.headerCount(); h++) {
            HeaderName n = fwd.headerName(h);
            if (n == HeaderName.VIA || n == HeaderName.FROM || n == HeaderName.CALL_ID || n == HeaderName.CSEQ) {
                ok.append(fwd.string(fwd.headerLine(h)));
            }
        }
        ok.append("To: <sip:bob@example.com>;tag=callee1\r\n")
            .append("Record-Route: ").append(PROXY_RR).append("\r\n")
            .append("Record-Route: ").append(ours).append("\r\n")
            .append("Contact: <sip:bob@192.0.2.200:5062>\r\nContent-Length: 0\r\n\r\n");
        Sip.Sent answer = one(ok.toString(), invite.to());
        assertEquals(CLIENT, answer.to());
        assertFalse(answer.text().contains("507"), answer.text());
        String route = ourRecordRoute(answer.text());
        assertTrue(route.startsWith("sip:127.0.0.1:5060;lr;bt="), route);
        assertTrue(route.contains(";bh="), route);
        assertTrue(answer.text().contains("Contact: <sip:bob@192.0.2.200:5062>"), "a client's Contact is no topology");
        assertEquals(1, counters.topologyHidden.sum());

        // The caller's BYE carries its route set: our entry alone. The proxy gets its own entry back.
        String bye = request("BYE", "hide-1@x", "BYE", "Route: <" + route + ">")
            .replace("To: <sip:bob@example.com>", "To: <sip:bob@example.com>;tag=callee1").replace("CSeq: 1 BYE", "CSeq: 2 BYE");
        Sip.Sent sentBye = one(bye, CLIENT);
        assertEquals(invite.to(), sentBye.to());
        SipMessage b = sentBye.parsed();
        assertEquals(1, b.routeCount(), sentBye.text());
        assertEquals("sip:127.0.0.1:5071;lr;ftag=fromtag1", b.string(b.firstRoute()));
    }

    private String inviteFromProxy(String callId) {
        return lines("INVITE sip:bob@127.0.0.1:40002 SIP/2.0",
            "Via: " + PROXY_VIA,
            "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKspaearlierhop00000, SIP/2.0/UDP 10.1.1.1:5062;branch=z9hG4bKcaller",
            "Record-Route: " + PROXY_RR,
            "Max-Forwards: 68",
            "From: <sip:alice@example.com>;tag=fromtag1",
            "To: <sip:bob@example.com>",
            "Call-ID: " + callId,
            "CSeq: 1 INVITE",
            "Contact: <sip:alice@10.1.1.1:5062>",
            "Content-Length: 0",
            "");
    }

    /** The callee's side: the INVITE from the proxy keeps no proxy Via or Record-Route; answers and requests restore them. */
    @Test
    void theCalleeSeesOnlyOurViaAndRecordRouteAndEverythingComesBackRestored() {
        Sip.Sent invite = one(inviteFromProxy("hide-2@x"), PROXY_A);
        assertEquals(CALLEE, invite.to());
        assertFalse(invite.text().contains("507"), invite.text());
        assertFalse(invite.text().contains("10.1.1.1:5062;branch"), "the caller's Via is sealed too: " + invite.text());
        SipMessage m = invite.parsed();
        assertEquals(1, m.viaCount());
        assertEquals(1, m.recordRouteCount());
        String route = ourRecordRoute(invite.text());
        assertTrue(route.contains(";bt=") && route.contains(";bh="), route);
        assertTrue(invite.text().contains("Contact: <sip:alice@10.1.1.1:5062>"), invite.text());

        // The callee answers with our Via and Record-Route copied: the proxy gets its Vias and entries back.
        String ok = lines("SIP/2.0 200 OK",
            "Via: " + m.string(m.headerValue(m.first(HeaderName.VIA))),
            "Record-Route: <" + route + ">",
            "From: <sip:alice@example.com>;tag=fromtag1",
            "To: <sip:bob@example.com>;tag=callee2",
            "Call-ID: hide-2@x", "CSeq: 1 INVITE", "Contact: <sip:bob@127.0.0.1:40002>", "Content-Length: 0", "");
        Sip.Sent answer = one(ok, CALLEE);
        assertEquals(PROXY_A, answer.to(), "routed by the proxy's restored Via: " + counters.summary());
        SipMessage a = answer.parsed();
        assertEquals(3, a.viaCount(), answer.text());
        assertEquals("z9hG4bKprx1", a.string(a.via(0).branch()));
        assertTrue(answer.text().contains(";branch=z9hG4bKcaller"), answer.text());
        assertEquals(2, a.recordRouteCount());
        assertTrue(answer.text().contains("Record-Route: <" + route.substring(0, route.indexOf(";bh=")) + ">, " + PROXY_RR),
            answer.text());

        // The callee's BYE: Route names us only; the proxy gets its entry back after ours is popped.
        String bye = lines("BYE sip:alice@10.1.1.1:5062 SIP/2.0",
            "Via: SIP/2.0/UDP 127.0.0.1:40002;branch=z9hG4bKcalleebye",
            "Route: <" + route + ">", "Max-Forwards: 70",
            "From: <sip:bob@example.com>;tag=callee2", "To: <sip:alice@example.com>;tag=fromtag1",
            "Call-ID: hide-2@x", "CSeq: 1 BYE", "Content-Length: 0", "");
        Sip.Sent sentBye = one(bye, CALLEE);
        assertEquals(PROXY_A, sentBye.to());
        SipMessage b = sentBye.parsed();
        assertEquals(1, b.routeCount(), sentBye.text());
        assertEquals("sip:127.0.0.1:5071;lr;ftag=fromtag1", b.string(b.firstRoute()));
    }

    @Test
    void anAlteredOrMovedSealIsDroppedAndCounted() {
        Sip.Sent invite = one(inviteFromProxy("hide-3@x"), PROXY_A);
        SipMessage m = invite.parsed();
        String via = m.string(m.headerValue(m.first(HeaderName.VIA)));
        int at = via.indexOf(";bh=") + 10;
        String altered = via.substring(0, at) + (via.charAt(at) == 'A' ? 'B' : 'A') + via.substring(at + 1);
        String ok = lines("SIP/2.0 200 OK", "Via: " + altered,
            "From: <sip:alice@example.com>;tag=fromtag1", "To: <sip:bob@example.com>;tag=callee3",
            "Call-ID: hide-3@x", "CSeq: 1 INVITE", "Content-Length: 0", "");
        ch.writeInbound(datagram(ok, CALLEE));
        // The genuine seal, in a message of another call: bound to the Call-ID, it does not open.
        ch.writeInbound(datagram(ok.replace(altered, via).replace("hide-3@x", "other@x"), CALLEE));
        String route = ourRecordRoute(invite.text());
        String bye = lines("BYE sip:alice@10.1.1.1:5062 SIP/2.0",
            "Via: SIP/2.0/UDP 127.0.0.1:40002;branch=z9hG4bKcalleebye3",
            "Route: <" + route.replace(";bh=a", ";bh=aX") + ">", "Max-Forwards: 70",
            "From: <sip:bob@example.com>;tag=callee3", "To: <sip:alice@example.com>;tag=fromtag1",
            "Call-ID: hide-3@x", "CSeq: 1 BYE", "Content-Length: 0", "");
        ch.writeInbound(datagram(bye, CALLEE));
        assertTrue(sent(ch).isEmpty());
        assertEquals(3, counters.badSeals.sum());
    }

    /** A B2BUA's Contact (the proxy's own address) becomes ours; the caller's ACK gets it back as Request-URI. */
    @Test
    void aProxysOwnContactIsSealedAndComesBackAsTheRequestUri() {
        Sip.Sent invite = one(request("INVITE", "hide-4@x", "INVITE"), CLIENT);
        String ok = ForwardingTest.responseTo(invite.parsed(), 200, "OK")
            .replace("Content-Length: 0", "Contact: <sip:b2bua-leg7@" + invite.to().getAddress().getHostAddress() + ":"
                + invite.to().getPort() + ";transport=udp>\r\nContent-Length: 0");
        Sip.Sent answer = one(ok, invite.to());
        assertFalse(answer.text().contains("507"), answer.text());
        Matcher c = Pattern.compile("Contact: <(sip:127\\.0\\.0\\.1:5060;bh=[A-Za-z0-9_-]+)>").matcher(answer.text());
        assertTrue(c.find(), answer.text());
        String route = ourRecordRoute(answer.text());
        String ack = request("ACK", "hide-4@x", "ACK", "Route: <" + route + ">")
            .replace("ACK sip:bob@192.0.2.200 SIP/2.0", "ACK " + c.group(1) + " SIP/2.0")
            .replace("To: <sip:bob@example.com>", "To: <sip:bob@example.com>;tag=uas1");
        Sip.Sent sentAck = one(ack, CLIENT);
        assertEquals(invite.to(), sentAck.to());
        assertTrue(sentAck.text().startsWith("ACK sip:b2bua-leg7@127.0.0.1:" + invite.to().getPort() + ";transport=udp SIP/2.0"),
            sentAck.text());
    }

    /** Off: the proxies' entries pass as they are; seals of dialogs made while it was on still open. */
    @Test
    void offLeavesTheProxiesEntriesVisible() {
        GatewayCounters offCounters = new GatewayCounters();
        EmbeddedChannel off = gateway(CONFIG.withForwarding(new GatewayConfig.Forwarding(false)), offCounters);
        Sip.Sent invite = one(off, offCounters, inviteFromProxy("plain@x"), PROXY_A);
        assertTrue(invite.text().contains(PROXY_VIA), invite.text());
        assertTrue(invite.text().contains(PROXY_RR), invite.text());
        assertEquals(0, offCounters.topologyHidden.sum());

        Sip.Sent hidden = one(inviteFromProxy("sealed@x"), PROXY_A);
        String route = ourRecordRoute(hidden.text());
        String bye = lines("BYE sip:alice@10.1.1.1:5062 SIP/2.0",
            "Via: SIP/2.0/UDP 127.0.0.1:40002;branch=z9hG4bKcalleebye5",
            "Route: <" + route + ">", "Max-Forwards: 70",
            "From: <sip:bob@example.com>;tag=callee5", "To: <sip:alice@example.com>;tag=fromtag1",
            "Call-ID: sealed@x", "CSeq: 1 BYE", "Content-Length: 0", "");
        Sip.Sent restored = one(off, offCounters, bye, CALLEE);
        assertEquals(PROXY_A, restored.to());
        assertTrue(restored.text().contains("Route: " + PROXY_RR), restored.text());
    }
}
