package org.sipbastion.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * Asks a real Kamailio (sanity config) whether it accepts a raw SIP message, for comparing our
 * parser with it. One message at a time; not thread-safe.
 *
 * <p>Each message is followed by a valid OPTIONS "sentinel". Kamailio runs one receiver process,
 * so it handles datagrams in order, and the sentinel's own lines mark where the lines about the
 * message under test end: no guessing from silence or timeouts. See kamailio-sanity.cfg.
 */
public final class KamailioSanityOracle implements AutoCloseable {

    /** Kamailio's verdict on one message. */
    public enum Outcome {
        /** A request that passed the core parser and sanity_check(). */
        ACCEPTED,
        /** A request that the core parsed but sanity_check() refused. */
        REJECTED,
        /** Refused by the core parser: the script never saw it (with or without a PARSE-ERROR line). */
        DROPPED_BY_CORE,
        /** A response that passed the core parser (sanity_check() is not applied to responses). */
        RESPONSE_PASSED
    }

    /**
     * @param outcome   the verdict
     * @param replyCode code of the reply Kamailio sent for it (299 when accepted, the sanity module's
     *                  code when rejected), empty when it sent none (always for ACK)
     * @param lines     Kamailio's stderr lines about this message, script lines and core errors,
     *                  for failure messages
     */
    public record Verdict(Outcome outcome, OptionalInt replyCode, List<String> lines) {
        /** True for the outcomes that count as "rejected by Kamailio". */
        public boolean rejected() {
            return outcome == Outcome.REJECTED || outcome == Outcome.DROPPED_BY_CORE;
        }
    }

    private final KamailioProcess kamailio;
    private final SipUdp socket = new SipUdp();
    private final LogTail log;
    private final String mark;

    private KamailioSanityOracle(KamailioProcess kamailio) {
        this.kamailio = kamailio;
        this.log = new LogTail(kamailio.process().stderrFile());
        this.mark = KamailioProcess.LOG_MARK + "SANITY " + kamailio.tag() + " ";
    }

    /** Starts Kamailio with the sanity config, logging into {@code runDir}. */
    public static KamailioSanityOracle start(Path runDir) {
        KamailioProcess kamailio = KamailioProcess.sanity("sanity").runDir(runDir).start();
        KamailioSanityOracle oracle = new KamailioSanityOracle(kamailio);
        try {
            // Consume what the readiness probe logged, so the first verdict starts clean.
            oracle.sentinel(Duration.ofSeconds(5));
        } catch (RuntimeException | AssertionError e) {
            oracle.close();
            throw e;
        }
        return oracle;
    }

    public KamailioProcess kamailio() {
        return kamailio;
    }

    /**
     * Sends {@code message} as one datagram and returns Kamailio's verdict on it; fails the test if
     * Kamailio has not dealt with it within {@code timeout}.
     */
    public Verdict judge(byte[] message, Duration timeout) {
        socket.send(message, kamailio.host(), kamailio.port());
        List<String> window = sentinel(timeout);
        List<String> script = new ArrayList<>();
        for (String line : window) {
            int at = line.indexOf(mark);
            if (at >= 0) {
                script.add(line.substring(at + mark.length()));
            }
        }
        OptionalInt sent = script.stream().filter(l -> l.startsWith("SENT "))
                .mapToInt(l -> code(l.split(" ")[1])).findFirst();
        Outcome outcome;
        if (script.stream().anyMatch(l -> l.startsWith("REJECT "))) {
            outcome = Outcome.REJECTED;
        } else if (script.stream().anyMatch(l -> l.startsWith("ACCEPT "))) {
            outcome = Outcome.ACCEPTED;
        } else if (script.stream().anyMatch(l -> l.startsWith("REPLY "))) {
            outcome = Outcome.RESPONSE_PASSED;
        } else {
            outcome = Outcome.DROPPED_BY_CORE;
        }
        return new Verdict(outcome, sent, List.copyOf(window));
    }

    /**
     * Sends a sentinel OPTIONS and returns the stderr lines logged since the previous sentinel, minus
     * this sentinel's own lines.
     */
    private List<String> sentinel(Duration timeout) {
        String callId = "bastion-sentinel-" + UUID.randomUUID();
        String last = mark + "SENT 299 OPTIONS " + callId;
        long deadline = System.nanoTime() + timeout.toNanos();
        socket.send(socket.options(kamailio.host(), kamailio.port(), callId), kamailio.host(), kamailio.port());

        // The sentinel's reply wakes us at once (force_rport sends it back to this socket); its
        // SENT line is logged right after the reply is sent, so only a short poll follows.
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            Optional<String> reply = socket.receive(Duration.ofNanos(left));
            if (reply.isEmpty() || reply.get().contains(callId)) {
                break;
            }
        }
        List<String> window = new ArrayList<>();
        while (true) {
            for (String line : log.newLines()) {
                if (line.contains(last)) {
                    return window;
                }
                if (!line.contains(callId) && !line.isBlank()) {
                    window.add(line);
                }
            }
            if (!kamailio.process().isAlive() || System.nanoTime() - deadline > 0) {
                throw new AssertionError("kamailio did not log sentinel " + callId + " within "
                        + timeout.toMillis() + " ms\n" + kamailio.process().tail(40));
            }
            ManagedProcess.sleep(Duration.ofMillis(1));
        }
    }

    private static int code(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        socket.close();
        kamailio.close();
    }
}
