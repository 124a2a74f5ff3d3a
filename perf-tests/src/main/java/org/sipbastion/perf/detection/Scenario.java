package org.sipbastion.perf.detection;

import org.sipbastion.perf.sim.EventQueue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.sipbastion.tier1.bloom.CallRateStage;
import org.sipbastion.tier1.event.Offender;
import org.sipbastion.tier1.table.Fingerprints;

/**
 * One load's run, in simulated time: the stage starts empty and learns its baseline from the live
 * traffic (as a gateway does at start), then normal traffic is measured, then one flood is laid on
 * top of it until the alarm, and the run goes on until the alarm is over.
 *
 * <p>One flood per run: a flood's samples just under the threshold still teach the baseline, and
 * its exchanges stay in the transaction table after the filter forgot them, so a second flood in the
 * same run would not start from the state the first one did. Runs with one seed replay the same
 * normal traffic exactly, so each flood meets the same stage.
 */
final class Scenario {
    private static final int TICK = 1;
    /** The gateway ticks from a timer too; the brief asks for at least every 100 ms. */
    private static final long TICK_EVERY = 100 * Timing.MS;
    private static final int SOURCES = 10_000;
    /** A flood not detected in three minutes is reported as missed. */
    private static final long FLOOD_MAX = 180 * Timing.S;
    /** After a flood, how long the run waits for its alarm to end before reporting it as lasting. */
    private static final long RECOVERY_MAX = 600 * Timing.S;

    private final int callsPerSecond;
    private final long normalSeconds;
    private final BaselineSettings alarm = BaselineSettings.DEFAULT;
    private final CallRateStage.Settings settings;
    private final CallRateStage stage;
    private final EventQueue queue = new EventQueue(1 << 16);
    private final LoadMonitor monitor;
    private final GatewayFeed feed;
    private final NormalTraffic traffic;
    private final Flood flood;
    private long now;

    Scenario(CallRateStage.Settings s, int callsPerSecond, long normalSeconds, long seed) {
        this.settings = s;
        this.callsPerSecond = callsPerSecond;
        this.normalSeconds = normalSeconds;
        long stageSeed = Fingerprints.mix(seed, 0x637274L);
        this.stage = new CallRateStage(s, alarm.newBaseline(), stageSeed);
        OpenExchanges exchanges = new OpenExchanges(s.cells(), s.cellsPerKey(), stageSeed);
        this.monitor = new LoadMonitor(stage, exchanges);
        this.feed = new GatewayFeed(stage, monitor);
        Messages messages = new Messages();
        this.traffic = new NormalTraffic(queue, feed, exchanges, messages, new Timing(seed), clients(), callsPerSecond);
        this.flood = new Flood(queue, feed, exchanges, messages.invite, address(203, 0, 113, 66));
    }

    /** Learning, normal traffic, then one flood of {@code floodPerSecond} and the recovery from it. */
    RateResult run(int floodPerSecond) {
        ResourceMeter meter = new ResourceMeter();
        long wall = System.nanoTime();
        queue.add(now, EventQueue.event(TICK, 0));
        traffic.start(now);

        PhaseStats learning = new PhaseStats();
        monitor.recordInto(learning);
        // The stage learns nothing for two windows while its filter fills, then one sample a second.
        long learnedBy = 2 * settings.windowNanos() + alarm.learnSeconds() * Timing.S + Timing.S / 2;
        runUntil(learnedBy, Long.MAX_VALUE);
        if (!stage.baseline().learned()) {
            throw new IllegalStateException("baseline still learning after " + learnedBy / Timing.S + " s");
        }
        BaselineState learned = BaselineState.of(stage.baseline());

        PhaseStats normal = new PhaseStats();
        monitor.recordInto(normal);
        long evictionsBefore = stage.transactions().evictions();
        long completionsBefore = traffic.completions();
        long withoutEffectBefore = traffic.completionsWithoutEffect();
        runUntil(now + normalSeconds * Timing.S, Long.MAX_VALUE);
        long evictions = stage.transactions().evictions() - evictionsBefore;
        long completions = traffic.completions() - completionsBefore;
        long withoutEffect = traffic.completionsWithoutEffect() - withoutEffectBefore;
        BaselineState afterNormal = BaselineState.of(stage.baseline());
        int occupied = stage.transactions().size();
        long normalWall = System.nanoTime() - wall;

        long floodWall = System.nanoTime();
        FloodResult flooded = floodTrial(floodPerSecond, wall);
        floodWall = System.nanoTime() - floodWall;

        return new RateResult(callsPerSecond, normalSeconds, learning, normal, learned, afterNormal, evictions,
            occupied, stage.transactions().capacity(), completions, withoutEffect, traffic.calls(), feed.messages(),
            List.of(flooded), normalWall, floodWall, meter.allocatedBytes(), meter.heapPeakBytes(),
            meter.heapLiveBytes(), 1, true);
    }

    private FloodResult floodTrial(int perSecond, long wallStart) {
        monitor.recordInto(new PhaseStats());
        boolean alarmingBefore = stage.alarming();
        long start = now;
        flood.start(start, perSecond);
        boolean alarmed = runUntil(start + FLOOD_MAX, start);
        long sent = flood.sent();
        double toAlarm = alarmed ? (double) (monitor.lastAlarmStart() - start) / Timing.S : Double.NaN;
        int raised = alarmed ? stage.load() : -1;
        double threshold = stage.baseline().threshold();
        // The gateway asks for offenders as the alarm starts: so does the trial.
        boolean floodFirst = false;
        int floodOpen = 0;
        int listed = 0;
        if (alarmed) {
            List<Offender> list = stage.offenders(5);
            listed = list.size();
            floodFirst = !list.isEmpty() && list.get(0).source().equals(flood.source());
            for (Offender o : list) {
                if (o.source().equals(flood.source())) {
                    floodOpen = o.count();
                }
            }
        }
        flood.stop();

        // The flood's last exchanges went to the generation current at the stop: two rotations clear
        // them, and only then can the alarm be over for good.
        PhaseStats recovery = new PhaseStats();
        monitor.recordInto(recovery);
        long stop = now;
        runUntil(stop + 2 * settings.windowNanos() + 2 * Timing.S, Long.MAX_VALUE);
        while (stage.alarming() && now < stop + RECOVERY_MAX) {
            runUntil(now + Timing.S, Long.MAX_VALUE);
        }
        double toClear = stage.alarming() || !alarmed ? Double.NaN
            : (double) (monitor.lastAlarmEnd() - stop) / Timing.S;
        return new FloodResult(perSecond, alarmingBefore, toAlarm, sent, raised, threshold, floodFirst, floodOpen,
            listed, toClear, recovery.alarmStarts, stage.baseline().threshold(), System.nanoTime() - wallStart);
    }

    /**
     * Processes events up to {@code end}; stops early, returning true, once an alarm starts at or after
     * {@code alarmsFrom}. The clock then stands at the last event, else at {@code end}.
     */
    private boolean runUntil(long end, long alarmsFrom) {
        while (queue.nextTime() <= end) {
            now = queue.nextTime();
            long event = queue.poll();
            int kind = EventQueue.kind(event);
            if (kind == TICK) {
                monitor.tick(now);
                queue.add(now + TICK_EVERY, event);
            } else if (kind == Flood.FIRE) {
                flood.fire((int) EventQueue.subject(event), now);
            } else if (traffic.handles(kind)) {
                traffic.handle(kind, (int) EventQueue.subject(event), now);
            } else {
                throw new IllegalStateException("unknown event kind " + kind);
            }
            if (monitor.lastAlarmStart() >= alarmsFrom) {
                return true;
            }
        }
        now = end;
        return false;
    }

    /** The normal clients, in the benchmarking range 198.18.0.0/15 (RFC 2544). */
    private static InetAddress[] clients() {
        InetAddress[] a = new InetAddress[SOURCES];
        for (int i = 0; i < SOURCES; i++) {
            int host = i + 1;
            a[i] = address(198, 18 + (host >>> 16), (host >>> 8) & 0xFF, host & 0xFF);
        }
        return a;
    }

    private static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
