package org.sipbastion.gateway.forward;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.UriParts;

/**
 * Recognises URIs that name this gateway: our advertised host or listening address, at our port
 * (an absent port means 5060). Used for OPTIONS pings to the appliance and for our own Route entry.
 */
public final class SelfAddress {
    private final byte[] advertised;
    private final byte[] listenIp;
    private final int port;
    private final UriParts parts = new UriParts();

    public SelfAddress(String advertised, InetSocketAddress listen) {
        this.advertised = advertised.getBytes(StandardCharsets.US_ASCII);
        this.listenIp = listen.getAddress().getHostAddress().getBytes(StandardCharsets.US_ASCII);
        this.port = listen.getPort();
    }

    /** True when the SIP URI in {@code uri} names us; {@code withoutUser} also requires no user part. */
    public boolean matches(SipMessage m, long uri, boolean withoutUser) {
        return m.sipUri(uri, parts) && matches(m, parts, withoutUser);
    }

    /** As above, for a URI the caller has parsed already (and still needs the parts of). */
    public boolean matches(SipMessage m, UriParts parsed, boolean withoutUser) {
        if (withoutUser && Range.present(parsed.user())) {
            return false;
        }
        int p = parsed.port() < 0 ? 5060 : parsed.port();
        return p == port && (m.contentEquals(parsed.host(), advertised, true) || m.contentEquals(parsed.host(), listenIp, true));
    }

    public byte[] advertised() {
        return advertised;
    }

    public int port() {
        return port;
    }
}
