package org.sipbastion.gateway.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier1.event.SecurityEvent;

class JsonLinesEventLogTest {
    @TempDir
    Path dir;

    private static SecurityEvent event(int i, String reason) {
        return new SecurityEvent(1_795_000_000_000L + i, Detector.FLOOD, "drop", "203.0.113.9", "sipp", "INVITE",
            "call-" + i + "@x", reason, 1);
    }

    @Test
    void oneObjectPerLineWithEscapesAndAbsentFieldsLeftOut() throws Exception {
        Path f = dir.resolve("events.jsonl");
        try (JsonLinesEventLog log = new JsonLinesEventLog(f, 1 << 20, 3, 100, System.err)) {
            assertTrue(log.offer(event(0, "quote \" backslash \\ tab \t nul \u0000")));
            assertTrue(log.offer(new SecurityEvent(1_795_000_000_000L, Detector.RULES, "alarm", null, null, null, null,
                "rule reload refused", 1)));
        }
        List<String> lines = Files.readAllLines(f);
        assertEquals(List.of(
            "{\"time\":\"2026-11-18T11:06:40Z\",\"detector\":\"flood\",\"action\":\"drop\",\"source\":\"203.0.113.9\","
                + "\"user\":\"sipp\",\"method\":\"INVITE\",\"call_id\":\"call-0@x\","
                + "\"reason\":\"quote \\\" backslash \\\\ tab \\t nul \\u0000\",\"count\":1}",
            "{\"time\":\"2026-11-18T11:06:40Z\",\"detector\":\"rules\",\"action\":\"alarm\",\"reason\":\"rule reload refused\",\"count\":1}"),
            lines);
    }

    @Test
    void rotatesBySizeAndKeepsTheNewestFiles() throws Exception {
        Path f = dir.resolve("events.jsonl");
        try (JsonLinesEventLog log = new JsonLinesEventLog(f, 1000, 2, 10_000, System.err)) {
            for (int i = 0; i < 100; i++) {
                while (!log.offer(event(i, null))) {
                    Thread.sleep(1);
                }
            }
        }
        assertTrue(Files.exists(f.resolveSibling("events.jsonl.1")));
        assertTrue(Files.exists(f.resolveSibling("events.jsonl.2")));
        assertFalse(Files.exists(f.resolveSibling("events.jsonl.3")), "only two old files kept");
        assertTrue(Files.size(f.resolveSibling("events.jsonl.1")) >= 1000);
        String newest = Files.readAllLines(f).isEmpty() ? Files.readAllLines(f.resolveSibling("events.jsonl.1")).get(0)
            : Files.readAllLines(f).get(Files.readAllLines(f).size() - 1);
        assertTrue(newest.contains("call-99@x") || Files.readString(f.resolveSibling("events.jsonl.1")).contains("call-99@x"));
    }

    @Test
    void aFullQueueLosesEventsAndSaysSoInsteadOfWaiting() throws Exception {
        Path f = dir.resolve("events.jsonl");
        try (JsonLinesEventLog log = new JsonLinesEventLog(f, 1 << 20, 1, 4, System.err)) {
            int refused = 0;
            for (int i = 0; i < 100_000; i++) {
                refused += log.offer(event(i, null)) ? 0 : 1;
            }
            assertTrue(refused > 0);
            assertEquals(refused, log.lost());
        }
    }
}
