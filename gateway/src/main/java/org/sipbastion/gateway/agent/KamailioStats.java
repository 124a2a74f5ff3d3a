package org.sipbastion.gateway.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What Kamailio says of its own work, over its control socket (the ctl module, binrpc), read with
 * {@code kamcmd -s SOCKET stats.get_statistics all} (the kex module): requests received a second
 * since the last reading (the report's {@code tps}: the proxy's transactions, ACKs and
 * retransmissions included, which cost it work too), and its active dialogs when the dialog module
 * is loaded (the report's {@code sessions}; 0 without it). A reading that fails says why; the agent
 * then reports the load it measured itself, with these at 0.
 */
public final class KamailioStats {
    static final long TIMEOUT_MILLIS = 2_000;

    private final String kamcmd;
    private final String socket;
    private long lastRequests = -1;
    private long lastAt;

    /**
     * @param kamcmd the kamcmd program (e.g. /usr/sbin/kamcmd)
     * @param socket the ctl module's socket, as kamcmd's -s takes it ({@code unix:/run/kamailio/kamailio_ctl})
     */
    public KamailioStats(String kamcmd, String socket) {
        this.kamcmd = kamcmd;
        this.socket = socket;
    }

    /** One reading at {@code nowNanos}: the first has no rate yet (0). */
    public Reading read(long nowNanos) throws IOException {
        Map<String, Long> stats = parse(run());
        Long requests = stats.get("core:rcv_requests");
        if (requests == null) {
            throw new IOException(socket + ": no core:rcv_requests in Kamailio's statistics (is kex loaded?)");
        }
        double tps = 0;
        if (lastRequests >= 0 && nowNanos > lastAt && requests >= lastRequests) {
            tps = (requests - lastRequests) * 1e9 / (nowNanos - lastAt);
        }
        lastRequests = requests;
        lastAt = nowNanos;
        return new Reading(tps, stats.getOrDefault("dialog:active_dialogs", 0L));
    }

    /** Requests a second since the last reading, and the dialogs Kamailio has up. */
    public record Reading(double tps, long sessions) {
    }

    private String run() throws IOException {
        Process p = new ProcessBuilder(List.of(kamcmd, "-s", socket, "stats.get_statistics", "all"))
            .redirectErrorStream(true).start();
        try {
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readNBytes(1 << 20);
            if (!p.waitFor(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                throw new IOException(kamcmd + " -s " + socket + " did not answer within " + TIMEOUT_MILLIS + " ms");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(kamcmd + " -s " + socket + " failed (exit " + p.exitValue() + "): "
                    + text.strip().lines().findFirst().orElse(""));
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            p.destroyForcibly();
        }
    }

    /** "group:name = value" lines; anything else is skipped. */
    static Map<String, Long> parse(String text) {
        Map<String, Long> out = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            try {
                out.put(line.substring(0, eq).trim(), Long.parseLong(line.substring(eq + 1).trim()));
            } catch (NumberFormatException notACounter) {
                // a gauge with a unit, or a line of another shape
            }
        }
        return out;
    }
}
