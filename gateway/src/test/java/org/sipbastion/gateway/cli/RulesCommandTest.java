package org.sipbastion.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, List<String> out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String o = out.toString(StandardCharsets.UTF_8);
        return new Run(exit, o.isEmpty() ? List.of() : List.of(o.split("\n")), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theShippedRulesAreValid() {
        Run r = run("rules", "check", "../rules");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().get(0).matches("\\.\\./rules ok \\(version [0-9a-f]{16}, 1 rules, 0 profiles\\)"), r.out().get(0));
    }

    @Test
    void aBadFileIsEveryErrorWithItsLineAndExitOne() throws Exception {
        Path good = Files.writeString(dir.resolve("good.rules"), "[control]\nblock = 30s\n");
        Path bad = Files.writeString(dir.resolve("bad.rules"), "[control]\nblock = soon\n[rule x]\naction = drop\n");
        Run r = run("rules", "check", good.toString(), bad.toString());
        assertEquals(1, r.exit());
        assertEquals(List.of(
            good + " ok (version " + r.out().get(0).replaceAll(".*version ([0-9a-f]+),.*", "$1") + ", 0 rules, 0 profiles)",
            bad + ":2: block: 'soon' is not a duration: 500ms, 30s, 5m, 1h, 1d",
            bad + ":3: [rule x] has no condition and would match every request; to mean that, say source = 0.0.0.0/0, ::/0"),
            r.out());
    }

    @Test
    void missingFilesAndUsageMistakes() {
        Run missing = run("rules", "check", dir.resolve("nope.rules").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.out().get(0).startsWith(dir.resolve("nope.rules") + ": cannot read"), missing.out().get(0));
        assertEquals(2, run("rules").exit());
        assertEquals(2, run("rules", "check").exit());
        assertEquals(2, run("rules", "verify", "x").exit());
        assertEquals(0, run("rules", "--help").exit());
    }
}
