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
        EmbeddedChannel ch = new EmbeddedChannel();
        Gateway.pipeline(ch.pipeline(), CONFIG, counters, GATEWAY, a -> { });
        return ch;
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
        assertTrue(recordRoute.matches("sip:127\\.0\\.0\\.1:5060;lr;bt=[01]-a[a-z2-7]{16}"), recordRoute);
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
