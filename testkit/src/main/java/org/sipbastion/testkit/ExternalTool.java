package org.sipbastion.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;

/**
 * Finds the external programs that tests run as real peers.
 *
 * <p>A missing tool must never turn into a silently green build: locally the test is skipped with a
 * message that is hard to miss, and on CI (environment {@code CI=true}) it fails, because there
 * {@code .ci/run} installs every tool and a missing one means the install step is broken.
 */
public final class ExternalTool {

    /** Debian package that provides each tool, for the message that tells how to install it. */
    private static final Map<String, String> APT_PACKAGES = Map.of(
            "sipp", "sip-tester",
            "kamailio", "kamailio",
            "kamcmd", "kamailio",
            "nft", "nftables",
            "dnsmasq", "dnsmasq-base");

    /**
     * Debian installs kamailio in /usr/sbin, which is not on a non-root user's PATH, so searching
     * PATH alone would skip tests on a machine that has it.
     */
    private static final List<String> KNOWN_DIRS =
            List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/bin", "/sbin");

    private ExternalTool() {
    }

    /** The executable called {@code name}, searched on PATH then in the usual Debian directories. */
    public static Optional<Path> find(String name) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    dirs.add(dir);
                }
            }
        }
        dirs.addAll(KNOWN_DIRS);
        for (String dir : dirs) {
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * The executable called {@code name}; when it is missing, fails the test on CI and skips it
     * (loudly, on stderr) elsewhere.
     */
    public static Path require(String name) {
        Optional<Path> found = find(name);
        if (found.isPresent()) {
            return found.get();
        }
        String pkg = APT_PACKAGES.getOrDefault(name, name);
        return missing(name + " not installed (apt-get install " + pkg + ")");
    }

    /** Where Debian (and others) keep shared libraries. */
    private static final List<String> LIBRARY_DIRS = List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
            "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib");

    /**
     * A native library, {@code lib<name>.so} in any version (e.g. {@code pcap}: libpcap.so.0.8);
     * when it is missing, fails the test on CI and skips it loudly elsewhere, as {@link #require}.
     */
    public static Path requireLibrary(String name, String aptPackage) {
        String prefix = "lib" + name + ".so";
        for (String dir : LIBRARY_DIRS) {
            try (java.util.stream.Stream<Path> files = Files.list(Path.of(dir))) {
                Optional<Path> lib = files.filter(f -> f.getFileName().toString().startsWith(prefix)).findFirst();
                if (lib.isPresent()) {
                    return lib.get();
                }
            } catch (java.io.IOException e) {
                // Not a directory on this machine: try the next.
            }
        }
        return missing(prefix + " not installed (apt-get install " + aptPackage + ")");
    }

    /**
     * Something a test needs is there but does not work here (e.g. nft without the right to change
     * the ruleset): fails on CI, skips loudly elsewhere, as for a missing tool.
     */
    public static Path unavailable(String why) {
        return missing(why);
    }

    private static Path missing(String why) {
        if (isCi()) {
            throw new AssertionError("CI=true but " + why + ": .ci/run must install it");
        }
        System.err.println();
        System.err.println("*** SKIPPED: " + why + " ***");
        System.err.println();
        Assumptions.abort(why);
        throw new AssertionError("unreachable: Assumptions.abort returned");
    }

    /** True when the environment says this is the CI run, where nothing may be skipped. */
    public static boolean isCi() {
        String ci = System.getenv("CI");
        return ci != null && ci.trim().equalsIgnoreCase("true");
    }
}
