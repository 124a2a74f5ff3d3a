package org.sipbastion.tier2.farm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.Reason;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier2.balance.Algorithm;
import org.sipbastion.tier2.dialog.DialogState;

/**
 * {@link ProxyFarm#forwarded} reuses the Call-ID hashes {@link ProxyFarm#route} computed for the same
 * message; a message whose bytes changed in place (same object, same buffer, Call-ID at the same
 * place, as a pooled message re-read or the benchmark's rewritten Call-ID) is hashed afresh by the
 * next route.
 */
class ProxyFarmHashReuseTest {
    private static final List<InetSocketAddress> PROXIES = List.of(new InetSocketAddress("10.0.0.11", 5060),
        new InetSocketAddress("10.0.0.12", 5060), new InetSocketAddress("10.0.0.13", 5060));

    private static SipMessage invite(String callId) {
        String s = "INVITE sip:bob@192.0.2.9 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\n"
            + "Max-Forwards: 70\r\nFrom: <sip:alice@x>;tag=a1\r\nTo: <sip:bob@x>\r\nCall-ID: " + callId
            + "\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
        SipMessage m = new SipMessage();
        assertEquals(Reason.OK, m.parse(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII)));
        return m;
    }

    private static SipMessage cancel(String callId) {
        String s = "CANCEL sip:bob@192.0.2.9 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\n"
            + "Max-Forwards: 70\r\nFrom: <sip:alice@x>;tag=a1\r\nTo: <sip:bob@x>\r\nCall-ID: " + callId
            + "\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n";
        SipMessage m = new SipMessage();
        assertEquals(Reason.OK, m.parse(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII)));
        return m;
    }

    private static void rewriteCallId(SipMessage m, String callId) {
        ByteBuf b = m.buffer();
        int at = Range.start(m.callId());
        assertEquals(Range.length(m.callId()), callId.length());
        b.setBytes(at, callId.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aMessageRewrittenInPlaceIsHashedAfreshByRoute() {
        ProxyFarm farm = new ProxyFarm(PROXIES, ProxyFarm.plainSpecs(PROXIES), Algorithm.named("round-robin").create(1),
            1 << 10, null, ProxyFarm.DeadProxyDialogs.REJECT, 7, 1_000_000_000L);
        try {
            SipMessage m = invite("aaaa@x");
            InetSocketAddress first = farm.route(m, null, 1_000_000_000L);
            farm.forwarded(m, first, 1_000_000_000L);
            assertSame(first, farm.route(m, null, 1_000_000_000L), "a retransmission finds its row");

            rewriteCallId(m, "bbbb@x");
            InetSocketAddress second = farm.route(m, null, 2_000_000_000L);
            assertNotEquals(first, second, "new work for round-robin, not the first call's row");
            farm.forwarded(m, second, 2_000_000_000L);

            assertEquals(2, farm.dialogs().count(DialogState.EARLY));
            assertSame(first, farm.dialogs().proxyOf(cancel("aaaa@x")));
            assertSame(second, farm.dialogs().proxyOf(cancel("bbbb@x")));
            // Each INVITE's transaction was counted on its own proxy.
            assertEquals(1, farm.pool().transactions().outstanding(farm.indexOf(first)));
            assertEquals(1, farm.pool().transactions().outstanding(farm.indexOf(second)));
            // A CANCEL of the second call, not in the table under the first's key, reaches the second proxy.
            assertSame(second, farm.route(cancel("bbbb@x"), null, 3_000_000_000L));
        } finally {
            farm.close();
        }
    }
}
