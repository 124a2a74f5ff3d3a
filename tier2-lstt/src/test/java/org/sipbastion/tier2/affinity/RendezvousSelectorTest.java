package org.sipbastion.tier2.affinity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RendezvousSelectorTest {
    private static final List<String> PROXIES = List.of("p1", "p2", "p3", "p4");

    @Test
    void sameKeySameTargetWhateverTheListOrder() {
        RendezvousSelector<String> a = new RendezvousSelector<>(PROXIES);
        RendezvousSelector<String> b = new RendezvousSelector<>(List.of("p3", "p1", "p4", "p2"));
        for (long k = 0; k < 10_000; k++) {
            long h = k * 0x9E3779B97F4A7C15L;
            assertEquals(a.select(h), b.select(h));
        }
    }

    @Test
    void loadIsEvenAndADeadProxysCallsSpreadOverAllSurvivors() {
        RendezvousSelector<String> s = new RendezvousSelector<>(PROXIES);
        Map<String, Integer> share = new HashMap<>();
        Map<String, Integer> movedTo = new HashMap<>();
        int n = 40_000;
        for (long k = 0; k < n; k++) {
            long h = RendezvousSelector.mix(k);
            String before = s.select(h);
            share.merge(before, 1, Integer::sum);
            String after = s.select(h, p -> !p.equals("p2"));
            if (before.equals("p2")) {
                movedTo.merge(after, 1, Integer::sum);
            } else {
                assertEquals(before, after, "calls of live proxies never move");
            }
        }
        for (String p : PROXIES) {
            assertTrue(Math.abs(share.get(p) - n / 4) < n / 40, p + " got " + share.get(p));
        }
        int moved = share.get("p2");
        assertEquals(3, movedTo.size());
        for (int c : movedTo.values()) {
            assertTrue(Math.abs(c - moved / 3) < moved / 10, "uneven spread " + movedTo);
        }
    }

    @Test
    void noneAvailableIsNull() {
        assertNull(new RendezvousSelector<>(PROXIES).select(42, p -> false));
    }
}
