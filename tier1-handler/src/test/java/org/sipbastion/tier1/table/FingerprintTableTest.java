package org.sipbastion.tier1.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FingerprintTableTest {

    @Test
    void findsWhatWasInsertedAndNothingElse() {
        FingerprintTable t = new FingerprintTable(1024);
        int s = t.insert(42, 1);
        assertEquals(s, t.find(42, 2));
        assertEquals(-1, t.find(43, 2));
        assertEquals(2, t.lastUsed(s));
        t.remove(s);
        assertEquals(-1, t.find(42, 3));
    }

    @Test
    void zeroIsAFingerprintLikeAnyOther() {
        FingerprintTable t = new FingerprintTable(64);
        int s = t.insert(0, 1);
        assertEquals(s, t.find(0, 2));
    }

    @Test
    void aFullBucketGivesUpItsLeastRecentlyUsedEntry() {
        FingerprintTable t = new FingerprintTable(FingerprintTable.WAYS); // one bucket
        for (long k = 1; k <= FingerprintTable.WAYS; k++) {
            t.insert(Fingerprints.mix(k, 0), k);
        }
        t.find(Fingerprints.mix(1, 0), 100); // key 1 is used again: key 2 is now the oldest
        t.insert(Fingerprints.mix(99, 0), 101);
        assertTrue(t.find(Fingerprints.mix(1, 0), 102) >= 0);
        assertEquals(-1, t.find(Fingerprints.mix(2, 0), 102));
        assertEquals(1, t.evictions());
        assertEquals(FingerprintTable.WAYS, t.size());
    }

    @Test
    void rankedEntriesOutliveAFloodOfNewcomers() {
        FingerprintTable t = new FingerprintTable(FingerprintTable.WAYS);
        int kept = t.insert(Fingerprints.mix(1, 0), 0);
        t.rank(kept, 1);
        for (long k = 2; k < 10_000; k++) {
            t.insert(Fingerprints.mix(k, 0), k);
        }
        assertEquals(kept, t.find(Fingerprints.mix(1, 0), 10_000));
    }

    @Test
    void memoryIsFixedWhateverIsInserted() {
        FingerprintTable t = new FingerprintTable(4096);
        for (long k = 0; k < 1_000_000; k++) {
            t.insert(Fingerprints.mix(k, 7), k);
        }
        assertEquals(4096, t.capacity());
        assertEquals(4096, t.size());
    }

    @Test
    void capacityIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> new FingerprintTable(0));
        assertEquals(8, new FingerprintTable(1).capacity());
        assertEquals(16, new FingerprintTable(9).capacity());
    }
}
