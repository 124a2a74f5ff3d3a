package org.sipbastion.perf.detection;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The figures behind the call-rate stage's documentation: raised cells, cell sharing, saturation,
 * transaction-table evictions, false alarms and flood detection delay, measured on the real
 * {@code CallRateStage} and {@code Baseline} fed real parsed messages of simulated calls.
 *
 * <p>Simulated time: the stage takes the clock as a parameter, so an hour of traffic at 8,000 calls/s
 * runs in minutes and a seed repeats a run exactly. Run it under the machine's build lock:
 * <pre>
 * flock /tmp/bastion-mvn.lock java -cp perf-tests/target/benchmarks.jar \
 *     org.sipbastion.perf.detection.CallRateSimulation --rates 1000,8000 --minutes 30,10 --seed 1
 * </pre>
 * Prints Markdown tables and the command line that produced them. Each flood gets its own run (see
 * {@link Scenario}); the seed makes their normal traffic identical, so the normal figures are the
 * first run's and the others only confirm them.
 */
public final class CallRateSimulation {
    private CallRateSimulation() {
    }

    public static void main(String[] args) throws InterruptedException, ExecutionException {
        Options options = Options.parse(args);
        List<RateResult> results = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(options.threads());
        try {
            for (int i = 0; i < options.rates().length; i++) {
                int rate = options.rates()[i];
                long seconds = options.minutes()[i] * 60L;
                System.err.printf("%,d calls/s: %d min of normal traffic after learning, seed %d ...%n",
                    rate, options.minutes()[i], options.seed());
                List<Future<RateResult>> runs = new ArrayList<>();
                for (int floodPerSecond : options.floods()) {
                    runs.add(pool.submit(() -> new Scenario(options.stageSettings(), rate, seconds, options.seed())
                        .run(floodPerSecond)));
                }
                List<RateResult> done = new ArrayList<>();
                for (Future<RateResult> run : runs) {
                    done.add(run.get());
                }
                results.add(RateResult.merge(done));
            }
        } finally {
            pool.shutdown();
        }
        System.out.print(Report.render(options.stageSettings(), results, commandLines(options)));
    }

    /** The JVM's own command line, as the platform reports it, and the same run with every option spelled out. */
    private static String commandLines(Options options) {
        String all = "java -cp perf-tests/target/benchmarks.jar " + CallRateSimulation.class.getName() + " "
            + options.asArguments();
        return "Command: `" + ProcessHandle.current().info().commandLine().orElse("(not reported by the platform)")
            + "`\n\nWith every option spelled out: `" + all + "`\n";
    }
}
