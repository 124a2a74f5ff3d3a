package org.sipbastion.tier1.bloom;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sipbastion.parser.Method;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier1.admission.KnownSources;
import org.sipbastion.tier1.event.Offender;
import org.sipbastion.tier1.table.FingerprintTable;
import org.sipbastion.tier1.table.Fingerprints;

/**
 * Tier 1's call-rate stage: counts the exchanges left open in a {@link CountingBloomFilter} and
 * watches their number against a learned {@link Baseline}.
 *
 * <p>The pairing rule, per transaction, a transaction being (Call-ID, From tag, CSeq number, kind):
 * <ul>
 *   <li>an INVITE (initial or re-INVITE) opens a set-up exchange: +1 at the session's cells;</li>
 *   <li>the ACK with the same Call-ID, From tag and CSeq number closes it: -1. That ACK follows every
 *       final response, so 401/407 challenges (the re-sent INVITE has a new CSeq: its own exchange),
 *       486/603, CANCEL's 487 and 200 all return the cells to zero;</li>
 *   <li>a BYE opens a tear-down exchange; its final response (200, or 481 and the like) closes it,
 *       as no ACK follows one;</li>
 *   <li>each transaction opens and closes once: retransmitted INVITEs and BYEs, the ACKs of forked
 *       200s after the first and retransmitted responses find the transaction already counted.</li>
 * </ul>
 * The transaction, not its branch, is the unit, because the ACK of a 200 carries a new branch.
 * Transactions live in a fixed {@link FingerprintTable}; one evicted under pressure leaves its cells
 * raised until the window rotates them away, which errs towards alarming, not towards blindness.
 *
 * <p>The session key is the Call-ID, hashed with a per-instance secret seed so that nobody can aim
 * their Call-IDs at chosen cells.
 *
 * <p>Not thread-safe: one per event loop.
 */
public final class CallRateStage {
    /** Bit 0: open. An INVITE answered 2xx stays open (its ACK closes it) but is marked answered. */
    private static final byte OPEN = 1;
    private static final byte CLOSED = 2;
    private static final byte ANSWERED = 3;
    /**
     * Open transactions rank above closed ones in the table: a closed one is kept only so that
     * retransmissions find it, and is the first to make room. (Ranked equally, a busy table evicted
     * INVITEs still waiting for their answer: at 8,000 calls/s, 6 % of completions found nothing to
     * close, and the leaked counters hid floods.)
     */
    private static final int RANK_OPEN = 1;
    private KnownSources known;
    private final long[] answerTag;
    private static final long SECOND = 1_000_000_000L;

    private Settings settings;
    private final CountingBloomFilter filter;
    private Baseline baseline;
    private final FingerprintTable transactions;
    private final byte[] state;
    private final long[] generation;
    private final InetAddress[] opener;
    private final long seed;
    private long nextSample = Long.MIN_VALUE;
    private long nextRotate = Long.MIN_VALUE;
    private long learnFrom;
    /** The threshold as of the last sample; infinite until the baseline has learned. */
    private double alarmAt = Double.POSITIVE_INFINITY;
    private long alarmStartedAt;
    private int lastSample;
    private boolean alarming;

    /**
     * @param cells           counting Bloom filter cells per generation (power of two)
     * @param cellsPerKey     k
     * @param windowNanos     generation length: an exchange left open is forgotten after one to two
     * @param transactions    capacity of the transaction table
     * @param offenderMinOpen a source needs this many open exchanges to be named an offender
     */
    public record Settings(int cells, int cellsPerKey, long windowNanos, int transactions, int offenderMinOpen) {
        public static final Settings DEFAULT = new Settings(1 << 20, 4, 60 * SECOND, 1 << 18, 20);
    }

    public CallRateStage(Settings settings, Baseline baseline, long seed) {
        this.settings = settings;
        this.filter = new CountingBloomFilter(settings.cells(), settings.cellsPerKey());
        this.baseline = baseline;
        baseline.countsPerEvent(settings.cellsPerKey());
        this.transactions = new FingerprintTable(settings.transactions());
        int n = transactions.capacity();
        this.state = new byte[n];
        this.generation = new long[n];
        this.opener = new InetAddress[n];
        this.answerTag = new long[n];
        this.seed = seed;
    }

    /**
     * New window and offender threshold for the running stage; its filter, transactions and sizes
     * stay (cells, k and the table size cannot change while running).
     */
    public void apply(Settings next) {
        settings = new Settings(settings.cells(), settings.cellsPerKey(), next.windowNanos(), settings.transactions(),
            next.offenderMinOpen());
    }

    /** Replaces the baseline (a rule fixed it, or stopped fixing it). */
    public void baseline(Baseline next) {
        baseline = next;
        next.countsPerEvent(settings.cellsPerKey());
        alarmAt = Double.POSITIVE_INFINITY;
    }

    /**
     * The gateway forwards transparently and sees no response: a BYE opens no exchange (no final
     * response would close it), and the ACK with a To tag that closes an INVITE counts as its
     * answer. A caller is vouched for only when that ACK also carries our route token, which it can
     * only have from a real 2xx (our Record-Route in it): a fabricated ACK closes its own INVITE,
     * it does not make its sender known.
     */
    public void responsesUnseen(boolean unseen) {
        blind = unseen;
    }

    /** A request from {@code source}, seen at {@code now}. */
    public void request(SipMessage m, InetAddress source, long now) {
        request(m, source, now, false);
    }

    /** As above; {@code proven} when it carries our valid route token. */
    public void request(SipMessage m, InetAddress source, long now, boolean proven) {
        Method method = m.method();
        if (blind && method == Method.BYE) {
            return;
        }
        if (blind && method == Method.ACK) {
            int slot = transactions.find(transaction(m, false), now);
            if (slot >= 0 && state[slot] == OPEN && Range.present(m.toTag())) {
                state[slot] = proven ? ANSWERED : OPEN;
                answerTag[slot] = tagHash(m);
            }
        }
        if (method == Method.INVITE || method == Method.BYE) {
            long tx = transaction(m, method == Method.BYE);
            if (transactions.find(tx, now) >= 0) {
                return;
            }
            int slot = transactions.insert(tx, now);
            transactions.rank(slot, RANK_OPEN);
            state[slot] = OPEN;
            generation[slot] = filter.add(session(m));
            opener[slot] = source;
        } else if (method == Method.ACK) {
            close(m, false, now, source);
        }
    }

    private boolean blind;

    /** A response that passed the gateway's branch check. */
    public void response(SipMessage m, long now) {
        if (m.statusCode() >= 200 && m.cseqMethod() == Method.BYE) {
            close(m, true, now, null);
        } else if (m.statusCode() / 100 == 2 && m.cseqMethod() == Method.INVITE) {
            int slot = transactions.find(transaction(m, false), now);
            if (slot >= 0 && state[slot] == OPEN) {
                state[slot] = ANSWERED;
                // The To tag of the answer: only who received it can acknowledge it.
                answerTag[slot] = tagHash(m);
            }
        }
    }

    /**
     * Where to report callers that completed a call (INVITE answered 2xx, then ACKed): the proof
     * that an address is a user agent, which a flooder's INVITEs never give. Null: nowhere.
     */
    public void vouchInto(KnownSources known) {
        this.known = known;
    }

    private static long tagHash(SipMessage m) {
        long tag = m.toTag();
        return org.sipbastion.parser.Range.present(tag) ? m.hash(tag) | 1 : 0;
    }

    private void close(SipMessage m, boolean bye, long now, InetAddress source) {
        int slot = transactions.find(transaction(m, bye), now);
        if (slot >= 0 && (state[slot] & OPEN) != 0) {
            // A completed call vouches for its caller only when the caller itself acknowledged the
            // 2xx it received: the ACK from the INVITE's address, with the answer's To tag.
            if (state[slot] == ANSWERED && known != null && opener[slot] != null && opener[slot].equals(source)
                && answerTag[slot] != 0 && answerTag[slot] == tagHash(m)) {
                known.vouch(opener[slot], now);
            }
            state[slot] = CLOSED;
            transactions.rank(slot, 0);
            filter.remove(session(m), generation[slot]);
            opener[slot] = null;
        }
    }

    /**
     * Advances the clock: one load sample per second, one rotation per window. Returns true when
     * the sample just taken is above the baseline's threshold and the previous one was not (the
     * start of an alarm); {@link #alarming()} says whether it lasts.
     */
    public boolean tick(long now) {
        if (nextSample == Long.MIN_VALUE) {
            nextSample = now + SECOND;
            nextRotate = now + settings.windowNanos();
            learnFrom = now + 2 * settings.windowNanos();
            return false;
        }
        if (now >= nextRotate) {
            filter.rotate();
            nextRotate = now + settings.windowNanos();
        }
        if (now < nextSample) {
            // Between samples, a load already over the threshold starts the alarm at once: a flood
            // is seen as it crosses, not up to a second later. Samples alone teach the baseline.
            if (!alarming && filter.raisedCells() > alarmAt) {
                alarming = true;
                alarmStartedAt = now;
                lastSample = filter.raisedCells();
                return true;
            }
            return false;
        }
        nextSample = now + SECOND;
        lastSample = filter.raisedCells();
        if (now < learnFrom) {
            // The filter fills up for two windows after a start: samples of a half-empty filter
            // would teach the baseline a deviation ten times the real one.
            return false;
        }
        boolean was = alarming;
        if (was && lastSample > baseline.mean() && now - alarmStartedAt < 2 * settings.windowNanos()) {
            // Hysteresis: an alarm lasts until the load is back down to the mean. While it lasts
            // new calls of unknown sources are shed, which freezes the flood's share of the load
            // (perhaps only two deviations, when the alarm started on a peak of normal load) until
            // the window rotates it out; ending any earlier, the normal load's noise would switch
            // shedding and blocking off while the flood goes on (the detection harness saw it).
            // Such samples do not teach the baseline (an attack must not). Two windows after the
            // start every exchange of the flood has rotated out: a load still above the mean but
            // under the threshold then is normal growth, which the baseline must be free to learn.
            alarming = true;
        } else {
            alarming = baseline.sample(lastSample);
        }
        alarmAt = baseline.learned() ? baseline.threshold() : Double.POSITIVE_INFINITY;
        if (alarming && !was) {
            alarmStartedAt = now;
        }
        return alarming && !was;
    }

    public boolean alarming() {
        return alarming;
    }

    /** The raised cells at the last sample. */
    public int load() {
        return lastSample;
    }

    /**
     * The sources with the most exchanges open, at least {@code offenderMinOpen} each, most first:
     * who drives the raised cells. A scan of the transaction table: for alarms, not per message.
     */
    public List<Offender> offenders(int max) {
        Map<InetAddress, int[]> open = new HashMap<>();
        long oldest = filter.generation() - 1;
        for (int slot = 0; slot < state.length; slot++) {
            // Only exchanges whose generation still stands: older ones no longer raise any counter.
            if ((state[slot] & OPEN) != 0 && opener[slot] != null && transactions.occupied(slot) && generation[slot] >= oldest) {
                open.computeIfAbsent(opener[slot], a -> new int[1])[0]++;
            }
        }
        List<Offender> out = new ArrayList<>();
        for (Map.Entry<InetAddress, int[]> e : open.entrySet()) {
            if (e.getValue()[0] >= settings.offenderMinOpen()) {
                out.add(new Offender(e.getKey(), e.getValue()[0]));
            }
        }
        out.sort((a, b) -> Integer.compare(b.count(), a.count()));
        return out.size() > max ? out.subList(0, max) : out;
    }

    public CountingBloomFilter filter() {
        return filter;
    }

    public Baseline baseline() {
        return baseline;
    }

    public FingerprintTable transactions() {
        return transactions;
    }

    private long session(SipMessage m) {
        return Fingerprints.mix(seed, m.hash(m.callId()));
    }

    private long transaction(SipMessage m, boolean bye) {
        long dialog = Fingerprints.mix(m.hash(m.callId()), m.hash(m.fromTag()));
        return Fingerprints.mix(dialog ^ seed, m.cseqNumber() << 1 | (bye ? 1 : 0));
    }
}
