package org.sipbastion.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipbastion.gateway.pipeline.Sip.CONFIG;
import static org.sipbastion.gateway.pipeline.Sip.GATEWAY;
import static org.sipbastion.gateway.pipeline.Sip.PROXY_A;
import static org.sipbastion.gateway.pipeline.Sip.PROXY_B;
import static org.sipbastion.gateway.pipeline.Sip.datagram;
import static org.sipbastion.gateway.pipeline.Sip.sent;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sipbastion.gateway.Gateway;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.parser.HeaderName;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier2.pool.ProxyPool;

/**
 * The gateway's own OPTIONS to its proxies: sent each interval from the gateway's socket, their
 * answers (ours by a signed branch, from the proxy probed) consumed and turned into tier 2's probe
 * round trips, forged ones refused, unanswered ones counted as missed.
 */
class ProxyProberTest {
    private final GatewayCounters counters = new GatewayCounters();
    private final EmbeddedChannel ch = new EmbeddedChannel();
    private final ProxyPool pool;

    ProxyProberTest() {
        ch.freezeTime();
        Gateway.pipeline(ch.pipeline(), CONFIG, counters, GATEWAY, a -> { });
        Gateway.addProber(ch.pipeline(), CONFIG, counters, System::nanoTime);
        pool = ch.pipeline().get(ProxyFeedback.class).farm().pool();
    }

    /** What the proxy answers: our Via, From, Call-ID and CSeq, a To tag. */
    private static String answer(SipMessage probe, int status) {
        StringBuilder b = new StringBuilder("SIP/2.0 " + status + " Whatever\r\n");
        for (int h = 0; h < probe.headerCount(); h++) {
            HeaderName n = probe.headerName(h);
            if (n == HeaderName.VIA || n == HeaderName.FROM || n == HeaderName.CALL_ID || n == HeaderName.CSEQ) {
                b.append(probe.string(probe.headerLine(h)));
            } else if (n == HeaderName.TO) {
                b.append("To: ").append(probe.string(probe.headerValue(h))).append(";tag=prx\r\n");
            }
        }
        return b.append("Content-Length: 0\r\n\r\n").toString();
    }

    @Test
    void everyProxyIsProbedItsAnswerBecomesAResponseTimeAndIsNotForwarded() {
        ch.runScheduledPendingTasks();
        List<Sip.Sent> probes = sent(ch);
        assertEquals(2, probes.size());
        assertEquals(PROXY_A, probes.get(0).to());
        assertEquals(PROXY_B, probes.get(1).to());
        SipMessage toA = probes.get(0).parsed();
        assertTrue(probes.get(0).text().startsWith("OPTIONS sip:127.0.0.1:5071 SIP/2.0"), probes.get(0).text());
        assertTrue(toA.string(toA.via(0).branch()).startsWith("z9hG4bKso"));
        assertEquals(1, toA.viaCount());
        long now = System.nanoTime();
        assertTrue(Double.isNaN(pool.probeRoundTrip(0, now)));

        ch.writeInbound(datagram(answer(toA, 100), PROXY_A));
        assertTrue(Double.isNaN(pool.probeRoundTrip(0, now)), "a provisional answer is no round trip");
        ch.writeInbound(datagram(answer(toA, 200), PROXY_A));
        assertTrue(sent(ch).isEmpty(), "consumed, never routed on");
        assertEquals(1, counters.probesAnswered.sum());
        now = System.nanoTime();
        assertFalse(Double.isNaN(pool.probeRoundTrip(0, now)), "proxy A now has a probe round trip");
        assertTrue(Double.isNaN(pool.probeRoundTrip(1, now)));
        assertTrue(Double.isNaN(pool.responseTime(0)), "kept apart from the response times of calls");
        assertEquals(0, counters.dropped.total(), "not taken for a fake response: " + counters.summary());
        ch.writeInbound(datagram(answer(toA, 200), PROXY_A));
        assertEquals(1, counters.probesAnswered.sum(), "a retransmitted answer counts once");
    }

    @Test
    void answersFromAnotherAddressOrWithAnAlteredBranchAreRefusedAndSilentProxiesMissed() {
        ch.runScheduledPendingTasks();
        List<Sip.Sent> probes = sent(ch);
        SipMessage toA = probes.get(0).parsed();
        ch.writeInbound(datagram(answer(toA, 200), PROXY_B));
        String branch = toA.string(toA.via(0).branch());
        String altered = branch.substring(0, branch.length() - 1) + (branch.endsWith("a") ? "b" : "a");
        ch.writeInbound(datagram(answer(toA, 200).replace(branch, altered), PROXY_A));
        assertEquals(2, counters.probesRefused.sum());
        assertEquals(0, counters.probesAnswered.sum());
        assertTrue(Double.isNaN(pool.probeRoundTrip(0, System.nanoTime())));

        ch.writeInbound(datagram(answer(probes.get(1).parsed(), 405), PROXY_B));
        assertEquals(1, counters.probesAnswered.sum(), "405: the proxy is there, it just does not do OPTIONS");
        ch.advanceTimeBy(CONFIG.balancing().probeIntervalMillis(), TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertEquals(1, counters.probesMissed.sum(), "A never answered its first probe");
        assertEquals(2, sent(ch).size(), "the next round went out");
    }
}
