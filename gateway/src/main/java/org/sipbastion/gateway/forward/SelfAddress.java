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
        if (!m.sipUri(uri, parts)) {
            return false;
        }
        if (withoutUser && Range.present(parts.user())) {
            return false;
        }
        int p = parts.port() < 0 ? 5060 : parts.port();
        return p == port && (m.contentEquals(parts.host(), advertised, true) || m.contentEquals(parts.host(), listenIp, true));
    }

    public byte[] advertised() {
        return advertised;
    }

    public int port() {
        return port;
    }
}
