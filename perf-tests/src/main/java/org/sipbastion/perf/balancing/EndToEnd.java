package org.sipbastion.perf.balancing;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.gateway.Gateway;
import org.sipbastion.gateway.GatewayConfig;
import org.sipbastion.parser.Limits;
import org.sipbastion.testkit.CpuQuota;
import org.sipbastion.testkit.KamailioProcess;
import org.sipbastion.testkit.RunDirs;
import org.sipbastion.testkit.SippProcess;
import org.sipbastion.testkit.SippResult;
import org.sipbastion.tier1.rules.Rules;
import org.sipbastion.tier2.balance.Algorithm;

/**
 * The balancers on real parts: SIPp UAC -> SIP Bastion -> three stateful Kamailio proxies made
 * unequal by CPU quotas (cgroups), not by delays -> one SIPp UAS. For each algorithm a fresh farm,
 * the same offered load; the report gives each proxy's share of the calls, the calls that failed,
 * and the response time SIPp measured (INVITE to 200) per call: mean, p50, p99. Needs root (cgroups),
 * sipp and kamailio. Run:
 * {@code java -cp perf-tests/target/benchmarks.jar org.sipbastion.perf.balancing.EndToEnd}.
 */
public final class EndToEnd {
    private EndToEnd() {
    }

    public static void main(String[] args) throws Exception {
        // Not availability: no agents report the Kamailio proxies' load in this run yet.
        List<Algorithm> algorithms = new ArrayList<>(List.of(Algorithm.values()));
        algorithms.remove(Algorithm.AVAILABILITY);
        double[] quotas = {0.05, 0.10, 0.20};
        int rate = 120;
        int seconds = 40;
        int holdMs = 3000;
        int repeat = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--algorithms" -> algorithms = Arrays.stream(args[++i].split(",")).map(Algorithm::named).toList();
                case "--quotas" -> quotas = Arrays.stream(args[++i].split(",")).mapToDouble(Double::parseDouble).toArray();
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--hold-ms" -> holdMs = Integer.parseInt(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: EndToEnd [--algorithms lstt,tlwl,...] [--quotas 0.05,0.1,0.2] [--rate CPS]"
                        + " [--seconds S] [--hold-ms MS] [--repeat N]");
                    System.exit(2);
                }
            }
        }
        if (!CpuQuota.available()) {
            System.err.println("EndToEnd: needs root and a cpu cgroup controller");
            System.exit(1);
        }
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "Offered %d calls/s for %d s, hold %d ms; proxies' CPU quotas %s of a core.%n%n", rate,
            seconds, holdMs, Arrays.toString(quotas));
        out.println("| algorithm | run | calls | failed | split per proxy (quota) | mean ms | p50 ms | p99 ms |");
        out.println("|---|---:|---:|---:|---|---:|---:|---:|");
        // Rounds of every algorithm in turn, so that a slow spell of this shared machine hits them all.
        List<List<double[]>> stats = new ArrayList<>();
        algorithms.forEach(a -> stats.add(new ArrayList<>()));
        for (int r = 1; r <= repeat; r++) {
            for (int k = 0; k < algorithms.size(); k++) {
                Run run = run(algorithms.get(k), quotas, rate, seconds, holdMs);
                stats.get(k).add(new double[] {run.mean, run.p99});
                out.println(run.row.replace("| " + algorithms.get(k).configName + " |",
                    "| " + algorithms.get(k).configName + " | " + r + " |"));
                out.flush();
            }
        }
        if (repeat > 1) {
            out.println();
            out.println("| algorithm | median mean ms | median p99 ms | p99 min-max |");
            out.println("|---|---:|---:|---|");
            for (int k = 0; k < algorithms.size(); k++) {
                double[] means = stats.get(k).stream().mapToDouble(v -> v[0]).sorted().toArray();
                double[] p99s = stats.get(k).stream().mapToDouble(v -> v[1]).sorted().toArray();
                out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.0f-%.0f |%n", algorithms.get(k).configName,
                    means[means.length / 2], p99s[p99s.length / 2], p99s[0], p99s[p99s.length - 1]);
            }
        }
    }

    private record Run(String row, double mean, double p99) {
    }

    private static Run run(Algorithm algorithm, double[] quotas, int rate, int seconds, int holdMs) throws Exception {
        Path dir = RunDirs.create("balancing-e2e-" + algorithm.configName);
        int calls = rate * seconds;
        List<CpuQuota> groups = new ArrayList<>();
        List<KamailioProcess> proxies = new ArrayList<>();
        try (SippProcess uas = SippProcess.builtIn("uas").name("uas").runDir(dir).calls(calls)
                .timeout(Duration.ofSeconds(seconds + 120)).bufferSize(4 << 20).start()) {
            List<InetSocketAddress> addresses = new ArrayList<>();
            for (int i = 0; i < quotas.length; i++) {
                CpuQuota q = CpuQuota.create("k" + i, quotas[i]);
                groups.add(q);
                KamailioProcess k = KamailioProcess.proxy("k" + i).runDir(dir).nextHop(uas.host(), uas.port())
                    .sharedMemoryMb(256).cpuQuota(q).start();
                proxies.add(k);
                addresses.add(new InetSocketAddress(k.host(), k.port()));
            }
            // SIPp paces like a metronome, which tier 1 takes for a tool: its address is trusted here.
            Rules rules = Rules.parse(List.of(new Rules.Source("e2e.rules",
                "[profile load-generator]\nsource = 127.0.0.1\ntrusted = yes\n")));
            GatewayConfig config = new GatewayConfig(new InetSocketAddress("127.0.0.1", 0), null, addresses,
                MacKeyRing.random(), Limits.DEFAULT, rules);
            config = config.withBalancing(GatewayConfig.Balancing.of(addresses).withAlgorithm(algorithm));
            try (Gateway gateway = Gateway.start(config)) {
                SippResult r = SippProcess.builtIn("uac").name("uac").runDir(dir)
                    .remote("127.0.0.1", gateway.localAddress().getPort()).calls(calls).rate(rate)
                    .timeout(Duration.ofSeconds(seconds + 90)).bufferSize(4 << 20)
                    .args("-d", Integer.toString(holdMs), "-trace_rtt", "-rtt_freq", "1").run();
                long[] invites = new long[proxies.size()];
                for (int i = 0; i < proxies.size(); i++) {
                    invites[i] = proxies.get(i).logLines().stream().filter(l -> l.contains(" INVITE ")
                        && l.startsWith("BASTION-E2E ")).count();
                }
                long total = Arrays.stream(invites).sum();
                StringBuilder split = new StringBuilder();
                for (int i = 0; i < invites.length; i++) {
                    split.append(i == 0 ? "" : " / ").append(String.format(Locale.ROOT, "%.0f%% (%.2f)",
                        100.0 * invites[i] / Math.max(1, total), quotas[i]));
                }
                double[] rtt = responseTimes(dir);
                Arrays.sort(rtt);
                return new Run(String.format(Locale.ROOT, "| %s | %d | %d | %s | %.1f | %.1f | %.1f |",
                    algorithm.configName, r.successfulCalls() + r.failedCalls(), r.failedCalls(), split, mean(rtt),
                    quantile(rtt, 0.5), quantile(rtt, 0.99)), mean(rtt), quantile(rtt, 0.99));
            }
        } finally {
            proxies.forEach(KamailioProcess::close);
            groups.forEach(CpuQuota::close);
        }
    }

    /** SIPp's per-call response times (-trace_rtt): "date_ms;response_time_ms;rtd" lines. */
    private static double[] responseTimes(Path dir) throws IOException {
        List<Double> times = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith("_rtt.csv")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    String[] parts = line.split(";");
                    if (parts.length >= 2) {
                        try {
                            times.add(Double.parseDouble(parts[1]));
                        } catch (NumberFormatException header) {
                            // the header line
                        }
                    }
                }
            }
        }
        return times.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double mean(double[] v) {
        return v.length == 0 ? Double.NaN : Arrays.stream(v).average().orElse(Double.NaN);
    }

    private static double quantile(double[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
    }
}
