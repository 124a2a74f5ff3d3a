package org.sipbastion.parser;

/**
 * A byte range inside a message, packed into one {@code long} (start in the high 32 bits, length in
 * the low 32) so that accessors can hand out positions without allocating.
 */
public final class Range {
    /** Absent value: a range whose start is negative. */
    public static final long NONE = -1L;

    private Range() {
    }

    public static long of(int start, int length) {
        return ((long) start << 32) | (length & 0xFFFFFFFFL);
    }

    public static long between(int start, int end) {
        return of(start, end - start);
    }

    public static int start(long range) {
        return (int) (range >> 32);
    }

    public static int length(long range) {
        return (int) range;
    }

    public static int end(long range) {
        return start(range) + length(range);
    }

    public static boolean present(long range) {
        return range >= 0;
    }
}
