package org.sipbastion.tier2.token;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.sipbastion.crypto.mac.MacKeyRing;
import org.sipbastion.crypto.mac.TokenSigner;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;

/**
 * The route token: a URI parameter of our Record-Route, {@code ;bt=P-T}. P (8 base32 characters)
 * names the proxy the dialog was sent to by a keyed hash of its address, so clients never see the
 * address, and any gateway holding the keys finds the proxy among its own, whatever their order
 * or number. T is an HMAC ({@link TokenSigner}: key id and 80 bits) over the Call-ID, the From tag
 * of the request that set the dialog up, and that proxy's address. Every in-dialog request brings
 * it back in its Route header, so it proves the dialog was set up through a gateway holding our
 * keys, and names its proxy, whatever the receiving gateway remembers: after a restart, after an
 * HA takeover, on a second gateway, or after the proxy list changed.
 *
 * <p>It proves the dialog, not the sender: whoever sees a request of the dialog can copy its Route.
 * Tier 1 accepts it only for a dialog it does not know (its own party check is stronger).
 *
 * <p>Not thread-safe: one per event loop. Proxy ids are computed once per key and cached, so a
 * message costs one HMAC to write or check (two for the callee's requests). The JDK's HMAC
 * allocates a few dozen bytes per computation, as for our Via branches; a hand-rolled HMAC on two
 * MessageDigests would remove that.
 */
public final class RouteToken {
    /** The URI parameter, with its separator. */
    public static final byte[] PARAM = ";bt=".getBytes(StandardCharsets.US_ASCII);
    /** Characters of the proxy id. */
    public static final int ID_CHARS = 8;
    private static final byte[] DOMAIN = "route-token".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROXY_DOMAIN = "route-token-proxy".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_PARAMS = 512;
    private static final int VALUE_CHARS = ID_CHARS + 1 + TokenSigner.TOKEN_CHARS;

    private final TokenSigner signer;
    private List<InetSocketAddress> proxies;
    /** The proxies' addresses as bytes (InetAddress hands out a copy each time). */
    private byte[][] addresses;
    private final byte[] token = new byte[TokenSigner.TOKEN_CHARS];
    private final byte[] params = new byte[MAX_PARAMS];
    private final byte[] field = new byte[256];
    /** Proxy ids under the two keys last used (the current and the previous one, after a rotation). */
    private final char[] idKey = new char[2];
    private final byte[][][] ids = new byte[2][][];
    private int nextCache;

    public RouteToken(MacKeyRing keys, List<InetSocketAddress> proxies) {
        this.signer = new TokenSigner(keys);
        know(proxies);
    }

    /** Swaps in a rotated key ring (the admin's key reload); the previous key still verifies. */
    public void ring(org.sipbastion.crypto.mac.MacKeyRing next) {
        signer.ring(next);
    }

    /**
     * The proxies tokens may name, from now on (discovery changed the set). A token naming a proxy
     * no longer among them no longer routes; its dialog still finds its proxy in the dialog table.
     */
    public void know(List<InetSocketAddress> proxies) {
        List<InetSocketAddress> all = List.copyOf(proxies);
        byte[][] bytes = new byte[all.size()][];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = all.get(i).getAddress().getAddress();
        }
        this.proxies = all;
        this.addresses = bytes;
        ids[0] = null;
        ids[1] = null;
    }

    /**
     * Writes {@code ;bt=P-T} for the dialog {@code m} sets up through {@code proxy}; writes nothing
     * for a proxy not in the list or a request whose Call-ID or From tag cannot be signed.
     */
    public void write(SipMessage m, InetSocketAddress proxy, ByteBuf out) {
        int index = proxies.indexOf(proxy);
        if (index < 0 || !signable(m, m.fromTag())) {
            return;
        }
        byte[][] known = ids(signer.currentKeyId());
        input(m, m.fromTag(), index);
        signer.sign(token, 0);
        out.writeBytes(PARAM).writeBytes(known[index]).writeByte('-').writeBytes(token);
    }

    /**
     * The proxy named by a valid token among {@code uriParams} (the parameters of our Route URI in
     * an in-dialog request), or null: no token, a forged or altered one, one of keys we do not hold,
     * or one naming a proxy we do not have. The token was made with the From tag of the request
     * that set the dialog up: the caller's, which is the From tag of the caller's requests and the
     * To tag of the callee's, so both are tried.
     */
    public InetSocketAddress verify(SipMessage m, long uriParams) {
        if (!Range.present(uriParams) || Range.length(uriParams) > MAX_PARAMS) {
            return null;
        }
        int n = m.copy(uriParams, params, 0);
        int at = find(params, n);
        if (at < 0 || at + VALUE_CHARS > n || params[at + ID_CHARS] != '-'
            || at + VALUE_CHARS < n && params[at + VALUE_CHARS] != ';') {
            return null;
        }
        int t = at + ID_CHARS + 1;
        byte[][] known = ids((char) params[t]);
        if (known == null) {
            return null;
        }
        for (int i = 0; i < known.length; i++) {
            if (sameId(known[i], params, at)) {
                return signedWith(m, m.fromTag(), i, t) || signedWith(m, m.toTag(), i, t) ? proxies.get(i) : null;
            }
        }
        return null;
    }

    private boolean signedWith(SipMessage m, long tag, int proxy, int tokenAt) {
        if (!signable(m, tag)) {
            return false;
        }
        input(m, tag, proxy);
        return signer.verify(params, tokenAt, TokenSigner.TOKEN_CHARS);
    }

    /** The ids of every proxy under key {@code keyId}, or null when that key is not live. */
    private byte[][] ids(char keyId) {
        for (int c = 0; c < 2; c++) {
            if (ids[c] != null && idKey[c] == keyId) {
                return ids[c];
            }
        }
        // A key id we do not hold (a forged token) must cost no allocation: check it first.
        signer.reset();
        if (!signer.signWith(keyId, token, 0)) {
            return null;
        }
        byte[][] made = new byte[proxies.size()][ID_CHARS];
        for (int i = 0; i < made.length; i++) {
            signer.reset();
            signer.field(PROXY_DOMAIN, 0, PROXY_DOMAIN.length);
            address(i);
            if (!signer.signWith(keyId, token, 0)) {
                return null;
            }
            // The key id stays out: the token after it carries it.
            System.arraycopy(token, 1, made[i], 0, ID_CHARS);
        }
        int c = nextCache;
        nextCache = 1 - nextCache;
        idKey[c] = keyId;
        ids[c] = made;
        return made;
    }

    private static boolean sameId(byte[] id, byte[] p, int at) {
        int diff = 0;
        for (int i = 0; i < ID_CHARS; i++) {
            diff |= id[i] ^ p[at + i];
        }
        return diff == 0;
    }

    /** Where the value of {@code bt} starts among the parameters, or -1. */
    private static int find(byte[] p, int n) {
        for (int i = 0; i + 3 <= n; i++) {
            boolean start = i == 0 || p[i - 1] == ';';
            if (start && (p[i] | 0x20) == 'b' && (p[i + 1] | 0x20) == 't' && p[i + 2] == '=') {
                return i + 3;
            }
        }
        return -1;
    }

    private void input(SipMessage m, long tag, int proxy) {
        signer.reset();
        signer.field(DOMAIN, 0, DOMAIN.length);
        copyField(m, m.callId());
        copyField(m, tag);
        address(proxy);
    }

    private void address(int proxy) {
        signer.field(addresses[proxy], 0, addresses[proxy].length);
        signer.field(proxies.get(proxy).getPort());
    }

    /** Call-ID and tag fit the signer whole (no real ones come near): a token never covers a prefix. */
    private boolean signable(SipMessage m, long tag) {
        return Range.present(tag) && Range.length(tag) <= field.length && Range.present(m.callId())
            && Range.length(m.callId()) <= field.length;
    }

    private void copyField(SipMessage m, long range) {
        signer.field(field, 0, m.copy(range, field, 0));
    }
}
