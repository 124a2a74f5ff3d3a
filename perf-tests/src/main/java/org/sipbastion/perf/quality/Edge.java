package org.sipbastion.perf.quality;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.gateway.Gateway;
import org.sipbastion.gateway.GatewayConfig;
import org.sipbastion.gateway.GatewayCounters;
import org.sipbastion.gateway.pipeline.AnomalyFilter;
import org.sipbastion.parser.Limits;
import org.sipbastion.tier1.AnomalyHandler;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier1.rules.Rules;

/**
 * The gateway's own data path (decoder, policy, response check, tier 1 detectors, forwarding) on an
 * {@link EmbeddedChannel}, reading the simulation's clock: every datagram the harness offers meets
 * exactly the handlers a live gateway runs, and what they write out is delivered back into the
 * simulation. The verdict on each datagram is read from the gateway's own drop counters.
 */
final class Edge {
    /** Addresses from the documentation and benchmarking ranges (RFC 5737, RFC 2544, RFC 6598). */
    static final InetSocketAddress PUBLIC = new InetSocketAddress("192.0.2.1", 5060);
    static final List<InetSocketAddress> PROXIES = List.of(new InetSocketAddress("10.0.0.11", 5060),
        new InetSocketAddress("10.0.0.12", 5060), new InetSocketAddress("10.0.0.13", 5060));
    /** How often the gateway's timer ticks tier 1 (it is once a second live; finer here costs nothing). */
    static final long TICK_EVERY = 100 * Sim.MS;

    /** Where the gateway's output goes: the simulated proxies or phones (or attackers, who ignore it). */
    interface Network {
        void deliver(InetSocketAddress to, InetSocketAddress from, byte[] datagram);
    }

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final GatewayCounters counters = new GatewayCounters();
    private final AnomalyHandler tier1;
    private final List<Alarm> alarms = new ArrayList<>();
    private final long[] before = new long[Detector.values().length + 2];
    private final Sim sim;
    private Network network;
    private final List<Hellinger> observers = new ArrayList<>();

    Edge(Rules rules, Sim sim, long seed) {
        this.sim = sim;
        MacKeyRing keys = MacKeyRing.of('q', ("quality-harness-key-" + seed).getBytes(StandardCharsets.US_ASCII));
        GatewayConfig config = new GatewayConfig(PUBLIC, null, PROXIES, keys, Limits.DEFAULT, rules);
        Gateway.simulated(channel.pipeline(), config, counters, PUBLIC, alarms::add, sim::now, seed);
        this.tier1 = channel.pipeline().get(AnomalyFilter.class).handler();
        tick();
    }

    /** Ends the run: the pipeline goes, and with it tier 2's off-heap dialog table. */
    void close() {
        channel.finishAndReleaseAll();
    }

    void connect(Network n) {
        this.network = n;
    }

    /** A passive detector that sees every datagram the edge receives. */
    void observe(Hellinger h) {
        observers.add(h);
    }

    private void tick() {
        tier1.tick(sim.now());
        sim.after(TICK_EVERY, this::tick);
    }

    /**
     * One datagram from {@code from} to the gateway's public address, now; returns the detector that
     * dropped it ({@code "malformed"}, {@code "policy"} or a tier 1 detector's label), or null when it
     * passed. Whatever the gateway sent on is delivered before this returns.
     */
    String offer(InetSocketAddress from, byte[] datagram) {
        for (int i = 0; i < observers.size(); i++) {
            observers.get(i).observe(datagram, sim.now());
        }
        snapshot();
        channel.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(datagram), PUBLIC, from));
        channel.flushOutbound();
        Object o;
        while ((o = channel.readOutbound()) != null) {
            DatagramPacket p = (DatagramPacket) o;
            byte[] out = ByteBufUtil.getBytes(p.content());
            p.release();
            if (network != null) {
                network.deliver(p.recipient(), PUBLIC, out);
            }
        }
        return changed();
    }

    private void snapshot() {
        Detector[] all = Detector.values();
        for (int i = 0; i < all.length; i++) {
            before[i] = counters.dropped.count(all[i]);
        }
        before[all.length] = counters.malformed.total();
        before[all.length + 1] = counters.refused.total();
    }

    private String changed() {
        Detector[] all = Detector.values();
        if (counters.malformed.total() != before[all.length]) {
            return "malformed";
        }
        if (counters.refused.total() != before[all.length + 1]) {
            return "policy";
        }
        for (int i = 0; i < all.length; i++) {
            if (counters.dropped.count(all[i]) != before[i]) {
                return all[i].label();
            }
        }
        return null;
    }

    List<Alarm> alarms() {
        return alarms;
    }
}
