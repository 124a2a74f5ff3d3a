package org.sipbastion.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A SIPp run kept as a child process and bounded in calls and time: a built-in scenario
 * ({@code uac}, {@code uas}, ...) or a scenario XML file.
 *
 * <p>The built-in uac sends ACK and BYE to the address it sent the INVITE to (it ignores
 * Record-Route), so every message of a call goes through the same proxy.
 */
public final class SippProcess extends SipPeer {

    /** SIPp's socket buffer size for high call rates (its default is 65535). */
    public static final int HIGH_RATE_BUFFER = 4194304;
    /** Above this rate (calls per second) the high-rate socket buffer is used. */
    private static final double HIGH_RATE = 100;

    private final String name;
    private final Path statFile;
    private final Duration timeout;

    private SippProcess(String name, String host, int port, Path runDir, Path statFile, Duration timeout,
            ManagedProcess process) {
        super(host, port, runDir, process);
        this.name = name;
        this.statFile = statFile;
        this.timeout = timeout;
    }

    /** A built-in scenario: {@code uac}, {@code uas}, {@code regexp}, {@code branchc}, ... */
    public static Builder builtIn(String scenario) {
        return new Builder(List.of("-sn", scenario), scenario);
    }

    /** A scenario from an XML file. */
    public static Builder scenarioFile(Path xml) {
        String base = xml.getFileName().toString().replaceFirst("\\.xml$", "");
        return new Builder(List.of("-sf", xml.toAbsolutePath().toString()), base);
    }

    /** Name of its files in the run directory. */
    public String name() {
        return name;
    }






    /**
     * Waits for SIPp to finish (its {@code -timeout} plus a margin) and reads its statistics. SIPp
     * writes the statistics file when it exits, so it is read only after the exit.
     */
    public SippResult awaitResult() {
        int exit = process().waitFor(timeout.plusSeconds(10));
        long[] counts = readCounts();
        return new SippResult(exit, counts[0], counts[1], runDir());
    }

    /** {successful, failed} from the last line of the -trace_stat file; -1 each when unreadable. */
    private long[] readCounts() {
        try {
            if (!Files.exists(statFile)) {
                return new long[] {-1, -1};
            }
            List<String> lines = Files.readAllLines(statFile);
            if (lines.size() < 2) {
                return new long[] {-1, -1};
            }
            List<String> header = Arrays.asList(lines.get(0).split(";"));
            String[] last = lines.get(lines.size() - 1).split(";");
            return new long[] {column(header, last, "SuccessfulCall(C)"), column(header, last, "FailedCall(C)")};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long column(List<String> header, String[] row, String name) {
        int i = header.indexOf(name);
        if (i < 0 || i >= row.length) {
            return -1;
        }
        try {
            return Long.parseLong(row[i].trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }


    /** Settings for one run; the defaults make a short, bounded run. */
    public static final class Builder {
        private final List<String> scenarioArgs;
        private final String scenarioName;
        private String name;
        private String remote;
        private String host = FreePorts.LOOPBACK;
        private int port;
        private int calls = 1;
        private double rate = 10;
        private Duration timeout = Duration.ofSeconds(30);
        private boolean traceMessages = true;
        private Integer bufferSize;
        private Path runDir;
        private String netns;
        private final List<String> extraArgs = new ArrayList<>();

        private Builder(List<String> scenarioArgs, String scenarioName) {
            this.scenarioArgs = scenarioArgs;
            this.scenarioName = scenarioName;
            this.name = "sipp-" + scenarioName;
        }

        /** Name of the log files in the run directory (default {@code sipp-<scenario>}). */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Runs SIPp inside network namespace {@code ns} (see {@link Netns}); give its address with {@link #local}. */
        public Builder netns(String ns) {
            this.netns = ns;
            return this;
        }

        /** Where a client scenario sends its requests. */
        public Builder remote(String host, int port) {
            this.remote = host + ":" + port;
            return this;
        }

        /** Local address SIPp binds; default 127.0.0.1 and a free port. */
        public Builder local(String host, int port) {
            this.host = host;
            this.port = port;
            return this;
        }

        /** {@code -m}: SIPp exits after this many calls (a uas: after this many incoming calls). */
        public Builder calls(int calls) {
            this.calls = calls;
            return this;
        }

        /** {@code -r}: new calls per second. */
        public Builder rate(double callsPerSecond) {
            this.rate = callsPerSecond;
            return this;
        }

        /**
         * {@code -timeout} with {@code -timeout_error}: SIPp gives up after this long and exits
         * with an error. Default 30 s.
         */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** {@code -trace_msg}: every message sent and received, in the run directory (default on). */
        public Builder traceMessages(boolean on) {
            this.traceMessages = on;
            return this;
        }

        /** {@code -buff_size}; default 4 MiB above 100 calls/s, SIPp's own default below. */
        public Builder bufferSize(int bytes) {
            this.bufferSize = bytes;
            return this;
        }

        public Builder runDir(Path runDir) {
            this.runDir = runDir;
            return this;
        }

        /** Further SIPp arguments, e.g. {@code -aa} or {@code -key k v}. */
        public Builder args(String... args) {
            extraArgs.addAll(List.of(args));
            return this;
        }

        /**
         * Starts SIPp. A server scenario (no remote) returns once its UDP port is bound, so that a
         * client started next does not send into nothing. Skips or fails the test (see
         * {@link ExternalTool#require}) when SIPp is not installed.
         */
        public SippProcess start() {
            Path sipp = ExternalTool.require("sipp");
            int localPort = port != 0 ? port : FreePorts.udp();
            Path dir = runDir != null ? runDir : RunDirs.create(name);
            Path stat = dir.resolve(name + ".stat.csv");
            long timeoutSeconds = Math.max(1, timeout.toSeconds());

            List<String> cmd = new ArrayList<>();
            if (netns != null) {
                cmd.addAll(Netns.exec(netns));
            }
            cmd.add(sipp.toString());
            cmd.addAll(scenarioArgs);
            if (remote != null) {
                cmd.add(remote);
            }
            cmd.addAll(List.of(
                    "-i", host,
                    "-p", Integer.toString(localPort),
                    // SIPp's UDP control socket (bound on all interfaces, default 8888 and up): a port
                    // of our own, so that concurrent SIPps do not race for the same one.
                    "-cp", Integer.toString(FreePorts.udp()),
                    "-m", Integer.toString(calls),
                    "-r", formatRate(rate),
                    "-timeout", timeoutSeconds + "s",
                    "-timeout_error",
                    "-nostdin",
                    "-trace_stat", "-stf", stat.toString(),
                    "-trace_err", "-error_file", dir.resolve(name + ".errors.log").toString(),
                    // Keeps the trace files of a long run from filling the disk.
                    "-max_log_size", Long.toString(64L * 1024 * 1024)));
            if (traceMessages) {
                cmd.addAll(List.of("-trace_msg", "-message_file", dir.resolve(name + ".messages.log").toString()));
            }
            Integer buffer = bufferSize != null ? bufferSize : (rate > HIGH_RATE ? Integer.valueOf(HIGH_RATE_BUFFER) : null);
            if (buffer != null) {
                cmd.addAll(List.of("-buff_size", Integer.toString(buffer)));
            }
            cmd.addAll(extraArgs);

            // The watchdog is a backstop beyond SIPp's own -timeout, which normally ends it first.
            ManagedProcess process = ManagedProcess.start(name, cmd, dir, timeout.plusSeconds(30));
            SippProcess sippProcess = new SippProcess(name, host, localPort, dir, stat, timeout, process);
            if (remote == null) {
                try {
                    process.awaitReady("listening on UDP " + host + ":" + localPort, Duration.ofSeconds(10),
                            () -> netns != null ? Netns.udpBound(netns, host, localPort) : FreePorts.isUdpBound(localPort));
                } catch (RuntimeException | AssertionError e) {
                    process.close();
                    throw e;
                }
            }
            return sippProcess;
        }

        /** Starts SIPp and waits for it to finish. */
        public SippResult run() {
            try (SippProcess p = start()) {
                return p.awaitResult();
            }
        }

        private static String formatRate(double r) {
            return r == Math.rint(r) ? Long.toString((long) r) : Double.toString(r);
        }
    }
}
