package org.sipbastion.perf.detection;

import org.sipbastion.perf.sim.EventQueue;

import java.net.InetAddress;
import org.sipbastion.parser.SipMessage;

/**
 * The attack the stage exists for: INVITEs from one source at a constant rate, each a new call, none
 * ever answered, so every one leaves an exchange open. Constant spacing, as a flooding tool sends.
 *
 * <p>Each start begins a new series; events of a stopped series are recognised by their number and
 * dropped, so a flood can be stopped and another started while the old one's next event is pending.
 */
final class Flood {
    static final int FIRE = 3;
    /** Call numbers far above the normal traffic's, so no flood Call-ID repeats a real one. */
    private static final long FIRST_CALL = 1L << 48;

    private final EventQueue queue;
    private final GatewayFeed feed;
    private final OpenExchanges exchanges;
    private final MessageTemplate invite;
    private final InetAddress source;
    private long nextCall = FIRST_CALL;
    private int series;
    private boolean active;
    private long gap;
    private long sent;

    Flood(EventQueue queue, GatewayFeed feed, OpenExchanges exchanges, MessageTemplate invite, InetAddress source) {
        this.queue = queue;
        this.feed = feed;
        this.exchanges = exchanges;
        this.invite = invite;
        this.source = source;
    }

    void start(long now, int perSecond) {
        series++;
        active = true;
        gap = Timing.S / perSecond;
        sent = 0;
        queue.add(now, EventQueue.event(FIRE, series));
    }

    void stop() {
        active = false;
    }

    void fire(int eventSeries, long now) {
        if (!active || eventSeries != series) {
            return;
        }
        SipMessage m = invite.fill(nextCall++, 1);
        exchanges.open(m);
        feed.request(m, source, now);
        sent++;
        queue.add(now + gap, EventQueue.event(FIRE, series));
    }

    InetAddress source() {
        return source;
    }

    /** INVITEs sent by the current (or last) series. */
    long sent() {
        return sent;
    }
}
