package org.sipbastion.gateway.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipbastion.testkit.CpuQuota;
import org.sipbastion.testkit.ExternalTool;

class ProxyLoadTest {
    private static final long S = 1_000_000_000L;

    @TempDir
    Path root;

    private void proc(long pid, String comm, long utime, long stime, long rssKb) throws IOException {
        Path d = root.resolve("proc").resolve(Long.toString(pid));
        Files.createDirectories(d);
        Files.writeString(d.resolve("comm"), comm + "\n");
        Files.writeString(d.resolve("stat"), pid + " (" + comm + ") S 1 1 1 0 -1 4194560 100 0 0 0 " + utime + " " + stime
            + " 0 0 20 0 1 0 100 1000 200 18446744073709551615\n");
        Files.writeString(d.resolve("status"), "Name:\t" + comm + "\nVmRSS:\t  " + rssKb + " kB\nThreads:\t1\n");
    }

    private void host(int cpus, long memKb) throws IOException {
        Files.createDirectories(root.resolve("proc"));
        StringBuilder stat = new StringBuilder("cpu  1 2 3 4\n");
        for (int i = 0; i < cpus; i++) {
            stat.append("cpu").append(i).append(" 1 2 3 4\n");
        }
        Files.writeString(root.resolve("proc/stat"), stat + "intr 0\n");
        Files.writeString(root.resolve("proc/meminfo"), "MemTotal:       " + memKb + " kB\nMemFree: 1 kB\n");
    }

    @Test
    void processesByNameCountOnlyWhatRanBetweenSamples() throws IOException {
        host(2, 1_000_000);
        proc(10, "kamailio", 100, 50, 100_000);
        proc(11, "kamailio", 0, 0, 50_000);
        proc(12, "sipp", 5000, 0, 10);
        ProxyLoad load = ProxyLoad.processes(root, "kamailio");
        ProxyLoad.Sample first = load.sample(S);
        assertEquals(0, first.cpu(), "nothing to compare with yet");
        assertEquals(0.15, first.memory(), 1e-9);
        assertEquals(2, first.processes());

        proc(10, "kamailio", 150, 50, 100_000); // 50 ticks = 0.5 s
        proc(11, "kamailio", 20, 30, 50_000); // 0.5 s more
        Files.walk(root.resolve("proc/12")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        proc(13, "kamailio", 99_999, 0, 0); // new since: its lifetime does not count
        ProxyLoad.Sample second = load.sample(2 * S);
        assertEquals(0.5, second.cpu(), 1e-9, "1 s of CPU in 1 s on 2 cores");
    }

    @Test
    void aCommandWithSpacesAndParenthesesIsParsed() throws IOException {
        host(1, 1000);
        proc(20, "a) b (c", 0, 0, 10);
        ProxyLoad load = ProxyLoad.pid(root, 20);
        load.sample(S);
        proc(20, "a) b (c", 10, 0, 10);
        assertEquals(0.1, load.sample(2 * S).cpu(), 1e-9);
    }

    @Test
    void cgroupV2QuotaAndMemoryLimit() throws IOException {
        host(4, 8_000_000);
        Path cg = root.resolve("sys/fs/cgroup/kamailio.service");
        Files.createDirectories(cg);
        Files.writeString(cg.resolve("cgroup.procs"), "30\n");
        proc(30, "kamailio", 0, 0, 1);
        Files.writeString(cg.resolve("cpu.max"), "50000 100000\n");
        Files.writeString(cg.resolve("cpu.stat"), "usage_usec 1000000\nuser_usec 1\n");
        Files.writeString(cg.resolve("memory.current"), "268435456\n");
        Files.writeString(cg.resolve("memory.max"), "1073741824\n");
        ProxyLoad load = ProxyLoad.cgroup(root, Path.of("/sys/fs/cgroup/kamailio.service"));
        assertEquals(0.25, load.sample(S).memory(), 1e-9);
        Files.writeString(cg.resolve("cpu.stat"), "usage_usec 1250000\n");
        assertEquals(0.5, load.sample(2 * S).cpu(), 1e-9, "0.25 s in 1 s against half a core");

        Files.writeString(cg.resolve("cpu.max"), "max 100000\n");
        Files.writeString(cg.resolve("memory.max"), "max\n");
        Files.writeString(cg.resolve("cpu.stat"), "usage_usec 3250000\n");
        ProxyLoad.Sample s = load.sample(3 * S);
        assertEquals(0.5, s.cpu(), 1e-9, "2 s in 1 s against the host's 4 cores");
        assertEquals(268435456.0 / 8_192_000_000.0, s.memory(), 1e-9, "no limit: against the host");
    }

    @Test
    void cgroupV1QuotaFromItsProcesses() throws IOException {
        host(2, 1_000_000);
        Path cg = root.resolve("sys/fs/cgroup/cpu/bastion-k1");
        Files.createDirectories(cg);
        Files.writeString(cg.resolve("cgroup.procs"), "40\n41\n");
        Files.writeString(cg.resolve("cpu.cfs_quota_us"), "20000\n");
        Files.writeString(cg.resolve("cpu.cfs_period_us"), "100000\n");
        Files.writeString(cg.resolve("cpu.stat"), "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n");
        proc(40, "kamailio", 0, 0, 10);
        proc(41, "kamailio", 0, 0, 10);
        ProxyLoad load = ProxyLoad.cgroup(root, Path.of("/sys/fs/cgroup/cpu/bastion-k1"));
        load.sample(S);
        proc(40, "kamailio", 5, 0, 10);
        proc(41, "kamailio", 5, 5, 10);
        assertEquals(0.75, load.sample(2 * S).cpu(), 1e-9, "0.15 s in 1 s against a fifth of a core");
    }

    @Test
    void badInputGivesClearErrors() throws IOException {
        host(1, 1000);
        IOException e = assertThrows(IOException.class, () -> ProxyLoad.cgroup(root, Path.of("/sys/fs/cgroup/none")));
        assertTrue(e.getMessage().contains("not a cgroup directory"), e.getMessage());
        e = assertThrows(IOException.class, () -> ProxyLoad.processes(root, "kamailio").sample(S));
        assertTrue(e.getMessage().contains("no process"), e.getMessage());
        Path d = root.resolve("proc/50");
        Files.createDirectories(d);
        Files.writeString(d.resolve("stat"), "garbage\n");
        Files.writeString(d.resolve("status"), "VmRSS: 1 kB\n");
        e = assertThrows(IOException.class, () -> ProxyLoad.pid(root, 50).sample(S));
        assertTrue(e.getMessage().contains("stat"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ProxyLoad.processes("a-name-longer-than-15"));
        assertThrows(IllegalArgumentException.class, () -> ProxyLoad.pid(0));
    }

    /** This machine's own /proc: a busy loop shows, against the host's cores; in a cgroup, against its quota. */
    @Test
    void aRealBusyProcessAndARealQuota() throws Exception {
        Process busy = new ProcessBuilder("sh", "-c", "ulimit -t 20; while :; do :; done")
            .start();
        try {
            ProxyLoad load = ProxyLoad.pid(busy.pid());
            load.sample(System.nanoTime());
            Thread.sleep(1000);
            double cpu = load.sample(System.nanoTime()).cpu();
            int cores = Runtime.getRuntime().availableProcessors();
            assertTrue(cpu > 0.2 / cores * 2 && cpu <= 1, "a busy loop on " + cores + " cores: " + cpu);
        } finally {
            busy.destroyForcibly().waitFor();
        }
        if (!CpuQuota.available()) {
            ExternalTool.unavailable("no cpu cgroup can be made here (needs root and a cpu controller)");
        }
        try (CpuQuota quota = CpuQuota.create("proxyload", 0.2)) {
            Process limited = new ProcessBuilder(quota.wrap(List.of("sh", "-c",
                "ulimit -t 20; while :; do :; done"))).start();
            try {
                Thread.sleep(200); // the shell has moved itself in
                ProxyLoad inCgroup = ProxyLoad.cgroup(quota.dir());
                ProxyLoad asProcess = ProxyLoad.pid(limited.pid());
                long t0 = System.nanoTime();
                inCgroup.sample(t0);
                asProcess.sample(t0);
                Thread.sleep(1500);
                long t1 = System.nanoTime();
                double share = inCgroup.sample(t1).cpu();
                double ofHost = asProcess.sample(t1).cpu();
                assertTrue(share > 0.6, "against its 0.2-core quota the loop uses most of it: " + share);
                assertTrue(ofHost < 0.2, "against the host it is small: " + ofHost);
            } finally {
                limited.destroyForcibly().waitFor();
            }
        }
    }
}
