package org.sipbastion.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A CPU cgroup with a quota, for making real peers unequal by the CPU they may use (not by
 * artificial delays): cgroup v2 ({@code cpu.max}) where the unified hierarchy has the cpu controller,
 * else cgroup v1's cpu controller ({@code cpu.cfs_quota_us}). A process joins it by being started
 * through {@link #wrap}: a shell moves itself in, then execs the command, so every process the
 * command forks is in it too. Needs root; {@link #available()} says whether it can work here.
 */
public final class CpuQuota implements AutoCloseable {
    private static final Path V2 = Path.of("/sys/fs/cgroup");
    private static final Path V2_UNIFIED = Path.of("/sys/fs/cgroup/unified");
    private static final Path V1 = Path.of("/sys/fs/cgroup/cpu");
    private static final long PERIOD_US = 100_000;

    private final Path dir;

    private CpuQuota(Path dir) {
        this.dir = dir;
    }

    /** Whether a CPU cgroup can be made here (root, and a cpu controller mounted). */
    public static boolean available() {
        return root() != null;
    }

    /**
     * A new cgroup named {@code name} limited to {@code cpus} CPUs (0.1 = a tenth of one core).
     *
     * @throws IllegalStateException when no cpu controller can be used here
     */
    public static CpuQuota create(String name, double cpus) {
        Path root = root();
        if (root == null) {
            throw new IllegalStateException("no usable cpu cgroup controller (needs root and cgroup v1 cpu or v2 cpu)");
        }
        Path dir = root.resolve("bastion-" + name + "-" + ProcessHandle.current().pid());
        long quota = Math.max(1000, Math.round(cpus * PERIOD_US));
        try {
            Files.createDirectories(dir);
            if (root.equals(V1)) {
                Files.writeString(dir.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_US));
                Files.writeString(dir.resolve("cpu.cfs_quota_us"), Long.toString(quota));
            } else {
                Files.writeString(dir.resolve("cpu.max"), quota + " " + PERIOD_US);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up cgroup " + dir + ": " + e.getMessage(), e);
        }
        return new CpuQuota(dir);
    }

    /** {@code command}, started so that it and all it forks run in this cgroup. */
    public List<String> wrap(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c",
            "echo $$ > '" + dir.resolve("cgroup.procs") + "' && exec \"$@\"", "cpu-quota"));
        wrapped.addAll(command);
        return wrapped;
    }

    public Path dir() {
        return dir;
    }

    /** Removes the cgroup once its processes are gone (retries briefly while they exit). */
    @Override
    public void close() {
        for (int i = 0; i < 50; i++) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static Path root() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return null;
        }
        for (Path v2 : List.of(V2, V2_UNIFIED)) {
            Path controllers = v2.resolve("cgroup.controllers");
            try {
                if (Files.exists(controllers) && Files.readString(controllers).contains("cpu")) {
                    String subtree = Files.readString(v2.resolve("cgroup.subtree_control"));
                    if (!subtree.contains("cpu")) {
                        Files.writeString(v2.resolve("cgroup.subtree_control"), "+cpu");
                    }
                    return v2;
                }
            } catch (IOException e) {
                // not usable: try the next
            }
        }
        return Files.isWritable(V1) && Files.exists(V1.resolve("cpu.cfs_quota_us")) ? V1 : null;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "cgroup %s", dir);
    }
}
