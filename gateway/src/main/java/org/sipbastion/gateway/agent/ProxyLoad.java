package org.sipbastion.gateway.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One proxy's own load, as its agent reports it: the CPU it used since the last sample as a share of
 * what it may use, and its memory as a share of its limit. Read from its cgroup or its processes,
 * never from the host's load average, so that proxies sharing a host report their own figures.
 *
 * <ul>
 *   <li>a cgroup: CPU from {@code cpu.stat}'s {@code usage_usec} (cgroup v2) or, where the cgroup
 *       has no usage of its own (cgroup v1's cpu controller), from its member processes
 *       ({@code cgroup.procs}); allowed cores from {@code cpu.max} (v2) or {@code cpu.cfs_quota_us}
 *       over {@code cpu.cfs_period_us} (v1), all the host's when unlimited; memory from
 *       {@code memory.current} over {@code memory.max} (v2), else the members' resident memory over
 *       the host's;</li>
 *   <li>processes by name ({@code /proc/PID/comm}: Kamailio's many children together) or one pid:
 *       CPU against all the host's cores, resident memory against the host's.</li>
 * </ul>
 *
 * Process CPU comes in clock ticks, which Linux fixes at 100 a second for user space (USER_HZ).
 * Only processes present in both samples count, so one that starts or ends between them adds
 * neither a negative nor a whole lifetime. The first sample has nothing to compare with: its CPU
 * share is 0. Not thread-safe.
 */
public final class ProxyLoad {
    private static final double TICKS_PER_SECOND = 100;

    private final Path root;
    private final Path cgroup;
    private final String name;
    private final long pid;
    private long lastAt;
    private long lastUsageMicros = -1;
    private Map<Long, Long> lastTicks = Map.of();

    private ProxyLoad(Path root, Path cgroup, String name, long pid) {
        this.root = root;
        this.cgroup = cgroup;
        this.name = name;
        this.pid = pid;
    }

    public static ProxyLoad cgroup(Path dir) throws IOException {
        return cgroup(Path.of("/"), dir);
    }

    static ProxyLoad cgroup(Path root, Path dir) throws IOException {
        Path d = under(root, dir);
        if (!Files.isRegularFile(d.resolve("cgroup.procs"))) {
            throw new IOException(dir + " is not a cgroup directory (no cgroup.procs)");
        }
        return new ProxyLoad(root, d, null, 0);
    }

    public static ProxyLoad processes(String name) {
        return processes(Path.of("/"), name);
    }

    static ProxyLoad processes(Path root, String name) {
        if (name == null || name.isBlank() || name.length() > 15) {
            throw new IllegalArgumentException("a process name (its /proc/PID/comm, at most 15 characters), not " + name);
        }
        return new ProxyLoad(root, null, name, 0);
    }

    public static ProxyLoad pid(long pid) {
        return pid(Path.of("/"), pid);
    }

    static ProxyLoad pid(Path root, long pid) {
        if (pid < 1) {
            throw new IllegalArgumentException("a process id, not " + pid);
        }
        return new ProxyLoad(root, null, null, pid);
    }

    /** The proxy's CPU share since the last sample and memory share now, both 0 to 1, and how many processes it has. */
    public Sample sample(long nowNanos) throws IOException {
        List<Long> pids = pids();
        if (pids.isEmpty()) {
            throw new IOException(what() + ": no process");
        }
        Map<Long, Long> ticks = new HashMap<>();
        long rss = 0;
        for (long p : pids) {
            try {
                ticks.put(p, cpuTicks(p));
                rss += residentBytes(p);
            } catch (NoSuchFileException gone) {
                // ended while we read: it counts neither here nor next time
            }
        }
        long usage = cgroup == null ? -1 : cgroupUsageMicros();
        double seconds = (nowNanos - lastAt) / 1e9;
        double cores = allowedCores();
        double cpu = 0;
        if (lastAt != 0 && seconds > 0) {
            double used;
            if (usage >= 0 && lastUsageMicros >= 0) {
                used = Math.max(0, usage - lastUsageMicros) / 1e6;
            } else {
                long delta = 0;
                for (Map.Entry<Long, Long> e : ticks.entrySet()) {
                    Long before = lastTicks.get(e.getKey());
                    if (before != null) {
                        delta += Math.max(0, e.getValue() - before);
                    }
                }
                used = delta / TICKS_PER_SECOND;
            }
            cpu = clamp(used / (seconds * cores));
        }
        lastAt = nowNanos;
        lastUsageMicros = usage;
        lastTicks = ticks;
        return new Sample(cpu, clamp(memoryShare(rss)), ticks.size());
    }

    /** A sample: the CPU share since the last one, the memory share, and the processes counted. */
    public record Sample(double cpu, double memory, int processes) {
    }

    private String what() {
        return cgroup != null ? "cgroup " + cgroup : name != null ? "processes named " + name : "process " + pid;
    }

    private List<Long> pids() throws IOException {
        List<Long> out = new ArrayList<>();
        if (cgroup != null) {
            for (String line : read(cgroup.resolve("cgroup.procs")).split("\n")) {
                if (!line.isBlank()) {
                    out.add(number(cgroup.resolve("cgroup.procs"), line.trim()));
                }
            }
        } else if (name != null) {
            try (DirectoryStream<Path> proc = Files.newDirectoryStream(root.resolve("proc"), p -> p.getFileName().toString()
                .chars().allMatch(Character::isDigit))) {
                for (Path p : proc) {
                    try {
                        if (read(p.resolve("comm")).trim().equals(name)) {
                            out.add(Long.parseLong(p.getFileName().toString()));
                        }
                    } catch (IOException gone) {
                        // ended while we looked
                    }
                }
            }
        } else if (Files.isDirectory(root.resolve("proc").resolve(Long.toString(pid)))) {
            out.add(pid);
        }
        return out;
    }

    /** utime + stime, fields 14 and 15 of /proc/PID/stat, counted after the command name's closing parenthesis. */
    private long cpuTicks(long p) throws IOException {
        Path f = root.resolve("proc").resolve(Long.toString(p)).resolve("stat");
        String s = read(f);
        int close = s.lastIndexOf(')');
        String[] fields = s.substring(close + 1).trim().split("\\s+");
        if (close < 0 || fields.length < 13) {
            throw new IOException(f + ": not a /proc stat line");
        }
        // fields[0] is field 3 (state): utime is field 14, stime 15
        return number(f, fields[11]) + number(f, fields[12]);
    }

    private long residentBytes(long p) throws IOException {
        Path f = root.resolve("proc").resolve(Long.toString(p)).resolve("status");
        for (String line : read(f).split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return number(f, line.substring(6).trim().split("\\s+")[0]) * 1024;
            }
        }
        return 0; // a kernel thread or a zombie: no memory of its own
    }

    /** The cgroup's own CPU use (cgroup v2), or -1 where it keeps none (cgroup v1's cpu controller). */
    private long cgroupUsageMicros() throws IOException {
        Path f = cgroup.resolve("cpu.stat");
        if (!Files.isRegularFile(f)) {
            return -1;
        }
        for (String line : read(f).split("\n")) {
            if (line.startsWith("usage_usec ")) {
                return number(f, line.substring(11).trim());
            }
        }
        return -1;
    }

    private double allowedCores() throws IOException {
        if (cgroup != null) {
            Path max = cgroup.resolve("cpu.max");
            if (Files.isRegularFile(max)) {
                String[] q = read(max).trim().split("\\s+");
                if (q.length == 2 && !q[0].equals("max")) {
                    return (double) number(max, q[0]) / number(max, q[1]);
                }
            } else if (Files.isRegularFile(cgroup.resolve("cpu.cfs_quota_us"))) {
                long quota = number(cgroup.resolve("cpu.cfs_quota_us"), read(cgroup.resolve("cpu.cfs_quota_us")).trim());
                if (quota > 0) {
                    return (double) quota / number(cgroup.resolve("cpu.cfs_period_us"),
                        read(cgroup.resolve("cpu.cfs_period_us")).trim());
                }
            }
        }
        return hostCpus();
    }

    private double hostCpus() throws IOException {
        int n = 0;
        for (String line : read(root.resolve("proc/stat")).split("\n")) {
            if (line.startsWith("cpu") && line.length() > 3 && Character.isDigit(line.charAt(3))) {
                n++;
            }
        }
        return n > 0 ? n : Runtime.getRuntime().availableProcessors();
    }

    private double memoryShare(long rss) throws IOException {
        if (cgroup != null && Files.isRegularFile(cgroup.resolve("memory.current"))) {
            long current = number(cgroup.resolve("memory.current"), read(cgroup.resolve("memory.current")).trim());
            String max = Files.isRegularFile(cgroup.resolve("memory.max")) ? read(cgroup.resolve("memory.max")).trim() : "max";
            long limit = max.equals("max") ? hostMemory() : number(cgroup.resolve("memory.max"), max);
            return (double) current / limit;
        }
        return (double) rss / hostMemory();
    }

    private long hostMemory() throws IOException {
        Path f = root.resolve("proc/meminfo");
        for (String line : read(f).split("\n")) {
            if (line.startsWith("MemTotal:")) {
                return number(f, line.substring(9).trim().split("\\s+")[0]) * 1024;
            }
        }
        throw new IOException(f + ": no MemTotal line");
    }

    private static String read(Path f) throws IOException {
        return Files.readString(f, StandardCharsets.US_ASCII);
    }

    private static long number(Path f, String s) throws IOException {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IOException(f + ": not a number: " + (s.length() > 30 ? s.substring(0, 30) + "..." : s));
        }
    }

    private static Path under(Path root, Path dir) {
        return dir.isAbsolute() ? root.resolve(root.getRoot().relativize(dir)) : root.resolve(dir);
    }

    private static double clamp(double d) {
        return Double.isNaN(d) ? 0 : Math.max(0, Math.min(1, d));
    }
}
