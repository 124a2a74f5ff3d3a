package org.sipbastion.gateway.pipeline;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import org.sipbastion.gateway.capture.DropCapture;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier1.event.EventAggregator;

/**
 * What every drop of the pipeline leaves behind, in one place: an event (aggregated per detector
 * and source each second), and for the first drop of each detector and source each second, a
 * sample of the datagram in the forensic capture when there is one. One per pipeline (event loop).
 */
public final class DropRecorder {
    private final EventAggregator events;
    private final DropCapture capture;
    private final InetSocketAddress local;

    /** @param capture where samples go, or null for none */
    public DropRecorder(EventAggregator events, DropCapture capture, InetSocketAddress local) {
        this.events = events;
        this.capture = capture;
        this.local = local;
    }

    /** A parsed message dropped by {@code detector}; {@code reason} may be null. */
    void drop(Detector detector, InboundSip in, String reason) {
        record(detector, in.sender, in.message.buffer(), in.message, reason);
    }

    /** A datagram dropped before it was parsed (malformed). */
    void unparsed(Detector detector, InetSocketAddress sender, ByteBuf datagram, String reason) {
        record(detector, sender, datagram, null, reason);
    }

    private void record(Detector detector, InetSocketAddress sender, ByteBuf datagram, SipMessage m, String reason) {
        long now = System.currentTimeMillis();
        if (events.drop(now, detector, sender.getAddress(), m, reason) && capture != null) {
            capture.offer(now, sender, local, datagram, datagram.readerIndex(), datagram.readableBytes());
        }
    }

    /** Emits the last second's aggregated events once the second has turned. */
    void tick() {
        events.tick(System.currentTimeMillis());
    }

    /** Emits everything pending (the channel is closing). */
    void flush() {
        events.flush();
    }
}
