package org.sipbastion.perf.quality;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The harness's tables (Markdown) and its JSON lines. */
final class QualityReport {
    private QualityReport() {
    }

    static String markdown(DetectionQuality.Options o, QualityRun.Result normal, List<QualityRun.Result> attacks,
                           List<QualityRun.Result> sweep, String command) {
        StringBuilder b = new StringBuilder();
        b.append("Command: `").append(command).append("`\n\n");
        b.append(String.format(Locale.ROOT, "Normal traffic: %.0f calls/s, seed %d.%n%n", o.callsPerSecond(), o.seed()));

        b.append("### Normal traffic alone (").append(o.normalMinutes()).append(" min after learning)\n\n");
        b.append("| messages | dropped | false-drop rate | calls and registrations | hurt | dropped by | dropped kinds |"
            + " Hellinger false-alarm windows, k = 3 | k = 5 |\n|---|---|---|---|---|---|---|---|---|\n");
        b.append(String.format(Locale.ROOT, "| %d | %d | %s | %d | %d | %s | %s | %d of %d | %d of %d |%n%n", normal.normalSent(),
            normal.normalDropped(), DetectionQuality.percent(normal.normalDropped(), normal.normalSent()),
            normal.normalCalls(), normal.hurtCalls(), DetectionQuality.map(normal.normalDetectors()),
            DetectionQuality.map(normal.normalDroppedKinds()), normal.hellingerFalseWindows()[0], normal.hellingerWindows(),
            normal.hellingerFalseWindows()[1], normal.hellingerWindows()));

        b.append(summary(attacks));
        b.append("### Attacks (one minute each, on top of the normal traffic)\n\n");
        b.append("| attack | rate | timing | attack msgs | dropped | dropped once detected | time to detect | detectors |"
            + " Hellinger k = 3 | k = 5 | normal msgs dropped | normal calls hurt |\n"
            + "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        long normalSent = 0;
        long normalDropped = 0;
        for (QualityRun.Result r : attacks) {
            normalSent += r.normalSent();
            normalDropped += r.normalDropped();
            b.append(String.format(Locale.ROOT, "| %s | %d/s | %s | %d | %s | %s | %s | %s | %s | %s | %d of %d | %d |%n",
                r.attack(), r.perSecond(), r.timing().name().toLowerCase(Locale.ROOT), r.attackSent(),
                DetectionQuality.percent(r.attackDropped(), r.attackSent()),
                DetectionQuality.percent(r.droppedAfterDetection(), r.sentAfterDetection()), seconds(r.detectSeconds()),
                DetectionQuality.map(r.attackDetectors()), seconds(r.hellingerDetectSeconds()[0]),
                seconds(r.hellingerDetectSeconds()[1]), r.normalDropped(),
                r.normalSent(), r.hurtCalls()));
        }
        b.append(String.format(Locale.ROOT, "%nNormal messages over all attack runs: %d, dropped %d (%s).%n%n", normalSent,
            normalDropped, DetectionQuality.percent(normalDropped, normalSent)));

        if (!sweep.isEmpty()) {
            b.append("### Epsilon sweep (control stage `flood_dispersion`, attacks at ").append(DetectionQuality.SWEEP_RATE)
                .append("/s)\n\n| epsilon | attack | timing | dropped by `flood` | all dropped | time to detect |"
                    + " normal msgs dropped |\n|---|---|---|---|---|---|---|\n");
            for (QualityRun.Result r : sweep) {
                long flood = r.attackDetectors().getOrDefault("flood", 0L);
                b.append(String.format(Locale.ROOT, "| %.2f | %s | %s | %s | %s | %s | %d of %d |%n", r.epsilon(), r.attack(),
                    r.timing().name().toLowerCase(Locale.ROOT), DetectionQuality.percent(flood, r.attackSent()),
                    DetectionQuality.percent(r.attackDropped(), r.attackSent()), seconds(r.detectSeconds()),
                    r.normalDropped(), r.normalSent()));
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** One row per attack, the worst figure over its rates and timings. */
    static String summary(List<QualityRun.Result> attacks) {
        Map<String, List<QualityRun.Result>> by = new java.util.LinkedHashMap<>();
        for (QualityRun.Result r : attacks) {
            by.computeIfAbsent(r.attack(), k -> new java.util.ArrayList<>()).add(r);
        }
        StringBuilder b = new StringBuilder("### Summary: the worst run of each attack\n\n"
            + "| attack | dropped once detected | time to detect at the lowest rate | at higher rates | detectors |"
            + " Hellinger k = 3 / k = 5 | normal msgs dropped |\n|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, List<QualityRun.Result>> e : by.entrySet()) {
            List<QualityRun.Result> runs = e.getValue();
            int lowest = runs.stream().mapToInt(QualityRun.Result::perSecond).min().orElse(0);
            double once = runs.stream().mapToDouble(r -> Double.isNaN(r.droppedOnceDetected()) ? 0 : r.droppedOnceDetected())
                .min().orElse(Double.NaN);
            java.util.Set<String> detectors = new java.util.TreeSet<>();
            long normalSent = 0;
            long normalDropped = 0;
            for (QualityRun.Result r : runs) {
                detectors.addAll(r.attackDetectors().keySet());
                normalSent += r.normalSent();
                normalDropped += r.normalDropped();
            }
            b.append(String.format(Locale.ROOT, "| %s | %.2f %% | %s | %s | %s | %s / %s | %d of %d |%n", e.getKey(),
                100 * once, seconds(worst(runs, r -> r.perSecond() == lowest, QualityRun.Result::detectSeconds)),
                seconds(worst(runs, r -> r.perSecond() != lowest, QualityRun.Result::detectSeconds)),
                String.join(", ", detectors),
                seconds(worst(runs, r -> true, r -> r.hellingerDetectSeconds()[0])),
                seconds(worst(runs, r -> true, r -> r.hellingerDetectSeconds()[1])), normalDropped, normalSent));
        }
        return b.append('\n').toString();
    }

    /** The largest value over the runs that {@code which} selects; a run that never detected counts as never. */
    private static double worst(List<QualityRun.Result> runs, java.util.function.Predicate<QualityRun.Result> which,
                                java.util.function.ToDoubleFunction<QualityRun.Result> value) {
        double w = Double.NEGATIVE_INFINITY;
        for (QualityRun.Result r : runs) {
            if (which.test(r)) {
                double v = value.applyAsDouble(r);
                if (Double.isNaN(v)) {
                    return Double.NaN;
                }
                w = Math.max(w, v);
            }
        }
        return w == Double.NEGATIVE_INFINITY ? Double.NaN : w;
    }

    private static String seconds(double s) {
        return Double.isNaN(s) ? "never" : String.format(Locale.ROOT, "%.2f s", s);
    }

    static String json(QualityRun.Result r) {
        return String.format(Locale.ROOT, "{\"attack\":\"%s\",\"rate\":%d,\"timing\":\"%s\",\"epsilon\":%s,"
                + "\"attack_sent\":%d,\"attack_dropped\":%d,\"sent_after_detection\":%d,\"dropped_after_detection\":%d,"
                + "\"detect_seconds\":%s,\"attack_detectors\":%s,\"normal_sent\":%d,\"normal_dropped\":%d,"
                + "\"normal_detectors\":%s,\"normal_calls\":%d,\"hurt_calls\":%d,\"hellinger_k\":[3,5],"
                + "\"hellinger_detect_seconds\":[%s,%s],\"hellinger_false_windows\":[%d,%d],\"hellinger_windows\":%d,"
                + "\"alarms\":%s}",
            r.attack(), r.perSecond(), r.timing().name().toLowerCase(Locale.ROOT), number(r.epsilon()), r.attackSent(),
            r.attackDropped(), r.sentAfterDetection(), r.droppedAfterDetection(), number(r.detectSeconds()),
            object(r.attackDetectors()), r.normalSent(), r.normalDropped(), object(r.normalDetectors()), r.normalCalls(),
            r.hurtCalls(), number(r.hellingerDetectSeconds()[0]), number(r.hellingerDetectSeconds()[1]),
            r.hellingerFalseWindows()[0], r.hellingerFalseWindows()[1], r.hellingerWindows(),
            object(r.alarms()));
    }

    private static String number(double d) {
        return Double.isNaN(d) ? "null" : String.format(Locale.ROOT, "%.3f", d);
    }

    private static String object(Map<String, Long> m) {
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        return b.append('}').toString();
    }
}
