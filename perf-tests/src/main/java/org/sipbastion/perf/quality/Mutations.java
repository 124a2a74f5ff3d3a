package org.sipbastion.perf.quality;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Malformed SIP in the manner of the PROTOS c07-sip suite (no runnable copy of it exists here): valid
 * requests with one field broken at a time (overflows past the parser's 8 KB line limit, illegal
 * characters, missing or contradictory mandatory headers, numbers out of range, framing errors).
 * Every case is invalid SIP or over the documented limits, so a correct edge drops each one. Long
 * values that the grammar allows and that fit the limits (a 3,000-character user part) are valid
 * SIP and pass by design; they are left out.
 */
final class Mutations {
    private Mutations() {
    }

    private static final String BASE = "%s sip:4930123456@sip.example.net SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 203.0.113.66:5060;branch=z9hG4bK%s;rport\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: <sip:protos@203.0.113.66>;tag=%s\r\n"
        + "To: <sip:4930123456@sip.example.net>\r\n"
        + "Call-ID: protos-%s@203.0.113.66\r\n"
        + "CSeq: 1 %s\r\n"
        + "Contact: <sip:protos@203.0.113.66:5060>\r\n"
        + "Content-Length: 0\r\n\r\n";

    static List<byte[]> all() {
        List<String> out = new ArrayList<>();
        String[] methods = {"INVITE", "REGISTER", "OPTIONS", "BYE"};
        int n = 0;
        for (String method : methods) {
            for (int size : new int[] {10_000, 30_000}) {
                String id = method + n++;
                String ok = valid(method, id);
                String big = "A".repeat(size);
                out.add(ok.replace("sip:4930123456@", "sip:" + big + "@").replace("To: <sip:4930123456@", "To: <sip:" + big + "@"));
                out.add(ok.replace("CSeq: 1 ", "CSeq: " + "9".repeat(Math.min(size, 400)) + " "));
                out.add(ok.replace("Via: SIP/2.0/UDP ", "Via: SIP/2.0/UDP " + big.toLowerCase() + "."));
            }
            String id = method + n++;
            String ok = valid(method, id);
            out.add(ok.replace(" SIP/2.0\r\n", " SIP/7.0\r\n"));
            out.add(ok.replace(method + " sip:", method + "\u0000 sip:"));
            out.add(ok.replace("Call-ID: protos-" + id + "@203.0.113.66\r\n", ""));
            out.add(ok.replace("CSeq: 1 " + method + "\r\n", ""));
            out.add(ok.replace("From: <sip:protos@203.0.113.66>;tag=" + id + "\r\n", ""));
            out.add(ok.replace("Via: SIP/2.0/UDP 203.0.113.66:5060;branch=z9hG4bK" + id + ";rport\r\n", ""));
            out.add(ok.replace("CSeq: 1 ", "CSeq: -1 "));
            out.add(ok.replace("CSeq: 1 ", "CSeq: %s%s%n "));
            out.add(ok.replace("CSeq: 1 " + method, "CSeq: 1 NOTTHESAME"));
            out.add(ok.replace("Max-Forwards: 70", "Max-Forwards: seventy"));
            out.add(ok.replace("Max-Forwards: 70", "Max-Forwards: 99999999999999999999"));
            out.add(ok.replace("Content-Length: 0", "Content-Length: 4000"));
            out.add(ok.replace("Content-Length: 0", "Content-Length: -5"));
            out.add(ok.replace("Content-Length: 0\r\n", "Content-Length: 0\r\nContent-Length: 12\r\n"));
            out.add(ok.replace("sip:4930123456@sip.example.net SIP", "sip:%s%s%s%n@sip.example.net SIP"));
            out.add(ok.replace("sip:4930123456@sip.example.net SIP", "sip:4930123456@[::1 SIP"));
            out.add(ok.replace("sip:4930123456@sip.example.net SIP", "sip:4930123456@sip.example.net:99999 SIP"));
            out.add(ok.replace("SIP/2.0/UDP 203.0.113.66:5060", "SIP/2.0/UDP 203.0.113.66:5060:5060"));
            out.add(ok.replace("To: <sip:4930123456@sip.example.net>", "To: <sip:4930123456@sip.example.net"));
            out.add(ok.replace("From: <sip:protos@203.0.113.66>", "From: \"unterminated <sip:protos@203.0.113.66>"));
            out.add(ok.replace("\r\n\r\n", "\r\n"));
            out.add(ok.replace("Max-Forwards: 70\r\n", "Max-Forwards: 70\r\n" + "X-Filler: x\r\n".repeat(500)));
            out.add(ok.replace("Contact: <sip:protos@203.0.113.66:5060>", "Contact: <sip:protos@203.0.113.66:5060>;expires=\u00ff\u00fe"));
            out.add(ok.replace(method + " sip:", method.substring(0, 2) + "@" + method.substring(2) + " sip:"));
            out.add(ok.substring(0, ok.length() / 2));
        }
        List<byte[]> bytes = new ArrayList<>(out.size());
        for (String s : out) {
            bytes.add(s.getBytes(StandardCharsets.ISO_8859_1));
        }
        return bytes;
    }

    private static String valid(String method, String id) {
        return String.format(BASE, method, id, id, id, method);
    }
}
