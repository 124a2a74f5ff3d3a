package org.sipbastion.tier2.dialog;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import net.openhft.chronicle.values.Values;
import org.sipbastion.parser.Method;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;

/**
 * Tier 2's dialog table: Call-ID to the dialog's proxy, with its lifecycle (see {@link DialogState}).
 * It is what keeps a call's CANCEL, the ACK of its failed INVITE and its retransmissions on the proxy
 * that took the INVITE (none of them carries our route token), what counts each proxy's active
 * calls, and, persisted, what a restarted gateway still knows.
 *
 * <p>A Chronicle Map, off heap, in a file when one is given (memory-mapped: a restart, even after a
 * crash, reopens it), sized for {@code maxDialogs}. Keys are a 64-bit hash of the Call-ID; each row
 * holds a second hash from another seed, so a colliding Call-ID (chosen by an attacker or not) is a
 * miss, never another call's proxy.
 *
 * <p>Lifecycle and timers: an INVITE opens a row EARLY, expiring after {@link #EARLY_TTL_MILLIS}
 * (Timer C); its 2xx confirms it, expiring after the configured TTL backstop unless in-dialog
 * requests refresh it; a BYE moves it to ENDING and its final answer, or a failure answer to the
 * INVITE, to ENDED; ENDING and ENDED rows linger {@link #LINGER_MILLIS} (64 x T1) for
 * retransmissions, then the sweeper removes them. Rows whose BYE never came are removed by the same
 * sweeper when their TTL runs out.
 *
 * <p>The per-state counts and the opened/closed notices change in exactly one place, on a state
 * change or a removal of a row, so they equal what the table holds (tests compare them with a
 * recount); after a restart they are recounted from the rows. Not thread-safe: one event loop owns it.
 */
public final class DialogTable implements AutoCloseable {
    /** An unanswered INVITE is given up after Timer C, 3 minutes (RFC 3261 section 16.6), plus margin. */
    public static final long EARLY_TTL_MILLIS = 200_000;
    /** Ended dialogs are kept 64 x T1 = 32 s for retransmissions. */
    public static final long LINGER_MILLIS = 32_000;

    private final ChronicleMap<Long, DialogEntry> map;
    private String notice;
    private java.nio.channels.FileLock lock;
    private boolean closed;
    private final long maxDialogs;
    private final long confirmedTtlMillis;
    private final Listener listener;
    private final DialogEntry ref;
    /** A new row, filled on the heap and copied into the table whole. */
    private final DialogEntry fresh = Values.newHeapInstance(DialogEntry.class);
    private final long[] counts = new long[DialogState.values().length + 1];
    private InetSocketAddress[] known;
    /** The known proxies' addresses as stored in rows (IPv6 or IPv4-mapped, two halves). */
    private long[] knownHigh;
    private long[] knownLow;
    private int sweepSegment;
    private long full;
    private long collisions;
    private boolean blind;

    /**
     * @param file               where the table is kept across restarts; null: in memory only
     * @param maxDialogs         rows at most (new dialogs beyond are counted in {@link #full()}, not kept)
     * @param confirmedTtlMillis TTL backstop of a confirmed dialog not refreshed by in-dialog requests
     * @param known              the configured proxies (rows naming them give back these instances)
     * @param listener           told when a dialog of a proxy becomes active and stops being active
     */
    public DialogTable(Path file, long maxDialogs, long confirmedTtlMillis, List<InetSocketAddress> known,
                       Listener listener) {
        if (maxDialogs < 1 || confirmedTtlMillis < 1) {
            throw new IllegalArgumentException("need at least one dialog and a TTL of at least 1 ms");
        }
        this.maxDialogs = maxDialogs;
        this.confirmedTtlMillis = confirmedTtlMillis;
        this.listener = listener == null ? Listener.NONE : listener;
        know(known);
        this.ref = Values.newNativeReference(DialogEntry.class);
        try {
            this.map = file == null ? builder(maxDialogs).create() : openFile(file, maxDialogs);
        } catch (IOException | RuntimeException e) {
            if (lock != null) {
                try {
                    lock.channel().close();
                } catch (IOException ignored) {
                    // failing already
                }
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot open the dialog table " + file + ": " + io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
        recount();
    }

    private static net.openhft.chronicle.map.ChronicleMapBuilder<Long, DialogEntry> builder(long rows) {
        return ChronicleMap.of(Long.class, DialogEntry.class)
            .name("bastion-dialogs")
            .entries(rows)
            // Rows are written in place through a flyweight, which per-entry checksums do not see:
            // with them on, recovery would throw those rows away. A torn row is caught by its state.
            .checksumEntries(false)
            // Ours to close: the JVM's exit hook would race the gateway's own shutdown.
            .skipCloseOnExitHook(true);
    }

    /**
     * Opens the table kept in {@code file}. Recovery also repairs a table left by a crash (segment
     * locks, counters). A file that cannot be read is moved aside (FILE.unreadable-TIME) and a new
     * table started: the dialogs it held still route by their route token. A file sized for another
     * number of rows (the file keeps the size it was made with; FILE.rows says which) is copied into
     * one of the size asked for, so raising --max-dialogs takes effect.
     */
    private ChronicleMap<Long, DialogEntry> openFile(Path file, long rows) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        lock(file);
        Path sizeFile = file.resolveSibling(file.getFileName() + ".rows");
        File f = file.toFile();
        if (!f.exists() || f.length() == 0) {
            Files.deleteIfExists(file);
            ChronicleMap<Long, DialogEntry> fresh = builder(rows).createPersistedTo(f);
            Files.writeString(sizeFile, Long.toString(rows));
            return fresh;
        }
        long builtFor = readRows(sizeFile);
        ChronicleMap<Long, DialogEntry> old;
        try {
            // false: the file's own header says how it was made; the builder's settings must not
            // overwrite it (a wrong one would corrupt the file).
            old = builder(builtFor > 0 ? builtFor : rows).recoverPersistedTo(f, false);
        } catch (net.openhft.chronicle.hash.ChronicleHashRecoveryFailedException | IllegalStateException
                 | IllegalArgumentException unreadable) {
            // Only a file Chronicle cannot make sense of is moved aside; an I/O error (permissions, a
            // full disk) stops the start with its reason instead of costing the dialogs.
            Path aside = file.resolveSibling(file.getFileName() + ".unreadable-" + System.currentTimeMillis());
            Files.move(file, aside);
            notice = "the dialog table " + file + " could not be read (" + unreadable.getMessage() + "); moved to " + aside
                + ", starting with an empty table (in-dialog requests still route by their route token)";
            ChronicleMap<Long, DialogEntry> fresh = builder(rows).createPersistedTo(f);
            Files.writeString(sizeFile, Long.toString(rows));
            return fresh;
        }
        if (builtFor == rows) {
            return old;
        }
        Path resized = file.resolveSibling(file.getFileName() + ".resizing");
        Files.deleteIfExists(resized);
        long[] copied = {0, 0};
        try (ChronicleMap<Long, DialogEntry> target = builder(rows).createPersistedTo(resized.toFile())) {
            old.forEachEntry(e -> {
                if (DialogState.of(e.value().get().getState()) == null) {
                    return; // half written when the process died
                }
                try {
                    if (copied[0] < rows) {
                        target.put(e.key().get(), e.value().get());
                        copied[0]++;
                        return;
                    }
                } catch (IllegalStateException noRoom) {
                    // a segment of the smaller table is full: this row is dropped, counted below
                }
                copied[1]++;
            });
        } finally {
            old.close();
        }
        Files.writeString(sizeFile, Long.toString(rows));
        Files.move(resized, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        notice = "the dialog table " + file + " was made for " + (builtFor > 0 ? builtFor + " rows" : "an unknown size")
            + "; copied into one of " + rows + " rows (" + copied[0] + " dialogs kept" + (copied[1] > 0 ? ", " + copied[1]
            + " beyond the new size dropped" : "") + ")";
        return builder(rows).recoverPersistedTo(f, false);
    }

    private static long readRows(Path sizeFile) {
        try {
            return Long.parseLong(Files.readString(sizeFile).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The proxies rows name: a row naming one of them gives back that very instance (no address
     * made per lookup). Called again when discovery adds proxies.
     */
    public void know(List<InetSocketAddress> proxies) {
        InetSocketAddress[] all = proxies.toArray(new InetSocketAddress[0]);
        long[] high = new long[all.length];
        long[] low = new long[all.length];
        for (int k = 0; k < all.length; k++) {
            byte[] ip = v6(all[k].getAddress());
            high[k] = longAt(ip, 0);
            low[k] = longAt(ip, 8);
        }
        this.known = all;
        this.knownHigh = high;
        this.knownLow = low;
    }

    /** What opening the table had to do that an operator should hear of (moved aside, resized), or null. */
    public String notice() {
        return notice;
    }

    /** The proxy of the dialog {@code m} belongs to (by Call-ID), or null when none is known. */
    public InetSocketAddress proxyOf(SipMessage m) {
        DialogEntry e = row(m);
        return e == null ? null : proxy(e);
    }

    /** As {@link #proxyOf(SipMessage)}, with the Call-ID's {@link #key} already computed. */
    public InetSocketAddress proxyOf(SipMessage m, long key) {
        DialogEntry e = row(m, key);
        return e == null ? null : proxy(e);
    }

    /** The state of {@code m}'s dialog, or null when none is known. */
    public DialogState stateOf(SipMessage m) {
        DialogEntry e = row(m);
        return e == null ? null : DialogState.of(e.getState());
    }

    /**
     * An initial INVITE (no To tag) was sent to {@code proxy}. Opens its row, EARLY; for a row of
     * the same Call-ID already there:
     * <ul>
     *   <li>an active row on the same proxy: a retransmission, nothing to do;</li>
     *   <li>an ended row and a higher CSeq: the call tried again (after a 401/407 challenge or a
     *       3xx): EARLY again, counted again, on {@code proxy};</li>
     *   <li>another proxy (the first one went down): the row follows the call there.</li>
     * </ul>
     * False when nothing was opened or moved (a retransmission, a hash collision, a full table).
     */
    public boolean open(SipMessage invite, InetSocketAddress proxy, long nowMillis) {
        return open(invite, key(invite), proxy, nowMillis);
    }

    /** As {@link #open(SipMessage, InetSocketAddress, long)}, with the Call-ID's {@link #key} already computed. */
    public boolean open(SipMessage invite, long key, InetSocketAddress proxy, long nowMillis) {
        if (size() >= maxDialogs) {
            DialogEntry e = map.getUsing(key, ref);
            if (e != null) {
                return reopen(e, invite, proxy, nowMillis);
            }
            full++;
            return false;
        }
        try (ExternalMapQueryContext<Long, DialogEntry, ?> c = map.queryContext(key)) {
            // One search under the write lock, which finds or inserts (acquireUsing searches under a
            // read lock, then again under the update lock, then upgrades).
            c.writeLock().lock();
            MapEntry<Long, DialogEntry> present = c.entry();
            if (present != null) {
                // A row already there is the call's: written in place while the lock is held.
                return reopen(present.value().getUsing(ref), invite, proxy, nowMillis);
            }
            // The row goes in whole with state 0 and only then gets its state: a row cut short by
            // the process dying is recognised by its state (recount() removes it).
            DialogEntry row = fresh;
            row.setState(0);
            row.setCheck(check(invite));
            point(row, proxy);
            row.setInviteCseq(invite.cseqNumber());
            row.setCreatedMillis(nowMillis);
            row.setExpiresMillis(nowMillis + EARLY_TTL_MILLIS);
            c.absentEntry().doInsert(c.wrapValueAsData(row));
            c.entry().value().getUsing(ref).setState(DialogState.EARLY.code);
        } catch (IllegalStateException noRoom) {
            // Chronicle Map ran out of room in a segment before our own bound: counted, not fatal.
            map.remove(key);
            full++;
            return false;
        }
        counts[DialogState.EARLY.code]++;
        listener.opened(proxy);
        return true;
    }

    private boolean reopen(DialogEntry e, SipMessage invite, InetSocketAddress proxy, long nowMillis) {
        DialogState s = DialogState.of(e.getState());
        if (e.getCheck() != check(invite) || s == null) {
            collisions++;
            return false;
        }
        boolean sameProxy = proxy(e).equals(proxy);
        if (s.active) {
            if (sameProxy) {
                return false; // a retransmission
            }
            listener.closed(proxy(e)); // its proxy went down: the call goes on elsewhere
            point(e, proxy);
            listener.opened(proxy);
            return true;
        }
        if (invite.cseqNumber() <= e.getInviteCseq()) {
            return false; // a late retransmission of the INVITE that ended
        }
        counts[s.code]--;
        counts[DialogState.EARLY.code]++;
        point(e, proxy);
        e.setInviteCseq(invite.cseqNumber());
        e.setExpiresMillis(nowMillis + EARLY_TTL_MILLIS);
        e.setState(DialogState.EARLY.code);
        listener.opened(proxy);
        return true;
    }

    private void point(DialogEntry e, InetSocketAddress proxy) {
        int k = knownIndex(proxy);
        e.setAddressHigh(k >= 0 ? knownHigh[k] : longAt(v6(proxy.getAddress()), 0));
        e.setAddressLow(k >= 0 ? knownLow[k] : longAt(v6(proxy.getAddress()), 8));
        e.setPort(proxy.getPort());
    }

    /** A request of a known dialog went through: a BYE starts its end, anything else refreshes it. */
    public void request(SipMessage m, long nowMillis) {
        DialogEntry e = row(m);
        if (e == null) {
            return;
        }
        DialogState s = DialogState.of(e.getState());
        if (m.method() == Method.BYE) {
            if (s.active) {
                move(e, DialogState.ENDING, nowMillis + LINGER_MILLIS);
            }
        } else if (s == DialogState.CONFIRMED && Range.present(m.toTag())) {
            e.setExpiresMillis(nowMillis + confirmedTtlMillis);
        } else if (blind && s == DialogState.EARLY && m.method() == Method.ACK && Range.present(m.toTag())) {
            move(e, DialogState.CONFIRMED, nowMillis + confirmedTtlMillis);
        }
    }

    /**
     * Transparent forwarding: no response reaches the gateway, so the ACK with a To tag confirms a
     * dialog (else it would be dropped at Timer C, and a long call's BYE from a client that ignores
     * Record-Route would find no row). The ACK of a failed INVITE looks the same, so such a call's
     * row stays until the TTL backstop instead of the linger: bounded by the table, and shortened
     * with {@code --dialog-ttl}.
     */
    public void responsesUnseen(boolean unseen) {
        blind = unseen;
    }

    /** A final response went through: a 2xx confirms, a failure of the INVITE or a BYE's answer ends. */
    public void response(SipMessage m, long nowMillis) {
        int status = m.statusCode();
        if (status < 200) {
            return;
        }
        DialogEntry e = row(m);
        if (e == null) {
            return;
        }
        DialogState s = DialogState.of(e.getState());
        Method method = m.cseqMethod();
        if (method == Method.INVITE) {
            if (status < 300 && s.active) {
                move(e, DialogState.CONFIRMED, nowMillis + confirmedTtlMillis);
            } else if (status >= 300 && s == DialogState.EARLY && m.cseqNumber() == e.getInviteCseq()) {
                move(e, DialogState.ENDED, nowMillis + LINGER_MILLIS);
            }
        } else if (method == Method.BYE && s != DialogState.ENDED && status != 401 && status != 407) {
            // (a challenged BYE is sent again with credentials: the dialog is not over yet)
            move(e, DialogState.ENDED, nowMillis + LINGER_MILLIS);
        }
    }

    /**
     * Removes the expired rows of the next {@code segments} segments (each call goes on where the
     * last stopped, so the whole table is covered in turn at a bounded cost per call); returns how
     * many were removed.
     */
    public int sweep(long nowMillis, int segments) {
        int removed = 0;
        int total = map.segments();
        for (int k = 0; k < Math.min(segments, total); k++) {
            int seg = sweepSegment;
            sweepSegment = (sweepSegment + 1) % total;
            int[] n = {0};
            try (var ctx = map.segmentContext(seg)) {
                ctx.forEachSegmentEntry(entry -> {
                    DialogEntry e = entry.value().get();
                    if (e.getExpiresMillis() - nowMillis <= 0) {
                        forget(e);
                        entry.doRemove();
                        n[0]++;
                    }
                });
            }
            removed += n[0];
        }
        return removed;
    }

    /** Rows the table is sized for. */
    public long capacity() {
        return maxDialogs;
    }

    /** The table's segments (the sweeper's unit of work). */
    public int segments() {
        return map.segments();
    }

    /** Sweeps every segment (tests, and start-up). */
    public int sweepAll(long nowMillis) {
        return sweep(nowMillis, map.segments());
    }

    /** Rows in state {@code s}. */
    public long count(DialogState s) {
        return counts[s.code];
    }

    /** All rows, whatever their state. */
    public long size() {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        return n;
    }

    /** New dialogs not kept because the table was full. */
    public long full() {
        return full;
    }

    /** Lookups whose Call-ID hash matched a row of another Call-ID. */
    public long collisions() {
        return collisions;
    }

    /**
     * Counts the rows by state from the table itself and takes that as the truth, telling the
     * listener of every active row (on opening: the per-proxy counts restart from what the table
     * holds). Returns the counts indexed by {@link DialogState#code}.
     */
    public long[] recount() {
        long[] fresh = new long[counts.length];
        map.forEachEntry(entry -> {
            DialogState s = DialogState.of(entry.value().get().getState());
            if (s == null) {
                entry.doRemove(); // a row half written when the process died: nothing to route by
            } else {
                fresh[s.code]++;
            }
        });
        boolean first = size() == 0;
        System.arraycopy(fresh, 0, counts, 0, counts.length);
        if (first) {
            map.forEachEntry(entry -> {
                DialogEntry e = entry.value().get();
                if (DialogState.of(e.getState()).active) {
                    listener.opened(proxy(e));
                }
            });
        }
        return fresh.clone();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        map.close();
        if (lock != null) {
            try {
                lock.channel().close(); // releases the lock
            } catch (IOException e) {
                // the process is letting the file go either way
            }
        }
    }

    /**
     * One process per table file: Chronicle Map must not be recovered while another process maps
     * it, and two gateways sharing a state directory would write each other's rows.
     */
    private void lock(Path file) throws IOException {
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(lockFile,
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock held;
        try {
            held = channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException sameProcess) {
            held = null;
        }
        if (held == null) {
            channel.close();
            throw new IllegalStateException("the dialog table " + file + " is in use by another gateway (" + lockFile
                + " is locked): give each gateway its own state directory");
        }
        this.lock = held;
    }

    private void move(DialogEntry e, DialogState to, long expiresMillis) {
        DialogState from = DialogState.of(e.getState());
        if (from != to) {
            counts[from.code]--;
            counts[to.code]++;
            if (from.active && !to.active) {
                listener.closed(proxy(e));
            }
            e.setState(to.code);
        }
        e.setExpiresMillis(expiresMillis);
    }

    private void forget(DialogEntry e) {
        DialogState s = DialogState.of(e.getState());
        if (s == null) {
            return;
        }
        counts[s.code]--;
        if (s.active) {
            listener.closed(proxy(e));
        }
    }

    /** The row of {@code m}'s Call-ID, bound to {@link #ref}; null when absent or another Call-ID's. */
    private DialogEntry row(SipMessage m) {
        return Range.present(m.callId()) ? row(m, key(m)) : null;
    }

    private DialogEntry row(SipMessage m, long key) {
        if (!Range.present(m.callId())) {
            return null;
        }
        DialogEntry e = map.getUsing(key, ref);
        if (e == null) {
            return null;
        }
        if (e.getCheck() != check(m) || DialogState.of(e.getState()) == null) {
            collisions++;
            return null;
        }
        return e;
    }

    private InetSocketAddress proxy(DialogEntry e) {
        long hi = e.getAddressHigh();
        long lo = e.getAddressLow();
        int port = e.getPort();
        for (int k = 0; k < known.length; k++) {
            if (knownHigh[k] == hi && knownLow[k] == lo && known[k].getPort() == port) {
                return known[k];
            }
        }
        // A proxy no longer configured (removed, draining): its dialogs still finish there.
        byte[] ip = new byte[16];
        for (int i = 0; i < 8; i++) {
            ip[i] = (byte) (hi >>> (56 - 8 * i));
            ip[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        try {
            boolean mapped = hi == 0 && (lo >>> 32) == 0xFFFFL;
            InetAddress a = mapped ? InetAddress.getByAddress(java.util.Arrays.copyOfRange(ip, 12, 16))
                : InetAddress.getByAddress(ip);
            return new InetSocketAddress(a, port);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private int knownIndex(InetSocketAddress proxy) {
        for (int k = 0; k < known.length; k++) {
            if (known[k] == proxy) {
                return k;
            }
        }
        for (int k = 0; k < known.length; k++) {
            if (known[k].equals(proxy)) {
                return k;
            }
        }
        return -1;
    }

    private static byte[] v6(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            byte[] m = new byte[16];
            m[10] = (byte) 0xFF;
            m[11] = (byte) 0xFF;
            System.arraycopy(b, 0, m, 12, 4);
            return m;
        }
        return b;
    }

    private static long longAt(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[off + i] & 0xFF);
        }
        return v;
    }

    /** The table's key of {@code m}: its Call-ID hashed with {@link SipMessage#hash(long)}'s own seed. */
    public static long key(SipMessage m) {
        return m.hash(m.callId());
    }

    /** The Call-ID hashed from another seed than the key: a collision must hold for both. */
    static long check(SipMessage m) {
        return m.hash(m.callId(), 0xCBF29CE484222325L);
    }

    /** Told when a proxy gains or loses an active dialog (its active-call count). */
    public interface Listener {
        Listener NONE = new Listener() {
            @Override
            public void opened(InetSocketAddress proxy) {
            }

            @Override
            public void closed(InetSocketAddress proxy) {
            }
        };

        void opened(InetSocketAddress proxy);

        void closed(InetSocketAddress proxy);
    }
}
