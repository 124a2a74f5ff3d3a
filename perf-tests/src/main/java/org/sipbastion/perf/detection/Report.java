package org.sipbastion.perf.detection;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.sipbastion.tier1.bloom.CallRateStage;
import org.sipbastion.tier1.bloom.CountingBloomFilter;
import org.sipbastion.tier1.table.FingerprintTable;

/** The results as Markdown: the settings measured, one column per load, then the flood trials. */
final class Report {
    private static final double MIB = 1024.0 * 1024.0;

    private final StringBuilder out = new StringBuilder();
    private final CallRateStage.Settings stage;
    private final List<RateResult> results;

    private Report(CallRateStage.Settings stage, List<RateResult> results) {
        this.stage = stage;
        this.results = results;
    }

    static String render(CallRateStage.Settings stage, List<RateResult> results, String commandLines) {
        Report r = new Report(stage, results);
        r.settings();
        r.normalTraffic();
        r.floods();
        r.out.append('\n').append(commandLines);
        return r.out.toString();
    }

    private void settings() {
        BaselineSettings a = BaselineSettings.DEFAULT;
        CallRateStage.Settings s = stage;
        boolean defaults = s.equals(CallRateStage.Settings.DEFAULT);
        out.append("### Call-rate stage settings (CallRateStage.Settings.DEFAULT")
            .append(defaults ? "" : " EXCEPT the transaction table")
            .append("; baseline: the rule files' call_rate defaults)\n\n")
            .append("| setting | value |\n| --- | --- |\n")
            .append(f("| m, cells per generation | %,d (2^%d) |%n", s.cells(),
                Integer.numberOfTrailingZeros(s.cells())))
            .append(f("| k, cells per key | %d |%n", s.cellsPerKey()))
            .append(f("| counter | 8 bits, saturating at %d, never decremented once saturated |%n",
                CountingBloomFilter.COUNTER_MAX))
            .append(f("| generations x window | 2 x %d s (an open exchange is forgotten after %d to %d s) |%n",
                s.windowNanos() / Timing.S, s.windowNanos() / Timing.S, 2 * s.windowNanos() / Timing.S))
            .append(f("| filter memory | %.1f MiB (2 x m bytes) |%n", 2 * s.cells() / MIB))
            .append(f("| transaction table | %,d slots, %d-way, least recently used evicted |%n",
                s.transactions(), FingerprintTable.WAYS))
            .append(f("| baseline | learn %d samples (1/s), then EWMA weight 1/%d on samples under the threshold |%n",
                a.learnSeconds(), a.adaptSeconds()))
            .append(f("| threshold | mean + max(%.0f x max(std, sqrt(k x mean)), %.0f) raised cells, checked as the load changes |%n",
                a.sigmas(), a.floor()));
    }

    private void normalTraffic() {
        out.append("\n### Normal traffic after the learning period (one sample per simulated second)\n\n");
        header("");
        section("Run");
        row("normal traffic measured, simulated s", r -> f("%,d", r.normalSeconds()));
        row("samples", r -> f("%,d", r.normal().raised.count()));
        row("calls started / messages fed (whole run)", r -> f("%,d / %,d", r.calls(), r.messages()));
        section("Raised cells");
        row("raised cells: mean / std", r -> f("%,.0f / %,.1f", r.normal().raised.mean(), r.normal().raised.std()));
        row("raised cells: min / max", r -> f("%,.0f / %,.0f", r.normal().raised.min(), r.normal().raised.max()));
        row("open exchanges n (own bookkeeping): mean / std", r -> f("%,.0f / %,.1f", r.normal().open.mean(),
            r.normal().open.std()));
        row("n: min / max", r -> f("%,.0f / %,.0f", r.normal().open.min(), r.normal().open.max()));
        row("n in current / older generation: mean", r -> f("%,.0f / %,.0f", r.normal().openCurrent.mean(),
            r.normal().openOlder.mean()));
        row("k x n: mean", r -> f("%,.0f", k() * r.normal().open.mean()));
        row("raised by the bookkeeping's keys alone (shadow filter): mean / std", r -> f("%,.0f / %,.1f",
            r.normal().shadowRaised.mean(), r.normal().shadowRaised.std()));
        row("cells lost to sharing, k n - shadow: mean (% of k n)", r -> lost(r.normal().shadowRaised.mean(), r));
        row("analytic m(1-e^(-k n/m)), per generation, summed: mean / std", r -> f("%,.0f / %,.1f",
            r.normal().analytic.mean(), r.normal().analytic.std()));
        row("analytic loss, k n - analytic: mean (% of k n)", r -> lost(r.normal().analytic.mean(), r));
        row("shadow - analytic: mean", r -> f("%+,.1f", r.normal().shadowRaised.mean() - r.normal().analytic.mean()));
        row("cells leaked by evicted open exchanges, stage - shadow: mean / max",
            r -> f("%,.0f / %,.0f", r.normal().leaked.mean(), r.normal().leaked.max()));
        row("samples with stage below shadow (0 if keys agree)", r -> f("%d", r.normal().belowShadow));
        row("saturated cells: max", r -> f("%d", r.normal().maxSaturated));
        section("Transaction table");
        row("evictions during normal traffic: total (per s)", r -> f("%,d (%,.0f/s)", r.evictions(),
            (double) r.evictions() / r.normalSeconds()));
        row("slots occupied at the end / capacity", r -> f("%,d / %,d", r.tableOccupied(), r.tableCapacity()));
        row("completions (ACK, BYE's 200) of exchanges still standing", r -> f("%,d", r.completions()));
        row("... that lowered no raised cell: count (% of completions, per s)", r -> f("%,d (%.3f %%, %,.1f/s)",
            r.completionsWithoutEffect(), 100.0 * r.completionsWithoutEffect() / r.completions(),
            (double) r.completionsWithoutEffect() / r.normalSeconds()));
        row("... expected from cell sharing alone: completions x (1-e^(-k n/m))^k, current generation",
            r -> f("%,.1f", r.completions() * Analytic.allCellsTaken(m(), k(), r.normal().openCurrent.mean())));
        section("Baseline and false alarms");
        row("learned at the end of learning: mean / std / threshold", r -> baseline(r.learned()));
        row("warm-up (two windows) and learning samples: raised mean / std / min", r -> f("%,.0f / %,.1f / %,.0f",
            r.learning().raised.mean(), r.learning().raised.std(), r.learning().raised.min()));
        row("at the end of normal traffic: mean / std / threshold", r -> baseline(r.afterNormal()));
        row("threshold used during normal traffic: min / max", r -> f("%,.0f / %,.0f",
            r.normal().threshold.min(), r.normal().threshold.max()));
        row("margin: (min threshold - measured mean) / measured std", r -> f("%.1f",
            (r.normal().threshold.min() - r.normal().raised.mean()) / r.normal().raised.std()));
        row("margin: (min threshold - measured max)", r -> f("%,.0f",
            r.normal().threshold.min() - r.normal().raised.max()));
        row("false alarms: samples above threshold / alarm starts", r -> f("%d / %d", r.normal().alarmSamples,
            r.normal().alarmStarts));
        section("Analytic cell sharing");
        row("(1-e^(-k n/m))^k at mean n, both generations as one", r -> f("%.3g", Analytic.allCellsTaken(m(), k(),
            r.normal().open.mean())));
        row("(1-e^(-k n/m))^k at mean n of the current generation", r -> f("%.3g", Analytic.allCellsTaken(m(), k(),
            r.normal().openCurrent.mean())));
        section("Cost");
        row("runs (one per flood) / normal traffic identical in all", r -> f("%d / %s", r.replays(),
            r.replaysAgree() ? "yes" : "NO"));
        row("wall time of one run: learning + normal / flood and recovery", r -> f("%.1f s / %.1f s",
            r.normalWallNanos() / 1e9, r.floodWallNanos() / 1e9));
        row("heap, largest of the runs: peak / live after GC at the end", r -> f("%.0f MiB / %.0f MiB",
            r.heapPeakBytes() / MIB, r.heapLiveBytes() / MIB));
        row("allocated per message fed (first run, whole)", r -> f("%.1f B",
            (double) r.allocatedBytes() / r.messages()));
    }

    private void floods() {
        out.append("\n### INVITE flood from one source on top of the normal load (never answered)\n\n")
            .append("Each flood starts when the normal traffic above ends, in its own run of the same seed.\n\n")
            .append("| calls/s | flood INVITE/s | s to first alarm | flood INVITEs sent | raised at alarm "
                + "| threshold (at alarm, else after 180 s) "
                + "| offenders(5) first is the flooder | flooder's open exchanges | sources listed "
                + "| alarming before flood | s from flood stop to alarm end | alarm restarts after stop "
                + "| threshold after | wall time of the run |\n")
            .append("| ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
            .append('\n');
        for (RateResult r : results) {
            for (FloodResult fr : r.floods()) {
                out.append(f("| %,d | %d | %s | %,d | %s | %,.0f | %s | %,d | %d | %s | %s | %d | %,.0f | %.1f s |%n",
                    r.callsPerSecond(), fr.perSecond(),
                    Double.isNaN(fr.secondsToAlarm()) ? "no alarm in 180 s" : f("%.1f", fr.secondsToAlarm()),
                    fr.sent(), fr.raisedAtAlarm() < 0 ? "n/a" : f("%,d", fr.raisedAtAlarm()),
                    fr.thresholdAtAlarm(), fr.firstOffenderIsFlood() ? "yes" : "no",
                    fr.floodOpen(), fr.offendersListed(), fr.alarmingBefore() ? "yes" : "no",
                    Double.isNaN(fr.secondsToClear()) ? "n/a" : f("%.0f", fr.secondsToClear()),
                    fr.alarmStartsAfterStop(), fr.thresholdAfter(), fr.wallNanos() / 1e9));
            }
        }
    }

    private String lost(double cells, RateResult r) {
        double kn = k() * r.normal().open.mean();
        return f("%,.0f (%.2f %%)", kn - cells, 100 * (kn - cells) / kn);
    }

    private static String baseline(BaselineState b) {
        return f("%,.0f / %,.1f / %,.0f", b.mean(), b.std(), b.threshold());
    }

    private void header(String first) {
        out.append("| ").append(first).append(" |");
        for (RateResult r : results) {
            out.append(f(" %,d calls/s |", r.callsPerSecond()));
        }
        out.append("\n| --- |");
        out.append(" ---: |".repeat(results.size()));
        out.append('\n');
    }

    private void section(String title) {
        out.append("| **").append(title).append("** |").append(" |".repeat(results.size())).append('\n');
    }

    private void row(String label, Function<RateResult, String> cell) {
        out.append("| ").append(label).append(" |");
        for (RateResult r : results) {
            out.append(' ').append(cell.apply(r)).append(" |");
        }
        out.append('\n');
    }

    private int m() {
        return stage.cells();
    }

    private int k() {
        return stage.cellsPerKey();
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
