package org.sipbastion.tier1.dialog;

import java.net.InetAddress;
import org.sipbastion.parser.Method;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.tier1.event.Detector;
import org.sipbastion.tier1.table.FingerprintTable;
import org.sipbastion.tier1.table.Fingerprints;

/**
 * Fake BYE and CANCEL: tier 1's own, bounded record of the dialogs it has seen set up, keyed by
 * Call-ID, with their two parties: the address that sent the INVITE and the one that sent its 2xx
 * (the proxy side, from the gateway's point of view).
 *
 * <ul>
 *   <li>A BYE passes when its dialog was answered (a 2xx seen; the ACK may still be on its way or
 *       lost) and it comes from one of the two parties. A BYE for a Call-ID never answered, or from
 *       a third address, is a {@link Detector#FAKE_BYE}: the paper's forged tear-down.</li>
 *   <li>A CANCEL passes when its INVITE was seen and it comes from the INVITE's sender; otherwise it
 *       is a {@link Detector#FAKE_CANCEL}.</li>
 *   <li>re-INVITEs (To tag present) do not reset a dialog, forked 2xx keep the first answerer, and
 *       retransmissions find the state they already set: none of them trips a check.</li>
 * </ul>
 *
 * <p>After a restart the record is empty, and the BYEs of calls set up before it have nothing to
 * match: for {@code graceNanos} after the first message, unknown Call-IDs pass (counted by the
 * caller as unknown, not dropped). The route token of tier 2 will replace that window with proof.
 *
 * <p>Confirmed dialogs are ranked above unanswered INVITEs in the table, so a flood of INVITEs
 * that are never answered evicts its own kind, not the calls in progress. Not thread-safe.
 */
public final class DialogFilter {
    private static final byte INVITING = 1;
    private static final byte ANSWERED = 2;
    private static final byte ENDED = 3;
    private static final int RANK_ANSWERED = 1;

    /**
     * @param dialogs    table capacity (concurrent dialogs, plus INVITEs awaiting an answer)
     * @param graceNanos after the first message seen, how long unknown Call-IDs' BYE and CANCEL pass
     */
    public record Settings(int dialogs, long graceNanos) {
        public static final Settings DEFAULT = new Settings(1 << 18, 120_000_000_000L);
    }

    private Settings settings;
    private final long seed;
    private final FingerprintTable table;
    private final byte[] state;
    private final InetAddress[] caller;
    private final InetAddress[] answerer;
    private long graceUntil = Long.MIN_VALUE;
    private boolean started;
    private long unknownInGrace;
    /** Transparent forwarding: no response reaches the gateway (see {@link #responsesUnseen}). */
    private boolean blind;

    public DialogFilter(Settings settings, long seed) {
        this.settings = settings;
        this.seed = seed;
        this.table = new FingerprintTable(settings.dialogs());
        int n = table.capacity();
        state = new byte[n];
        caller = new InetAddress[n];
        answerer = new InetAddress[n];
    }

    /** A new grace period (counted from the same start); the table and its size stay. */
    public void apply(Settings next) {
        if (started) {
            graceUntil = graceUntil - settings.graceNanos() + next.graceNanos();
        }
        settings = new Settings(settings.dialogs(), next.graceNanos());
    }

    /** Judges a request and records what it sets up. */
    public Detector request(SipMessage m, InetAddress source, long now) {
        return request(m, source, now, false);
    }

    /**
     * As above; {@code proven} when the request carries a valid route token of ours (the gateway
     * checked it): proof that the dialog was set up through us, accepted for a dialog this filter
     * does not know (after a restart or an HA takeover, past the grace period). A dialog it knows is
     * still held to its parties: the token proves the dialog, not the sender.
     */
    public Detector request(SipMessage m, InetAddress source, long now, boolean proven) {
        return request(m, source, now, proven, false);
    }

    /**
     * The gateway forwards transparently and sees no response: a dialog counts as answered when the
     * caller acknowledges it (an ACK with a To tag, from the INVITE's sender), the other party is
     * then "one of our proxies" (whichever relays the callee's requests), and a BYE that passed ends
     * the dialog at once. Weaker than the 2xx: the caller could acknowledge an answer it never got,
     * which opens its own dialog to its own BYE, nothing more.
     */
    public void responsesUnseen(boolean unseen) {
        blind = unseen;
    }

    /** As above; {@code fromProxy} when the request comes from one of our proxies. */
    public Detector request(SipMessage m, InetAddress source, long now, boolean proven, boolean fromProxy) {
        if (!started) {
            started = true;
            graceUntil = now + settings.graceNanos();
        }
        Method method = m.method();
        if (method != Method.INVITE && method != Method.ACK && method != Method.BYE && method != Method.CANCEL) {
            return Detector.NONE;
        }
        long key = key(m);
        int slot = table.find(key, now);
        switch (method) {
            case INVITE -> {
                if (!Range.present(m.toTag()) && (slot < 0 || state[slot] == ENDED)) {
                    if (slot < 0) {
                        slot = table.insert(key, now);
                    }
                    state[slot] = INVITING;
                    caller[slot] = source;
                    answerer[slot] = null;
                    table.rank(slot, 0);
                }
                return Detector.NONE;
            }
            case ACK -> {
                if (blind && slot >= 0 && state[slot] == INVITING && Range.present(m.toTag())
                    && source.equals(caller[slot])) {
                    state[slot] = ANSWERED;
                    answerer[slot] = null;
                    table.rank(slot, RANK_ANSWERED);
                }
                return Detector.NONE;
            }
            case BYE -> {
                if (slot < 0) {
                    return proven ? Detector.NONE : unknown(now, Detector.FAKE_BYE);
                }
                boolean party = party(slot, source) || blind && fromProxy && answerer[slot] == null;
                if (state[slot] == INVITING || !party) {
                    return Detector.FAKE_BYE;
                }
                if (blind && state[slot] == ANSWERED) {
                    // No final response will come to end it: the BYE does (retransmissions still match).
                    state[slot] = ENDED;
                    table.rank(slot, 0);
                }
                return Detector.NONE;
            }
            default -> {
                if (slot < 0) {
                    return unknown(now, Detector.FAKE_CANCEL);
                }
                return source.equals(caller[slot]) ? Detector.NONE : Detector.FAKE_CANCEL;
            }
        }
    }

    /** Records what a response (that passed the gateway's branch check) tells about its dialog. */
    public void response(SipMessage m, InetAddress source, long now) {
        int code = m.statusCode();
        Method method = m.cseqMethod();
        if (code < 200 || (method != Method.INVITE && method != Method.BYE)) {
            return;
        }
        int slot = table.find(key(m), now);
        if (slot < 0) {
            return;
        }
        if (method == Method.INVITE && code < 300 && state[slot] == INVITING) {
            state[slot] = ANSWERED;
            answerer[slot] = source;
            table.rank(slot, RANK_ANSWERED);
        } else if (method == Method.BYE && state[slot] == ANSWERED) {
            // Kept (at the lowest rank) so that retransmitted BYEs still find their dialog.
            state[slot] = ENDED;
            table.rank(slot, 0);
        }
    }

    private Detector unknown(long now, Detector verdict) {
        if (now < graceUntil) {
            unknownInGrace++;
            return Detector.NONE;
        }
        return verdict;
    }

    private boolean party(int slot, InetAddress source) {
        return source.equals(caller[slot]) || source.equals(answerer[slot]);
    }

    /** BYEs and CANCELs of unknown Call-IDs let through during the grace period after start. */
    public long unknownInGrace() {
        return unknownInGrace;
    }

    public FingerprintTable table() {
        return table;
    }

    private long key(SipMessage m) {
        return Fingerprints.mix(seed, m.hash(m.callId()));
    }
}
