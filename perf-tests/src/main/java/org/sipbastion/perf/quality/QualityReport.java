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
            + " Hellinger false-alarm windows |\n|---|---|---|---|---|---|---|---|\n");
        b.append(String.format(Locale.ROOT, "| %d | %d | %s | %d | %d | %s | %s | %d of %d |%n%n", normal.normalSent(),
            normal.normalDropped(), DetectionQuality.percent(normal.normalDropped(), normal.normalSent()),
            normal.normalCalls(), normal.hurtCalls(), DetectionQuality.map(normal.normalDetectors()),
            DetectionQuality.map(normal.normalDroppedKinds()), normal.hellingerFalseWindows(), normal.hellingerWindows()));

        b.append("### Attacks (one minute each, on top of the normal traffic)\n\n");
        b.append("| attack | rate | timing | attack msgs | dropped | dropped once detected | time to detect | detectors |"
            + " Hellinger detects | normal msgs dropped | normal calls hurt |\n"
            + "|---|---|---|---|---|---|---|---|---|---|---|\n");
        long normalSent = 0;
        long normalDropped = 0;
        for (QualityRun.Result r : attacks) {
            normalSent += r.normalSent();
            normalDropped += r.normalDropped();
            b.append(String.format(Locale.ROOT, "| %s | %d/s | %s | %d | %s | %s | %s | %s | %s | %d of %d | %d |%n",
                r.attack(), r.perSecond(), r.timing().name().toLowerCase(Locale.ROOT), r.attackSent(),
                DetectionQuality.percent(r.attackDropped(), r.attackSent()),
                DetectionQuality.percent(r.droppedAfterDetection(), r.sentAfterDetection()), seconds(r.detectSeconds()),
                DetectionQuality.map(r.attackDetectors()), seconds(r.hellingerDetectSeconds()), r.normalDropped(),
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

    private static String seconds(double s) {
        return Double.isNaN(s) ? "never" : String.format(Locale.ROOT, "%.2f s", s);
    }

    static String json(QualityRun.Result r) {
        return String.format(Locale.ROOT, "{\"attack\":\"%s\",\"rate\":%d,\"timing\":\"%s\",\"epsilon\":%s,"
                + "\"attack_sent\":%d,\"attack_dropped\":%d,\"sent_after_detection\":%d,\"dropped_after_detection\":%d,"
                + "\"detect_seconds\":%s,\"attack_detectors\":%s,\"normal_sent\":%d,\"normal_dropped\":%d,"
                + "\"normal_detectors\":%s,\"normal_calls\":%d,\"hurt_calls\":%d,\"hellinger_detect_seconds\":%s,"
                + "\"hellinger_false_windows\":%d,\"hellinger_windows\":%d,\"alarms\":%s}",
            r.attack(), r.perSecond(), r.timing().name().toLowerCase(Locale.ROOT), number(r.epsilon()), r.attackSent(),
            r.attackDropped(), r.sentAfterDetection(), r.droppedAfterDetection(), number(r.detectSeconds()),
            object(r.attackDetectors()), r.normalSent(), r.normalDropped(), object(r.normalDetectors()), r.normalCalls(),
            r.hurtCalls(), number(r.hellingerDetectSeconds()), r.hellingerFalseWindows(), r.hellingerWindows(),
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
