package org.sipbastion.tier2.workload;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a proxy's agent reports of its load (the body of our {@code x-workload} NOTIFY, inside the
 * S/MIME signature): one {@code key=value} per line.
 *
 * <pre>
 * agent=p1.example.net     the agent, as its certificate names it
 * boot=1732400000123       when the agent started, ms since the epoch: with seq, the report's identity
 * seq=42                   counts the agent's reports since its boot, from 1
 * time=1732400123456       when the report was made, ms since the epoch
 * cpu=0.42                 the proxy's CPU use as a share of what it may use (its cgroup quota, or all cores), 0 to 1
 * memory=0.31              its memory as a share of its limit (cgroup memory.max, or the host's), 0 to 1
 * sessions=120             calls it has up (its dialogs)
 * max_sessions=5000        calls it is configured to hold (0: not known)
 * tps=35.5                 transactions a second it handled lately
 * stt_ms=12.3              its own session-termination time view, ms (-1: not known)
 * </pre>
 *
 * Unknown keys are ignored (a newer agent may say more); a missing or malformed mandatory value, or
 * one out of range, rejects the whole report with the key named.
 */
public record WorkloadReport(String agent, long bootMillis, long seq, long timeMillis, double cpu, double memory,
                             long sessions, long maxSessions, double tps, double sttMillis) {
    /** The largest body parsed: a report is a dozen short lines. */
    public static final int MAX_BYTES = 2048;

    public WorkloadReport {
        if (agent == null || agent.isBlank() || agent.length() > 255) {
            throw new IllegalArgumentException("agent: a name of 1 to 255 characters is needed");
        }
        check("boot", bootMillis > 0);
        check("seq", seq >= 1);
        check("time", timeMillis > 0);
        check("cpu", cpu >= 0 && cpu <= 1);
        check("memory", memory >= 0 && memory <= 1);
        check("sessions", sessions >= 0);
        check("max_sessions", maxSessions >= 0);
        check("tps", tps >= 0 && !Double.isInfinite(tps));
        check("stt_ms", sttMillis == -1 || sttMillis >= 0 && !Double.isInfinite(sttMillis));
    }

    private static void check(String key, boolean ok) {
        if (!ok) {
            throw new IllegalArgumentException(key + ": out of range");
        }
    }

    /** The report as its body's text. */
    public byte[] encode() {
        String s = "agent=" + agent + "\nboot=" + bootMillis + "\nseq=" + seq + "\ntime=" + timeMillis
            + "\ncpu=" + fmt(cpu) + "\nmemory=" + fmt(memory) + "\nsessions=" + sessions + "\nmax_sessions=" + maxSessions
            + "\ntps=" + fmt(tps) + "\nstt_ms=" + (sttMillis < 0 ? "-1" : fmt(sttMillis)) + "\n";
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.4f", d);
    }

    /** Parses a body; the exception names the first key that is missing, malformed or out of range. */
    public static WorkloadReport parse(byte[] body) {
        if (body.length > MAX_BYTES) {
            throw new IllegalArgumentException("a report of " + body.length + " bytes (at most " + MAX_BYTES + ")");
        }
        Map<String, String> kv = new HashMap<>();
        for (String line : new String(body, StandardCharsets.US_ASCII).split("\r?\n")) {
            if (line.isBlank()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("not key=value: " + abbreviate(line));
            }
            kv.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
        }
        return new WorkloadReport(text(kv, "agent"), integer(kv, "boot"), integer(kv, "seq"), integer(kv, "time"),
            decimal(kv, "cpu"), decimal(kv, "memory"), integer(kv, "sessions"),
            kv.containsKey("max_sessions") ? integer(kv, "max_sessions") : 0, decimal(kv, "tps"),
            kv.containsKey("stt_ms") ? decimal(kv, "stt_ms") : -1);
    }

    private static String text(Map<String, String> kv, String key) {
        String v = kv.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException(key + ": missing");
        }
        return v;
    }

    private static long integer(Map<String, String> kv, String key) {
        try {
            return Long.parseLong(text(kv, key));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": not an integer: " + abbreviate(kv.get(key)));
        }
    }

    private static double decimal(Map<String, String> kv, String key) {
        try {
            double d = Double.parseDouble(text(kv, key));
            if (Double.isNaN(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": not a number: " + abbreviate(kv.get(key)));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
