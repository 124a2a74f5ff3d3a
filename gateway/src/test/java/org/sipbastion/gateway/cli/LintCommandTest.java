package org.sipbastion.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LintCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, List<String> out, String err) {
    }

    private static Run lint(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 1];
        all[0] = "lint";
        System.arraycopy(args, 0, all, 1, args.length);
        int exit = Main.run(all, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String o = out.toString(StandardCharsets.UTF_8);
        return new Run(exit, o.isEmpty() ? List.of() : List.of(o.split("\n")), err.toString(StandardCharsets.UTF_8));
    }

    private Path file(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    private static final String VALID = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nMax-Forwards: 0\r\n"
        + "From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

    @Test
    void oneLinePerFileInOrderExitZeroEvenWhenInvalid() throws Exception {
        Path good = file("good.sip", VALID);
        Path bad = file("bad.sip", VALID.replace("SIP/2.0\r\nVia", "SIP/3.0\r\nVia"));
        Run r = lint(good.toString(), bad.toString());
        assertEquals(0, r.exit());
        assertEquals(List.of(good + " valid", bad + " invalid BAD_VERSION"), r.out());
    }

    @Test
    void jsonAndPolicy() throws Exception {
        Path good = file("mf0.sip", VALID);
        Run r = lint("--json", "--policy", good.toString());
        assertEquals(List.of("{\"file\":\"" + good + "\",\"verdict\":\"refused\",\"reason\":\"TOO_MANY_HOPS\"}"), r.out());
    }

    @Test
    void usageErrorsExitTwoAndUnreadableExitsOne() throws Exception {
        assertEquals(2, lint().exit());
        assertEquals(2, lint("--bogus", "x").exit());
        Run missing = lint(dir.resolve("nope.sip").toString(), file("ok.sip", VALID).toString());
        assertEquals(1, missing.exit());
        assertEquals(dir.resolve("nope.sip") + " unreadable no such file", missing.out().get(0));
        assertTrue(missing.out().get(1).endsWith("ok.sip valid"), "later files are still judged");
    }

    @Test
    void thousandsOfFilesInOneRunAndOversizeIsJudged() throws Exception {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            args.add(file("m" + i + ".sip", VALID.replace("Call-ID: c", "Call-ID: c" + i)).toString());
        }
        args.add(file("huge.sip", "x".repeat(200_000)).toString());
        Run r = lint(args.toArray(String[]::new));
        assertEquals(0, r.exit());
        assertEquals(3001, r.out().size());
        assertTrue(r.out().stream().limit(3000).allMatch(l -> l.endsWith(" valid")));
        assertTrue(r.out().get(3000).endsWith("huge.sip invalid MESSAGE_TOO_LARGE"));
    }
}
