package org.sipbastion.gateway.agent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The agent's configuration file: one {@code key = value} per line, {@code #} comments. Keys (all
 * documented in docs/reference.md):
 *
 * <pre>
 * listen = 192.0.2.11:5091        where gateways subscribe (SIP over TLS)
 * name = p1.example.net           the agent's name in its reports (its certificate should carry it)
 * certificate = /etc/bastion/pki/agent.crt
 * key = /etc/bastion/pki/agent.key
 * trust = /etc/bastion/pki/ca.crt the CAs a subscribing gateway's certificate must chain to
 * cgroup = /sys/fs/cgroup/system.slice/kamailio.service   or  process = kamailio  or  pid = 1234
 * period = 5                      seconds between NOTIFYs (0.2 to 3600)
 * max_sessions = 0                calls the proxy is configured to hold (0: not known)
 * cpu_alarm = 0.8                 a NOTIFY at once when the CPU share crosses this (either way)
 * memory_alarm = 0.9              the same for memory
 * subscribers = gw1.example.net   names a subscriber's certificate must carry (any of); empty: any trusted
 * kamailio_ctl = unix:/run/kamailio/kamailio_ctl   Kamailio's ctl socket: tps and sessions from its statistics
 * kamcmd = /usr/sbin/kamcmd       the program that reads them
 * </pre>
 *
 * Every problem is reported as FILE:LINE: message, all of them at once.
 */
public record AgentConfig(InetSocketAddress listen, String name, Path certificate, Path key, Path trust,
                          Path cgroup, String process, long pid, long periodMillis, long maxSessions, double cpuAlarm,
                          double memoryAlarm, List<String> subscribers, String kamailioCtl, String kamcmd) {
    private static final Set<String> KEYS = Set.of("listen", "name", "certificate", "key", "trust", "cgroup", "process",
        "pid", "period", "max_sessions", "cpu_alarm", "memory_alarm", "subscribers", "kamailio_ctl", "kamcmd");

    /** What is wrong with a configuration file: every problem, each as FILE:LINE: message. */
    public static final class Invalid extends Exception {
        private final List<String> problems;

        Invalid(List<String> problems) {
            super(String.join("\n", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    public static AgentConfig load(Path file) throws IOException, Invalid {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Integer> at = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            int hash = line.indexOf('#');
            String s = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (s.isEmpty()) {
                continue;
            }
            int eq = s.indexOf('=');
            String where = file + ":" + (n + 1) + ": ";
            if (eq <= 0) {
                problems.add(where + "expected key = value");
                continue;
            }
            String key = s.substring(0, eq).trim();
            if (!KEYS.contains(key)) {
                problems.add(where + "unknown key " + key + " (keys: " + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
                continue;
            }
            if (values.put(key, s.substring(eq + 1).trim()) != null) {
                problems.add(where + key + " is given twice");
            }
            at.put(key, n + 1);
        }
        Parser p = new Parser(file, values, at, problems);
        InetSocketAddress listen = p.address("listen");
        String name = p.required("name");
        Path certificate = p.path("certificate");
        Path key = p.path("key");
        Path trust = p.path("trust");
        int sources = (values.containsKey("cgroup") ? 1 : 0) + (values.containsKey("process") ? 1 : 0)
            + (values.containsKey("pid") ? 1 : 0);
        if (sources != 1) {
            problems.add(file + ": exactly one of cgroup, process and pid says whose load to report"
                + (sources == 0 ? " (none given)" : " (" + sources + " given)"));
        }
        Path cgroup = values.containsKey("cgroup") ? Path.of(values.get("cgroup")) : null;
        String process = values.get("process");
        long pid = values.containsKey("pid") ? (long) p.number("pid", 0, 1, 1L << 32) : 0;
        long period = Math.round(p.number("period", 5, 0.2, 3600) * 1000);
        long maxSessions = (long) p.number("max_sessions", 0, 0, 1e9);
        double cpuAlarm = p.number("cpu_alarm", 0.8, 0.01, 1);
        double memoryAlarm = p.number("memory_alarm", 0.9, 0.01, 1);
        List<String> subscribers = new ArrayList<>();
        if (values.containsKey("subscribers")) {
            for (String s : values.get("subscribers").split(",")) {
                if (!s.isBlank()) {
                    subscribers.add(s.trim());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new Invalid(problems);
        }
        return new AgentConfig(listen, name, certificate, key, trust, cgroup, process, pid, period, maxSessions, cpuAlarm,
            memoryAlarm, subscribers, values.get("kamailio_ctl"), values.getOrDefault("kamcmd", "/usr/sbin/kamcmd"));
    }

    private record Parser(Path file, Map<String, String> values, Map<String, Integer> at, List<String> problems) {
        String where(String key) {
            return file + ":" + at.getOrDefault(key, 0) + ": ";
        }

        String required(String key) {
            String v = values.get(key);
            if (v == null || v.isEmpty()) {
                problems.add(file + ": " + key + " is required");
                return null;
            }
            return v;
        }

        Path path(String key) {
            String v = required(key);
            return v == null ? null : Path.of(v);
        }

        InetSocketAddress address(String key) {
            String v = required(key);
            if (v == null) {
                return null;
            }
            int colon = v.lastIndexOf(':');
            try {
                String host = v.substring(0, colon).replace("[", "").replace("]", "");
                int port = Integer.parseInt(v.substring(colon + 1));
                if (colon <= 0 || port < 1 || port > 65535) {
                    throw new NumberFormatException();
                }
                return new InetSocketAddress(host, port);
            } catch (RuntimeException e) {
                problems.add(where(key) + key + ": expected HOST:PORT, got " + v);
                return null;
            }
        }

        double number(String key, double fallback, double min, double max) {
            String v = values.get(key);
            if (v == null) {
                return fallback;
            }
            try {
                double d = Double.parseDouble(v);
                if (!(d >= min && d <= max)) {
                    throw new NumberFormatException();
                }
                return d;
            } catch (NumberFormatException e) {
                problems.add(where(key) + key + ": expected a number from " + fmt(min) + " to " + fmt(max) + ", got " + v);
                return fallback;
            }
        }

        private static String fmt(double d) {
            return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
        }
    }
}
