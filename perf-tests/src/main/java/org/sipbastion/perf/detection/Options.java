package org.sipbastion.perf.detection;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.sipbastion.tier1.bloom.CallRateStage;

/**
 * The command line: {@code --rates 1000,8000 --minutes 30,10 --seed 1 --floods 50,100,400 --threads 1
 * --transactions 262144}.
 * One minutes value applies to every rate; otherwise there is one per rate; without any, 30 up to
 * 1,000 calls/s and 10 above. Minutes are of normal traffic after the learning period. Threads run
 * the runs of one rate (one per flood) side by side: results are the same, wall times are not
 * comparable with a one-thread run. {@code --transactions} sizes the stage's transaction table
 * (default: the stage's default), to test what the table's size does; every other setting is the
 * stage's default.
 */
record Options(int[] rates, int[] minutes, long seed, int[] floods, int threads, int transactions) {
    static final Options DEFAULT = new Options(new int[] {1000, 8000}, new int[] {30, 10}, 1,
        new int[] {50, 100, 400}, 1, CallRateStage.Settings.DEFAULT.transactions());

    static Options parse(String[] args) {
        int[] rates = DEFAULT.rates;
        int[] minutes = null;
        long seed = DEFAULT.seed;
        int[] floods = DEFAULT.floods;
        int threads = DEFAULT.threads;
        int transactions = DEFAULT.transactions;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (value == null) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            switch (args[i++]) {
                case "--rates" -> rates = ints(value);
                case "--minutes" -> minutes = ints(value);
                case "--seed" -> seed = Long.parseLong(value);
                case "--floods" -> floods = ints(value);
                case "--threads" -> threads = Integer.parseInt(value);
                case "--transactions" -> transactions = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i - 1]
                    + "; known: --rates --minutes --seed --floods --threads --transactions");
            }
        }
        if (minutes == null) {
            // The defaults' rule: 30 minutes up to 1,000 calls/s, 10 above, for runs of minutes, not hours.
            minutes = new int[rates.length];
            for (int r = 0; r < rates.length; r++) {
                minutes[r] = rates[r] <= 1000 ? 30 : 10;
            }
        } else if (minutes.length == 1) {
            int m = minutes[0];
            minutes = new int[rates.length];
            Arrays.fill(minutes, m);
        } else if (minutes.length != rates.length) {
            throw new IllegalArgumentException("--minutes: one value, or one per rate");
        }
        for (int[] list : new int[][] {rates, minutes, floods, {threads, transactions}}) {
            for (int v : list) {
                if (v < 1) {
                    throw new IllegalArgumentException(
                        "rates, minutes, floods, threads and transactions must be positive");
                }
            }
        }
        return new Options(rates, minutes, seed, floods, threads, transactions);
    }

    /** The stage's settings: its defaults, with the transaction table sized as asked. */
    CallRateStage.Settings stageSettings() {
        CallRateStage.Settings d = CallRateStage.Settings.DEFAULT;
        return new CallRateStage.Settings(d.cells(), d.cellsPerKey(), d.windowNanos(), transactions,
            d.offenderMinOpen());
    }

    /** The options as a command line would give them, defaults spelled out. */
    String asArguments() {
        return "--rates " + list(rates) + " --minutes " + list(minutes) + " --seed " + seed
            + " --floods " + list(floods) + " --threads " + threads + " --transactions " + transactions;
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
    }

    private static String list(int[] values) {
        return Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }
}
