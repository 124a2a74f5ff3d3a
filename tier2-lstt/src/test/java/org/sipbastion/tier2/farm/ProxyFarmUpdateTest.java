package org.sipbastion.tier2.farm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipbastion.parser.Reason;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier2.balance.Algorithm;
import org.sipbastion.tier2.pool.ProxyPool;
import org.sipbastion.tier2.pool.ProxySpec;
import org.sipbastion.tier2.pool.ProxyState;

/**
 * {@link ProxyFarm#update}: the proxy set changing while calls run, as DNS discovery changes it. A
 * removed proxy drains (its dialog finishes there, no new call reaches it) and its slot is reused
 * only once nothing of it remains.
 */
class ProxyFarmUpdateTest {
    private static final InetSocketAddress A = new InetSocketAddress("10.0.0.11", 5060);
    private static final InetSocketAddress B = new InetSocketAddress("10.0.0.12", 5060);
    private static final InetSocketAddress C = new InetSocketAddress("10.0.0.13", 5060);
    private static final InetSocketAddress D = new InetSocketAddress("10.0.0.14", 5060);
    private static final long S = 1_000_000_000L;

    private final ProxyFarm farm = new ProxyFarm(List.of(A), ProxyFarm.plainSpecs(List.of(A)), 3,
        Algorithm.named("round-robin").create(1), 1 << 10, null, ProxyFarm.DeadProxyDialogs.REJECT, 7, S);
    private long now = S;

    @AfterEach
    void close() {
        farm.close();
    }

    private static SipMessage parse(String s) {
        SipMessage m = new SipMessage();
        assertEquals(Reason.OK, m.parse(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII)));
        return m;
    }

    private static SipMessage request(String method, String callId) {
        return parse(method + " sip:bob@192.0.2.9 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-" + callId
            + "\r\nMax-Forwards: 70\r\nFrom: <sip:alice@x>;tag=a1\r\nTo: <sip:bob@x>\r\nCall-ID: " + callId
            + "\r\nCSeq: 1 " + method + "\r\nContent-Length: 0\r\n\r\n");
    }

    private static SipMessage busy(String callId) {
        return parse("SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-" + callId
            + "\r\nFrom: <sip:alice@x>;tag=a1\r\nTo: <sip:bob@x>;tag=b1\r\nCall-ID: " + callId
            + "\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
    }

    private InetSocketAddress call(String callId) {
        SipMessage invite = request("INVITE", callId);
        now += S / 10;
        InetSocketAddress p = farm.route(invite, null, now);
        farm.forwarded(invite, p, now);
        return p;
    }

    private static List<ProxySpec> specs(List<InetSocketAddress> proxies) {
        return ProxyFarm.plainSpecs(proxies);
    }

    private ProxyFarm.Update update(InetSocketAddress... proxies) {
        return farm.update(List.of(proxies), specs(List.of(proxies)), now);
    }

    @Test
    void aRemovedProxyDrainsAndItsSlotIsReusedOnlyOnceEmpty() {
        ProxyPool pool = farm.pool();
        assertEquals(A, call("c1"));

        ProxyFarm.Update u = update(B, C);
        assertEquals(List.of(B, C), u.added());
        assertEquals(List.of(A), u.removed());
        assertEquals(3, pool.size());
        assertEquals(ProxyState.DRAINING, pool.state(0));
        assertEquals(A, farm.route(request("CANCEL", "c1"), null, now), "its dialog finishes on the draining proxy");
        for (int k = 0; k < 20; k++) {
            InetSocketAddress p = call("n" + k);
            assertTrue(p.equals(B) || p.equals(C), "new calls only to the listed proxies, not " + p);
        }

        // A still has a call up: no room for D.
        u = update(D, B, C);
        assertEquals(List.of(D), u.refused());
        assertEquals(3, pool.size());

        // A's call ends: its slot is free for D, which starts with nothing measured.
        farm.responded(busy("c1"), A, now);
        assertTrue(pool.drained(0));
        u = update(D, B, C);
        assertEquals(List.of(D), u.added());
        assertEquals(D, farm.address(0));
        assertEquals(0, farm.indexOf(D));
        assertEquals(-1, farm.indexOf(A));
        assertEquals(ProxyState.UP, pool.state(0));
        assertEquals(0, pool.sentTotal(0));
        assertEquals(A, farm.route(request("CANCEL", "c1"), null, now),
            "a row naming a proxy no longer in the set still goes there");
        boolean dTakesCalls = false;
        for (int k = 0; k < 6; k++) {
            dTakesCalls |= call("m" + k).equals(D);
        }
        assertTrue(dTakesCalls);
    }

    @Test
    void relistedComesBackButAnOperatorsDrainAndHealthStay() {
        update(A, B, C);
        ProxyPool pool = farm.pool();
        pool.setState(1, ProxyState.DRAINING, now); // an operator drains B
        pool.setState(2, ProxyState.DOWN, now); // health takes C down

        ProxyFarm.Update u = update(B, C);
        assertEquals(List.of(A), u.removed());
        pool.setState(0, ProxyState.UP, now);
        assertEquals(ProxyState.DRAINING, pool.state(0), "health cannot bring back a proxy DNS removed");

        u = update(A, B, C);
        assertEquals(List.of(A), u.added(), "listed again");
        assertEquals(ProxyState.UP, pool.state(0));
        assertEquals(ProxyState.DRAINING, pool.state(1), "the operator's drain stays");
        assertEquals(ProxyState.DOWN, pool.state(2), "health's verdict stays");
    }

    @Test
    void newPriorityAndWeightApplyAndNothingListedChangesNothing() {
        update(A, B);
        ProxyFarm.Update r = farm.update(List.of(A, B), List.of(new ProxySpec("a", 10, 60, 0), new ProxySpec("b", 20, 1, 0)), now);
        assertEquals(List.of(A, B), r.respecified());
        assertTrue(r.added().isEmpty() && r.removed().isEmpty());
        assertEquals(60, farm.pool().spec(0).weight());
        assertEquals(20, farm.pool().spec(1).priority());
        for (int k = 0; k < 5; k++) {
            assertEquals(A, call("p" + k), "priority 10 before 20");
        }

        ProxyFarm.Update u = farm.update(List.of(), List.of(), now);
        assertTrue(!u.changed());
        assertEquals(ProxyState.UP, farm.pool().state(0), "an empty answer is DNS's fault, not the proxies' end");
        assertNotEquals(-1, farm.indexOf(B));
    }
}
