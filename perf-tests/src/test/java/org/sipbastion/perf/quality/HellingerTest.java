package org.sipbastion.perf.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HellingerTest {
    @Test
    void distanceIsZeroForTheSameMixAndOneForDisjointOnes() {
        double[] q = {0.5, 0, 0, 0, 0.5, 0, 0, 0, 0, 0};
        assertEquals(0, Hellinger.distance(new long[] {7, 0, 0, 0, 7, 0, 0, 0, 0, 0}, q), 1e-12);
        assertEquals(1, Hellinger.distance(new long[] {0, 3, 0, 0, 0, 0, 0, 0, 0, 0}, q), 1e-12);
    }

    @Test
    void messagesAreSortedByMethodAndStatusClass() {
        assertEquals(0, Hellinger.kind(bytes("INVITE sip:a@b SIP/2.0\r\n")));
        assertEquals(4, Hellinger.kind(bytes("ACK sip:a@b SIP/2.0\r\n")));
        assertEquals(3, Hellinger.kind(bytes("CANCEL sip:a@b SIP/2.0\r\n")));
        assertEquals(7, Hellinger.kind(bytes("SIP/2.0 180 Ringing\r\n")));
        assertEquals(8, Hellinger.kind(bytes("SIP/2.0 200 OK\r\n")));
        assertEquals(9, Hellinger.kind(bytes("SIP/2.0 486 Busy Here\r\n")));
        assertEquals(-1, Hellinger.kind(bytes("\r\n\r\n")));
    }

    @Test
    void aShiftedMixAlarmsAfterTrainingAndTheTrainedOneDoesNot() {
        Hellinger h = new Hellinger(0, 10 * Sim.S, 3);
        long t = 0;
        // Training: every second 10 INVITEs and 10 ACKs, with a little jitter in the mix.
        for (int s = 0; s < 20; s++) {
            for (int i = 0; i < 10 + s % 2; i++) {
                h.observe(bytes("INVITE sip:a@b SIP/2.0\r\n"), t + s * Sim.S + i);
                h.observe(bytes("ACK sip:a@b SIP/2.0\r\n"), t + s * Sim.S + 100 + i);
            }
        }
        h.roll(20 * Sim.S);
        assertEquals(0, h.alarms().size(), "the trained mix is normal");
        for (int i = 0; i < 200; i++) {
            h.observe(bytes("INVITE sip:a@b SIP/2.0\r\n"), 20 * Sim.S + i);
        }
        h.roll(21 * Sim.S);
        assertEquals(1, h.alarms().size());
        assertTrue(h.threshold() < 0.2, "threshold " + h.threshold());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
