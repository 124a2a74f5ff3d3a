package org.sipbastion.perf.quality;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.rules.Rules;

/**
 * One labelled run in simulated time: the phones' normal traffic through the gateway's real data
 * path to the simulated proxies while tier 1 learns (two call-rate windows plus its learning
 * period), a minute of normal traffic, then one attack for a minute on top of it, then half a minute
 * more. A seed repeats a run exactly; runs with one seed share their normal traffic up to the attack.
 */
final class QualityRun {
    /**
     * How attack messages are spaced: a metronome; a metronome with each interval stretched by a
     * uniform factor in [0.5, 1.5] (coefficient of variation 0.29 per interval, 0.14 over a span of
     * 4: a tool on a loaded host, or one that randomizes a little); or Poisson, like people.
     */
    enum Timing { CONSTANT, JITTER, POISSON }

    static final long ATTACK_FOR = 60 * Sim.S;
    static final long AFTER = 30 * Sim.S;
    static final long NORMAL_BEFORE = 60 * Sim.S;
    /** The Hellinger detector's threshold: mean + k x std of the training distances, for these k. */
    static final double[] HELLINGER_K = {3, 5};

    /** What a run measured. Times in seconds; NaN when it did not happen. */
    record Result(String attack, int perSecond, Timing timing, long attackSent, long attackDropped,
                  long sentAfterDetection, long droppedAfterDetection, double detectSeconds,
                  Map<String, Long> attackDetectors, long normalSent, long normalDropped,
                  Map<String, Long> normalDetectors, Map<String, Long> normalDroppedKinds, int normalCalls,
                  int hurtCalls, double[] hellingerDetectSeconds, long[] hellingerFalseWindows, long hellingerWindows,
                  Map<String, Long> alarms, List<String> alarmTexts, double epsilon, double wallSeconds) {
        double droppedOnceDetected() {
            return sentAfterDetection == 0 ? Double.NaN : (double) droppedAfterDetection / sentAfterDetection;
        }

        double falseDropRate() {
            return normalSent == 0 ? Double.NaN : (double) normalDropped / normalSent;
        }
    }

    private final Rules rules;
    private final Phones.Mix mix;
    private final long seed;
    private final double epsilon;

    QualityRun(Rules rules, Phones.Mix mix, long seed, double epsilon) {
        this.rules = rules;
        this.mix = mix;
        this.seed = seed;
        this.epsilon = epsilon;
    }

    /** The simulated time tier 1 needs before its call-rate alarm is armed. */
    long learned() {
        return 2 * rules.callRate.windowNanos() + rules.learnSeconds * Sim.S + Sim.S;
    }

    /** One attack (or none: {@code attack} null) at {@code perSecond} messages/s. */
    Result run(Attack attack, int perSecond, Timing timing, long normalNanos) {
        long wall = System.nanoTime();
        Sim sim = new Sim(seed);
        Ledger ledger = new Ledger();
        Edge edge = new Edge(rules, sim, seed);
        Phones phones = new Phones(sim, edge, ledger, mix);
        Farm farm = new Farm(sim, edge, ledger);
        phones.connect(farm);
        edge.connect((to, from, d) -> {
            if (Edge.PROXIES.contains(to)) {
                farm.receive(to, d);
            } else {
                phones.receive(to, d);
            }
        });
        long attackStart = learned() + normalNanos;
        // Trained on the same stretch as the call-rate baseline: after the two windows of start-up.
        Hellinger[] hellinger = new Hellinger[HELLINGER_K.length];
        for (int i = 0; i < hellinger.length; i++) {
            hellinger[i] = new Hellinger(2 * rules.callRate.windowNanos(), learned(), HELLINGER_K[i]);
            edge.observe(hellinger[i]);
        }
        ledger.startMeasuring();
        phones.start();
        sim.runUntil(attackStart);
        long[] falseWindows = new long[hellinger.length];
        for (int i = 0; i < hellinger.length; i++) {
            hellinger[i].roll(attackStart);
            falseWindows[i] = hellinger[i].alarms().size();
        }
        long windows = hellinger[0].windows();
        if (attack != null) {
            new Stream(sim, edge, ledger, phones, attack, attack.messages().get(), perSecond, timing, attackStart).start();
        }
        long end = attackStart + (attack == null ? 0 : ATTACK_FOR + AFTER);
        sim.runUntil(end);
        double[] hellingerDetect = new double[hellinger.length];
        for (int i = 0; i < hellinger.length; i++) {
            hellinger[i].roll(end);
            hellingerDetect[i] = Double.NaN;
            for (long t : hellinger[i].alarms()) {
                if (attack != null && t > attackStart) {
                    hellingerDetect[i] = (t - attackStart) / 1e9;
                    break;
                }
            }
        }
        Map<String, Long> alarms = new TreeMap<>();
        List<String> texts = new ArrayList<>();
        for (Alarm a : edge.alarms()) {
            if (a.time() >= attackStart || attack == null) {
                alarms.merge(a.detector().label(), 1L, Long::sum);
                texts.add(String.format(Locale.ROOT, "%.2f s %s: %s %s", (a.time() - attackStart) / 1e9,
                    a.detector().label(), a.summary(), a.offenders()));
            }
        }
        double detect = ledger.detectedAt < 0 ? Double.NaN : (ledger.detectedAt - ledger.attackStart) / 1e9;
        edge.close();
        return new Result(attack == null ? "none" : attack.name(), perSecond, timing, ledger.attack.sent,
            ledger.attack.dropped, ledger.attackSentAfterDetection, ledger.attackDroppedAfterDetection, detect,
            ledger.attack.byDetector, ledger.normal.sent, ledger.normal.dropped, ledger.normal.byDetector,
            ledger.normal.droppedKinds, ledger.normalCalls(), ledger.hurtCalls(), hellingerDetect, falseWindows, windows,
            alarms, texts, epsilon, (System.nanoTime() - wall) / 1e9);
    }

    /** The attack's messages on its own clock. */
    private static final class Stream {
        private final Sim sim;
        private final Edge edge;
        private final Ledger ledger;
        private final Phones phones;
        private final Attack attack;
        private final List<byte[]> messages;
        private final double perSecond;
        private final Timing timing;
        private final long start;
        private long sent;

        Stream(Sim sim, Edge edge, Ledger ledger, Phones phones, Attack attack, List<byte[]> messages, int perSecond,
               Timing timing, long start) {
            this.sim = sim;
            this.edge = edge;
            this.ledger = ledger;
            this.phones = phones;
            this.attack = attack;
            this.messages = messages;
            this.perSecond = perSecond;
            this.timing = timing;
            this.start = start;
        }

        void start() {
            sim.at(start, this::fire);
        }

        private void fire() {
            if (sim.now() >= start + ATTACK_FOR) {
                return;
            }
            int i = (int) (sent % messages.size());
            long loop = sent / messages.size();
            String text = new String(messages.get(i), StandardCharsets.ISO_8859_1);
            String adapted = attack.prepare(text, loop,
                attack.rewrite() == Attack.Rewrite.LIVE_DIALOG ? phones.liveDialog() : null, attack.user(sent));
            InetSocketAddress from = attack.source(sent);
            sent++;
            String dropped = edge.offer(from, adapted.getBytes(StandardCharsets.ISO_8859_1));
            ledger.fromAttacker(dropped, sim.now());
            double mean = Sim.S / perSecond;
            long gap = switch (timing) {
                case CONSTANT -> (long) mean;
                case JITTER -> (long) (mean * (0.5 + sim.uniform()));
                case POISSON -> Math.max(1, sim.exponential(mean));
            };
            sim.after(gap, this::fire);
        }
    }
}
