package org.sipbastion.gateway.forward;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.sipbastion.crypto.seal.HeaderSeal;
import org.sipbastion.parser.HeaderName;
import org.sipbastion.parser.MessageEditor;
import org.sipbastion.parser.ProxyRewrites;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.UriParts;

/**
 * Topology hiding: what the proxies behind us write into a message (their Via entries, their
 * Record-Route entries, the Contact of a proxy acting as a B2BUA) does not reach clients. Each is
 * sealed ({@link HeaderSeal}, bound to the Call-ID) into a {@code ;bh=} parameter of an entry of
 * ours, which the client sends back unchanged, and restored from it when it comes back:
 *
 * <ul>
 *   <li>a request from a proxy to a client: every Via goes into our Via (the client's responses
 *       bring it back); every Record-Route entry goes into our Record-Route (the client's requests
 *       bring it back in their Route, its responses in their Record-Route);
 *   <li>a response from a proxy to a client: the Record-Route entries above our own (the bottom
 *       one, added when we forwarded the request) go into it, in the order the client's route set
 *       will hold them;
 *   <li>a Contact naming one of our proxies becomes our address with the sealed URI (the client's
 *       in-dialog requests bring it back as their Request-URI).
 * </ul>
 *
 * The rule for Route entries: the sealed list is what follows our entry in the route set of the
 * client holding it, so restoring is always "our entry, then the list", in a Route or a
 * Record-Route alike. Stateless, like the route token: any gateway with the keys restores it.
 *
 * <p>Not thread-safe: one per event loop.
 */
public final class TopologyHiding {
    /** The parameter's name, as {@link SipMessage#param} wants it. */
    public static final byte[] NAME = "bh".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PARAM = ";bh=".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEPARATOR = ", ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RECORD_ROUTE = "Record-Route: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SIP = "sip:".getBytes(StandardCharsets.US_ASCII);
    /** Route entries handled at most in one message (more: left as they are, and counted). */
    private static final int MAX_VALUES = 32;
    /** Longest Call-ID a seal is bound to; messages with a longer one are not hidden. */
    private static final int MAX_CALL_ID = 256;

    /** What {@link #restore} did. */
    public enum Restored { NOTHING, RESTORED, REFUSED }

    private final HeaderSeal seal;
    private final SelfAddress self;
    private final byte[] selfHostPort;
    private byte[][] proxyHosts;
    private int[] proxyPorts;
    private final UriParts uri = new UriParts();
    private final long[] values = new long[MAX_VALUES];
    private final long[] uris = new long[MAX_VALUES];
    private final long[] lineValues = new long[MAX_VALUES];
    private final long[] lineUris = new long[MAX_VALUES];
    private final byte[] callId = new byte[MAX_CALL_ID];
    private int callIdLength;
    private final byte[] plain = new byte[HeaderSeal.MAX_PLAIN];
    private int plainLength;
    private final Sealed via = new Sealed();
    private final Sealed routes = new Sealed();
    private final Sealed contact = new Sealed();

    /** A sealed value waiting to be written. */
    private static final class Sealed {
        final byte[] bytes = new byte[HeaderSeal.sealedLength(HeaderSeal.MAX_PLAIN)];
        int length;
    }

    /**
     * @param seal         sealer under the gateway's keys
     * @param self         recognises our own URIs
     * @param selfHostPort our advertised host and port, as written in our Via and Record-Route
     * @param proxies      the proxies whose Contact is hidden (B2BUAs)
     */
    public TopologyHiding(HeaderSeal seal, SelfAddress self, byte[] selfHostPort, List<InetSocketAddress> proxies) {
        this.seal = seal;
        this.self = self;
        this.selfHostPort = selfHostPort.clone();
        know(proxies);
    }

    /** The proxies whose Contact is hidden, from now on (discovery changed the set). */
    public void know(List<InetSocketAddress> proxies) {
        byte[][] hosts = new byte[proxies.size()][];
        int[] ports = new int[proxies.size()];
        for (int i = 0; i < hosts.length; i++) {
            InetSocketAddress p = proxies.get(i);
            String host = p.getAddress().getHostAddress();
            hosts[i] = (host.indexOf(':') >= 0 ? "[" + host + "]" : host).getBytes(StandardCharsets.US_ASCII);
            ports[i] = p.getPort();
        }
        this.proxyHosts = hosts;
        this.proxyPorts = ports;
    }

    // ------------------------------------------------------------------ towards a client

    /**
     * Starts hiding a message towards a client; false when it cannot be (its Call-ID, which the
     * seals are bound to, is longer than we bind).
     */
    public boolean begin(SipMessage m) {
        via.length = routes.length = contact.length = 0;
        long id = m.callId();
        if (!Range.present(id) || Range.length(id) > MAX_CALL_ID) {
            callIdLength = -1;
            return false;
        }
        callIdLength = m.copy(id, callId, 0);
        return true;
    }

    /** Seals every Via of a request from a proxy; true when sealed (then {@link #writeViaSeal} and {@link #deleteLines}). */
    public boolean sealVias(SipMessage m) {
        plainLength = 0;
        for (int h = m.first(HeaderName.VIA); h >= 0; h = m.next(HeaderName.VIA, h)) {
            if (!append(m, m.headerValue(h))) {
                return false;
            }
        }
        return seal(via);
    }

    /** Seals every Record-Route entry of a request from a proxy, in order; true when sealed. */
    public boolean sealRecordRoutes(SipMessage m) {
        plainLength = 0;
        for (int h = m.first(HeaderName.RECORD_ROUTE); h >= 0; h = m.next(HeaderName.RECORD_ROUTE, h)) {
            if (!append(m, m.headerValue(h))) {
                return false;
            }
        }
        return seal(routes);
    }

    /** Appends {@code ;bh=SEAL} of the Vias sealed last to our Via being written. */
    public void writeViaSeal(ByteBuf out) {
        write(via, out);
    }

    /** Appends {@code ;bh=SEAL} of the Record-Route entries sealed last to our Record-Route URI being written. */
    public void writeRouteSeal(ByteBuf out) {
        write(routes, out);
    }

    /** Removes every header line of this name (whose values were sealed). */
    public static void deleteLines(MessageEditor ed, SipMessage m, HeaderName name) {
        for (int h = m.first(name); h >= 0; h = m.next(name, h)) {
            long line = m.headerLine(h);
            ed.delete(Range.start(line), Range.length(line));
        }
    }

    /**
     * A response from a proxy to a client: the Record-Route entries above our own (the bottom one)
     * are sealed into it, in reverse (the client's route set is the list reversed). True when there
     * was something to hide and it was hidden; false also when the bottom entry is not ours.
     */
    public boolean hideResponseRoutes(MessageEditor ed, SipMessage m) {
        int n = recordRoutes(m);
        if (n < 2 || !self.matches(m, uris[n - 1], false)) {
            return false;
        }
        plainLength = 0;
        for (int i = n - 2; i >= 0; i--) {
            if (!append(m, values[i])) {
                return false;
            }
        }
        if (!seal(routes)) {
            return false;
        }
        int first = m.first(HeaderName.RECORD_ROUTE);
        long line = m.headerLine(first);
        ByteBuf out = ed.begin(Range.start(line), Range.length(line)).writeBytes(RECORD_ROUTE);
        long ours = values[n - 1];
        int uriEnd = Range.end(uris[n - 1]);
        out.writeBytes(m.buffer(), Range.start(ours), uriEnd - Range.start(ours));
        write(routes, out);
        out.writeBytes(m.buffer(), uriEnd, Range.end(ours) - uriEnd);
        ProxyRewrites.endHeader(ed);
        for (int h = m.next(HeaderName.RECORD_ROUTE, first); h >= 0; h = m.next(HeaderName.RECORD_ROUTE, h)) {
            long l = m.headerLine(h);
            ed.delete(Range.start(l), Range.length(l));
        }
        return true;
    }

    /**
     * A Contact naming one of our proxies (a B2BUA's) becomes our address with the proxy's URI
     * sealed in it. True when it was replaced.
     */
    public boolean hideContact(MessageEditor ed, SipMessage m) {
        if (m.contactCount() != 1 || m.contactIsStar()) {
            return false;
        }
        long u = m.firstContact();
        if (!m.sipUri(u, uri) || !isProxy(m, uri)) {
            return false;
        }
        plainLength = 0;
        if (!append(m, u) || !seal(contact)) {
            return false;
        }
        int start = Range.start(u);
        // An addr-spec without brackets: its parameters would become header parameters.
        boolean bracketed = start > 0 && m.buffer().getByte(start - 1) == '<';
        ByteBuf out = ed.begin(start, Range.length(u));
        if (!bracketed) {
            out.writeByte('<');
        }
        out.writeBytes(SIP).writeBytes(selfHostPort);
        write(contact, out);
        if (!bracketed) {
            out.writeByte('>');
        }
        ed.end();
        return true;
    }

    // ------------------------------------------------------------------ from a client

    /**
     * Restores what our seals in a message from a client hide: our Route entry's list (a request),
     * the Request-URI (a B2BUA's Contact), our Via's Vias and our Record-Route entry's list (a
     * response). REFUSED when a seal of ours does not open: the message was altered or forged.
     */
    public Restored restore(MessageEditor ed, SipMessage m) {
        boolean bound = begin(m);
        boolean edited = false;
        if (m.isRequest()) {
            if (m.routeCount() > 0 && m.sipUri(m.firstRoute(), uri) && self.matches(m, uri, false)) {
                long bh = m.param(uri.params(), NAME);
                if (Range.present(bh)) {
                    if (!bound || !open(m, bh)) {
                        return Restored.REFUSED;
                    }
                    deleteParam(ed, m, bh);
                    ed.begin(Range.end(m.firstRouteValue()), 0).writeBytes(SEPARATOR).writeBytes(plain, 0, plainLength);
                    ed.end();
                    edited = true;
                }
            }
            if (m.sipUri(m.requestUri(), uri) && self.matches(m, uri, false)) {
                long bh = m.param(uri.params(), NAME);
                if (Range.present(bh)) {
                    if (!bound || !open(m, bh)) {
                        return Restored.REFUSED;
                    }
                    long r = m.requestUri();
                    ed.begin(Range.start(r), Range.length(r)).writeBytes(plain, 0, plainLength);
                    ed.end();
                    edited = true;
                }
            }
            return edited ? Restored.RESTORED : Restored.NOTHING;
        }
        var top = m.via(0);
        if (top != null) {
            long bh = m.param(Range.between(top.start(), top.end()), NAME);
            if (Range.present(bh)) {
                if (!bound || !open(m, bh)) {
                    return Restored.REFUSED;
                }
                deleteParam(ed, m, bh);
                ed.begin(top.end(), 0).writeBytes(SEPARATOR).writeBytes(plain, 0, plainLength);
                ed.end();
                edited = true;
            }
        }
        int n = recordRoutes(m);
        for (int i = 0; i < n; i++) {
            if (!m.sipUri(uris[i], uri) || !self.matches(m, uri, false)) {
                continue;
            }
            long bh = m.param(uri.params(), NAME);
            if (!Range.present(bh)) {
                continue;
            }
            if (!bound || !open(m, bh)) {
                return Restored.REFUSED;
            }
            deleteParam(ed, m, bh);
            ed.begin(Range.end(values[i]), 0).writeBytes(SEPARATOR).writeBytes(plain, 0, plainLength);
            ed.end();
            edited = true;
            break;
        }
        return edited ? Restored.RESTORED : Restored.NOTHING;
    }

    // ------------------------------------------------------------------ internals

    /** Every Record-Route entry of the message, in order, into {@link #values} and {@link #uris}; -1 when too many. */
    private int recordRoutes(SipMessage m) {
        int n = 0;
        for (int h = m.first(HeaderName.RECORD_ROUTE); h >= 0; h = m.next(HeaderName.RECORD_ROUTE, h)) {
            int k = m.addressValues(h, lineValues, lineUris);
            if (k < 0 || n + k > MAX_VALUES) {
                return -1;
            }
            System.arraycopy(lineValues, 0, values, n, k);
            System.arraycopy(lineUris, 0, uris, n, k);
            n += k;
        }
        return n;
    }

    private boolean isProxy(SipMessage m, UriParts parsed) {
        int port = parsed.port() < 0 ? 5060 : parsed.port();
        for (int i = 0; i < proxyHosts.length; i++) {
            if (proxyPorts[i] == port && m.contentEquals(parsed.host(), proxyHosts[i], true)) {
                return true;
            }
        }
        return false;
    }

    private boolean append(SipMessage m, long range) {
        int sep = plainLength == 0 ? 0 : SEPARATOR.length;
        if (plainLength + sep + Range.length(range) > plain.length) {
            return false;
        }
        if (sep > 0) {
            System.arraycopy(SEPARATOR, 0, plain, plainLength, sep);
            plainLength += sep;
        }
        plainLength += m.copy(range, plain, plainLength);
        return true;
    }

    private boolean seal(Sealed into) {
        into.length = seal.seal(plain, 0, plainLength, callId, 0, callIdLength, into.bytes, 0);
        return into.length > 0;
    }

    private static void write(Sealed s, ByteBuf out) {
        if (s.length > 0) {
            out.writeBytes(PARAM).writeBytes(s.bytes, 0, s.length);
        }
    }

    private final byte[] sealedIn = new byte[HeaderSeal.sealedLength(HeaderSeal.MAX_PLAIN)];

    private boolean open(SipMessage m, long bh) {
        if (Range.length(bh) > sealedIn.length) {
            return false;
        }
        int n = m.copy(bh, sealedIn, 0);
        plainLength = seal.open(sealedIn, 0, n, callId, 0, callIdLength, plain);
        return plainLength >= 0;
    }

    /** Deletes {@code ;bh=VALUE}: from the ';' before the name to the end of the value. */
    private static void deleteParam(MessageEditor ed, SipMessage m, long value) {
        int start = Range.start(value);
        int semi = start - 1;
        while (semi > 0 && m.buffer().getByte(semi) != ';') {
            semi--;
        }
        ed.delete(semi, Range.end(value) - semi);
    }
}
