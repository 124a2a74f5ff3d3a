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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipbastion.gateway.Gateway;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier2.pool.ProxyPool;
import org.sipbastion.tier2.pool.ProxySpec;
import org.sipbastion.tier2.pool.ProxyState;

/** The farm's alarms: all proxies down (503 and an alarm), every proxy overloaded; at most one per 10 s. */
class FarmAlarmsTest {
    private static final long S = 1_000_000_000L;

    @Test
    void allProxiesDownAnswers503WithRetryAfterAndRaisesOneAlarm() {
        List<Alarm> alarms = new ArrayList<>();
        GatewayCounters counters = new GatewayCounters();
        EmbeddedChannel ch = new EmbeddedChannel();
        long[] now = {10 * S};
        Gateway.simulated(ch.pipeline(), CONFIG, counters, GATEWAY, alarms::add, () -> now[0], 1);
        ProxyPool pool = ch.pipeline().get(ProxyFeedback.class).farm().pool();
        pool.setState(0, ProxyState.DOWN, now[0]);
        pool.setState(1, ProxyState.DOWN, now[0]);
        for (int i = 0; i < 3; i++) {
            ch.writeInbound(datagram(request("INVITE", "down-" + i + "@x", "INVITE"), CLIENT));
            String reply = sent(ch).get(0).text();
            assertTrue(reply.startsWith("SIP/2.0 503 Service Unavailable") && reply.contains("Retry-After: "), reply);
        }
        now[0] += 2 * S;
        ch.writeInbound(datagram(request("INVITE", "down-3@x", "INVITE"), CLIENT));
        List<Alarm> farm = alarms.stream().filter(a -> a.detector() == Detector.PROXIES).toList();
        assertEquals(1, farm.size(), alarms.toString());
        assertTrue(farm.get(0).summary().startsWith("no proxy is usable: 3 new request(s) answered 503"), farm.get(0).summary());
    }

    @Test
    void everyProxyOverloadedRaisesAnAlarmAtMostEveryTenSecondsWithTheCallsSinceTheLast() {
        ProxyPool pool = new ProxyPool(List.of(ProxySpec.of("a"), ProxySpec.of("b")), 64, 0);
        List<Alarm> alarms = new ArrayList<>();
        FarmAlarms f = new FarmAlarms(pool, new GatewayCounters(), alarms::add, () -> 0);
        f.check(S);
        assertEquals(0, alarms.size(), "nothing yet");
        pool.overloadedChoice();
        pool.overloadedChoice();
        f.check(2 * S);
        pool.overloadedChoice();
        f.check(3 * S);
        assertEquals(1, alarms.size(), "one alarm while it lasts, not one a second");
        assertTrue(alarms.get(0).summary().startsWith("every proxy is overloaded: 2 new call(s)"), alarms.get(0).summary());
        pool.overloadedChoice();
        f.check(13 * S);
        assertEquals(2, alarms.size());
        assertTrue(alarms.get(1).summary().startsWith("every proxy is overloaded: 2 new call(s)"), alarms.get(1).summary());
        f.check(30 * S);
        assertEquals(2, alarms.size(), "over: no more alarms");
    }
}
