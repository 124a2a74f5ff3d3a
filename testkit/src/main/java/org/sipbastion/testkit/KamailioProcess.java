package org.sipbastion.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Kamailio, started in the foreground from one of testkit's config templates, that runs
 * without root: no pid file, no control socket or FIFO, runtime directory inside the run directory.
 *
 * <p>Templates ({@code kamailio-proxy.cfg}, {@code kamailio-sanity.cfg} next to this class) have
 * {@code @@NAME@@} placeholders; their header comments describe the log lines each one writes.
 */
public final class KamailioProcess extends SipPeer {

    /** What the instance does; each is one template. */
    public enum Role {
        /**
         * Stateful record-routing proxy relaying every request to a next hop. One receiver process:
         * with two, a 180 and the 200 right behind it could be relayed by different processes and
         * overtake each other, which SIPp's built-in uac takes for a failed call.
         */
        PROXY("kamailio-proxy.cfg", 1),
        /**
         * Reference parser: judges each request with the sanity module. One receiver process, so
         * that messages are handled in the order they were sent (see {@link KamailioSanityOracle}).
         */
        SANITY("kamailio-sanity.cfg", 1),
        /** Registrar and proxy of a pair sharing their location table over DMQ (see {@link #registrar}). */
        REGISTRAR("kamailio-registrar.cfg", 2);

        final String template;
        final int children;

        Role(String template, int children) {
            this.template = template;
            this.children = children;
        }
    }

    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Pattern PLACEHOLDER = Pattern.compile("@@([A-Z_]+)@@");
    /** Everything the config scripts log for tests starts with this. */
    public static final String LOG_MARK = "BASTION-";

    private final String tag;

    /**
     * The requests the proxies' scripts logged ("BASTION-E2E tag method call-id"), the readiness
     * OPTIONS aside: for each Call-ID, the methods each proxy (by tag) received.
     */
    public static Map<String, Map<String, Set<String>>> requestsByCall(KamailioProcess... proxies) {
        Map<String, Map<String, Set<String>>> into = new TreeMap<>();
        for (KamailioProcess k : proxies) {
            for (String line : k.logLines()) {
                String[] f = line.split(" ");
                if (f.length == 4 && f[0].equals(LOG_MARK + "E2E") && !f[2].equals("OPTIONS")) {
                    into.computeIfAbsent(f[3], c -> new TreeMap<>()).computeIfAbsent(f[1], t -> new TreeSet<>()).add(f[2]);
                }
            }
        }
        return into;
    }

    private Path controlSocket;

    /** The ctl module's binrpc socket ({@code kamcmd -s unix:PATH}), for proxies; null for the other roles. */
    public Path controlSocket() {
        return controlSocket;
    }

    private KamailioProcess(String tag, String host, int port, Path runDir, ManagedProcess process) {
        super(host, port, runDir, process);
        this.tag = tag;
    }

    /** A proxy tagged {@code tag} in its log lines; set its next hop before {@link Builder#start()}. */
    public static Builder proxy(String tag) {
        return new Builder(Role.PROXY, tag);
    }

    /** A sanity-checking instance tagged {@code tag}. */
    /**
     * A registrar that relays calls to the registered contacts, one of a pair sharing their location
     * table over DMQ; set its {@link Builder#listen} port and its {@link Builder#dmqPeer}.
     */
    public static Builder registrar(String tag) {
        return new Builder(Role.REGISTRAR, tag);
    }

    public static Builder sanity(String tag) {
        return new Builder(Role.SANITY, tag);
    }

    public String tag() {
        return tag;
    }






    /**
     * What the config script logged so far, each line cut to start at {@code BASTION-}, in order
     * (e.g. {@code BASTION-E2E p1 INVITE 1-123@127.0.0.1}). Core log lines are left out.
     */
    public List<String> logLines() {
        List<String> out = new ArrayList<>();
        for (String line : process().stderrLines()) {
            int at = line.indexOf(LOG_MARK);
            if (at >= 0) {
                out.add(line.substring(at));
            }
        }
        return out;
    }

    /** Waits until a script log line matches, failing the test after {@code timeout}. */
    public String awaitLogLine(Predicate<String> match, Duration timeout) {
        String[] found = new String[1];
        process().awaitReady("logging the expected line", timeout, () -> {
            Optional<String> line = logLines().stream().filter(match).findFirst();
            line.ifPresent(l -> found[0] = l);
            return line.isPresent();
        });
        return found[0];
    }


    /** Settings for one instance; everything but the next hop of a proxy has a default. */
    public static final class Builder {
        private final Role role;
        private final String tag;
        private String host = FreePorts.LOOPBACK;
        private int port;
        private String nextHop;
        private String dmqPeer;
        private Path runDir;
        private int sharedMemoryMb = 64;
        private Duration startTimeout = Duration.ofSeconds(15);
        private Duration maxLifetime = Duration.ofMinutes(10);
        private CpuQuota cpuQuota;
        private int children;

        private Builder(Role role, String tag) {
            if (!TAG.matcher(tag).matches()) {
                throw new IllegalArgumentException("tag must match " + TAG + ": " + tag);
            }
            this.role = role;
            this.tag = tag;
            this.children = role.children;
        }

        /** Runs Kamailio (all its processes) in this CPU cgroup: a proxy made slower by CPU, not by delays. */
        public Builder cpuQuota(CpuQuota quota) {
            this.cpuQuota = quota;
            return this;
        }

        /** UDP receiver processes (default: the role's). */
        public Builder children(int n) {
            this.children = n;
            return this;
        }

        /** UDP address to listen on; default 127.0.0.1 and a free port. */
        public Builder listen(String host, int port) {
            this.host = host;
            this.port = port;
            return this;
        }

        /** Where a proxy relays every request, e.g. the address of a SIPp uas. */
        public Builder nextHop(String host, int port) {
            this.nextHop = host + ":" + port;
            return this;
        }

        /** The other registrar of a DMQ pair (its listening address). */
        public Builder dmqPeer(String host, int port) {
            this.dmqPeer = host + ":" + port;
            return this;
        }

        /** Directory for the rendered config and the logs; default a new one from {@link RunDirs}. */
        public Builder runDir(Path runDir) {
            this.runDir = runDir;
            return this;
        }

        public Builder sharedMemoryMb(int mb) {
            this.sharedMemoryMb = mb;
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /** Kamailio is killed after this long whatever happens (default 10 minutes). */
        public Builder maxLifetime(Duration maxLifetime) {
            this.maxLifetime = maxLifetime;
            return this;
        }

        /**
         * Starts Kamailio and returns once it answers an OPTIONS on its port. Skips or fails the test
         * (see {@link ExternalTool#require}) when kamailio is not installed.
         */
        public KamailioProcess start() {
            Path kamailio = ExternalTool.require("kamailio");
            if (role == Role.PROXY && nextHop == null) {
                throw new IllegalStateException("a proxy needs nextHop(host, port)");
            }
            int listenPort = port != 0 ? port : FreePorts.udp();
            Path dir = runDir != null ? runDir : RunDirs.create("kamailio-" + tag);
            String name = "kamailio-" + tag;

            Map<String, String> values = new LinkedHashMap<>();
            values.put("TAG", tag);
            values.put("LISTEN_ADDR", host);
            values.put("LISTEN_PORT", Integer.toString(listenPort));
            if (nextHop != null) {
                values.put("NEXT_HOP", nextHop);
            }
            // A unix socket path must fit in 108 bytes: /tmp, not the (possibly deep) run directory.
            Path ctl = Path.of("/tmp", "bastion-kam-" + ProcessHandle.current().pid() + "-" + tag + "-" + listenPort + ".ctl");
            values.put("CTL_SOCKET", ctl.toString());
            if (role == Role.REGISTRAR) {
                if (dmqPeer == null || port == 0) {
                    throw new IllegalStateException("a registrar needs listen(host, port) and dmqPeer(host, port)");
                }
                values.put("DMQ_PEER", dmqPeer);
            }
            Path cfg = dir.resolve(name + ".cfg");
            try {
                Files.createDirectories(dir);
                Files.writeString(cfg, render(readTemplate(role.template), values));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }

            List<String> command = List.of(kamailio.toString(),
                    "-DD",                          // stay in the foreground, as our child
                    "-E",                           // log to stderr, i.e. to our log file
                    "-f", cfg.toString(),
                    "-m", Integer.toString(sharedMemoryMb),
                    "-n", Integer.toString(children),
                    // Runtime dir (kamailio creates it): the default /run/kamailio needs root.
                    "-Y", dir.resolve(name + "-run").toString(),
                    "-w", dir.toString());
            if (cpuQuota != null) {
                command = cpuQuota.wrap(command);
            }
            ManagedProcess process = ManagedProcess.start(name, command, dir, maxLifetime);
            try (SipUdp probe = new SipUdp()) {
                process.awaitReady("answering OPTIONS on " + host + ":" + listenPort, startTimeout,
                        () -> probe.ping(host, listenPort, Duration.ofMillis(200)).isPresent());
            } catch (RuntimeException | AssertionError e) {
                process.close();
                throw e;
            }
            KamailioProcess k = new KamailioProcess(tag, host, listenPort, dir, process);
            k.controlSocket = role == Role.PROXY ? ctl : null;
            return k;
        }
    }

    /** Replaces every {@code @@NAME@@}; a placeholder without a value is an error, not a silent blank. */
    static String render(String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        List<String> missing = new ArrayList<>();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                missing.add(m.group(1));
                value = m.group();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        if (!missing.isEmpty()) {
            throw new IllegalStateException("no value for placeholders " + missing);
        }
        return out.toString();
    }

    static String readTemplate(String resource) {
        try (InputStream in = KamailioProcess.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource + " next to " + KamailioProcess.class);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
