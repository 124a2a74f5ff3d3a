package org.sipbastion.tier1.bloom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CountingBloomFilterTest {

    @Test
    void pairedAddsAndRemovesLeaveEveryCellAtZero() {
        CountingBloomFilter f = new CountingBloomFilter(1 << 16, 4);
        SplittableRandom r = new SplittableRandom(1);
        long[] keys = new long[5000];
        long[] gens = new long[keys.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = r.nextLong();
            gens[i] = f.add(keys[i]);
        }
        assertTrue(f.raisedCells() > 10_000, "5000 keys x 4 cells raise many cells: " + f.raisedCells());
        for (int i = keys.length - 1; i >= 0; i--) {
            f.remove(keys[i], gens[i]);
        }
        assertEquals(0, f.raisedCells());
    }

    @Test
    void aSaturatedCellStaysAndNothingWraps() {
        CountingBloomFilter f = new CountingBloomFilter(64, 1);
        long key = 5;
        long g = 0;
        for (int i = 0; i < 1000; i++) {
            g = f.add(key);
        }
        assertEquals(1, f.saturatedCells());
        for (int i = 0; i < 1000; i++) {
            f.remove(key, g);
        }
        // Still raised: the cell's true count is unknown once saturated, so it is never taken down.
        assertEquals(1, f.raisedCells());
        assertEquals(1, f.saturatedCells());
    }

    @Test
    void openExchangesAgeOutAfterTwoWindowsAndLateRemovesAreIgnored() {
        CountingBloomFilter f = new CountingBloomFilter(1024, 3);
        long g = f.add(77);
        int raised = f.raisedCells();
        f.rotate();
        assertEquals(raised, f.raisedCells(), "one rotation keeps the previous window");
        f.remove(77, g);
        assertEquals(0, f.raisedCells(), "a completion in the next window still pairs");
        long g2 = f.add(78);
        f.rotate();
        f.rotate();
        assertEquals(0, f.raisedCells(), "two rotations forget an exchange left open");
        f.add(79);
        int before = f.raisedCells();
        f.remove(78, g2);
        assertEquals(before, f.raisedCells(), "a completion for a forgotten generation touches nothing");
    }

    @Test
    void sizesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new CountingBloomFilter(1000, 4));
        assertThrows(IllegalArgumentException.class, () -> new CountingBloomFilter(1024, 0));
    }
}
