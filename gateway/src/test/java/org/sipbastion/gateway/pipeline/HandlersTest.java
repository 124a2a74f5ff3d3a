package org.sipbastion.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipbastion.gateway.pipeline.Sip.CLIENT;
import static org.sipbastion.gateway.pipeline.Sip.GATEWAY;
import static org.sipbastion.gateway.pipeline.Sip.datagram;
import static org.sipbastion.gateway.pipeline.Sip.lines;
import static org.sipbastion.gateway.pipeline.Sip.request;
import static org.sipbastion.gateway.pipeline.Sip.sent;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.gateway.forward.SelfAddress;
import org.sipbastion.parser.Limits;
import org.sipbastion.parser.Reason;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.AnomalyHandler;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier1.event.EventAggregator;
import org.sipbastion.tier1.event.SecurityEvent;
import org.sipbastion.tier1.rules.Rules;
import org.sipbastion.tier1.rules.RulesException;
import org.sipbastion.tier1.sanity.PolicyViolation;

/** Each handler alone on an EmbeddedChannel. */
class HandlersTest {
    private final GatewayCounters counters = new GatewayCounters();
    private final List<SecurityEvent> events = new ArrayList<>();
    private final DropRecorder drops = new DropRecorder(new EventAggregator(e -> events.add(e), 64, counters.eventsLost), null,
        GATEWAY);

    @Test
    void decoderPassesParsedMessagesAndCountsMalformedOnes() {
        EmbeddedChannel ch = new EmbeddedChannel(new SipDatagramDecoder(new InboundPool(Limits.DEFAULT, 2), counters, drops, System::nanoTime), new Capture());
        DatagramPacket good = datagram(request("OPTIONS", "c1@x", "OPTIONS"), CLIENT);
        DatagramPacket bad = datagram("INVITE sip:a@b SIP/7.0\r\n\r\n", CLIENT);
        ch.writeInbound(good, bad);
        Capture cap = ch.pipeline().get(Capture.class);
        assertEquals(1, cap.seen.size());
        assertEquals("c1@x", cap.seen.get(0));
        assertEquals(1, counters.malformed.count(Reason.BAD_VERSION));
        assertEquals(2, counters.received.sum());
        assertEquals(0, good.refCnt(), "the decoder releases every datagram");
        assertEquals(0, bad.refCnt());
    }

    @Test
    void policyFilterAnswersRequestsButNeverAcksOrResponses() {
        EmbeddedChannel ch = channelWith(new PolicyFilter(counters, new StatelessReplier(counters), drops));
        ch.writeInbound(datagram(request("INVITE", "mf0@x", "INVITE").replace("Max-Forwards: 70", "Max-Forwards: 0"), CLIENT));
        List<Sip.Sent> out = sent(ch);
        assertEquals(1, out.size());
        assertEquals(483, out.get(0).parsed().statusCode());
        assertEquals(CLIENT, out.get(0).to(), "rport: reply to the source port");
        ch.writeInbound(datagram(request("ACK", "mf0@x", "ACK").replace("Max-Forwards: 70", "Max-Forwards: 0"), CLIENT));
        assertTrue(sent(ch).isEmpty(), "an ACK is never answered");
        assertEquals(2, counters.refused.count(PolicyViolation.TOO_MANY_HOPS));
        assertNull(ch.pipeline().get(Capture.class).last(), "refused messages go no further");
    }

    @Test
    void proxyRequireGets420NamingTheUnsupportedExtension() {
        EmbeddedChannel ch = channelWith(new PolicyFilter(counters, new StatelessReplier(counters), drops));
        ch.writeInbound(datagram(request("INVITE", "ext@x", "INVITE", "Proxy-Require: foo, bar"), CLIENT));
        List<Sip.Sent> out = sent(ch);
        assertEquals(1, out.size());
        assertEquals(420, out.get(0).parsed().statusCode());
        assertTrue(out.get(0).text().contains("\r\nUnsupported: foo, bar\r\n"), out.get(0).text());
    }

    @Test
    void policyFilterLetsGoodMessagesThrough() {
        EmbeddedChannel ch = channelWith(new PolicyFilter(counters, new StatelessReplier(counters), drops));
        ch.writeInbound(datagram(request("INVITE", "ok@x", "INVITE"), CLIENT));
        assertEquals("ok@x", ch.pipeline().get(Capture.class).last());
        assertEquals(0, counters.refused.total());
    }

    @Test
    void optionsToTheApplianceIsAnsweredHereOthersPassOn() {
        EmbeddedChannel ch = channelWith(new LocalRequestHandler(new SelfAddress("127.0.0.1", GATEWAY),
            new StatelessReplier(counters)));
        ch.writeInbound(datagram(request("OPTIONS", "ping@x", "OPTIONS").replace("sip:bob@192.0.2.200", "sip:127.0.0.1:5060"),
            CLIENT));
        List<Sip.Sent> out = sent(ch);
        assertEquals(1, out.size());
        assertEquals(200, out.get(0).parsed().statusCode());
        assertTrue(out.get(0).text().contains("Allow: INVITE"));
        ch.writeInbound(datagram(request("OPTIONS", "user@x", "OPTIONS").replace("sip:bob@192.0.2.200", "sip:bob@127.0.0.1:5060"),
            CLIENT));
        assertTrue(sent(ch).isEmpty());
        assertEquals("user@x", ch.pipeline().get(Capture.class).last(), "OPTIONS for a user is forwarded");
    }

    @Test
    void anomalyFilterDropsWhatTier1JudgesAndCountsItByDetector() throws RulesException {
        long[] now = {1_000_000_000L};
        List<Alarm> alarms = new ArrayList<>();
        Rules noGrace = Rules.parse(List.of(new Rules.Source("test", "[dialogs]\ngrace_after_start = 0s\n")));
        EmbeddedChannel ch = channelWith(new AnomalyFilter(new AnomalyHandler(noGrace, null, alarms::add, 1), counters,
            Set.of(), drops, () -> now[0]));
        Capture cap = ch.pipeline().get(Capture.class);

        ch.writeInbound(datagram(request("BYE", "nodialog@x", "BYE"), CLIENT));
        assertEquals(1, counters.dropped.count(Detector.FAKE_BYE));
        assertNull(cap.last());

        // A metronome: 100 INVITEs a second, from one source and user. Blocked once judged.
        for (int i = 0; i < 100; i++) {
            now[0] += 10_000_000L;
            ch.writeInbound(datagram(request("INVITE", "flood" + i + "@x", "INVITE"), CLIENT));
        }
        assertTrue(counters.dropped.count(Detector.FLOOD) >= 100 - 24, counters.summary()); // judged after 4 + 20 arrivals
        assertEquals(Detector.FLOOD, alarms.get(0).detector());
        assertEquals(CLIENT.getAddress(), alarms.get(0).offenders().get(0).source());

        // A response that passed the check upstream tells tier 1 the dialog was answered.
        EmbeddedChannel other = channelWith(new AnomalyFilter(new AnomalyHandler(noGrace, null, alarms::add, 2), counters,
            Set.of(), drops, () -> now[0]));
        other.writeInbound(datagram(request("INVITE", "call@x", "INVITE"), CLIENT));
        other.writeInbound(datagram(lines("SIP/2.0 200 OK", "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKsp0",
            "Via: SIP/2.0/UDP 10.1.1.1:5062;branch=z9hG4bKclient1;rport=40000", "From: <sip:alice@example.com>;tag=fromtag1",
            "To: <sip:bob@example.com>;tag=b1", "Call-ID: call@x", "CSeq: 1 INVITE", "Content-Length: 0", ""), Sip.PROXY_A));
        other.writeInbound(datagram(request("BYE", "call@x", "BYE"), CLIENT));
        assertEquals("call@x", other.pipeline().get(Capture.class).last());
        assertEquals(1, counters.dropped.count(Detector.FAKE_BYE), "the answered call's BYE passed");
    }

    private EmbeddedChannel channelWith(io.netty.channel.ChannelHandler handler) {
        return new EmbeddedChannel(new SipDatagramDecoder(new InboundPool(Limits.DEFAULT, 2), counters, drops, System::nanoTime), handler, new Capture());
    }

    /** Records the Call-IDs that reached the end of the pipeline. */
    static final class Capture extends io.netty.channel.ChannelInboundHandlerAdapter {
        final java.util.ArrayList<String> seen = new java.util.ArrayList<>();

        @Override
        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
            InboundSip in = (InboundSip) msg;
            seen.add(in.message().string(in.message().callId()));
        }

        String last() {
            return seen.isEmpty() ? null : seen.get(seen.size() - 1);
        }
    }

    @Test
    void captureIsTheLastHandler() {
        EmbeddedChannel ch = channelWith(new PolicyFilter(counters, new StatelessReplier(counters), drops));
        assertSame(Capture.class, ch.pipeline().last().getClass());
        assertFalse(ch.finish());
    }
}
