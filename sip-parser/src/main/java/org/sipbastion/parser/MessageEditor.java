package org.sipbastion.parser;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Rewrites a parsed message as a list of splices (insert, delete, replace at byte positions) applied
 * while copying it out once: the message is never re-serialised, its untouched parts are copied
 * as they arrived. Edits and inserted bytes live in preallocated storage, reused per message.
 */
public final class MessageEditor {
    private static final int MAX_EDITS = 64;

    private final int[] at = new int[MAX_EDITS];
    private final int[] removed = new int[MAX_EDITS];
    private final int[] insertStart = new int[MAX_EDITS];
    private final int[] insertLength = new int[MAX_EDITS];
    private final int[] order = new int[MAX_EDITS];
    private final ByteBuf scratch = Unpooled.buffer(2048);
    private int count;
    private int open = -1;

    /** Drops all edits: call before each message. */
    public MessageEditor reset() {
        count = 0;
        open = -1;
        scratch.clear();
        return this;
    }

    /**
     * Starts an edit at {@code position} that removes {@code remove} bytes; bytes written to
     * {@link #out()} until {@link #end()} are inserted there.
     */
    public ByteBuf begin(int position, int remove) {
        if (open >= 0) {
            throw new IllegalStateException("edit not ended");
        }
        if (count == MAX_EDITS) {
            throw new IllegalStateException("too many edits");
        }
        open = count++;
        at[open] = position;
        removed[open] = remove;
        insertStart[open] = scratch.writerIndex();
        return scratch;
    }

    /** Where the bytes of the open edit go. */
    public ByteBuf out() {
        return scratch;
    }

    public void end() {
        insertLength[open] = scratch.writerIndex() - insertStart[open];
        open = -1;
    }

    public void delete(int position, int length) {
        begin(position, length);
        end();
    }

    public void insert(int position, byte[] bytes) {
        begin(position, 0).writeBytes(bytes);
        end();
    }

    public int edits() {
        return count;
    }

    /** Change in message length these edits make. */
    public int delta() {
        int d = 0;
        for (int i = 0; i < count; i++) {
            d += insertLength[i] - removed[i];
        }
        return d;
    }

    /**
     * Writes [start, end) of {@code src} with the edits applied to {@code dst}. At one position,
     * pure insertions come before an edit that removes bytes (an insert before the first header
     * and the deletion of that header both start there), and otherwise keep the order they were
     * made in; overlapping removals are a caller bug.
     */
    public void writeTo(ByteBuf src, int start, int end, ByteBuf dst) {
        if (open >= 0) {
            throw new IllegalStateException("edit not ended");
        }
        for (int i = 0; i < count; i++) {
            int j = i;
            while (j > 0 && after(order[j - 1], i)) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }
        int p = start;
        for (int k = 0; k < count; k++) {
            int e = order[k];
            int pos = at[e];
            if (pos < p || pos + removed[e] > end) {
                throw new IllegalStateException("overlapping or out-of-range edit at " + pos);
            }
            dst.writeBytes(src, p, pos - p);
            dst.writeBytes(scratch, insertStart[e], insertLength[e]);
            p = pos + removed[e];
        }
        dst.writeBytes(src, p, end - p);
    }

    /** Edit {@code a} goes after edit {@code b} (made later than a). */
    private boolean after(int a, int b) {
        return at[a] > at[b] || at[a] == at[b] && removed[a] > 0 && removed[b] == 0;
    }
}
