package org.sipbastion.gateway.forward;

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.crypto.mac.TokenSigner;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.Via;

/**
 * Our Via branch: derived from the request, not random (RFC 3261 section 16.11), and signed.
 *
 * <p>Input: the sender's Via branch, sent-by host and port, Call-ID, CSeq number and From tag. A
 * retransmission, the CANCEL and the non-2xx ACK of an INVITE carry the same values, so they get
 * the same branch, and a stateless gateway needs no transaction table for it. A response carries
 * all of them too (the sender's Via sits under ours), so {@link #verify} recomputes the branch and
 * recognises one we never issued: a forged response is dropped before it reaches a client.
 *
 * <p>A request forwarded to a proxy gets a branch bound to that proxy's address too (prefix
 * {@code sp}): its response must come from that address, so a forged answer sent from anywhere else
 * fails even with a replayed branch. The port is left out: a proxy with several sockets may answer
 * from another one. A request forwarded towards a client is not bound ({@code sb}): a client behind
 * NAT answers from wherever its NAT maps it.
 *
 * <p>Format: {@code z9hG4bK} + {@code sp} or {@code sb} + key id + 16 base32 characters (80-bit
 * HMAC-SHA256). Not thread-safe: one per event loop.
 */
public final class BranchCodec {
    private static final byte[] PREFIX = "z9hG4bKsb".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BOUND_PREFIX = "z9hG4bKsp".getBytes(StandardCharsets.US_ASCII);
    public static final int LENGTH = PREFIX.length + TokenSigner.TOKEN_CHARS;

    private final TokenSigner signer;
    private final byte[] scratch = new byte[512];
    private final byte[] token = new byte[TokenSigner.TOKEN_CHARS];

    public BranchCodec(MacKeyRing keys) {
        this.signer = new TokenSigner(keys);
    }

    /** Swaps in a rotated key ring (the admin's key reload); the previous key still verifies. */
    public void ring(org.sipbastion.crypto.mac.MacKeyRing next) {
        signer.ring(next);
    }

    /**
     * Writes the branch for a request whose sender's Via is {@code sender}, bound to {@code proxy}
     * (its response must come from there) or, when null, unbound.
     */
    public void write(SipMessage m, Via sender, InetAddress proxy, ByteBuf out) {
        input(m, sender, proxy);
        signer.sign(token, 0);
        out.writeBytes(proxy != null ? BOUND_PREFIX : PREFIX).writeBytes(token);
    }

    /**
     * True when {@code ours} (top Via of a response received from {@code source}) carries the branch
     * we derive from {@code sender}, and a bound branch came from the address it is bound to.
     */
    public boolean verify(SipMessage m, Via ours, Via sender, InetAddress source) {
        long b = ours.branch();
        if (sender == null || Range.length(b) != LENGTH) {
            return false;
        }
        boolean bound = m.startsWith(b, BOUND_PREFIX);
        if (!bound && !m.startsWith(b, PREFIX)) {
            return false;
        }
        input(m, sender, bound ? source : null);
        m.copy(Range.of(Range.start(b) + PREFIX.length, TokenSigner.TOKEN_CHARS), token, 0);
        return signer.verify(token, 0, TokenSigner.TOKEN_CHARS);
    }

    private void input(SipMessage m, Via sender, InetAddress proxy) {
        signer.reset();
        field(m, sender.branch());
        field(m, sender.host());
        signer.field(sender.port());
        field(m, m.callId());
        signer.field(m.cseqNumber());
        field(m, m.fromTag());
        if (proxy instanceof Inet4Address) {
            signer.field(4L << 32 | (proxy.hashCode() & 0xFFFFFFFFL)); // hashCode is the IPv4 address
        } else if (proxy != null) {
            byte[] a = proxy.getAddress();
            signer.field(a, 0, a.length);
        }
    }

    private void field(SipMessage m, long range) {
        if (!Range.present(range)) {
            signer.field(scratch, 0, 0);
            return;
        }
        int n = m.copy(range, scratch, 0);
        signer.field(scratch, 0, n);
    }
}
