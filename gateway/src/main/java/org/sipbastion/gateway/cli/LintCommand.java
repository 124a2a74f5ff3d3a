package org.sipbastion.gateway.cli;

import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sipbastion.gateway.events.Json;
import org.sipbastion.parser.Limits;
import org.sipbastion.parser.Reason;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier1.sanity.PolicyViolation;
import org.sipbastion.tier1.sanity.SanityPolicy;

/**
 * {@code bastion lint [--json] [--policy] FILE...}: one line per file, each file one message as if
 * it were a UDP datagram. Thousands of files are judged in one JVM; nothing is read past the
 * largest message we accept, so a huge file cannot exhaust memory.
 */
final class LintCommand {
    private static final String HELP = """
        Usage: bastion lint [--json] [--policy] FILE...

        Judges each FILE as one SIP message (as if it arrived in one UDP datagram) and prints one
        line per file, in the order given:
          FILE valid
          FILE invalid REASON        syntax error (RFC 3261), REASON is the typed parser verdict
          FILE refused VIOLATION     with --policy: valid syntax that tier 1 would not let in
          FILE unreadable MESSAGE    the file could not be read

        --json     print one JSON object per line instead:
                   {"file":"F","verdict":"valid|invalid|refused|unreadable","reason":"..."}
        --policy   also apply tier 1's edge policy to valid messages

        Exit codes: 0 every file was judged (valid or not), 1 some file was unreadable,
        2 usage error.
        """;

    private final PrintStream out;
    private final PrintStream err;

    LintCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String[] args) {
        boolean json = false;
        boolean policy = false;
        List<Path> files = new ArrayList<>();
        boolean options = true;
        for (String a : args) {
            if (options && a.equals("--")) {
                options = false;
            } else if (options && (a.equals("--help") || a.equals("-h"))) {
                out.print(HELP);
                return Main.OK;
            } else if (options && a.equals("--json")) {
                json = true;
            } else if (options && a.equals("--policy")) {
                policy = true;
            } else if (options && a.startsWith("-") && a.length() > 1) {
                throw new Main.UsageException("unknown option " + a);
            } else {
                files.add(Path.of(a));
            }
        }
        if (files.isEmpty()) {
            throw new Main.UsageException("no FILE given");
        }
        Limits limits = Limits.DEFAULT;
        SipMessage message = new SipMessage(limits);
        SanityPolicy sanity = new SanityPolicy();
        byte[] buffer = new byte[limits.maxMessageBytes() + 1];
        int status = Main.OK;
        for (Path file : files) {
            int n;
            try {
                n = readAtMost(file, buffer);
            } catch (java.nio.file.NoSuchFileException e) {
                print(json, file, "unreadable", "no such file");
                status = Main.FAILED;
                continue;
            } catch (java.nio.file.AccessDeniedException e) {
                print(json, file, "unreadable", "permission denied");
                status = Main.FAILED;
                continue;
            } catch (IOException | RuntimeException e) {
                print(json, file, "unreadable", e.toString());
                status = Main.FAILED;
                continue;
            }
            Reason r = message.parse(Unpooled.wrappedBuffer(buffer, 0, n));
            if (r != Reason.OK) {
                print(json, file, "invalid", r.name());
                continue;
            }
            PolicyViolation v = policy ? sanity.check(message) : PolicyViolation.NONE;
            if (v != PolicyViolation.NONE) {
                print(json, file, "refused", v.name());
            } else {
                print(json, file, "valid", null);
            }
        }
        out.flush();
        return status;
    }

    /** Reads up to buffer.length bytes: one more than a message may be, so oversize is still judged. */
    private static int readAtMost(Path file, byte[] buffer) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            int n = 0;
            int r;
            while (n < buffer.length && (r = in.read(buffer, n, buffer.length - n)) > 0) {
                n += r;
            }
            return n;
        }
    }

    private void print(boolean json, Path file, String verdict, String reason) {
        if (!json) {
            out.println(file + " " + verdict + (reason == null ? "" : " " + reason));
            return;
        }
        StringBuilder b = new StringBuilder("{\"file\":");
        Json.quote(b, file.toString());
        b.append(",\"verdict\":\"").append(verdict).append('"');
        if (reason != null) {
            b.append(",\"reason\":");
            Json.quote(b, reason);
        }
        out.println(b.append('}'));
    }
}
