package org.sipbastion.perf.quality;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Just enough text handling of SIP for the simulated proxies and phones, which read what the gateway
 * sent them and answer it. Not the product's parser on purpose: the harness must not share the
 * code it measures. Messages here are ASCII; compact header names are expanded.
 */
final class SipText {
    private static final Map<String, String> COMPACT = Map.of("v", "via", "f", "from", "t", "to", "i", "call-id",
        "m", "contact", "l", "content-length", "c", "content-type", "k", "supported");

    /** One header line: its name in lower case (compact forms expanded) and the line as it was. */
    record Header(String name, String line) {
        String value() {
            return line.substring(line.indexOf(':') + 1).trim();
        }
    }

    final String firstLine;
    final List<Header> headers;

    private SipText(String firstLine, List<Header> headers) {
        this.firstLine = firstLine;
        this.headers = headers;
    }

    static SipText parse(byte[] datagram) {
        String text = new String(datagram, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        String head = end < 0 ? text : text.substring(0, end);
        String[] lines = head.split("\r\n");
        List<Header> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            headers.add(new Header(COMPACT.getOrDefault(name, name), line));
        }
        return new SipText(lines[0], headers);
    }

    boolean isResponse() {
        return firstLine.startsWith("SIP/2.0 ");
    }

    /** The request's method, or null for a response. */
    String method() {
        return isResponse() ? null : firstLine.substring(0, Math.max(0, firstLine.indexOf(' ')));
    }

    String requestUri() {
        String[] p = firstLine.split(" ");
        return p.length > 1 ? p[1] : "";
    }

    int status() {
        try {
            return isResponse() ? Integer.parseInt(firstLine.substring(8, 11)) : 0;
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            return 0;
        }
    }

    String value(String name) {
        for (Header h : headers) {
            if (h.name.equals(name)) {
                return h.value();
            }
        }
        return null;
    }

    List<Header> all(String name) {
        List<Header> l = new ArrayList<>();
        for (Header h : headers) {
            if (h.name.equals(name)) {
                l.add(h);
            }
        }
        return l;
    }

    String callId() {
        String v = value("call-id");
        return v == null ? "" : v;
    }

    /** The CSeq method, upper case. */
    String cseqMethod() {
        String v = value("cseq");
        if (v == null) {
            return "";
        }
        String[] p = v.trim().split("\\s+");
        return p.length > 1 ? p[1].toUpperCase(Locale.ROOT) : "";
    }

    /** A parameter of a header value ({@code tag}, {@code branch}), or null. */
    static String param(String value, String name) {
        if (value == null) {
            return null;
        }
        for (String part : value.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).trim().equalsIgnoreCase(name)) {
                return part.substring(eq + 1).trim();
            }
        }
        return null;
    }

    /** The URI inside a name-addr ({@code <sip:...>}) or the value itself. */
    static String uri(String value) {
        int lt = value.indexOf('<');
        int gt = value.indexOf('>');
        return lt >= 0 && gt > lt ? value.substring(lt + 1, gt) : value.split(";")[0].trim();
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
