package org.sipbastion.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipbastion.gateway.pipeline.Sip.CLIENT;
import static org.sipbastion.gateway.pipeline.Sip.CONFIG;
import static org.sipbastion.gateway.pipeline.Sip.GATEWAY;
import static org.sipbastion.gateway.pipeline.Sip.datagram;
import static org.sipbastion.gateway.pipeline.Sip.request;
import static org.sipbastion.gateway.pipeline.Sip.sent;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipbastion.gateway.Gateway;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.tier2.farm.ProxyFarm;
import org.sipbastion.tier2.pool.SessionTerminationTimes;

/** A BYE through the whole pipeline, its 200 from the proxy later: one STT sample for that proxy. */
class TerminationTimeTest {
    private static final long MS = 1_000_000L;
    private long now = 1_000 * MS;
    private final EmbeddedChannel ch = new EmbeddedChannel();

    TerminationTimeTest() {
        Gateway.simulated(ch.pipeline(), CONFIG, new GatewayCounters(), GATEWAY, a -> { }, () -> now, 1);
    }

    private Sip.Sent one(String text, java.net.InetSocketAddress from) {
        ch.writeInbound(datagram(text, from));
        List<Sip.Sent> out = sent(ch);
        assertEquals(1, out.size());
        return out.get(0);
    }

    @Test
    void theTimeFromForwardingAByeToItsFinalResponseIsTheProxysSample() {
        ProxyFarm farm = ch.pipeline().get(ProxyFeedback.class).farm();
        SessionTerminationTimes times = farm.pool().stt();
        Sip.Sent invite = one(request("INVITE", "stt@x", "INVITE"), CLIENT);
        one(ForwardingTest.responseTo(invite.parsed(), 200, "OK"), invite.to());
        String toTag = "To: <sip:bob@example.com>;tag=uas1";
        Sip.Sent bye = one(request("BYE", "stt@x", "BYE").replace("To: <sip:bob@example.com>", toTag), CLIENT);
        int proxy = farm.indexOf(bye.to());
        now += 37 * MS;
        String trying = ForwardingTest.responseTo(bye.parsed(), 100, "Trying");
        ch.writeInbound(datagram(trying, bye.to()));
        sent(ch);
        assertEquals(0, times.samples(proxy, now), "a provisional response ends nothing");
        now += 5 * MS;
        one(ForwardingTest.responseTo(bye.parsed(), 200, "OK"), bye.to());
        assertEquals(1, times.samples(proxy, now));
        assertEquals(42 * MS, times.mean(proxy, now), 1e-6);
        // The same 200 again (retransmitted) is no second sample; nor is the INVITE's 200.
        one(ForwardingTest.responseTo(bye.parsed(), 200, "OK"), bye.to());
        assertEquals(1, times.total(proxy));
        assertTrue(Double.isNaN(times.mean(1 - proxy, now)), "the other proxy has no sample");
    }
}
