package org.sipbastion.tier1.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.sipbastion.tier1.Sip;

class EventAggregatorTest {
    private final List<SecurityEvent> out = new ArrayList<>();
    private final LongAdder lost = new LongAdder();

    @Test
    void aFloodFromOneSourceIsOneEventPerSecondWithItsCount() {
        EventAggregator a = new EventAggregator(out::add, 64, lost);
        InetAddress src = Sip.ip("203.0.113.9");
        for (int i = 0; i < 1000; i++) {
            a.drop(5_000 + i, Detector.FLOOD, src, Sip.call("c" + i + "@x").invite(1, null), null);
        }
        a.tick(7_000);
        assertEquals(1, out.size(), "1000 drops in [5.000 s, 6.000 s) is one event... " + out);
        SecurityEvent e = out.get(0);
        assertEquals(1000, e.count());
        assertEquals("c0@x", e.callId(), "the first message's details");
        assertEquals("alice", e.user());
        assertEquals("INVITE", e.method());
        assertEquals("203.0.113.9", e.source());
        assertEquals(5_000, e.epochMillis());
    }

    @Test
    void sourcesAndDetectorsAreKeptApartAndSecondsFlushOnTheirOwn() {
        EventAggregator a = new EventAggregator(out::add, 64, lost);
        a.drop(1_000, Detector.FLOOD, Sip.ip("192.0.2.1"), null, null);
        a.drop(1_001, Detector.FLOOD, Sip.ip("192.0.2.2"), null, null);
        a.drop(1_002, Detector.FAKE_BYE, Sip.ip("192.0.2.1"), null, null);
        a.drop(1_500, Detector.MALFORMED, Sip.ip("2001:db8::1"), null, "BAD_VIA");
        assertEquals(0, out.size());
        a.drop(2_000, Detector.FLOOD, Sip.ip("192.0.2.1"), null, null);
        assertEquals(4, out.size(), "the second turned");
        assertEquals("BAD_VIA", out.get(3).reason());
        assertNull(out.get(3).callId(), "an unparsed datagram has no Call-ID");
        a.flush();
        assertEquals(5, out.size());
    }

    @Test
    void tooManySourcesInOneSecondAreCountedLost() {
        EventAggregator a = new EventAggregator(out::add, 16, lost);
        for (int i = 0; i < 100; i++) {
            a.drop(1_000, Detector.FLOOD, Sip.ip("10.0.0." + i), null, null);
        }
        a.flush();
        assertEquals(16, out.size());
        assertEquals(84, lost.sum());
    }

    @Test
    void aSinkThatRefusesCountsEveryMessageOfTheEventLost() {
        EventAggregator a = new EventAggregator(e -> false, 16, lost);
        for (int i = 0; i < 7; i++) {
            a.drop(1_000, Detector.FLOOD, Sip.ip("10.0.0.1"), null, null);
        }
        a.flush();
        assertEquals(7, lost.sum());
    }
}
