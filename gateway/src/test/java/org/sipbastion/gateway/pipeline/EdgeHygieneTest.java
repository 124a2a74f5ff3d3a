package org.sipbastion.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipbastion.gateway.pipeline.Sip.CLIENT;
import static org.sipbastion.gateway.pipeline.Sip.GATEWAY;
import static org.sipbastion.gateway.pipeline.Sip.KEYS;
import static org.sipbastion.gateway.pipeline.Sip.PROXY_A;
import static org.sipbastion.gateway.pipeline.Sip.PROXY_B;
import static org.sipbastion.gateway.pipeline.Sip.datagram;
import static org.sipbastion.gateway.pipeline.Sip.request;
import static org.sipbastion.gateway.pipeline.Sip.sent;

import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipbastion.gateway.Gateway;
import org.sipbastion.gateway.GatewayConfig;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.parser.Limits;

/** Not an open relay, and no identity chosen by an untrusted client, on the whole pipeline. */
class EdgeHygieneTest {
    /** 127.0.0.1 is an ordinary client here; 127.0.0.9 a trusted peer (an SBC of a partner). */
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.9", 5060);
    private static final GatewayConfig CONFIG = new GatewayConfig(GATEWAY, null, List.of(PROXY_A, PROXY_B), KEYS,
        Limits.DEFAULT, Sip.rules("[profile partner]\nsource = 127.0.0.9\ntrusted = yes\n"));
    private final GatewayCounters counters = new GatewayCounters();
    private final EmbeddedChannel ch = new EmbeddedChannel();

    EdgeHygieneTest() {
        Gateway.pipeline(ch.pipeline(), CONFIG, counters, GATEWAY, a -> { });
    }

    private Sip.Sent one(String text, InetSocketAddress from) {
        ch.writeInbound(datagram(text, from));
        List<Sip.Sent> out = sent(ch);
        assertEquals(1, out.size(), counters.summary());
        return out.get(0);
    }

    @Test
    void aRoutePreloadedBeyondUsIsRefusedOursAloneIsNot() {
        Sip.Sent refused = one(request("INVITE", "relay@x", "INVITE", "Route: <sip:127.0.0.1:5060;lr>, <sip:victim.example.net;lr>"),
            CLIENT);
        assertEquals(CLIENT, refused.to());
        assertTrue(refused.text().startsWith("SIP/2.0 403 Forbidden (pre-loaded Route)"), refused.text());
        Sip.Sent foreign = one(request("OPTIONS", "relay2@x", "OPTIONS", "Route: <sip:victim.example.net;lr>"), CLIENT);
        assertTrue(foreign.text().startsWith("SIP/2.0 403"), foreign.text());
        assertEquals(2, counters.preloadedRoutes.sum());
        // Naming us as outbound proxy is fine: the request goes to a proxy without our entry.
        Sip.Sent outbound = one(request("INVITE", "ok@x", "INVITE", "Route: <sip:127.0.0.1:5060;lr>"), CLIENT);
        assertTrue(outbound.to().equals(PROXY_A) || outbound.to().equals(PROXY_B));
        assertEquals(0, outbound.parsed().routeCount());
    }

    @Test
    void identityHeadersOfUntrustedClientsAreRemovedAndATrustedPeersKept() {
        String invite = request("INVITE", "pai@x", "INVITE", "P-Asserted-Identity: <sip:+15551234567@carrier.example>",
            "p-asserted-identity: <tel:+15551234567>", "Remote-Party-ID: <sip:ceo@example.com>;party=calling",
            "P-Served-User: <sip:victim@example.com>;sescase=orig",
            "P-Preferred-Identity: <sip:alice@example.com>");
        String out = one(invite, CLIENT).text();
        assertTrue(!out.toLowerCase().contains("p-asserted-identity") && !out.contains("Remote-Party-ID")
            && !out.contains("P-Served-User"), out);
        assertTrue(out.contains("P-Preferred-Identity: <sip:alice@example.com>"), "the client's own wish stays");
        assertEquals(4, counters.trustHeadersStripped.sum());
        String kept = one(invite.replace("pai@x", "pai2@x"), PEER).text();
        assertTrue(kept.contains("P-Asserted-Identity: <sip:+15551234567@carrier.example>"), kept);
    }

    /** Our insertions (Via, Record-Route) and a deleted header all start right after the request line. */
    @Test
    void aDeletedFirstHeaderAndOurInsertionsAtTheSamePlaceBothApply() {
        String paiFirst = Sip.lines("INVITE sip:bob@192.0.2.200 SIP/2.0", "P-Asserted-Identity: <sip:boss@x>",
            "Via: SIP/2.0/UDP 10.1.1.1:5062;branch=z9hG4bKfirst;rport", "Max-Forwards: 70",
            "From: <sip:alice@example.com>;tag=f1", "To: <sip:bob@example.com>", "Call-ID: first@x", "CSeq: 1 INVITE",
            "Content-Length: 0", "");
        Sip.Sent out = one(paiFirst, CLIENT);
        assertTrue(!out.text().contains("P-Asserted-Identity") && out.parsed().viaCount() == 2, out.text());
        String routeFirst = Sip.lines("BYE sip:bob@192.0.2.200 SIP/2.0", "Route: <sip:127.0.0.1:5060;lr>",
            "Via: SIP/2.0/UDP 10.1.1.1:5062;branch=z9hG4bKbye;rport", "Max-Forwards: 70",
            "From: <sip:alice@example.com>;tag=f1", "To: <sip:bob@example.com>;tag=t1", "Call-ID: first@x", "CSeq: 2 BYE",
            "Content-Length: 0", "");
        ch.writeInbound(datagram(routeFirst, CLIENT));
        List<Sip.Sent> sentOut = sent(ch);
        assertEquals(0, counters.internalErrors.sum(), counters.summary());
        assertTrue(sentOut.size() <= 1);
    }

    @Test
    void aRequestStuffedWithIdentityHeadersIsRefused() {
        String[] many = new String[9];
        for (int i = 0; i < many.length; i++) {
            many[i] = "P-Asserted-Identity: <sip:" + i + "@x>";
        }
        Sip.Sent out = one(request("INVITE", "stuffed@x", "INVITE", many), CLIENT);
        assertTrue(out.text().startsWith("SIP/2.0 403 Forbidden (identity headers)"), out.text());
        assertEquals(1, counters.trustHeadersRefused.sum());
    }

    @Test
    void anInDialogRequestMayCarryARouteBeyondUsOnlyWithOurToken() {
        String toTag = "To: <sip:bob@example.com>;tag=t9";
        Sip.Sent forged = one(request("BYE", "dialog-relay@x", "BYE", "Route: <sip:127.0.0.1:5060;lr>, <sip:victim.example.net;lr>")
            .replace("To: <sip:bob@example.com>", toTag), CLIENT);
        assertTrue(forged.text().startsWith("SIP/2.0 403 Forbidden (pre-loaded Route)"), forged.text());
        // The same shape with the token our Record-Route gave the dialog: the recorded route set.
        Sip.Sent invite = one(request("INVITE", "dialog-ok@x", "INVITE"), CLIENT);
        one(ForwardingTest.responseTo(invite.parsed(), 200, "OK"), invite.to());
        String ours = invite.parsed().string(invite.parsed().firstRecordRoute());
        Sip.Sent bye = one(request("BYE", "dialog-ok@x", "BYE", "Route: <" + ours + ">, <sip:10.0.0.5;lr>")
            .replace("To: <sip:bob@example.com>", toTag), CLIENT);
        assertEquals(invite.to(), bye.to(), counters.summary());
        assertEquals(1, bye.parsed().routeCount(), "ours consumed, the proxy's own entry kept");
    }

    @Test
    void initialRequestsForADomainWeDoNotServeAreRefused() {
        EmbeddedChannel served = new EmbeddedChannel();
        GatewayCounters c = new GatewayCounters();
        Gateway.pipeline(served.pipeline(), CONFIG.withDomains(List.of("example.com", "*.voice.example.org")), c, GATEWAY,
            a -> { });
        java.util.function.Function<String, String> first = text -> {
            served.writeInbound(datagram(text, CLIENT));
            List<Sip.Sent> out = sent(served);
            assertEquals(1, out.size(), c.summary());
            return out.get(0).text();
        };
        String invite = request("INVITE", "dom@x", "INVITE");
        assertTrue(first.apply(invite.replace("sip:bob@192.0.2.200", "sip:bob@victim.example.net"))
            .startsWith("SIP/2.0 403 Forbidden (relaying denied)"));
        assertTrue(first.apply(invite.replace("sip:bob@192.0.2.200", "tel:+15551234567"))
            .startsWith("SIP/2.0 403"), "not a SIP URI: nothing to relay to");
        assertTrue(first.apply(invite.replace("INVITE sip:bob@192.0.2.200", "INVITE sip:bob@EXAMPLE.com"))
            .startsWith("INVITE sip:bob@EXAMPLE.com"), "served, whatever the case");
        assertTrue(first.apply(invite.replace("dom@x", "dom2@x").replace("sip:bob@192.0.2.200", "sip:bob@pbx.voice.example.org"))
            .startsWith("INVITE"), "under a wildcard");
        served.writeInbound(datagram(invite.replace("dom@x", "dom3@x").replace("sip:bob@192.0.2.200", "sip:bob@127.0.0.1:5060"),
            CLIENT));
        Sip.Sent forUs = sent(served).get(0);
        assertTrue(forUs.text().startsWith("INVITE"), "for us by address");
        served.writeInbound(datagram(ForwardingTest.responseTo(forUs.parsed(), 200, "OK"), forUs.to()));
        sent(served);
        // In-dialog, the Request-URI is the peer's Contact, any address: not judged by domain.
        assertTrue(first.apply(request("BYE", "dom3@x", "BYE").replace("To: <sip:bob@example.com>",
            "To: <sip:bob@example.com>;tag=t1")).startsWith("BYE"), "in-dialog: its target is the peer's Contact");
        // A made-up To tag is no way round the check: no token, no dialog known, 481.
        assertTrue(first.apply(request("MESSAGE", "made-up@x", "MESSAGE").replace("sip:bob@192.0.2.200",
            "sip:bob@victim.example.net").replace("To: <sip:bob@example.com>", "To: <sip:bob@example.com>;tag=t1"))
            .startsWith("SIP/2.0 481"));
        assertEquals(1, c.unknownDialogs.sum());
        assertEquals(2, c.foreignDomains.sum());
        served.finishAndReleaseAll();
    }
}
