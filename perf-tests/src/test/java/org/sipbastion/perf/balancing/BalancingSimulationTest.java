package org.sipbastion.perf.balancing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipbastion.tier2.balance.Algorithm;

/** Short runs of the comparison: properties any sound model and balancer must show. */
class BalancingSimulationTest {
    /** 90 s of warm-up and 60 s measured: enough for the properties below, a fraction of a second a run. */
    private static final Settings SHORT = Settings.QUICK;

    @Test
    void everyAlgorithmCarriesALightLoadWithoutErrors() {
        for (int[] weights : new int[][] {Farm.EQUAL_WEIGHTS, Farm.CAPACITY_WEIGHTS}) {
            Farm farm = Farm.heterogeneous(weights);
            for (Algorithm a : Algorithm.values()) {
                Result r = BalancingSimulation.simulate(a, farm, 300, SHORT, 7);
                assertEquals(0, r.rejected() + r.timeouts(), a.configName + " " + r.json());
                assertTrue(Math.abs(r.throughput() - 300) < 15, a.configName + " " + r.json());
                assertTrue(r.p99Millis() < 50, a.configName + " " + r.json());
                assertEquals(0, r.evicted(), r.json());
            }
        }
    }

    /**
     * Without weights, round-robin gives the 300 calls/s proxy a third of 900 calls/s: it runs at
     * rho = 1 while TLWL, which sees outstanding work, keeps it below. Its p99 must be far worse.
     */
    @Test
    void roundRobinWithoutWeightsOverloadsTheSmallProxyWhereTlwlDoesNot() {
        Farm farm = Farm.heterogeneous(Farm.EQUAL_WEIGHTS);
        Result rr = BalancingSimulation.simulate(Algorithm.ROUND_ROBIN, farm, 900, SHORT, 7);
        Result tlwl = BalancingSimulation.simulate(Algorithm.TLWL, farm, 900, SHORT, 7);
        assertEquals(0, tlwl.rejected() + tlwl.timeouts(), tlwl.json());
        assertTrue(rr.p99Millis() > 3 * tlwl.p99Millis(), rr.json() + "\n" + tlwl.json());
        assertTrue(Math.abs(rr.share()[0] - 1 / 3.0) < 0.01, rr.json());
        assertTrue(tlwl.share()[0] < 0.3, "TLWL gives the small proxy less than a third: " + tlwl.json());
    }

    /**
     * Issue 4's target, held: in the heterogeneous farm without weights LSTT's p99 is no worse than
     * TLWL-1.75's (10% for noise) and far better than round-robin's. The first LSTT failed this.
     */
    @Test
    void lsttMatchesTlwlAndBeatsRoundRobinOnP99() {
        Farm farm = Farm.heterogeneous(Farm.EQUAL_WEIGHTS);
        for (int rate : new int[] {300, 900}) {
            Result lstt = BalancingSimulation.simulate(Algorithm.LSTT, farm, rate, SHORT, 7);
            Result tlwl = BalancingSimulation.simulate(Algorithm.TLWL, farm, rate, SHORT, 7);
            Result rr = BalancingSimulation.simulate(Algorithm.ROUND_ROBIN, farm, rate, SHORT, 7);
            assertTrue(lstt.p99Millis() <= 1.1 * tlwl.p99Millis(), lstt.json() + "\n" + tlwl.json());
            assertTrue(lstt.p99Millis() < rr.p99Millis(), lstt.json() + "\n" + rr.json());
        }
    }

    /**
     * With a 20 ms far end STT is mostly the callee's: LSTT must not herd onto the busiest proxy
     * (an earlier form sent every call to one). Each proxy keeps a fair part of the calls.
     */
    @Test
    void aSlowFarEndDoesNotMakeLsttHerd() {
        Farm farm = Farm.heterogeneous(Farm.EQUAL_WEIGHTS);
        Result r = BalancingSimulation.simulate(Algorithm.LSTT, farm, 300, SHORT.withFarEnd(20), 7);
        for (double share : r.share()) {
            assertTrue(share > 0.15, r.json());
        }
        assertEquals(0, r.overloadedChoices(), r.json());
    }

    /** Beyond the farm's 1,200 calls/s nothing is carried above capacity and the rest is refused. */
    @Test
    void overloadIsShedNotCarried() {
        Farm farm = Farm.heterogeneous(Farm.CAPACITY_WEIGHTS);
        Settings settings = SHORT.withTimes(240, 60); // the BYE load must have built up
        Result r = BalancingSimulation.simulate(Algorithm.TLWL, farm, 1500, settings, 7);
        assertTrue(r.throughput() < 1.03 * farm.totalCapacity(), r.json());
        assertTrue(r.throughput() > 0.9 * farm.totalCapacity(), r.json());
        assertTrue(r.errorRate() > 0.15, r.json());
        assertEquals(0, r.evicted(), r.json());
    }

    @Test
    void aSeedRepeatsARunExactly() {
        Farm farm = Farm.inviteSlow(Farm.EQUAL_WEIGHTS);
        for (Algorithm a : new Algorithm[] {Algorithm.LSTT, Algorithm.SRV_WEIGHTED}) {
            assertEquals(BalancingSimulation.simulate(a, farm, 600, SHORT, 3).json(),
                BalancingSimulation.simulate(a, farm, 600, SHORT, 3).json());
        }
    }

    @Test
    void commandLineWritesJsonLinesAndThePlot(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("plot.png");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = BalancingSimulation.run(new String[] {"--json", "--quiet", "--rates", "300,600", "--warmup", "30",
            "--measure", "20", "--algorithms", "round-robin,tlwl", "--scenarios", "heterogeneous", "--png",
            png.toString()}, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertEquals(0, code);
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2 * 2 * 2, lines.length, String.join("\n", lines)); // weights x rates x algorithms
        for (String line : lines) {
            assertTrue(line.startsWith("{\"algorithm\":\"") && line.endsWith("}"), line);
            for (String field : new String[] {"scenario", "weights", "offered", "mean_ms", "p99_ms", "throughput",
                "error_rate"}) {
                assertTrue(line.contains("\"" + field + "\":"), field + " in " + line);
            }
        }
        assertTrue(ImageIO.read(Files.newInputStream(png)).getWidth() > 0);
        assertEquals(2, BalancingSimulation.run(new String[] {"--bogus"},
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
    }
}
