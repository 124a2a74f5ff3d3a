package org.sipbastion.tier1.bloom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaselineTest {

    @Test
    void learnsMeanAndDeviationExactlyThenAlarmsAboveThem() {
        Baseline b = new Baseline(3, 0, 4, 100);
        for (double x : new double[] {10, 12, 14, 16}) {
            assertFalse(b.sample(x), "no alarm while learning");
        }
        assertEquals(13, b.mean(), 1e-9);
        assertEquals(Math.sqrt(20.0 / 3), b.std(), 1e-9);
        assertFalse(b.sample(20));
        assertTrue(b.sample(13 + 3 * b.std() + 1));
    }

    @Test
    void theFloorKeepsASteadyBaselineFromAlarmingOnOneMoreCall() {
        Baseline b = new Baseline(3, 50, 3, 100);
        b.sample(100);
        b.sample(100);
        b.sample(100);
        assertEquals(0, b.std(), 0);
        assertFalse(b.sample(140));
        assertTrue(b.sample(151));
    }

    @Test
    void aCountOfIndependentEventsVariesAtLeastLikePoisson() {
        Baseline b = new Baseline(5, 10, 3, 100);
        b.countsPerEvent(4);
        b.sample(400);
        b.sample(400);
        b.sample(400);
        // Learned deviation 0, but 100 open exchanges of 4 cells each vary by sqrt(4 x 400) = 40.
        assertEquals(600, b.threshold(), 1e-9);
        assertTrue(b.sample(601));
        assertFalse(b.sample(599));
    }

    @Test
    void anAttackDoesNotTeachTheBaselineThatItIsNormal() {
        Baseline b = new Baseline(3, 10, 10, 5);
        for (int i = 0; i < 10; i++) {
            b.sample(100 + (i % 2));
        }
        double threshold = b.threshold();
        for (int i = 0; i < 1000; i++) {
            assertTrue(b.sample(5000));
        }
        assertEquals(threshold, b.threshold(), 1e-9);
    }

    @Test
    void survivesARestart(@TempDir Path dir) throws IOException {
        Baseline b = new Baseline(3, 10, 3, 100);
        b.sample(10);
        b.sample(20);
        b.sample(30);
        Path f = dir.resolve("baseline");
        b.save(f);
        Baseline restored = new Baseline(3, 10, 3, 100);
        assertTrue(restored.load(f));
        assertTrue(restored.learned());
        assertEquals(b.threshold(), restored.threshold(), 1e-6);
        assertFalse(new Baseline(3, 10, 3, 100).load(dir.resolve("missing")));
        Files.writeString(f, "garbage\n");
        IOException e = assertThrows(IOException.class, () -> new Baseline(3, 10, 3, 100).load(f));
        assertTrue(e.getMessage().contains("not a saved baseline"), e.getMessage());
    }

    @Test
    void aRuleCanFixTheBaseline() {
        Baseline b = Baseline.fixed(1000, 100, 3, 0);
        assertTrue(b.learned());
        assertFalse(b.sample(1300));
        assertTrue(b.sample(1301));
    }
}
