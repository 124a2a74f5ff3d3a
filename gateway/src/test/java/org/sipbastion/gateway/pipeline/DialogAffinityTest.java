package org.sipbastion.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipbastion.gateway.pipeline.Sip.CLIENT;
import static org.sipbastion.gateway.pipeline.Sip.GATEWAY;
import static org.sipbastion.gateway.pipeline.Sip.KEYS;
import static org.sipbastion.gateway.pipeline.Sip.datagram;
import static org.sipbastion.gateway.pipeline.Sip.request;
import static org.sipbastion.gateway.pipeline.Sip.sent;

import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipbastion.gateway.Gateway;
import org.sipbastion.gateway.GatewayConfig;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.parser.Limits;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier2.dialog.DialogState;
import org.sipbastion.tier2.farm.ProxyFarm;
import org.sipbastion.tier2.pool.ProxyState;

/**
 * Tier 2's dialog table in the pipeline: what carries no route token (a CANCEL, the ACK of a failed
 * INVITE, a retransmitted INVITE) follows the INVITE's proxy, across a restart too; and what becomes
 * of a dialog whose proxy is down.
 */
class DialogAffinityTest {
    private static final List<InetSocketAddress> PROXIES = List.of(new InetSocketAddress("127.0.0.1", 5071),
        new InetSocketAddress("127.0.0.1", 5072), new InetSocketAddress("127.0.0.1", 5073),
        new InetSocketAddress("127.0.0.1", 5074));
    private static final String TO_TAG = "To: <sip:bob@example.com>;tag=uas1";

    @TempDir
    Path state;

    private final GatewayCounters counters = new GatewayCounters();

    private GatewayConfig config(List<InetSocketAddress> proxies, ProxyFarm.DeadProxyDialogs dead) {
        GatewayConfig c = new GatewayConfig(GATEWAY, null, proxies, KEYS, Limits.DEFAULT,
            Sip.rules("[dialogs]\ngrace_after_start = 0s\n[profile test-client]\nsource = 127.0.0.1\ntrusted = yes\n"),
            List.of(), state, null, null, null);
        return c.withBalancing(GatewayConfig.Balancing.of(proxies).withMaxDialogs(10_000).withDeadProxyDialogs(dead));
    }

    private EmbeddedChannel gateway(GatewayConfig config) {
        EmbeddedChannel ch = new EmbeddedChannel();
        Gateway.pipeline(ch.pipeline(), config, counters, GATEWAY, a -> { });
        return ch;
    }

    private static Sip.Sent one(EmbeddedChannel ch, String text, InetSocketAddress from) {
        ch.writeInbound(datagram(text, from));
        List<Sip.Sent> out = sent(ch);
        assertEquals(1, out.size(), "one datagram out");
        return out.get(0);
    }

    private static ProxyFarm farm(EmbeddedChannel ch) {
        return ch.pipeline().get(ProxyFeedback.class).farm();
    }

    @Test
    void aCancelAndARetransmittedInviteFindTheInvitesProxyAfterARestart() {
        Map<String, InetSocketAddress> took = new HashMap<>();
        EmbeddedChannel first = gateway(config(PROXIES, ProxyFarm.DeadProxyDialogs.REJECT));
        for (int i = 0; i < 40; i++) {
            String callId = "cancel-" + i + "@x";
            took.put(callId, one(first, request("INVITE", callId, "INVITE"), CLIENT).to());
        }
        assertEquals(40, farm(first).dialogs().count(DialogState.EARLY));
        first.finishAndReleaseAll();
        assertTrue(Files.exists(state.resolve(Gateway.DIALOG_FILE)));

        // Restarted, with the proxies listed in another order.
        List<InetSocketAddress> reordered = new ArrayList<>(PROXIES);
        java.util.Collections.reverse(reordered);
        EmbeddedChannel second = gateway(config(reordered, ProxyFarm.DeadProxyDialogs.REJECT));
        assertEquals(40, farm(second).dialogs().count(DialogState.EARLY), "every dialog back");
        int active = 0;
        for (int i = 0; i < PROXIES.size(); i++) {
            active += farm(second).pool().activeDialogs(i);
        }
        assertEquals(40, active, "each proxy's active calls recounted from the table");
        for (Map.Entry<String, InetSocketAddress> call : took.entrySet()) {
            String id = call.getKey();
            assertEquals(call.getValue(), one(second, request("INVITE", id, "INVITE"), CLIENT).to(), id + " INVITE again");
            assertEquals(call.getValue(), one(second, request("CANCEL", id, "CANCEL"), CLIENT).to(), id + " CANCEL");
        }
        second.finishAndReleaseAll();
    }

    @Test
    void theAckOfAFailedInviteFollowsIt() {
        EmbeddedChannel ch = gateway(config(PROXIES, ProxyFarm.DeadProxyDialogs.REJECT));
        for (int i = 0; i < 20; i++) {
            String id = "busy-" + i + "@x";
            Sip.Sent invite = one(ch, request("INVITE", id, "INVITE"), CLIENT);
            one(ch, ForwardingTest.responseTo(invite.parsed(), 486, "Busy Here"), invite.to());
            assertEquals(invite.to(), one(ch, request("ACK", id, "ACK").replace("To: <sip:bob@example.com>", TO_TAG),
                CLIENT).to(), id);
        }
        assertEquals(20, farm(ch).dialogs().count(DialogState.ENDED));
        ch.finishAndReleaseAll();
    }

    /** Sets up {@code n} answered calls; returns each call's proxy and the Route its client would send. */
    private static Map<String, String[]> calls(EmbeddedChannel ch, int n) {
        Map<String, String[]> calls = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String id = "up-" + i + "@x";
            Sip.Sent invite = one(ch, request("INVITE", id, "INVITE"), CLIENT);
            SipMessage fwd = invite.parsed();
            one(ch, ForwardingTest.responseTo(fwd, 200, "OK"), invite.to());
            calls.put(id, new String[] {invite.to().toString(), "Route: <" + fwd.string(fwd.firstRecordRoute()) + ">"});
        }
        return calls;
    }

    private static String bye(String id, String route, int cseq) {
        return request("BYE", id, "BYE", route).replace("To: <sip:bob@example.com>", TO_TAG)
            .replace("CSeq: 1 BYE", "CSeq: " + cseq + " BYE");
    }

    @Test
    void byDefaultTheDialogsOfADeadProxyAreAnswered481() {
        EmbeddedChannel ch = gateway(config(PROXIES, ProxyFarm.DeadProxyDialogs.REJECT));
        Map<String, String[]> calls = calls(ch, 12);
        ProxyFarm farm = farm(ch);
        farm.pool().setState(0, ProxyState.DOWN, 0);
        int rejected = 0;
        for (Map.Entry<String, String[]> c : calls.entrySet()) {
            Sip.Sent out = one(ch, bye(c.getKey(), c.getValue()[1], 2), CLIENT);
            if (c.getValue()[0].equals(PROXIES.get(0).toString())) {
                assertEquals(CLIENT, out.to());
                assertEquals(481, out.parsed().statusCode());
                rejected++;
            } else {
                assertEquals(c.getValue()[0], out.to().toString(), "a live proxy's dialogs are untouched");
            }
        }
        assertTrue(rejected > 0, "some calls were on the dead proxy");
        assertEquals(rejected, counters.dialogProxyDown.sum());
        // A draining proxy keeps its dialogs.
        farm.pool().setState(0, ProxyState.DRAINING, 0);
        for (Map.Entry<String, String[]> c : calls.entrySet()) {
            if (c.getValue()[0].equals(PROXIES.get(0).toString())) {
                assertEquals(PROXIES.get(0), one(ch, bye(c.getKey(), c.getValue()[1], 3), CLIENT).to());
            }
        }
        ch.finishAndReleaseAll();
    }

    @Test
    void reroutedTheDialogsAndNewCallsOfADeadProxySpreadOverAllSurvivors() {
        EmbeddedChannel ch = gateway(config(PROXIES, ProxyFarm.DeadProxyDialogs.REROUTE));
        Map<String, String[]> calls = calls(ch, 80);
        farm(ch).pool().setState(0, ProxyState.DOWN, 0);
        Set<InetSocketAddress> survivorsUsed = new HashSet<>();
        int moved = 0;
        for (Map.Entry<String, String[]> c : calls.entrySet()) {
            if (!c.getValue()[0].equals(PROXIES.get(0).toString())) {
                continue;
            }
            InetSocketAddress to = one(ch, bye(c.getKey(), c.getValue()[1], 2), CLIENT).to();
            assertNotEquals(PROXIES.get(0), to);
            assertEquals(to, one(ch, bye(c.getKey(), c.getValue()[1], 2), CLIENT).to(), "the whole dialog to one survivor");
            survivorsUsed.add(to);
            moved++;
        }
        assertTrue(moved >= 6, "calls on the dead proxy: " + moved);
        assertEquals(3, survivorsUsed.size(), "its dialogs spread over every survivor, not one neighbour");
        Set<InetSocketAddress> fresh = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            fresh.add(one(ch, request("INVITE", "new-" + i + "@x", "INVITE"), CLIENT).to());
        }
        assertEquals(Set.of(PROXIES.get(1), PROXIES.get(2), PROXIES.get(3)), fresh, "new calls too");
        ch.finishAndReleaseAll();
    }

    @Test
    void aRefusedInviteOpensNoDialog() {
        // An untrusted client: its identity headers are checked (and too many of them refused).
        EmbeddedChannel ch = gateway(new GatewayConfig(GATEWAY, null, PROXIES, KEYS, Limits.DEFAULT));
        String[] many = new String[9];
        for (int i = 0; i < many.length; i++) {
            many[i] = "P-Asserted-Identity: <sip:" + i + "@x>";
        }
        Sip.Sent refused = one(ch, request("INVITE", "refused@x", "INVITE", many), CLIENT);
        assertEquals(CLIENT, refused.to());
        assertEquals(0, farm(ch).dialogs().size(), "refused before it left: no row, no call counted");
        ch.finishAndReleaseAll();
    }

    @Test
    void withoutARowARetransmittedInviteAndItsCancelFollowThePendingTransaction() {
        GatewayConfig tiny = new GatewayConfig(GATEWAY, null, PROXIES, KEYS, Limits.DEFAULT,
            Sip.rules("[profile test-client]\nsource = 127.0.0.1\ntrusted = yes\n"))
            .withBalancing(GatewayConfig.Balancing.of(PROXIES).withMaxDialogs(1)
                .withAlgorithm(org.sipbastion.tier2.balance.Algorithm.ROUND_ROBIN));
        EmbeddedChannel ch = gateway(tiny);
        one(ch, request("INVITE", "fills-the-table@x", "INVITE"), CLIENT);
        InetSocketAddress first = one(ch, request("INVITE", "no-row@x", "INVITE"), CLIENT).to();
        assertEquals(1, farm(ch).dialogs().full());
        // Round-robin would send a new call elsewhere each time: these follow the INVITE's transaction.
        assertEquals(first, one(ch, request("INVITE", "no-row@x", "INVITE"), CLIENT).to(), "retransmission");
        assertEquals(first, one(ch, request("CANCEL", "no-row@x", "CANCEL"), CLIENT).to(), "its CANCEL");
        ch.finishAndReleaseAll();
    }
}
