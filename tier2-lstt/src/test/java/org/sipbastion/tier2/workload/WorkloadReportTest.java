package org.sipbastion.tier2.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.sipbastion.tier2.workload.ReportGate.Verdict;

class WorkloadReportTest {
    private static final long BOOT = 1_764_000_000_000L;
    private static final long NOW = BOOT + 60_000;

    private static WorkloadReport report(long boot, long seq, long time) {
        return new WorkloadReport("p1.test", boot, seq, time, 0.42, 0.31, 120, 5000, 35.5, 12.25);
    }

    @Test
    void aReportSurvivesItsOwnEncoding() {
        WorkloadReport r = report(BOOT, 7, NOW);
        assertEquals(r, WorkloadReport.parse(r.encode()));
        WorkloadReport minimal = WorkloadReport.parse(("agent=a\r\nboot=1\r\nseq=1\r\ntime=5\r\ncpu=0\r\nmemory=1\r\n"
            + "sessions=0\r\ntps=0\r\nfuture_key=whatever\r\n").getBytes(StandardCharsets.US_ASCII));
        assertEquals(0, minimal.maxSessions(), "optional");
        assertEquals(-1, minimal.sttMillis(), "optional");
    }

    @Test
    void badBodiesNameTheKey() {
        assertTrue(error("agent=a\nboot=1\nseq=1\ntime=5\ncpu=0.5\nsessions=0\ntps=0").startsWith("memory: missing"));
        assertTrue(error("agent=a\nboot=1\nseq=1\ntime=5\ncpu=1.5\nmemory=0\nsessions=0\ntps=0").startsWith("cpu: out of range"));
        assertTrue(error("agent=a\nboot=x\nseq=1").startsWith("boot: not an integer"));
        assertTrue(error("agent=a\nboot=1\nseq=0\ntime=5\ncpu=0\nmemory=0\nsessions=0\ntps=0").startsWith("seq: out of range"));
        assertTrue(error("agent=a\nboot=1\nseq=1\ntime=5\ncpu=NaN\nmemory=0\nsessions=0\ntps=0").startsWith("cpu: not a number"));
        assertTrue(error("garbage without equals").startsWith("not key=value"));
        assertTrue(error("x=" + "y".repeat(WorkloadReport.MAX_BYTES)).contains("at most"));
    }

    private static String error(String body) {
        return assertThrows(IllegalArgumentException.class,
            () -> WorkloadReport.parse(body.getBytes(StandardCharsets.US_ASCII))).getMessage();
    }

    @Test
    void theGateTakesEachReportOnceInOrderAndFresh() {
        ReportGate gate = new ReportGate(30_000);
        assertEquals(Verdict.ACCEPTED, gate.admit(report(BOOT, 1, NOW), NOW));
        assertEquals(Verdict.REPLAYED, gate.admit(report(BOOT, 1, NOW), NOW), "the same again");
        assertEquals(Verdict.ACCEPTED, gate.admit(report(BOOT, 3, NOW + 10_000), NOW + 10_000), "a lost one between is fine");
        assertEquals(Verdict.OUT_OF_ORDER, gate.admit(report(BOOT, 2, NOW + 5_000), NOW + 10_000), "late");
        assertEquals(Verdict.STALE, gate.admit(report(BOOT, 4, NOW - 40_000), NOW), "made long ago");
        assertEquals(Verdict.FUTURE, gate.admit(report(BOOT, 4, NOW + 40_000), NOW), "a clock ahead");

        long reboot = NOW + 20_000;
        assertEquals(Verdict.ACCEPTED, gate.admit(report(reboot, 1, reboot + 100), reboot + 100),
            "a restarted agent counts from 1 again: not a replay");
        assertEquals(Verdict.REPLAYED, gate.admit(report(BOOT, 9, reboot + 200), reboot + 200),
            "any report of the boot before, even a sequence never seen");
    }
}
