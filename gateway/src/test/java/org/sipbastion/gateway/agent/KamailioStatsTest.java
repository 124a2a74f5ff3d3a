package org.sipbastion.gateway.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sipbastion.testkit.ExternalTool;
import org.sipbastion.testkit.KamailioProcess;
import org.sipbastion.testkit.RunDirs;
import org.sipbastion.testkit.SipUdp;

class KamailioStatsTest {
    @Test
    void countersAreParsedAndOtherLinesSkipped() {
        Map<String, Long> m = KamailioStats.parse("core:rcv_requests = 42\ndialog:active_dialogs = 3\nshmem:fragments = x\n"
            + "garbage\n tm:x =  7 \n");
        assertEquals(Map.of("core:rcv_requests", 42L, "dialog:active_dialogs", 3L, "tm:x", 7L), m);
    }

    /** A real Kamailio's control socket: the requests it received show as a rate. */
    @Test
    void aRealKamailiosRequestRate() throws Exception {
        String kamcmd = ExternalTool.require("kamcmd").toString();
        try (KamailioProcess k = KamailioProcess.proxy("stats").runDir(RunDirs.create("kamailio-stats"))
                .nextHop("127.0.0.1", 9).start();
             SipUdp udp = new SipUdp()) {
            KamailioStats stats = new KamailioStats(kamcmd, "unix:" + k.controlSocket());
            long t0 = System.nanoTime();
            assertEquals(0, stats.read(t0).tps(), "the first reading has no rate");
            for (int i = 0; i < 20; i++) {
                assertTrue(udp.ping(k.host(), k.port(), Duration.ofMillis(500)).isPresent(), "OPTIONS answered");
            }
            long t1 = t0 + 1_000_000_000L;
            KamailioStats.Reading r = stats.read(t1);
            assertTrue(r.tps() >= 20, "20 OPTIONS in a (nominal) second: " + r.tps());
            assertEquals(0, r.sessions(), "no dialog module in the test proxy");
        }
        KamailioStats nowhere = new KamailioStats(kamcmd, "unix:/tmp/no-such-kamailio.ctl");
        IOException e = assertThrows(IOException.class, () -> nowhere.read(1));
        assertTrue(e.getMessage().contains("no-such-kamailio.ctl"), e.getMessage());
    }
}
