package org.sipbastion.gateway.control;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.sipbastion.parser.HeaderName;
import org.sipbastion.parser.Range;
import org.sipbastion.parser.SipMessage;

/**
 * The few things the control plane's SIP needs beyond the parser: a header by any name, and
 * messages built as text (a subscription exchanges a message every few seconds: clarity over
 * speed), with a binary body.
 */
public final class ControlMessages {
    /** Our event package (RFC 6665 section 7.2: a private package's name starts with x-). */
    public static final String EVENT = "x-workload";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ControlMessages() {
    }

    /** The value of the first header called {@code name} (any case; compact forms are not looked at), or null. */
    public static String header(SipMessage m, String name) {
        byte[] wanted = name.getBytes(StandardCharsets.US_ASCII);
        for (int h = 0; h < m.headerCount(); h++) {
            HeaderName known = m.headerName(h);
            boolean match = known != HeaderName.OTHER ? known.canonical().equalsIgnoreCase(name)
                : m.contentEquals(m.headerNameRange(h), wanted, true);
            if (match) {
                return m.string(m.headerValue(h)).trim();
            }
        }
        return null;
    }

    /** A header value's parameter ({@code ;name=value}), or null. */
    public static String param(String value, String name) {
        if (value == null) {
            return null;
        }
        for (String part : value.split(";")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length == 2 && kv[0].trim().equalsIgnoreCase(name)) {
                return kv[1].trim();
            }
        }
        return null;
    }

    /** The part of a header value before its parameters. */
    public static String value(String v) {
        if (v == null) {
            return null;
        }
        int semi = v.indexOf(';');
        return (semi < 0 ? v : v.substring(0, semi)).trim();
    }

    /** The message's body bytes. */
    public static byte[] body(SipMessage m) {
        byte[] b = new byte[m.bodyLength()];
        m.buffer().getBytes(m.bodyStart(), b);
        return b;
    }

    public static String string(SipMessage m, long range) {
        return Range.present(range) ? m.string(range) : null;
    }

    /** host:port as SIP writes it (IPv6 in brackets). */
    public static String hostPort(java.net.InetSocketAddress a) {
        String h = a.getAddress().getHostAddress();
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    /** The innermost cause of {@code t}, as a log line says it (a TLS failure is wrapped several times). */
    public static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + (c.getMessage() != null ? ": " + c.getMessage() : "");
    }

    /** A fresh token for tags, branches and Call-IDs. */
    public static String token() {
        return Long.toHexString(RANDOM.nextLong() & Long.MAX_VALUE) + Long.toHexString(RANDOM.nextInt() & 0xfffffff);
    }

    /** {@code headers} (each line with its CRLF) then Content-Length, the blank line and {@code body}. */
    public static ByteBuf message(String startAndHeaders, byte[] body) {
        byte[] head = (startAndHeaders + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        return Unpooled.wrappedBuffer(head, body);
    }

    /**
     * A response to request {@code m}: its Via, From, To (with {@code toTag} added when it has none),
     * Call-ID and CSeq, then {@code extra} header lines.
     */
    public static ByteBuf response(SipMessage m, int status, String reason, String toTag, String extra) {
        StringBuilder s = new StringBuilder("SIP/2.0 ").append(status).append(' ').append(reason).append("\r\n");
        for (int h = 0; h < m.headerCount(); h++) {
            HeaderName n = m.headerName(h);
            if (n == HeaderName.VIA || n == HeaderName.FROM || n == HeaderName.CALL_ID || n == HeaderName.CSEQ) {
                s.append(n.canonical()).append(": ").append(m.string(m.headerValue(h)).trim()).append("\r\n");
            } else if (n == HeaderName.TO) {
                String to = m.string(m.headerValue(h)).trim();
                s.append("To: ").append(to);
                if (!Range.present(m.toTag()) && toTag != null) {
                    s.append(";tag=").append(toTag);
                }
                s.append("\r\n");
            }
        }
        if (extra != null) {
            s.append(extra);
        }
        return message(s.toString(), new byte[0]);
    }
}
