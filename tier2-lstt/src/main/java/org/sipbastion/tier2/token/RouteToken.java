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
 * The route token: a URI parameter of our Record-Route, {@code ;bt=N-T}, where N is the index of
 * the proxy the dialog was sent to (in the configured proxy list: the proxy's address itself stays
 * hidden from clients) and T an HMAC (crypto-tls {@link TokenSigner}) over the Call-ID, the From tag
 * of the request that set the dialog up, and that proxy's address. Every in-dialog request carries
 * it back in its Route header, so it proves that the dialog was set up through a gateway holding
 * our keys, and names its proxy, whatever the receiving gateway remembers: after a restart or an
 * HA takeover, or on a second gateway.
 *
 * <p>It proves the dialog, not the sender: whoever sees a request of the dialog can copy its Route.
 * Tier 1 accepts it only for a dialog it does not know (its own party check is stronger).
 *
 * <p>Not thread-safe: one per event loop.
 */
public final class RouteToken {
    /** The URI parameter, with its separator. */
    public static final byte[] PARAM = ";bt=".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DOMAIN = "route-token".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_PARAMS = 512;

    private final TokenSigner signer;
    private final List<InetSocketAddress> proxies;
    private final byte[] token = new byte[TokenSigner.TOKEN_CHARS];
    private final byte[] params = new byte[MAX_PARAMS];
    private final byte[] field = new byte[256];
    private final byte[][] indexText;

    public RouteToken(MacKeyRing keys, List<InetSocketAddress> proxies) {
        this.signer = new TokenSigner(keys);
        this.proxies = List.copyOf(proxies);
        this.indexText = new byte[this.proxies.size()][];
        for (int i = 0; i < indexText.length; i++) {
            indexText[i] = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
        }
    }

    /**
     * Writes {@code ;bt=N-T} for the dialog {@code m} sets up through {@code proxy}; writes nothing
     * for a proxy not in the list (nothing to name) or a request without From tag.
     */
    public void write(SipMessage m, InetSocketAddress proxy, ByteBuf out) {
        int index = proxies.indexOf(proxy);
        if (index < 0 || !signable(m, m.fromTag())) {
            return;
        }
        input(m, m.fromTag(), proxy);
        signer.sign(token, 0);
        out.writeBytes(PARAM).writeBytes(indexText[index]).writeByte('-').writeBytes(token);
    }

    /**
     * The proxy named by a valid token among {@code uriParams} (the parameters of our Route URI in
     * an in-dialog request), or null. The token was made with the From tag of the request that set
     * the dialog up: the caller's, which is the From tag of the caller's requests and the To tag of
     * the callee's, so both are tried.
     */
    public InetSocketAddress verify(SipMessage m, long uriParams) {
        if (!Range.present(uriParams) || Range.length(uriParams) > MAX_PARAMS) {
            return null;
        }
        int n = m.copy(uriParams, params, 0);
        int at = find(params, n);
        if (at < 0) {
            return null;
        }
        int index = 0;
        int i = at;
        while (i < n && params[i] >= '0' && params[i] <= '9' && i - at < 4) {
            index = index * 10 + params[i++] - '0';
        }
        if (i == at || i >= n || params[i] != '-' || index >= proxies.size()) {
            return null;
        }
        int t = i + 1;
        int end = t;
        while (end < n && params[end] != ';') {
            end++;
        }
        if (end - t != TokenSigner.TOKEN_CHARS) {
            return null;
        }
        InetSocketAddress proxy = proxies.get(index);
        return signedWith(m, m.fromTag(), proxy, t) || signedWith(m, m.toTag(), proxy, t) ? proxy : null;
    }

    private boolean signedWith(SipMessage m, long tag, InetSocketAddress proxy, int tokenAt) {
        if (!signable(m, tag)) {
            return false;
        }
        input(m, tag, proxy);
        return signer.verify(params, tokenAt, TokenSigner.TOKEN_CHARS);
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

    private void input(SipMessage m, long tag, InetSocketAddress proxy) {
        signer.reset();
        signer.field(DOMAIN, 0, DOMAIN.length);
        copyField(m, m.callId());
        copyField(m, tag);
        byte[] a = proxy.getAddress().getAddress();
        signer.field(a, 0, a.length);
        signer.field(proxy.getPort());
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
