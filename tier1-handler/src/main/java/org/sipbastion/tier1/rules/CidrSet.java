package org.sipbastion.tier1.rules;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Many address blocks (a deny feed of a hundred thousand lines) as sorted, merged ranges, looked up
 * by binary search: an IPv4 lookup copies nothing and costs about log2(n) comparisons.
 */
public final class CidrSet {
    public static final CidrSet EMPTY = new CidrSet(new long[0], new long[0], new long[0][], 0);

    private final long[] v4First;
    private final long[] v4Last;
    /** IPv6 ranges: {first high, first low, last high, last low}, sorted by first. */
    private final long[][] v6;
    private final int blocks;

    private CidrSet(long[] v4First, long[] v4Last, long[][] v6, int blocks) {
        this.v4First = v4First;
        this.v4Last = v4Last;
        this.v6 = v6;
        this.blocks = blocks;
    }

    public static CidrSet of(Collection<Cidr> cidrs) {
        List<long[]> v4 = new ArrayList<>();
        List<long[]> v6 = new ArrayList<>();
        for (Cidr c : cidrs) {
            if (c.v4()) {
                v4.add(new long[] {c.firstV4(), c.lastV4()});
            } else {
                v6.add(new long[] {c.v6Word(0, false), c.v6Word(1, false), c.v6Word(0, true), c.v6Word(1, true)});
            }
        }
        v4.sort(Comparator.comparingLong(r -> r[0]));
        List<long[]> m4 = new ArrayList<>();
        for (long[] r : v4) {
            long[] last = m4.isEmpty() ? null : m4.get(m4.size() - 1);
            if (last != null && r[0] <= last[1] + 1) {
                last[1] = Math.max(last[1], r[1]);
            } else {
                m4.add(r);
            }
        }
        v6.sort((a, b) -> compare(a[0], a[1], b[0], b[1]));
        List<long[]> m6 = new ArrayList<>();
        for (long[] r : v6) {
            long[] last = m6.isEmpty() ? null : m6.get(m6.size() - 1);
            if (last != null && compare(r[0], r[1], last[2], last[3]) <= 0) {
                if (compare(r[2], r[3], last[2], last[3]) > 0) {
                    last[2] = r[2];
                    last[3] = r[3];
                }
            } else {
                m6.add(r);
            }
        }
        long[] first = new long[m4.size()];
        long[] lastOf = new long[m4.size()];
        for (int i = 0; i < m4.size(); i++) {
            first[i] = m4.get(i)[0];
            lastOf[i] = m4.get(i)[1];
        }
        return new CidrSet(first, lastOf, m6.toArray(new long[0][]), cidrs.size());
    }

    public boolean contains(InetAddress a) {
        if (a instanceof Inet4Address) {
            if (v4First.length == 0) {
                return false;
            }
            long x = a.hashCode() & 0xFFFFFFFFL; // the IPv4 address itself
            int i = Arrays.binarySearch(v4First, x);
            int at = i >= 0 ? i : -i - 2;
            return at >= 0 && x <= v4Last[at];
        }
        if (v6.length == 0) {
            return false;
        }
        byte[] b = a.getAddress();
        long hi = word(b, 0);
        long lo = word(b, 8);
        int low = 0;
        int high = v6.length - 1;
        int at = -1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (compare(v6[mid][0], v6[mid][1], hi, lo) <= 0) {
                at = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return at >= 0 && compare(hi, lo, v6[at][2], v6[at][3]) <= 0;
    }

    /** Blocks given, before merging. */
    public int blocks() {
        return blocks;
    }

    private static long word(byte[] b, int from) {
        long w = 0;
        for (int i = from; i < from + 8; i++) {
            w = w << 8 | (b[i] & 0xFF);
        }
        return w;
    }

    private static int compare(long aHi, long aLo, long bHi, long bLo) {
        int c = Long.compareUnsigned(aHi, bHi);
        return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
    }
}
