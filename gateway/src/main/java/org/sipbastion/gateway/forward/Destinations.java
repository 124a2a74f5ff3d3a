package org.sipbastion.gateway.forward;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;
import org.sipbastion.parser.UriParts;
import org.sipbastion.parser.Via;

/**
 * Where a message goes, read from the message itself. Only IP literals resolve: a stateless edge
 * does no DNS on the data path, and because we stamp received on every request we forward, our
 * own clients' Vias always carry an address.
 */
public final class Destinations {
    private Destinations() {
    }

    /**
     * A response's next hop from a Via value (RFC 3261 section 18.2.2, RFC 3581): the received
     * address if present, else the sent-by host; the rport value if present, else the sent-by port,
     * else 5060. Null when the Via names no IP address.
     */
    public static InetSocketAddress ofVia(SipMessage m, Via v) {
        long host = Range.present(v.received()) ? v.received() : v.host();
        int port = v.rport() > 0 ? v.rport() : v.port() > 0 ? v.port() : 5060;
        return ipLiteral(m, host, port);
    }

    /** The host and port of a SIP URI (default port 5060), or null when the host is not an IP address. */
    public static InetSocketAddress ofUri(SipMessage m, long uri, UriParts scratch) {
        if (!m.sipUri(uri, scratch)) {
            return null;
        }
        return ipLiteral(m, scratch.host(), scratch.port() > 0 ? scratch.port() : 5060);
    }

    private static InetSocketAddress ipLiteral(SipMessage m, long host, int port) {
        String text = m.string(host);
        return text == null ? null : ipLiteral(text, port);
    }

    /** An IPv4 or IPv6 address as text (IPv6 in brackets or not) with a port; null if it is not one. */
    public static InetSocketAddress ipLiteral(String text, int port) {
        if (text.startsWith("[") && text.endsWith("]")) {
            text = text.substring(1, text.length() - 1);
        }
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(text);
        if (ip == null) {
            return null;
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /**
     * False for addresses nothing may be sent to: broadcast, multicast, the wildcard, and ourselves
     * (a loop an attacker could start with a Via or URI naming us).
     */
    public static boolean deliverable(InetSocketAddress target, InetSocketAddress self) {
        InetAddress a = target.getAddress();
        if (a.isAnyLocalAddress() || a.isMulticastAddress() || target.getPort() == 0) {
            return false;
        }
        byte[] b = a.getAddress();
        if (b.length == 4 && (b[0] & b[1] & b[2] & b[3]) == (byte) 0xFF) {
            return false;
        }
        return !(target.getPort() == self.getPort()
            && (a.equals(self.getAddress()) || self.getAddress().isAnyLocalAddress() && a.isLoopbackAddress()));
    }
}
