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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipbastion.gateway.Gateway;
import org.sipbastion.gateway.GatewayConfig;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.parser.Limits;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier1.event.Detector;

/**
 * A call set up through one gateway, its BYE received by another with the same keys and an empty
 * memory (a restart, or the HA peer after a takeover), past tier 1's start-up grace: the route token
 * in our Record-Route, carried back in the BYE's Route, is the proof of the dialog.
 */
class RestartDialogProofTest {
    /** No grace after start: the BYE comes long after the restart. The client is trusted (tight loop). */
    private static final GatewayConfig CONFIG = new GatewayConfig(GATEWAY, null, List.of(PROXY_A, PROXY_B), KEYS,
        Limits.DEFAULT, Sip.rules("[dialogs]\ngrace_after_start = 0s\n[profile test-client]\nsource = 127.0.0.1\n"
            + "trusted = yes\n"));

    private static EmbeddedChannel gateway(GatewayCounters counters) {
        return gateway(CONFIG, counters);
    }

    private static EmbeddedChannel gateway(GatewayConfig config, GatewayCounters counters) {
        EmbeddedChannel ch = new EmbeddedChannel();
        Gateway.pipeline(ch.pipeline(), config, counters, GATEWAY, a -> { });
        return ch;
    }

    /**
     * Scale-out or a changed proxy list: the second gateway has a third proxy, listed first, so
     * Call-ID hashing would move some dialogs; their in-dialog requests follow the token instead.
     */
    @Test
    void aGatewayWithAnotherProxyListSendsEachDialogToTheProxyItsTokenNames() {
        java.net.InetSocketAddress proxyC = new java.net.InetSocketAddress("127.0.0.1", 5073);
        GatewayConfig grown = new GatewayConfig(GATEWAY, null, List.of(proxyC, PROXY_B, PROXY_A), KEYS, Limits.DEFAULT,
            CONFIG.rules());
        EmbeddedChannel first = gateway(new GatewayCounters());
        EmbeddedChannel second = gateway(grown, new GatewayCounters());
        EmbeddedChannel secondNoToken = gateway(grown, new GatewayCounters());
        int moved = 0;
        for (int i = 0; i < 30; i++) {
            String callId = "scale-" + i + "@x";
            Sip.Sent invite = one(first, request("INVITE", callId, "INVITE"), CLIENT);
            SipMessage fwd = invite.parsed();
            String route = "Route: <" + fwd.string(fwd.firstRecordRoute()) + ">";
            String toTag = "To: <sip:bob@example.com>;tag=uas1";
            Sip.Sent bye = one(second, request("BYE", callId, "BYE", route).replace("To: <sip:bob@example.com>", toTag),
                CLIENT);
            assertEquals(invite.to(), bye.to(), callId + " follows its token");
            // Without the token, hashing over the new list sends it elsewhere for some calls.
            Sip.Sent hashed = one(secondNoToken, request("BYE", callId, "BYE").replace("To: <sip:bob@example.com>", toTag)
                .replace("CSeq: 1 BYE", "CSeq: 1 OPTIONS").replace("BYE sip:", "OPTIONS sip:"), CLIENT);
            moved += hashed.to().equals(invite.to()) ? 0 : 1;
        }
        assertTrue(moved > 0, "hashing alone would have moved some dialogs");
    }

    private static Sip.Sent one(EmbeddedChannel ch, String text, java.net.InetSocketAddress from) {
        ch.writeInbound(datagram(text, from));
        List<Sip.Sent> out = sent(ch);
        assertEquals(1, out.size(), "one datagram out");
        return out.get(0);
    }

    @Test
    void aByeCarryingOurRouteTokenReachesTheCallsProxyAfterARestart() {
        GatewayCounters before = new GatewayCounters();
        EmbeddedChannel first = gateway(before);
        Sip.Sent invite = one(first, request("INVITE", "restart@x", "INVITE"), CLIENT);
        SipMessage fwd = invite.parsed();
        String recordRoute = fwd.string(fwd.firstRecordRoute());
        assertTrue(recordRoute.matches("sip:127\\.0\\.0\\.1:5060;lr;bt=[a-z2-7]{8}-a[a-z2-7]{16}"), recordRoute);
        one(first, ForwardingTest.responseTo(fwd, 200, "OK"), invite.to());

        GatewayCounters after = new GatewayCounters();
        EmbeddedChannel second = gateway(after);
        String route = "Route: <" + recordRoute + ">";
        Sip.Sent bye = one(second, request("BYE", "restart@x", "BYE", route).replace("To: <sip:bob@example.com>",
            "To: <sip:bob@example.com>;tag=uas1"), CLIENT);
        assertEquals(invite.to(), bye.to(), "to the proxy that took the INVITE");
        assertEquals(0, after.dropped.count(Detector.FAKE_BYE));

        // The same BYE with the token altered, or with no Route, is what a forger sends: fake.
        String forged = route.substring(0, route.length() - 2) + (route.charAt(route.length() - 2) == 'a' ? "b>" : "a>");
        second.writeInbound(datagram(request("BYE", "restart@x", "BYE", forged).replace("To: <sip:bob@example.com>",
            "To: <sip:bob@example.com>;tag=uas1"), CLIENT));
        second.writeInbound(datagram(request("BYE", "restart@x", "BYE").replace("To: <sip:bob@example.com>",
            "To: <sip:bob@example.com>;tag=uas1"), CLIENT));
        assertEquals(0, sent(second).size());
        assertEquals(2, after.dropped.count(Detector.FAKE_BYE));
    }
}
