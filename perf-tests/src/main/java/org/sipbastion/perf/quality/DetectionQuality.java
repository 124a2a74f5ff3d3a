package org.sipbastion.perf.quality;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Tier 1's detection quality on labelled traffic: every attack of {@link Attack#all()} at each rate
 * and timing over the same normal traffic, a long normal-only run for the false-drop rate, and an
 * epsilon sweep of the control stage, with the Hellinger-distance detector as baseline. Prints the
 * Markdown of {@code docs/detection.md}'s tables, or one JSON object per run with {@code --json}.
 * <pre>
 * flock /tmp/bastion-mvn.lock java -cp perf-tests/target/benchmarks.jar \
 *     org.sipbastion.perf.quality.DetectionQuality --seed 1
 * </pre>
 */
public final class DetectionQuality {
    private DetectionQuality() {
    }

    record Options(long seed, int[] rates, List<QualityRun.Timing> timings, List<String> attacks, int normalMinutes,
                   double[] epsilons, int threads, boolean json, double callsPerSecond, boolean alarms) {
        static Options parse(String[] args) {
            long seed = 1;
            int[] rates = {50, 100, 400};
            List<QualityRun.Timing> timings = List.of(QualityRun.Timing.values());
            List<String> attacks = Attack.all().stream().map(Attack::name).toList();
            int normalMinutes = 30;
            double[] epsilons = {0.02, 0.05, 0.08, 0.12, 0.2, 0.35};
            int threads = 2;
            boolean json = false;
            boolean alarms = false;
            double calls = Phones.Mix.DEFAULT.callsPerSecond();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--seed" -> seed = Long.parseLong(args[++i]);
                    case "--rates" -> rates = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                    case "--timings" -> timings = Arrays.stream(args[++i].split(","))
                        .map(t -> QualityRun.Timing.valueOf(t.toUpperCase(Locale.ROOT))).toList();
                    case "--attacks" -> attacks = Arrays.stream(args[++i].split(",")).map(n -> Attack.named(n).name()).toList();
                    case "--normal-minutes" -> normalMinutes = Integer.parseInt(args[++i]);
                    case "--epsilons" -> epsilons = args[i + 1].equals("none") ? new double[0]
                        : Arrays.stream(args[i + 1].split(",")).mapToDouble(Double::parseDouble).toArray();
                    case "--threads" -> threads = Integer.parseInt(args[++i]);
                    case "--calls" -> calls = Double.parseDouble(args[++i]);
                    case "--json" -> json = true;
                    case "--alarms" -> alarms = true;
                    default -> throw new IllegalArgumentException("unknown option " + a + "; options: --seed N --rates 50,100,400"
                        + " --timings constant,jitter,poisson --attacks a,b --normal-minutes N --epsilons 0.05,0.08|none"
                        + " --threads N --calls PER_SECOND --json --alarms");
                }
                if (a.equals("--epsilons")) {
                    i++;
                }
            }
            return new Options(seed, rates, timings, attacks, normalMinutes, epsilons, threads, json, calls, alarms);
        }

        Phones.Mix mix() {
            Phones.Mix d = Phones.Mix.DEFAULT;
            return new Phones.Mix(callsPerSecond, d.phones(), d.officePhones(), d.officeShare(), d.trunkShare(),
                d.refreshNanos(), d.keepAliveNanos(), d.trunkPingNanos());
        }
    }

    /** The attacks the epsilon sweep runs: the floods the control stage exists for. */
    static final List<String> SWEPT = List.of("invite-flood", "register-flood", "options-flood");
    static final int SWEEP_RATE = 50;

    public static void main(String[] args) throws InterruptedException, ExecutionException {
        Options o = Options.parse(args);
        ExecutorService pool = Executors.newFixedThreadPool(o.threads());
        try {
            QualityRun shipped = new QualityRun(SiteRules.of(Double.NaN), o.mix(), o.seed(), Double.NaN);
            Future<QualityRun.Result> normal = pool.submit(() -> shipped.run(null, 0, QualityRun.Timing.POISSON,
                o.normalMinutes() * 60 * Sim.S));
            List<Future<QualityRun.Result>> attacks = new ArrayList<>();
            for (String name : o.attacks()) {
                Attack a = Attack.named(name);
                for (int rate : o.rates()) {
                    for (QualityRun.Timing t : o.timings()) {
                        attacks.add(pool.submit(() -> shipped.run(a, rate, t, QualityRun.NORMAL_BEFORE)));
                    }
                }
            }
            List<Future<QualityRun.Result>> sweep = new ArrayList<>();
            for (double e : o.epsilons()) {
                QualityRun swept = new QualityRun(SiteRules.of(e), o.mix(), o.seed(), e);
                for (String name : SWEPT) {
                    for (QualityRun.Timing t : o.timings()) {
                        sweep.add(pool.submit(() -> swept.run(Attack.named(name), SWEEP_RATE, t, QualityRun.NORMAL_BEFORE)));
                    }
                }
            }
            QualityRun.Result n = normal.get();
            List<QualityRun.Result> done = collect(attacks, o.alarms());
            List<QualityRun.Result> swept = collect(sweep, o.alarms());
            String command = "java -cp perf-tests/target/benchmarks.jar " + DetectionQuality.class.getName() + " "
                + String.join(" ", args);
            if (o.json()) {
                for (QualityRun.Result r : concat(List.of(n), done, swept)) {
                    System.out.println(QualityReport.json(r));
                }
            } else {
                System.out.print(QualityReport.markdown(o, n, done, swept, command));
            }
        } finally {
            pool.shutdown();
        }
    }

    /** Waits for the runs in order, telling stderr how each went (and its alarms with {@code --alarms}). */
    private static List<QualityRun.Result> collect(List<Future<QualityRun.Result>> futures, boolean alarms)
        throws InterruptedException, ExecutionException {
        List<QualityRun.Result> l = new ArrayList<>();
        for (Future<QualityRun.Result> f : futures) {
            QualityRun.Result r = f.get();
            l.add(r);
            System.err.printf(Locale.ROOT, "%s %d/s %s: %d sent, %d dropped, detect %.2f s; normal %d/%d dropped (%.1f s)%n",
                r.attack(), r.perSecond(), r.timing(), r.attackSent(), r.attackDropped(), r.detectSeconds(),
                r.normalDropped(), r.normalSent(), r.wallSeconds());
            if (alarms) {
                r.alarmTexts().forEach(t -> System.err.println("    " + t));
            }
        }
        return l;
    }

    @SafeVarargs
    private static List<QualityRun.Result> concat(List<QualityRun.Result>... lists) {
        List<QualityRun.Result> l = new ArrayList<>();
        for (List<QualityRun.Result> x : lists) {
            l.addAll(x);
        }
        return l;
    }

    static String percent(long part, long whole) {
        return whole == 0 ? "-" : String.format(Locale.ROOT, "%.2f %%", 100.0 * part / whole);
    }

    static String map(Map<String, Long> m) {
        if (m.isEmpty()) {
            return "-";
        }
        StringBuilder b = new StringBuilder();
        m.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).forEach(e -> {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(e.getKey()).append(' ').append(e.getValue());
        });
        return b.toString();
    }
}
