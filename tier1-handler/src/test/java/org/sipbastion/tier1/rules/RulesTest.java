package org.sipbastion.tier1.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sipbastion.tier1.Sip;

class RulesTest {
    /** The shipped rule files, in the repository (not a copy). */
    static final Path SHIPPED = Path.of("..", "rules");

    static Rules parse(String text) throws RulesException {
        return Rules.parse(List.of(new Rules.Source("t.rules", text)));
    }

    static List<String> errors(String text) {
        return assertThrows(RulesException.class, () -> parse(text)).errors();
    }

    @Test
    void anEmptyFileMeansEveryDefault() throws RulesException {
        Rules r = parse("");
        assertEquals(1 << 20, r.callRate.cells());
        assertEquals(4, r.callRate.cellsPerKey());
        assertEquals(0.08, r.control.floodCv());
        assertEquals(0.05, r.control.fakeCv());
        assertEquals(10.0, r.control.floodRate());
        assertEquals(120_000_000_000L, r.dialogs.graceNanos());
        assertNull(r.baselineMean);
        assertTrue(r.emergencyUsers.contains("sos"));
    }

    @Test
    void theShippedFileIsValidAndSpellsOutTheDefaults() throws RulesException {
        Rules shipped = Rules.load(List.of(SHIPPED));
        Rules defaults = Rules.defaults();
        assertEquals(defaults.callRate, shipped.callRate);
        assertEquals(defaults.control, shipped.control);
        assertEquals(defaults.dialogs, shipped.dialogs);
        assertEquals(defaults.sigmas, shipped.sigmas);
        assertEquals(defaults.floor, shipped.floor);
        assertEquals(defaults.emergencyUsers, shipped.emergencyUsers);
        assertEquals(List.of("scanners"), shipped.rules.stream().map(MatchRule::name).toList());
        assertTrue(shipped.restartNeeded(defaults).isEmpty());
    }

    @Test
    void valuesAreTypedAndBounded() throws RulesException {
        Rules r = parse("""
            [control]
            flood_rate = 600/m   # per minute
            block = 1500ms
            rate_limit = 0/s
            [call_rate]
            window = 2m
            baseline_mean = 1000
            baseline_std = 12.5
            """);
        assertEquals(10.0, r.control.floodRate());
        assertEquals(1_500_000_000L, r.control.blockNanos());
        assertEquals(0.0, r.control.rateLimit());
        assertEquals(120_000_000_000L, r.callRate.windowNanos());
        assertEquals(1000.0, r.baselineMean);
    }

    @Test
    void everyProblemIsReportedWithItsFileAndLine() {
        List<String> e = errors("""
            cells = 1
            [call_rate]
            cells = 3000
            cells_per_key = four
            colour = blue
            window = 10
            window = 20s
            [controls]
            [control]
            flood_rate = 10
            min_samples = 30
            window = 25
            [profile]
            [rule no-conditions]
            action = drop
            [rule bad-action]
            source = 10.0.0.0/8
            action = reject
            [profile p]
            trusted = maybe
            [profile q]
            source = 10.0.0.300/8
            [control]
            this line has no equals sign
            """);
        List<String> expected = List.of(
            "t.rules:1: cells is outside any section",
            "t.rules:7: window is already set at line 6",
            "t.rules:24: expected 'key = value' or a [section]",
            "t.rules:3: cells: '3000' must be a power of two (e.g. 2048)",
            "t.rules:4: cells_per_key: 'four' is not an integer",
            "t.rules:5: unknown key 'colour' in [call_rate]; known: cells, cells_per_key, window, transactions, sigmas,"
                + " floor, learn, adapt, baseline_mean, baseline_std, offender_min_open, offender_block, shed_unknown, known_for, known_sources",
            "t.rules:6: window: '10' is not a duration: 500ms, 30s, 5m, 1h, 1d",
            "t.rules:8: unknown section [controls]; known: [call_rate] [control] [dialogs] [auth] [emergency] [profile NAME] [rule NAME] [deny_feed NAME]",
            "t.rules:10: flood_rate: '10' is not a rate: 10/s, 600/m",
            "t.rules:13: [profile] needs a name: [profile NAME]",
            "t.rules:14: [rule no-conditions] has no condition and would match every request; to mean that, say source = 0.0.0.0/0, ::/0",
            "t.rules:18: action: 'reject' is not one of drop, alarm, allow",
            "t.rules:20: trusted: 'maybe' is not yes or no",
            "t.rules:22: source: '10.0.0.300/8' is not an IP address or CIDR block",
            "t.rules:23: [control] is already defined at t.rules:9");
        assertEquals(expected.size(), e.size(), String.join("\n", e));
        for (String x : expected) {
            assertTrue(e.contains(x), "missing: " + x + "\ngot:\n" + String.join("\n", e));
        }
    }

    @Test
    void crossKeyChecksNameTheSection() {
        assertEquals(List.of("t.rules:1: window must be at least min_samples"),
            errors("[control]\nmin_samples = 30\nwindow = 25\n"));
        assertEquals(List.of("t.rules:1: baseline_mean and baseline_std go together"),
            errors("[call_rate]\nbaseline_mean = 10\n"));
    }

    @Test
    void aDirectoryIsItsRuleFilesInNameOrderAndNamesAreUniqueAcrossThem(@org.junit.jupiter.api.io.TempDir Path dir)
        throws IOException, RulesException {
        Files.writeString(dir.resolve("b.rules"), "[rule second]\nuser_agent = x\naction = drop\n");
        Files.writeString(dir.resolve("a.rules"), "[rule first]\nuser_agent = y\naction = alarm\n");
        Files.writeString(dir.resolve("notes.txt"), "not a rule file");
        Rules r = Rules.load(List.of(dir));
        assertEquals(List.of("first", "second"), r.rules.stream().map(MatchRule::name).toList());
        Files.writeString(dir.resolve("c.rules"), "[rule first]\nuser_agent = z\naction = drop\n");
        List<String> e = assertThrows(RulesException.class, () -> Rules.load(List.of(dir))).errors();
        assertEquals(List.of(dir.resolve("c.rules") + ":1: [rule first] is already defined at " + dir.resolve("a.rules") + ":1"), e);
    }

    @Test
    void profilesResolveAgainstTheControlDefaults() throws RulesException {
        Rules r = parse("""
            [control]
            rate_limit = 50/s
            [profile office]
            source = 198.51.100.0/24, 2001:db8::/32
            judge_address = no
            rate_burst = 5000
            """);
        Profile p = r.profiles.get(0);
        assertEquals(50.0, p.limits().rateLimit());
        assertEquals(5000.0, p.limits().rateBurst());
        assertFalse(p.limits().judgeAddress());
        assertTrue(p.contains(Sip.ip("198.51.100.77")));
        assertTrue(p.contains(Sip.ip("2001:db8:5::1")));
        assertFalse(p.contains(Sip.ip("198.51.101.1")));
        assertEquals(List.of("t.rules:1: [profile x] needs a source (the addresses it applies to)"),
            errors("[profile x]\ntrusted = yes\n"));
    }

    @Test
    void sizesThatNeedARestartAreNamed() throws RulesException {
        Rules running = parse("");
        Rules next = parse("[call_rate]\ncells = 2048\n[control]\nentries = 4096\nblock = 5s\n");
        assertEquals(List.of("[call_rate] cells", "[control] entries"), next.restartNeeded(running));
    }

    @Test
    void everyKeyIsDocumentedInTheReferencePage() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "rules.md"));
        for (RuleKey k : RuleKey.values()) {
            String row = "| `" + k.key + "` |";
            int section = doc.indexOf("## [" + k.section);
            assertTrue(section >= 0, "docs/rules.md has no section for [" + k.section + "]");
            int next = doc.indexOf("\n## ", section + 1);
            String body = doc.substring(section, next < 0 ? doc.length() : next);
            assertTrue(body.contains(row), "docs/rules.md [" + k.section + "] lacks the row for " + k.key);
            if (k.defaultValue != null) {
                assertTrue(body.contains(row + " " + k.type.name().toLowerCase() + " | `" + k.defaultValue + "` |"),
                    "docs/rules.md: " + k.key + " must show type " + k.type + " and default " + k.defaultValue);
            }
        }
    }
}
