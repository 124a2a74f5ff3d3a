package org.sipbastion.gateway.cli;

import org.sipbastion.tier1.event.AddressText;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.sipbastion.gateway.capture.CaptureFile;
import org.sipbastion.gateway.capture.CaptureInspector;
import org.sipbastion.gateway.capture.Segment;
import org.sipbastion.gateway.events.Json;
import org.sipbastion.gateway.rules.RuleFiles;
import org.sipbastion.parser.Limits;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier1.event.Alarm;
import org.sipbastion.tier1.rules.Rules;
import org.sipbastion.tier1.rules.RulesException;

/** {@code bastion replay}: the parser and tier 1 over capture files, in capture time. */
final class ReplayCommand {
    private static final String HELP = """
        Usage: bastion replay [--rules PATH] [--sip-ports LIST] [--json] [--drops-only] FILE.pcap|FILE.pcapng...

        Runs the parser and tier 1 (policy and detectors) over captured SIP, UDP and TCP, IPv4 and
        IPv6, in capture time, forwarding nothing. Prints one line per SIP message,

          TIME udp|tcp SOURCE > DESTINATION MESSAGE CALL-ID pass|drop DETECTOR [REASON]

        each alarm as it is raised, and a summary: messages, passed, dropped by detector, alarms,
        and the frames that held no SIP (fragments, other protocols). Files are read one after the
        other into the same detectors, as one capture. Needs libpcap (Debian: libpcap0.8).

          --rules PATH    rule file or directory (default: the shipped default.rules, built in)
          --sip-ports L   comma-separated ports whose payloads are SIP whatever they look like, so
                          garbage sent to them counts as malformed (default 5060,5061); other
                          payloads are SIP when their first line is a SIP start line
          --json          one JSON object per line instead, and a final {"summary": ...}
          --drops-only    print only the messages tier 1 drops (the summary counts all)

        Exit codes: 0 replayed (whatever the verdicts), 1 a file or the rules could not be read,
        2 usage error.
        """;

    private final PrintStream out;
    private final PrintStream err;

    ReplayCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args) {
        List<Path> rulePaths = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        boolean json = false;
        boolean dropsOnly = false;
        java.util.Set<Integer> sipPorts = java.util.Set.of(5060, 5061);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    out.print(HELP);
                    return Main.OK;
                }
                case "--json" -> json = true;
                case "--drops-only" -> dropsOnly = true;
                case "--sip-ports" -> {
                    if (i + 1 == args.length) {
                        throw new Main.UsageException("--sip-ports needs a value");
                    }
                    java.util.Set<Integer> ports = new java.util.HashSet<>();
                    for (String p : args[++i].split(",")) {
                        ports.add(ServeCommand.port(p.strip()));
                    }
                    sipPorts = ports;
                }
                case "--rules" -> {
                    if (i + 1 == args.length) {
                        throw new Main.UsageException("--rules needs a value");
                    }
                    rulePaths.add(Path.of(args[++i]));
                }
                default -> {
                    if (args[i].startsWith("--")) {
                        throw new Main.UsageException("unknown option " + args[i]);
                    }
                    files.add(Path.of(args[i]));
                }
            }
        }
        if (files.isEmpty()) {
            throw new Main.UsageException("at least one capture file is needed");
        }
        Rules rules;
        try {
            rules = RuleFiles.load(rulePaths);
        } catch (RulesException e) {
            err.println("bastion replay: the rules cannot be used:");
            e.errors().forEach(err::println);
            return Main.FAILED;
        }
        Printer printer = new Printer(json, dropsOnly);
        // A fixed seed: a replay gives the same verdicts every time it is run.
        CaptureInspector inspector = new CaptureInspector(rules, Limits.DEFAULT, sipPorts, 0x5eed, printer);
        try {
            inspector.deny(org.sipbastion.gateway.rules.DenyFeeds.loadOnce(rules.denyFeeds, err));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.FAILED;
        }
        long last = 0;
        for (Path f : files) {
            try (CaptureFile capture = CaptureFile.open(f)) {
                while (capture.next()) {
                    last = capture.timeNanos();
                    inspector.frame(capture.linkType(), capture.frame(), last);
                }
            } catch (IOException e) {
                err.println("bastion replay: " + e.getMessage());
                return Main.FAILED;
            }
        }
        inspector.finish(last + 1);
        printer.summary(inspector, files);
        out.flush();
        return Main.OK;
    }

    private final class Printer implements CaptureInspector.Listener {
        private final boolean json;
        private final boolean dropsOnly;

        Printer(boolean json, boolean dropsOnly) {
            this.json = json;
            this.dropsOnly = dropsOnly;
        }

        @Override
        public void verdict(CaptureInspector.Verdict v) {
            if (dropsOnly && !v.dropped()) {
                return;
            }
            Segment s = v.segment();
            SipMessage m = v.message();
            boolean parsed = v.detector() != org.sipbastion.tier1.event.Detector.MALFORMED;
            String what = !parsed ? "-" : m.isRequest() ? m.string(m.methodRange()) : Integer.toString(m.statusCode());
            String callId = parsed && Range.present(m.callId()) ? m.string(m.callId()) : "-";
            String time = instant(s.timeNanos());
            String from = address(s.source());
            String to = address(s.destination());
            if (json) {
                StringBuilder b = new StringBuilder("{");
                str(b, "time", time).append(',');
                str(b, "transport", s.tcp() ? "tcp" : "udp").append(',');
                str(b, "source", from).append(',');
                str(b, "destination", to).append(',');
                str(b, "message", what).append(',');
                str(b, "call_id", callId).append(',');
                str(b, "verdict", v.dropped() ? "drop" : "pass");
                if (v.dropped()) {
                    str(b.append(','), "detector", v.detector().label());
                    if (v.reason() != null) {
                        str(b.append(','), "reason", v.reason());
                    }
                }
                out.println(b.append('}'));
            } else {
                out.println(time + " " + (s.tcp() ? "tcp" : "udp") + " " + from + " > " + to + " " + what + " " + callId + " "
                    + (v.dropped() ? "drop " + v.detector().label() + (v.reason() == null ? "" : " " + v.reason()) : "pass"));
            }
        }

        @Override
        public void alarm(Alarm a) {
            String time = instant(a.time());
            String offenders = String.join(" ", a.offenders().stream()
                .map(o -> AddressText.of(o.source()) + "(" + o.count() + ")").toList());
            if (json) {
                StringBuilder b = new StringBuilder("{");
                str(b, "time", time).append(',');
                str(b, "alarm", a.detector().label()).append(',');
                str(b, "summary", a.summary()).append(',');
                str(b, "offenders", offenders);
                out.println(b.append('}'));
            } else {
                out.println(time + " ALARM " + a.detector().label() + ": " + a.summary() + (offenders.isEmpty() ? "" : "; offenders: " + offenders));
            }
        }

        void summary(CaptureInspector in, List<Path> files) {
            Map<String, Long> dropped = new TreeMap<>();
            in.dropped().forEach((d, n) -> dropped.put(d.label(), n));
            Map<String, Long> skipped = new TreeMap<>();
            in.skipped().forEach((k, n) -> skipped.put(k.name().toLowerCase(java.util.Locale.ROOT), n));
            long drops = dropped.values().stream().mapToLong(Long::longValue).sum();
            if (json) {
                StringBuilder b = new StringBuilder("{\"summary\":{");
                b.append("\"files\":").append(files.size()).append(",\"frames\":").append(in.frames())
                    .append(",\"messages\":").append(in.messages()).append(",\"passed\":").append(in.passed())
                    .append(",\"dropped\":").append(drops).append(",\"dropped_by\":").append(object(dropped))
                    .append(",\"alarms\":").append(in.alarms()).append(",\"skipped_frames\":").append(object(skipped))
                    .append(",\"tcp_gaps\":").append(in.tcpGaps()).append(",\"tcp_broken\":").append(in.tcpBroken());
                out.println(b.append("}}"));
            } else {
                out.println("summary: " + files.size() + " file(s), " + in.frames() + " frames, " + in.messages() + " SIP messages, "
                    + in.passed() + " passed, " + drops + " dropped" + (dropped.isEmpty() ? "" : " " + dropped) + ", "
                    + in.alarms() + " alarm(s); frames without SIP: " + (skipped.isEmpty() ? "none" : skipped.toString())
                    + "; TCP gaps " + in.tcpGaps() + ", broken streams " + in.tcpBroken());
            }
        }

        private String object(Map<String, Long> m) {
            StringBuilder b = new StringBuilder("{");
            m.forEach((k, v) -> str(b.length() > 1 ? b.append(',') : b, k, null).append(v));
            return b.append('}').toString();
        }

        /** Appends "name":"value" (value JSON-escaped), or "name": when value is null. */
        private StringBuilder str(StringBuilder b, String name, String value) {
            b.append('"').append(name).append("\":");
            return value == null ? b : Json.quote(b, value);
        }
    }

    private static String instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)).toString();
    }

    private static String address(java.net.InetSocketAddress a) {
        String h = AddressText.of(a.getAddress());
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + a.getPort();
    }
}
