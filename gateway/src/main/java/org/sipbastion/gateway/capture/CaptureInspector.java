package org.sipbastion.gateway.capture;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.Map;
import org.sipbastion.parser.Limits;
import org.sipbastion.parser.Reason;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier1.AnomalyHandler;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.event.AlarmListener;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier1.rules.Rules;
import org.sipbastion.tier1.sanity.PolicyViolation;
import org.sipbastion.tier1.sanity.SanityPolicy;

/**
 * The parser and tier 1 over captured traffic, without forwarding anything: what the gateway would
 * have dropped, message by message, in capture time. Responses count as verified (a capture holds
 * no branches of ours to check), so they feed tier 1's state as the gateway's verified ones do.
 * Used by {@code bastion replay}; capture mode on an interface will share it.
 */
public final class CaptureInspector {
    /** What became of one message. {@code detector} is {@link Detector#NONE} when it passed. */
    public record Verdict(Segment segment, SipMessage message, Detector detector, String reason) {
        public boolean dropped() {
            return detector != Detector.NONE;
        }
    }

    /** Receives each verdict (the message is valid only during the call) and each alarm. */
    public interface Listener extends AlarmListener {
        void verdict(Verdict v);
    }

    private final Listener listener;
    private final SipMessage message;
    private final SanityPolicy policy = new SanityPolicy();
    private final AnomalyHandler tier1;
    private final PacketDecoder decoder = new PacketDecoder();
    private final TcpStreams tcp;
    private final SipSniffer sniffer;
    private final Map<Detector, Long> dropped = new EnumMap<>(Detector.class);
    private final Map<PacketDecoder.Skip, Long> skipped = new EnumMap<>(PacketDecoder.Skip.class);
    private long frames;
    private long messages;
    private long passed;
    private long alarms;

    /** @param sipPorts payloads to or from these ports are SIP whatever they look like */
    public CaptureInspector(Rules rules, Limits limits, java.util.Set<Integer> sipPorts, long seed, Listener listener) {
        this.sniffer = new SipSniffer(sipPorts);
        this.listener = listener;
        this.message = new SipMessage(limits);
        this.tier1 = new AnomalyHandler(rules, null, this::alarm, seed);
        this.tcp = new TcpStreams(limits, 65_536);
    }

    /** One captured frame of link type {@code linkType}. */
    public void frame(int linkType, byte[] frame, long timeNanos) {
        frames++;
        Segment s = decoder.decode(linkType, frame, timeNanos);
        if (s == null) {
            skipped.merge(decoder.skip(), 1L, Long::sum);
            return;
        }
        if (s.tcp()) {
            if (!tcp.feed(s, sniffer, (via, buf, off, len) -> judge(via, buf, off, len, SipMessage.Framing.STREAM))) {
                skipped.merge(PacketDecoder.Skip.NOT_SIP, 1L, Long::sum);
            }
        } else if (SipSniffer.keepAlive(s.data(), s.offset(), s.length())) {
            skipped.merge(PacketDecoder.Skip.KEEP_ALIVE, 1L, Long::sum);
        } else if (sniffer.sipPort(s) || SipSniffer.looksLikeSip(s.data(), s.offset(), s.length())) {
            judge(s, Unpooled.wrappedBuffer(s.data(), s.offset(), s.length()), 0, s.length(), SipMessage.Framing.DATAGRAM);
        } else {
            skipped.merge(PacketDecoder.Skip.NOT_SIP, 1L, Long::sum);
        }
    }

    /** The deny feeds' addresses, as the gateway would have them. */
    public void deny(org.sipbastion.tier1.rules.CidrSet addresses) {
        tier1.deny(addresses);
    }

    /** Ends the capture: the last sample second is taken. */
    public void finish(long timeNanos) {
        tier1.tick(timeNanos);
    }

    private void judge(Segment s, ByteBuf buf, int offset, int length, SipMessage.Framing framing) {
        messages++;
        InetSocketAddress src = s.source();
        Reason r = message.parse(buf, offset, length, framing);
        Detector d;
        String reason = null;
        if (r != Reason.OK) {
            d = Detector.MALFORMED;
            reason = r.name();
        } else {
            PolicyViolation v = policy.check(message);
            if (v != PolicyViolation.NONE) {
                d = Detector.POLICY;
                reason = v.name();
            } else if (message.isRequest()) {
                d = tier1.request(message, src.getAddress(), s.timeNanos(), false);
                reason = d == Detector.RULE ? tier1.lastRule() : null;
            } else {
                tier1.response(message, src.getAddress(), s.timeNanos());
                d = Detector.NONE;
            }
        }
        if (d == Detector.NONE) {
            passed++;
        } else {
            dropped.merge(d, 1L, Long::sum);
        }
        listener.verdict(new Verdict(s, message, d, reason));
    }

    private void alarm(Alarm a) {
        alarms++;
        listener.alarm(a);
    }

    public long frames() {
        return frames;
    }

    public long messages() {
        return messages;
    }

    public long passed() {
        return passed;
    }

    public long alarms() {
        return alarms;
    }

    public Map<Detector, Long> dropped() {
        return Map.copyOf(dropped);
    }

    public Map<PacketDecoder.Skip, Long> skipped() {
        return Map.copyOf(skipped);
    }

    public long tcpGaps() {
        return tcp.gaps();
    }

    public long tcpBroken() {
        return tcp.broken();
    }
}
