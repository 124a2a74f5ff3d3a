package org.sipbastion.perf.balancing;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sipbastion.tier2.balance.Algorithm;

/**
 * The evidence behind the choice of balancing algorithm (issue 4): a discrete-event simulation of a
 * farm of three proxies (300, 400 and 500 calls/s) behind the gateway, driving the real tier-2
 * balancers and {@code ProxyPool}, for every algorithm, scenario, weight configuration and offered
 * rate. The model is in {@link CallSimulation}, {@link Farm} and {@link Settings}; the write-up in
 * docs/balancing.md.
 *
 * <pre>
 * flock /tmp/bastion-mvn.lock java -cp perf-tests/target/benchmarks.jar \
 *     org.sipbastion.perf.balancing.BalancingSimulation [--json] [--quick] [--seed N] [--png FILE] ...
 * </pre>
 *
 * Deterministic for a seed. Exit codes: 0 done, 1 failed (writing the PNG), 2 usage error.
 */
public final class BalancingSimulation {
    static final int[] RATES = {300, 450, 600, 750, 900, 1050, 1200, 1350, 1500};
    static final int[] QUICK_RATES = {300, 900, 1500};

    private BalancingSimulation() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out);
        System.out.flush();
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs the command line {@code args}, printing to {@code out} (progress goes to stderr); the exit code. */
    public static int run(String[] args, PrintStream out) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("balancing: " + e.getMessage());
            System.err.println(USAGE);
            return 2;
        }
        if (options.help) {
            out.println(USAGE);
            return 0;
        }
        if (options.validate) {
            for (Validation.Outcome o : validations(options.seed)) {
                out.println(o.line());
            }
            return 0;
        }
        List<Result> results = new ArrayList<>();
        List<Farm> farms = new ArrayList<>();
        for (String scenario : options.scenarios) {
            for (int[] w : options.weights) {
                farms.add(Farm.named(scenario, w));
            }
        }
        long started = System.nanoTime();
        PrintStream jsonOut = null;
        if (options.jsonOut != null) {
            try {
                jsonOut = new PrintStream(new File(options.jsonOut), StandardCharsets.UTF_8);
            } catch (IOException e) {
                System.err.println("balancing: cannot write " + options.jsonOut + ": " + e.getMessage());
                return 1;
            }
        }
        for (Farm farm : farms) {
            for (int rate : options.rates) {
                for (Algorithm a : options.algorithms) {
                    long t0 = System.nanoTime();
                    Result r = simulate(a, farm, rate, options.settings, options.seed);
                    results.add(r);
                    if (options.json) {
                        out.println(r.json());
                    }
                    if (jsonOut != null) {
                        jsonOut.println(r.json());
                    }
                    if (options.progress) {
                        System.err.printf(Locale.ROOT, "%-13s %-8s %5d cps %-14s p99 %9.1f ms  thr %7.1f  err %6.2f %%  (%.1f s)%n",
                            farm.scenario(), farm.weightsName(), rate, a.configName, r.p99Millis(), r.throughput(),
                            100 * r.errorRate(), (System.nanoTime() - t0) / 1e9);
                    }
                }
            }
        }
        if (jsonOut != null) {
            jsonOut.close();
        }
        if (!options.json) {
            out.print(table(results, options));
        }
        if (options.progress) {
            System.err.printf(Locale.ROOT, "%d runs in %.0f s%n", results.size(), (System.nanoTime() - started) / 1e9);
        }
        if (options.png != null) {
            try {
                String scenario = options.scenarios.contains("heterogeneous") ? "heterogeneous" : options.scenarios.get(0);
                Plot.write(results, scenario, Farm.named(scenario, Farm.EQUAL_WEIGHTS).totalCapacity(), new File(options.png));
            } catch (IOException | RuntimeException e) {
                System.err.println("balancing: cannot write " + options.png + ": " + e.getMessage());
                return 1;
            }
        }
        return 0;
    }

    /** One run; the seed is the same for every algorithm and farm at a rate (common random numbers). */
    static Result simulate(Algorithm algorithm, Farm farm, int offered, Settings settings, long seed) {
        return new CallSimulation(algorithm, farm, offered, settings, seed * 1_000_003L + offered).run();
    }

    static List<Validation.Outcome> validations(long seed) {
        return List.of(
            Validation.mm1(500, 1000, 1000, 2_000_000, seed),
            Validation.mm1(800, 1000, 1000, 5_000_000, seed),
            Validation.singleProxy(1000, 500, 600, 600, seed),
            Validation.singleProxy(1000, 800, 600, 600, seed));
    }

    /** Markdown: one table per scenario and weights, a row per offered rate, a column per algorithm. */
    static String table(List<Result> results, Options options) {
        StringBuilder b = new StringBuilder();
        Map<String, List<Result>> groups = new LinkedHashMap<>();
        for (Result r : results) {
            groups.computeIfAbsent(r.scenario() + " | weights " + r.weights(), k -> new ArrayList<>()).add(r);
        }
        b.append(String.format(Locale.ROOT, "Cells: mean / p99 INVITE response time (ms); throughput (calls/s answered within "
            + "Timer B); error rate (503s + timeouts, %% of calls offered). %s, seed %d.%n",
            options.settingsText(), options.seed));
        for (Map.Entry<String, List<Result>> e : groups.entrySet()) {
            b.append(System.lineSeparator()).append("### ").append(e.getKey()).append(System.lineSeparator())
                .append(System.lineSeparator());
            List<String> algorithms = new ArrayList<>();
            List<Double> rates = new ArrayList<>();
            for (Result r : e.getValue()) {
                if (!algorithms.contains(r.algorithm())) {
                    algorithms.add(r.algorithm());
                }
                if (!rates.contains(r.offered())) {
                    rates.add(r.offered());
                }
            }
            b.append("| offered |");
            algorithms.forEach(a -> b.append(' ').append(a).append(" |"));
            b.append(System.lineSeparator()).append("|---:|");
            algorithms.forEach(a -> b.append("---|"));
            b.append(System.lineSeparator());
            for (double rate : rates) {
                b.append(String.format(Locale.ROOT, "| %.0f |", rate));
                for (String a : algorithms) {
                    Result r = e.getValue().stream()
                        .filter(x -> x.algorithm().equals(a) && x.offered() == rate).findFirst().orElseThrow();
                    b.append(' ').append(cell(r)).append(" |");
                }
                b.append(System.lineSeparator());
            }
        }
        return b.toString();
    }

    static String cell(Result r) {
        return String.format(Locale.ROOT, "%s / %s; %.0f; %s", millis(r.meanMillis()), millis(r.p99Millis()),
            r.throughput(), percent(r.errorRate()));
    }

    private static String millis(double v) {
        if (!Double.isFinite(v)) {
            return "-";
        }
        return v < 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String percent(double v) {
        if (v == 0) {
            return "0 %";
        }
        return v < 0.001 ? String.format(Locale.ROOT, "%.3f %%", 100 * v) : String.format(Locale.ROOT, "%.1f %%", 100 * v);
    }

    static final String USAGE = """
        usage: BalancingSimulation [--json] [--quick] [--seed N] [--png FILE] [--rates 300,900,...]
                                   [--algorithms lstt,tlwl,...] [--scenarios heterogeneous,invite-slow]
                                   [--weights equal|capacity|both] [--warmup S] [--measure S]
                                   [--queue-limit N] [--no-trying] [--far-end-ms M] [--quiet] [--validate]
                                   [--json-out FILE]
          --json         one JSON object per line per algorithm x scenario x weights x rate (else Markdown tables)
          --quick        rates 300,900,1500, 90 s warm-up, 60 s measured (defaults: 300 to 1500 step 150, 240 s, 300 s)
          --seed N       the seed (default 1); a seed repeats a run exactly
          --json-out FILE  also write the JSON lines to FILE (with the tables on stdout)
          --png FILE     plot p99 and throughput vs offered rate for the heterogeneous scenario
          --validate     only the checks against M/M/1 and M/G/1 (Pollaczek-Khinchine)
          --queue-limit  jobs a proxy holds before it answers new INVITEs 503 (default 1000)
          --no-trying    proxies send no 100 Trying (response-time and LSTT's fallback then see BYEs only)
          --far-end-ms M the far end answers a BYE after an exponential delay of mean M ms (default 0: at once)
          --quiet        no progress lines on stderr""";

    /** The parsed command line. */
    static final class Options {
        boolean json;
        boolean help;
        boolean validate;
        boolean progress = true;
        long seed = 1;
        String png;
        String jsonOut;
        int[] rates = RATES;
        /** Every algorithm but availability: the simulated proxies have no agents, and without reports it is srv-weighted. */
        List<Algorithm> algorithms = Arrays.stream(Algorithm.values()).filter(a -> a != Algorithm.AVAILABILITY).toList();
        List<String> scenarios = List.of("heterogeneous", "invite-slow");
        List<int[]> weights = List.of(Farm.EQUAL_WEIGHTS, Farm.CAPACITY_WEIGHTS);
        Settings settings = Settings.FULL;

        static Options parse(String[] args) {
            Options o = new Options();
            boolean quick = false;
            int[] rates = null;
            Double warmup = null;
            Double measure = null;
            Integer queueLimit = null;
            boolean trying = true;
            double farEnd = 0;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--json" -> o.json = true;
                    case "--quick" -> quick = true;
                    case "--validate" -> o.validate = true;
                    case "--no-trying" -> trying = false;
                    case "--far-end-ms" -> farEnd = Double.parseDouble(value(args, ++i, arg));
                    case "--quiet" -> o.progress = false;
                    case "--help", "-h" -> o.help = true;
                    case "--seed" -> o.seed = Long.parseLong(value(args, ++i, arg));
                    case "--png" -> o.png = value(args, ++i, arg);
                    case "--json-out" -> o.jsonOut = value(args, ++i, arg);
                    case "--rates" -> rates = Arrays.stream(value(args, ++i, arg).split(","))
                        .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
                    case "--algorithms" -> o.algorithms = Arrays.stream(value(args, ++i, arg).split(","))
                        .map(Algorithm::named).toList();
                    case "--scenarios" -> {
                        o.scenarios = Arrays.stream(value(args, ++i, arg).split(",")).map(String::trim).toList();
                        o.scenarios.forEach(s -> Farm.named(s, Farm.EQUAL_WEIGHTS));
                    }
                    case "--weights" -> {
                        String w = value(args, ++i, arg);
                        o.weights = switch (w) {
                            case "equal" -> List.of(Farm.EQUAL_WEIGHTS);
                            case "capacity" -> List.of(Farm.CAPACITY_WEIGHTS);
                            case "both" -> List.of(Farm.EQUAL_WEIGHTS, Farm.CAPACITY_WEIGHTS);
                            default -> throw new IllegalArgumentException("--weights: equal, capacity or both, not " + w);
                        };
                    }
                    case "--warmup" -> warmup = Double.parseDouble(value(args, ++i, arg));
                    case "--measure" -> measure = Double.parseDouble(value(args, ++i, arg));
                    case "--queue-limit" -> queueLimit = Integer.parseInt(value(args, ++i, arg));
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            }
            Settings s = quick ? Settings.QUICK : Settings.FULL;
            o.rates = rates != null ? rates : quick ? QUICK_RATES : RATES;
            s = s.withTimes(warmup != null ? warmup : s.warmupSeconds(), measure != null ? measure : s.measureSeconds());
            if (queueLimit != null) {
                s = s.withQueueLimit(queueLimit);
            }
            o.settings = s.withTrying(trying).withFarEnd(farEnd);
            for (int r : o.rates) {
                if (r < 1) {
                    throw new IllegalArgumentException("rates must be positive");
                }
            }
            if (!(s.warmupSeconds() >= 0) || !(s.measureSeconds() > 0) || s.queueLimit() < 1) {
                throw new IllegalArgumentException("need --warmup >= 0, --measure > 0, --queue-limit >= 1");
            }
            return o;
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        String settingsText() {
            return String.format(Locale.ROOT, "Warm-up %.0f s, measured %.0f s, hold %.0f s, queue limit %d, "
                    + "network %.1f ms each way, 100 Trying %s",
                settings.warmupSeconds(), settings.measureSeconds(), settings.holdSeconds(), settings.queueLimit(),
                settings.oneWayDelayMillis(), settings.trying() ? "on" : "off");
        }
    }
}
